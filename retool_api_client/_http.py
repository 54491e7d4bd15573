"""How every generated request reaches httpx: with its absolute URL already built, and
straight to the client's transport when httpx's ``send()`` would add nothing.

``AsyncClient.request("GET", "/users/u1", params={...})`` joins ``base_url`` and merges
``params`` by parsing and re-encoding the URL three times: ~55 us of httpx's ~100 us of work
per request here, more than the SDK's own parse of a typical answer. Building
``base_url + path + "?" + QueryParams(params)`` and parsing it once gives the same
``httpx.URL`` in ~25 us (tests compare both for every operation and for arbitrary parameter
values). A URL that is not a path under an absolute, query-less ``base_url``, or a client with
default ``params`` (built by hand, or ``httpx_args``), goes through httpx's merge.

The request is then built by httpx (``build_request``: headers, cookies, timeout) and sent.
``AsyncClient.send()`` runs auth flows, event hooks, redirects and mounts around the transport
call (~30 us a request, and ~10 us of cookie extraction even when the answer sets none). For a
``RetoolClient`` that has none of them (no ``auth``, ``event_hooks``, ``mounts``,
``follow_redirects`` or ``default_encoding`` in ``httpx_args``, none added to the httpx client
since: checked on every request), that is all no-op, so the request goes to the client's own
transport (the retry transport) directly, and this module does what ``send()`` would still
have done: read the body, set ``elapsed``, store cookies the answer sets, and log httpx's own
``HTTP Request: ...`` line. Tests hold both ways to the same request, response, cookies and log;
anything configured takes httpx's way. Measured: per call 110 -> 62 us, prefetched walks
0.61 -> 0.58x of sequential (docs/benchmarks.md).

Either way, a transport failure while the body is read (a reset mid-body; the retry transport
has already handed the answer's head on, so it is not retried) raises the SDK's
``APIConnectionError`` / ``APITimeoutError`` rather than httpx's own.

Hand-written because it is a few lines around httpx; no library does this.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import time
import weakref
from typing import Any

import httpx

from ._exceptions import APIConnectionError, APITimeoutError, ConfigurationError
from ._parsing import decode_json
from ._retry import attempt_limit, connection_error

__all__ = ["absolute", "send"]

_HTTPX_LOG = logging.getLogger("httpx")  # the logger httpx's own send() writes to


class _Answer(httpx.Response):
    """What every answer becomes: ``.json()`` decodes strictly (``_parsing.decode_json``: no
    ``RecursionError``, no ``inf``/``NaN``), since the generated ``_parse_response`` calls it."""

    def json(self, **kwargs: Any) -> Any:
        return super().json(**kwargs) if kwargs else decode_json(self.content)


async def send(client: Any, request: dict[str, Any]) -> httpx.Response:
    """Send a generated ``_get_kwargs(...)`` request through ``client``'s httpx client.

    A request httpx cannot encode (NaN in a JSON body, an object in a query parameter: the
    request check names these first, unless ``validate_requests=False``; a URL over httpx's
    65,536 characters) raises ``ConfigurationError`` instead of httpx's bare ``TypeError`` /
    ``ValueError`` / ``InvalidURL``, as does a closed client or one used from another event
    loop. Whatever goes wrong after that raises one of the SDK's errors, never httpx's."""
    http: httpx.AsyncClient = client.get_async_httpx_client()
    if http.is_closed or getattr(client, "is_closed", False):
        raise ConfigurationError(
            "this RetoolClient is closed (aclose() was called, or its parent's); nothing was sent"
        )
    _check_loop(client)
    try:
        built = http.build_request(**absolute(http, request))
    except (TypeError, ValueError, httpx.InvalidURL) as exc:
        raise ConfigurationError(f"the request cannot be encoded: {exc}; nothing was sent") from exc
    transport: httpx.AsyncBaseTransport | None = getattr(client, "direct_transport", None)
    try:
        if (
            transport is None
            or http.auth is not None
            or http.follow_redirects
            or any(http.event_hooks.values())
        ):
            response = await _send_bounded(client, http, built)
        else:
            response = await _send_direct(http, transport, built)
    except httpx.TransportError as exc:
        # the retry transport raises the SDK's errors itself; what gets here broke while the
        # body was read (a reset mid-body): not retried, the answer's head had arrived
        raise connection_error(exc, built) from exc
    except httpx.TooManyRedirects as exc:
        raise APIConnectionError(f"{built.method} {built.url}: {exc}", request=built) from None
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        # a redirect to an unusable URL, a body that does not decode ...
        detail = str(exc) or type(exc).__name__
        raise APIConnectionError(
            f"{type(exc).__name__} on {built.method} {built.url}: {detail}", request=built
        ) from None
    response.__class__ = _Answer  # the same object, with the strict .json()
    return response


def _check_loop(client: Any) -> None:
    """A client's connections belong to the event loop that first used it: from another one,
    httpcore fails with a bare ``RuntimeError`` (or hangs), so say what is wrong instead. A
    client on a transport of the caller's own (a mock) moves on once its first loop is closed."""
    loop = asyncio.get_running_loop()
    bound: weakref.ref[asyncio.AbstractEventLoop] | None = getattr(client, "_bound_loop", None)
    first = bound() if bound is not None else None
    if first is loop:
        return
    if first is None or (first.is_closed() and not _loop_bound(getattr(client, "_pool", None))):
        with contextlib.suppress(AttributeError):  # a client class with __slots__: not checked
            client._bound_loop = weakref.ref(loop)
        return
    raise ConfigurationError(
        "this RetoolClient is bound to the event loop that first used it "
        f"({'closed since' if first.is_closed() else 'still running'}) and was used from another one; "
        "create one client per event loop (per asyncio.run()); nothing was sent"
    )


