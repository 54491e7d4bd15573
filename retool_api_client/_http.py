"""How every generated request reaches the wire: three ways, one retry loop, one answer type.

1. **The lane** (:class:`Lane`), for the quickstart's client: the default aiohttp pool (through
   the proxy route its host takes, if any), nothing for httpx's ``send()`` to do (no auth flow,
   event hooks or redirects) and nothing ``build_request`` adds beyond the template (no default
   params or stored cookies): checked on every request once the httpx client was handed to
   anyone or an answer stored a cookie (``Lane.trusted``). The wire request is built from a
   template of what httpx's ``build_request`` puts in every request, with no ``httpx.Request``
   or ``httpx.URL``: over real sockets those objects cost as much as the I/O (0.34x of bare
   aiohttp at 16 in flight with them, 0.59x without; docs/benchmarks.md, 2026-12-02). Tests
   hold the lane to the same
   bytes on the wire as httpx's way, for every operation and arbitrary paths, parameters and
   JSON bodies, and to the same answers, errors, cookies and log line. What it does not build
   itself (a multipart body, a path httpx would re-encode) goes one of the ways below.
2. **Direct**: any other transport, with the same no-op ``send()``: the request is built by
   httpx (with its absolute URL built once: ``absolute()``) and handed to the retry transport,
   and this module does what ``send()`` would still have done (cookies, ``elapsed``, httpx's
   ``HTTP Request: ...`` log line). It matters over real sockets with a fast transport of the
   caller's (``httpx_aiohttp.AiohttpTransport``: 0.37x of bare aiohttp at 16 in flight against
   0.28x through ``send()``) and in-process (0.83x of bare httpx per call, 1.30x through
   ``send()``).
3. **httpx's** ``AsyncClient.send()``, when something is configured for it to do.

Either way, a transport failure while the body is read (a reset mid-body; the retry loop has
already handed the answer's head on, so it is not retried) raises the SDK's
``APIConnectionError`` / ``APITimeoutError`` rather than httpx's own.

Hand-written because it is a few lines around httpx and aiohttp; no library does this.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
import re
import time
import weakref
from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._answer import Answer
from ._exceptions import APIConnectionError, APITimeoutError, ConfigurationError
from ._retry import RetryTransport, attempt_limit, connection_error
from ._transports import BODY_METHODS, missing_auto_headers

if TYPE_CHECKING:
    from ._transports import AiohttpTransport

__all__ = ["absolute", "send"]

_HTTPX_LOG = logging.getLogger("httpx")  # the logger httpx's own send() writes to


async def send(client: Any, request: dict[str, Any]) -> httpx.Response:
    """Send a request built by ``_request.build`` through ``client``'s httpx client.

    A request httpx cannot encode (NaN in a JSON body, an object in a query parameter: the
    request check names these first, unless ``validate_requests=False``; a URL over httpx's
    65,536 characters) raises ``ConfigurationError`` instead of httpx's bare ``TypeError`` /
    ``ValueError`` / ``InvalidURL``, as does a closed client or one used from another event
    loop. Whatever goes wrong after that raises one of the SDK's errors, never httpx's."""
    lane: Lane | None = getattr(client, "_lane", None)
    # the lane's own reference: asking the client for it would tell the lane that the caller
    # may change it (``Lane.trusted``)
    http: httpx.AsyncClient = lane.http if lane is not None else client.get_async_httpx_client()
    if getattr(client, "is_closed", None) or http.is_closed:
        raise ConfigurationError(
            "this RetoolClient is closed (aclose() was called, or its parent's); nothing was sent"
        )
    _check_loop(client)
    if lane is not None and lane.ready():
        try:
            exchange = lane.prepare(request)
        except (TypeError, ValueError) as exc:
            raise _unencodable(exc) from exc
        if exchange is not None:
            started = time.perf_counter()
            try:
                answer = await lane.retrying.run(exchange)
            except _HTTPX_ERRORS as exc:  # the loop raises the SDK's; nothing else is expected
                raise _sdk_error(exc, exchange.request()) from _cause(exc)
            _finish(http, answer, started, lane)
            return answer
    try:
        built = http.build_request(**absolute(http, request))
    except (TypeError, ValueError, httpx.InvalidURL) as exc:
        raise _unencodable(exc) from exc
    transport: httpx.AsyncBaseTransport | None = getattr(client, "_direct_transport", None)
    try:
        if transport is None or _send_has_work(http):
            response = await _send_bounded(client, http, built)
        else:
            response = await _send_direct(http, transport, built, lane)
    except _HTTPX_ERRORS as exc:
        raise _sdk_error(exc, built) from _cause(exc)
    response.__class__ = Answer  # the same object, with the strict .json()
    return response


def _send_has_work(http: httpx.AsyncClient) -> bool:
    """Whether httpx's ``send()`` would do something around the transport call: an auth flow,
    event hooks, redirects (set through ``httpx_args`` or on the httpx client since)."""
    hooks = http.event_hooks
    return http.auth is not None or http.follow_redirects or bool(hooks["request"] or hooks["response"])


def _unencodable(exc: Exception) -> ConfigurationError:
    return ConfigurationError(f"the request cannot be encoded: {exc}; nothing was sent")


_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError)


def _sdk_error(exc: Exception, request: httpx.Request) -> APIConnectionError:
    """The SDK's error for an httpx error that got past the retry loop: a transport failure
    while the body was read (a reset mid-body: not retried, the answer's head had arrived), a
    redirect loop or a redirect to an unusable URL, a body that does not decode..."""
    if isinstance(exc, httpx.TransportError):
        return connection_error(exc, request)
    if isinstance(exc, httpx.TooManyRedirects):
        return APIConnectionError(f"{request.method} {request.url}: {exc}", request=request)
    detail = str(exc) or type(exc).__name__
    return APIConnectionError(
        f"{type(exc).__name__} on {request.method} {request.url}: {detail}", request=request
    )


def _cause(exc: Exception) -> Exception | None:
    """A transport failure stays the ``__cause__``; httpx's other errors say nothing more."""
    return exc if isinstance(exc, httpx.TransportError) else None


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
    limit = attempt_limit(built.extensions.get("timeout") or {})
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
    http: httpx.AsyncClient, transport: httpx.AsyncBaseTransport, built: httpx.Request, lane: Lane | None
) -> httpx.Response:
    started = time.perf_counter()
    response = await transport.handle_async_request(built)  # the retry transport: body read
    _finish(http, response, started, lane)
    return response


