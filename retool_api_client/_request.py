"""The one request pipeline: an operation (``_operation.Operation``) and a call's arguments in,
the typed result out.

Every generated method calls :func:`request` (list methods through ``_pagination``, which
sends with :func:`build` and parses with :func:`parse` too):

1. **build** the request from the caller's typed input: path parameters checked and
   percent-encoded (``_parsing.path_segment``), query values and the JSON body turned into
   JSON by one total function (``_parsing.json_value``: models, enums, dates, UUIDs, mappings,
   lists; a value of the wrong type passes through unchanged for the check to name);
2. **check** it against the operation's schemas (``_validate.check``), so a wrong argument
   fails with ``RequestValidationError`` before anything is sent;
3. **send** it through the client's httpx client (``_http.send``: retries, the lane, typed
   connection errors);
4. **parse** the answer: the documented model for a success, the typed ``APIStatusError``
   (with the documented error model as ``parsed``) for a status >= 400, and
   ``APIResponseValidationError`` for a body that does not fit or a status the spec does
   not document.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from . import _validate
from ._http import send
from ._operation import Operation, model
from ._parsing import (
    json_value,
    multipart_body,
    path_segment,
    response_error,
    status_error,
    undocumented_status,
)
from ._types import UNSET, Response, Unset

__all__ = ["build", "check", "parse", "request", "result"]

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
    response = await send(client, built)
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
    """The request as keyword arguments of ``httpx.AsyncClient.build_request`` (what ``_http``
    sends and ``_validate`` checks). Raises ``ConfigurationError`` for a path parameter that
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
        if query:  # an empty params= still makes httpx re-parse and re-encode the URL
            built["params"] = query
    if not isinstance(body, Unset):
        if op.body is None:
            raise TypeError(f"{op.id} takes no body")
        if op.body == "multipart":
            built["files"] = multipart_body(body)
        else:
            built["json"] = json_value(body)
            headers["Content-Type"] = "application/json"
    if headers:
        built["headers"] = headers
    return built


def check(client: Any, op: Operation, built: dict[str, Any], path: tuple[Any, ...]) -> None:
    """``_validate.check`` of a request ``build`` made, with its path values named."""
    _validate.check(client, op.id, built, zip(op.path_params, path, strict=True) if path else ())


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
        if name == "json":  # a loosely typed answer: the decoded JSON
            return response.json()
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