async def _send_bounded(client: Any, http: httpx.AsyncClient, built: httpx.Request) -> httpx.Response:
    """httpx's ``send()``, whose redirects and auth flows may call the retry transport several
    times: the whole of it within the retry deadline (or one attempt's limit, if longer)."""
    retry = getattr(client, "retry", None)
    limit = attempt_limit(built)
    bound = getattr(retry, "deadline", None)
    if bound is not None and limit is not None:
        bound = max(bound, limit)
    timer = asyncio.timeout(bound)
    try:
        async with timer:
            return await http.send(built)
    except TimeoutError:
        if not timer.expired():
            raise
        raise APITimeoutError(
            f"{built.method} {built.url} did not complete within {bound:g}s (redirects included)",
            request=built,
        ) from None


def _loop_bound(pool: object) -> bool:
    """Whether ``pool`` keeps connections made in one event loop (the SDK's own pools do)."""
    from ._transports import AiohttpTransport, ProxyRoutes

    return isinstance(pool, httpx.AsyncHTTPTransport | AiohttpTransport | ProxyRoutes)


async def _send_direct(
    http: httpx.AsyncClient, transport: httpx.AsyncBaseTransport, built: httpx.Request
) -> httpx.Response:
    # in the order of httpx's send(): cookies and the log line once the answer's head is in,
    # then the body; elapsed when the body has been read
    started = time.perf_counter()
    response = await transport.handle_async_request(built)
    response.request = built
    if "set-cookie" in response.headers:
        http.cookies.extract_cookies(response)
    if _HTTPX_LOG.isEnabledFor(logging.INFO):
        _HTTPX_LOG.info(
            'HTTP Request: %s %s "%s %d %s"',
            built.method,
            built.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )
    try:
        await response.aread()
    except BaseException:
        await response.aclose()
        raise
    response.elapsed = datetime.timedelta(seconds=time.perf_counter() - started)
    return response


def absolute(http: httpx.AsyncClient, request: dict[str, Any]) -> dict[str, Any]:
    """``request`` with ``url`` + ``params`` replaced by the one absolute ``httpx.URL``."""
    path = request.get("url")
    base = http.base_url
    if (
        not isinstance(path, str)
        or path[:1] != "/"
        or path[:2] == "//"  # a host for httpx ("//host/path"), not a path
        or base.query
        or not base.is_absolute_url
        or http.params  # client-wide default params: httpx decides how they merge
    ):
        return request
    url = str(base) + path[1:]  # httpx keeps base_url's trailing slash
    params = request.get("params")
    if params:
        url += "?" + str(httpx.QueryParams(params))
    out = {key: value for key, value in request.items() if key != "params"}
    out["url"] = httpx.URL(url)
    return out