def _finish(http: httpx.AsyncClient, response: httpx.Response, started: float, lane: Lane | None) -> None:
    """What httpx's ``send()`` does around the transport call that still applies: store the
    cookies the answer sets (the lane, which has no place for them, stops trusting its
    template), log httpx's own line, set ``elapsed``."""
    sets_cookie = getattr(response.stream, "sets_cookie", None)  # the aiohttp pool knows
    if sets_cookie or (sets_cookie is None and "set-cookie" in response.headers):
        http.cookies.extract_cookies(response)
        if lane is not None:
            lane.trusted = False
    if _HTTPX_LOG.isEnabledFor(logging.INFO):
        _HTTPX_LOG.info(
            'HTTP Request: %s %s "%s %d %s"',
            response.request.method,
            response.request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )
    response.elapsed = datetime.timedelta(seconds=time.perf_counter() - started)


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


# -- the quickstart's lane ----------------------------------------------------------------------

#: what ``Lane.prepare`` builds itself; any other key (``data``, ``files``, ``content``,
#: ``timeout``, ``cookies``...) takes httpx's way
_LANE_KEYS = frozenset({"method", "url", "params", "json", "headers"})
#: a path as ``_parsing.path_segment`` builds them: nothing httpx.URL would re-encode or normalize
_PLAIN_PATH = re.compile(r"(?!.*/\.\.?(?:/|$))/(?!/)[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*")
_MAX_URL = 65_536  # httpx refuses longer URLs: those take its way, and its error


def lane_for(
    pool: httpx.AsyncBaseTransport, retrying: RetryTransport, http: httpx.AsyncClient
) -> Lane | None:
    """The lane for ``http``, a client on the default aiohttp pool (through the proxy route its
    host takes, if any); None for any other transport."""
    from ._transports import AiohttpTransport, ProxyRoutes

    if isinstance(pool, ProxyRoutes):
        pool = pool.transport_for(http.base_url)
    return Lane(pool, retrying, http) if isinstance(pool, AiohttpTransport) else None


