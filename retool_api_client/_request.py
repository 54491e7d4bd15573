"""The one request pipeline: an operation (``_operation.Operation``) and a call's arguments in,
the typed result out.

Every generated method calls :func:`request` (list methods through ``_pagination``, which
sends with :func:`build` and parses with :func:`parse` too):

1. **build** the request from the caller's typed input: path parameters checked and
   percent-encoded (``_parsing.path_segment``), query values and the JSON body turned into
   JSON by one total function (``_parsing.json_value``: models, enums, dates, UUIDs, mappings,
   lists; a value of the wrong type passes through unchanged for the check to name); a
   required field the caller left out that the spec gives a default gets it (``op.fill``);
2. **check** it against the operation's schemas (``_validate.check``), so a wrong argument
   fails with ``RequestValidationError`` before anything is sent;
3. **send** it: :func:`send` encodes it into the wire request (``_message.Request``: the
   client's base URL and headers, the query, the JSON bytes) and hands it to the client's
   retry loop (``_retry.RetryLoop``), which sends it through the client's pool (``_pool``);
4. **parse** the answer: the documented model for a success (JSON the spec gives no schema
   decoded as it is), the typed ``APIStatusError``
   (with the documented error model as ``parsed``) for a status >= 400, and
   ``APIResponseValidationError`` for a body that does not fit or a status the spec does
   not document.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from . import _validate
from ._exceptions import ConfigurationError
from ._message import Answer, Request, merge_headers
from ._operation import Fill, Operation, model
from ._parsing import (
    json_value,
    multipart_body,
    path_segment,
    response_error,
    status_error,
    undocumented_status,
)
from ._types import UNSET, Response, Unset

if TYPE_CHECKING:
    from ._client import Sending

__all__ = ["build", "check", "encode", "parse", "request", "result", "send"]

_ABSENT: Any = object()


async def request(
    client: Any,
    op: Operation,
    path: tuple[Any, ...] = (),
    params: Mapping[str, Any] | None = None,
    body: Any = UNSET,
    *,
    raw: bool = False,
) -> Any:
    """Call ``op``: ``path`` holds the path parameters in ``op.path_params``' order, ``params``
    the query and header parameters by their Python names (UNSET and None are not sent),
    ``body`` a model, a mapping or UNSET. Returns the unwrapped result (``op.unwrap``), or with
    ``raw`` the whole :class:`Response`."""
    built = build(op, path, params, body)
    check(client, op, built, path)
    response = await send(client, built, op)
    parsed = parse(op, response)
    if raw:
        return Response(
            status_code=HTTPStatus(response.status_code),
            content=response.content,
            headers=response.headers,
            parsed=parsed,
        )
    return result(op, parsed)


def build(
    op: Operation,
    path: tuple[Any, ...] = (),
    params: Mapping[str, Any] | None = None,
    body: Any = UNSET,
) -> dict[str, Any]:
    """The request as JSON-ready values: ``method``, ``url`` (the path under the API root),
    ``params``, ``headers``, ``json`` or ``files`` (what ``_validate`` checks and :func:`encode`
    turns into bytes). Raises ``ConfigurationError`` for a path parameter that
    is empty, not text or not valid text, and ``TypeError`` for arguments ``op`` does not take."""
    url = op.path
    if len(path) != len(op.path_params):
        raise TypeError(f"{op.id} takes {len(op.path_params)} path parameters, got {len(path)}")
    if path:
        url = url.format_map({n: path_segment(n, v) for n, v in zip(op.path_params, path, strict=True)})
    built: dict[str, Any] = {"method": op.method, "url": url}
    headers: dict[str, Any] = {}
    if params:
        query, in_query = _pick(op.query, params, json_value)
        headers, in_headers = _pick(op.headers, params, _header_text)
        if in_query + in_headers != len(params):
            known = {python for python, _ in op.query + op.headers}
            raise TypeError(f"{op.id} takes no parameters {sorted(k for k in params if k not in known)}")
        if query:
            built["params"] = query
    if not isinstance(body, Unset):
        if op.body is None:
            raise TypeError(f"{op.id} takes no body")
        if op.body == "multipart":
            built["files"] = multipart_body(body)
        else:
            built["json"] = json_value(body)
            if op.fill is not None:
                _fill(built["json"], op.fill)
            headers["Content-Type"] = "application/json"
    if headers:
        built["headers"] = headers
    return built


def _fill(value: Any, fill: Fill) -> None:
    """Fill ``fill``'s defaults into ``value`` (``json_value``'s output: fresh dicts and
    lists, so the caller's own are left as they were) where the caller left them out; a value
    of another shape is left to the request check."""
    if isinstance(value, dict):
        for name, default in fill.defaults.items():
            if name not in value:
                value[name] = copy.deepcopy(default) if isinstance(default, dict | list) else default
        for name, below in fill.fields.items():
            if name in value:
                _fill(value[name], below)
        for name, tag, below in fill.choices:
            if value.get(name) == tag:
                _fill(value, below)
    elif isinstance(value, list) and fill.items is not None:
        for item in value:
            _fill(item, fill.items)


def check(client: Any, op: Operation, built: dict[str, Any], path: tuple[Any, ...]) -> None:
    """``_validate.check`` of a request ``build`` made, with its path values and body field
    keywords named."""
    _validate.check(
        client, op.id, built, zip(op.path_params, path, strict=True) if path else (), op.body_fields
    )


async def send(client: Any, built: dict[str, Any], op: Operation | None = None) -> Answer:
    """Send a request :func:`build` made through ``client``'s retry loop and pool; the answer,
    whatever its status (error statuses are :func:`parse`'s to raise)."""
    sending: Sending = client.sending()
    return await sending.retry.send(encode(sending, built, op), sending.timeout)


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
#: the longest URL sent, on every pool (httpx refuses longer ones)
MAX_URL = 65_536


def encode(sending: Sending, built: dict[str, Any], op: Operation | None = None) -> Request:
    """The wire request for ``built``, as httpx would encode it: the client's base URL and
    headers (``sending``: the client's ``_client.Sending``), the query as
    ``application/x-www-form-urlencoded`` pairs, the JSON body compact and UTF-8,
    ``Content-Length`` for a body (``0`` first for a POST, PUT or PATCH without one)."""
    method = built["method"]
    url = sending.base + built["url"]
    params = built.get("params")
    if params:
        url += "?" + urlencode(
            [
                (k, _query_text(v))
                for k, value in params.items()
                for v in (value if isinstance(value, list) else (value,))
            ]
        )
    if len(url) > MAX_URL:
        raise ConfigurationError(
            f"the request cannot be encoded: URL too long ({len(url):,} characters, at most "
            f"{MAX_URL:,}, as httpx allows); nothing was sent"
        )
    headers = sending.headers
    extra = built.get("headers")
    if extra:
        headers = merge_headers(headers, {k: _header_value(k, v) for k, v in extra.items()})
    body = b""
    if "json" in built:
        try:
            body = json.dumps(
                built["json"], ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode()
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"the request cannot be encoded: {exc}; nothing was sent") from None
    elif "files" in built:
        body, content_type = _multipart(built["files"])
        headers = merge_headers(headers, {"Content-Type": content_type})
    if body:
        headers = [*headers, ("Content-Length", str(len(body)))]
    elif method in _BODY_METHODS:
        headers = [("Content-Length", "0"), *headers]
    return Request(
        method,
        url,
        headers,
        body,
        operation=op.id if op else None,
        template=(op.template or op.path) if op else None,
    )


def _query_text(value: Any) -> str:
    """A query value as httpx writes it (``true`` / ``false``, ``None`` as empty)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def _header_value(name: str, value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if not text.isascii() or any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in text):
        raise ConfigurationError(
            f"header {name!r} must be ASCII text without control characters; nothing was sent"
        )
    return text


def _multipart(files: Any) -> tuple[bytes, str]:
    """A multipart body as httpx encodes one (a fresh random boundary), and its Content-Type."""
    import httpx

    encoded = httpx.Request("POST", "https://multipart.invalid/", files=files)
    return encoded.read(), encoded.headers["Content-Type"]


def _pick(
    pairs: tuple[tuple[str, str], ...], params: Mapping[str, Any], encode: Any
) -> tuple[dict[str, Any], int]:
    """The values of ``params`` named in ``pairs``, encoded and under the names sent (UNSET and
    None left out), and how many of ``params`` were named there."""
    out: dict[str, Any] = {}
    used = 0
    for python, sent in pairs:
        value = params.get(python, _ABSENT)
        if value is not _ABSENT:
            used += 1
            if value is not UNSET and value is not None:
                out[sent] = encode(value)
    return out, used


def _header_text(value: Any) -> Any:
    value = json_value(value)
    return ("true" if value else "false") if isinstance(value, bool) else value


def parse(op: Operation, response: Any) -> Any:
    """The parsed body of ``response`` to ``op``, or the typed error it stands for."""
    status = response.status_code
    try:
        name = op.responses[status]
    except KeyError:
        if status >= 400:
            raise status_error(response) from None
        raise undocumented_status(response) from None
    if status >= 400:
        raise status_error(response, model(name).from_dict if name is not None else None)
    if name is None:
        return None
    try:
        if name == "json":  # no schema, or one the generator could not type: the decoded JSON
            return response.json() if response.content else None
        if name.startswith("list:"):
            items = response.json()
            if not isinstance(items, list):
                raise TypeError(f"expected a JSON array, got {type(items).__name__}")
            from_dict = model(name[5:]).from_dict
            return [from_dict(item) for item in items]
        return model(name).from_dict(response.json())
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise response_error(response, exc) from exc


def result(op: Operation, parsed: Any) -> Any:
    """What a facade method returns from the parsed body (``op.unwrap``)."""
    if op.unwrap == "data":
        return parsed.data
    if op.unwrap == "none":
        return None
    if op.unwrap == "mixed":
        data = getattr(parsed, "data", None)
        return parsed if data is None or isinstance(data, Unset) else data
    return parsed