class Lane:
    """Requests of a client on the default pool, sent without ``httpx.Request`` objects.

    The template (what httpx's ``build_request`` puts in every request) is made again whenever
    the client's headers, timeout or base URL change: the URL as ``httpx.URL`` prints it, the
    headers in httpx's order, the JSON body as httpx encodes it. The request goes to the aiohttp
    pool through the same retry loop as the other ways and comes back as the same
    ``httpx.Response`` subclass, whose ``request`` is built only when something asks for it
    (an error, a cookie, the log line)."""

    def __init__(self, pool: AiohttpTransport, retrying: RetryTransport, http: httpx.AsyncClient) -> None:
        """``http``: the client the lane sends for; ``pool``: the pool (proxy route included)
        that requests to its base URL's host take."""
        self.pool, self.retrying, self.http, self.base_url = pool, retrying, http, http.base_url
        self._source: tuple[object, ...] = ()
        self._base = ""
        self._host: tuple[str, str] = ("Host", "")
        self._headers: list[tuple[str, str]] = []
        self._plain: list[tuple[str, str]] = []
        #: True while nothing can have changed ``http`` since the template was made: nobody
        #: has been handed it (``RetoolClient.get_async_httpx_client()`` clears this) and no
        #: answer has set a cookie. Then ``ready()`` asks nothing; else it asks every time.
        self.trusted = False
        self._timeout: dict[str, float | None] = {}
        self._limit: float | None = None
        self._skip: list[str] = []  # the client's default headers aiohttp must not add
        self.trusted = self.ready()

    def ready(self) -> bool:
        """Whether the template holds for a request of ``http``'s (httpx's ``send()`` has nothing
        to do; no default params or stored cookies, which ``build_request`` adds; the host the
        lane's pool was picked for), brought up to date. A trusted lane skips the questions."""
        if self.trusted:
            return True
        http = self.http
        if _send_has_work(http) or http.params or http.cookies:
            return False
        source = (http.base_url, http.timeout, http.headers.raw)
        if source != self._source:
            if http.base_url.netloc != self.base_url.netloc or http.base_url.scheme != self.base_url.scheme:
                return False  # another host may take another proxy route: httpx's way picks it
            template = http.build_request("GET", http.base_url)
            headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in template.headers.raw]
            if not str(template.url).endswith("/") or headers[0][0].lower() != "host":
                return False  # not a base URL the lane's joins hold for
            self._base = str(template.url)
            self._host, self._headers = headers[0], headers[1:]
            self._plain = headers  # a request without a body or headers of its own
            self._timeout = dict(template.extensions.get("timeout") or {})
            self._skip = missing_auto_headers(template.headers, "GET", b"")
            self._limit = attempt_limit(self._timeout)
            self._source = source
        return True

    def prepare(self, request: Mapping[str, Any]) -> _Exchange | None:
        """``request`` (from ``_request.build``) as the bytes httpx would send, or None
        for one to send httpx's way. Raises ``TypeError`` / ``ValueError`` as httpx would for
        what cannot be encoded."""
        path = request.get("url")
        if not request.keys() <= _LANE_KEYS or not isinstance(path, str) or not _PLAIN_PATH.fullmatch(path):
            return None
        url = self._base + path[1:]  # the base ends with "/", as httpx keeps it
        params = request.get("params")
        if params:
            url += "?" + str(httpx.QueryParams(params))
        if len(url) > _MAX_URL:
            return None
        method = str(request["method"]).upper()
        extra = request.get("headers")
        if not extra and request.get("json") is None and method not in BODY_METHODS:  # a GET
            return _Exchange(
                self.pool,
                method,
                url,
                self._plain,
                b"",
                timeout=self._timeout,
                limit=self._limit,
                skip=self._skip,
            )
        headers = self._headers
        if extra:
            if not all(isinstance(k, str) and isinstance(v, str) for k, v in extra.items()):
                return None
            names = {k.lower() for k in extra}
            # httpx's merge: a request header replaces the client's of the same name, at the end
            headers = [h for h in headers if h[0].lower() not in names] + list(extra.items())
        front = [self._host]
        body = b""
        if request.get("json") is not None:
            body = json.dumps(
                request["json"], ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode()
            have = {k.lower() for k, _ in headers}
            headers = headers + [
                (k, v)
                for k, v in (("Content-Length", str(len(body))), ("Content-Type", "application/json"))
                if k.lower() not in have
            ]
        elif method in BODY_METHODS:
            front.append(("Content-Length", "0"))
        skip = self._skip
        if extra or (not body and method in BODY_METHODS):
            skip = missing_auto_headers(httpx.Headers(headers), method, body)
        return _Exchange(
            self.pool, method, url, front + headers, body, timeout=self._timeout, limit=self._limit, skip=skip
        )


class _Exchange:
    """One request on the lane, as the retry loop sends it (``_retry.Exchange``)."""

    __slots__ = ("_built", "body", "headers", "limit", "method", "pool", "skip", "timeout", "url")

    def __init__(
        self,
        pool: AiohttpTransport,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        timeout: dict[str, float | None],
        limit: float | None,
        skip: list[str],
    ) -> None:
        self.pool, self.method, self.url, self.headers, self.body = pool, method, url, headers, body
        self.timeout, self.limit, self.skip = timeout, limit, skip
        self._built: httpx.Request | None = None

    @property
    def path(self) -> str:
        return self.request().url.path

    def send(self) -> Awaitable[httpx.Response]:
        return self.pool.open(
            self.method,
            self.url,
            self.headers,
            self.body,
            timeout=self.timeout,
            describe=self.request,
            bounded=self.limit,  # run() holds each attempt to it
            skip=self.skip,
        )

    def request(self) -> httpx.Request:
        """The ``httpx.Request`` httpx would have sent (errors and cookies need one)."""
        if self._built is None:
            self._built = httpx.Request(
                self.method,
                self.url,
                # the bytes httpx's own headers held (latin-1 both ways: any byte round-trips)
                headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in self.headers],
                content=self.body or None,
                extensions={"timeout": self.timeout},
            )
        return self._built
