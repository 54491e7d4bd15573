"""The default transport: which connection pool carries requests, and through which proxy.

    RetryTransport (``_retry.py``)
      └── default_transport(transport_args)
            ├── ProxyRoutes, when a proxy applies (``proxy=`` or the environment)
            └── AiohttpTransport (this module; the default)  or  httpx.AsyncHTTPTransport

**Why aiohttp.** Over real sockets httpx's pool is the bottleneck: on a keep-alive server on
127.0.0.1, httpx + ``json.loads`` does 0.05-0.15x of what bare aiohttp + ``json.loads`` does,
and degrades as more requests are in flight (encode/httpx#3215); httpx2 does 0.15-0.23x. The
SDK keeps httpx's types and client (requests, responses, timeouts, cookies, event hooks) and
hands the I/O to aiohttp's pool through this adapter (docs/benchmarks.md, 2026-12-02, and
docs/performance.md for the decision). ``RETOOL_HTTP_BACKEND=httpx`` (or passing
``transport=httpx.AsyncHTTPTransport()``) uses httpx's own pool instead.

Hand-written rather than ``httpx-aiohttp``'s ``AiohttpTransport`` (0.2.0), which maps every
``aiohttp.ClientConnectionError`` (a server disconnecting after the request was sent, too) to
``httpx.ConnectTimeout``: the retry policy would take those for "never sent" and repeat a POST
the server may have applied. It also has no pool timeout and ignores ``limits`` beyond the
connection count. What this adapter keeps of httpx's meaning:

* errors: could not connect (refused, DNS, TLS, the proxy unreachable) -> ``httpx.ConnectError``;
  connect timeout -> ``ConnectTimeout``; no connection free within ``pool`` -> ``PoolTimeout``
  (these three are "never sent" for ``_retry_policy``); after sending: ``ReadTimeout``,
  ``ReadError``, ``RemoteProtocolError``; a proxy refusing the tunnel -> ``ProxyError``; a
  control character in a header value -> ``LocalProtocolError`` (aiohttp refuses CR, LF, NUL and
  DEL; h11 all but DEL), nothing sent.
* timeouts: ``connect`` bounds establishing a connection (TCP and TLS), ``read`` each wait for
  data, ``pool`` the wait for a free connection (:class:`Slots`: a count of
  ``limits.max_connections``, held until the answer's body is closed, as httpx's pool does).
  aiohttp has no write timeout: a request's body is handed to the socket, and a peer that stops
  reading it is caught by the read timeout.
* ``verify``, ``cert`` and ``trust_env`` (``SSL_CERT_FILE`` / ``SSL_CERT_DIR``) make the SSL
  context exactly as httpx does (``httpx.create_ssl_context``); ``limits.keepalive_expiry`` is
  aiohttp's keep-alive timeout. ``limits.max_keepalive_connections`` has no aiohttp equivalent:
  idle connections are kept up to ``max_connections``.
* ``http2=True`` and SOCKS proxies are not aiohttp's: those use httpx's pool (``http2`` needs
  ``httpx[http2]``, SOCKS ``httpx[socks]``).

**Proxies.** httpx reads ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY`` only for
transports it makes itself, and the SDK's retry transport is one httpx did not make, so before
this module a default client ignored them. :func:`environment_proxies` reads them the way
httpx documents (and its ``_utils.get_environment_proxies`` does), :class:`ProxyRoutes` picks
the pool per request URL, on either backend. An explicit ``proxy=`` overrides the environment,
``trust_env=False`` ignores it, as in httpx.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import functools
import ipaddress
import os
import ssl
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.request import getproxies

import httpx

from ._answer import Answer
from ._deadline import Deadlines
from ._exceptions import ConfigurationError
from ._retry import plain_encoding

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "BACKEND_ENV",
    "AiohttpTransport",
    "ProxyRoutes",
    "default_transport",
    "environment_proxies",
]

#: ``aiohttp`` (the default) or ``httpx``: which pool a default ``RetoolClient`` uses
BACKEND_ENV = "RETOOL_HTTP_BACKEND"
BACKENDS = ("aiohttp", "httpx")
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's default
#: headers aiohttp adds when a request lacks them; the request is sent with httpx's headers only,
#: so those it lacks are skipped (per request: a session-wide skip list costs 5% over sockets)
AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding")
#: methods a body is expected with: httpx sends ``Content-Length: 0`` without one, aiohttp a
#: Content-Type of its own unless told not to
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def default_transport(
    transport_args: Mapping[str, Any], backend: str | None = None
) -> httpx.AsyncBaseTransport:
    """The pool a ``RetoolClient`` without ``transport=`` sends through.

    ``transport_args``: what ``httpx_args`` gave for the transport (``verify``, ``cert``,
    ``limits``, ``http1``, ``http2``, ``trust_env``, ``proxy``), with httpx's meanings and
    defaults. ``backend``: ``"aiohttp"`` or ``"httpx"``; default ``RETOOL_HTTP_BACKEND``, else
    aiohttp."""
    args = dict(transport_args)
    name = backend if backend is not None else os.environ.get(BACKEND_ENV, "").strip().lower() or "aiohttp"
    if name not in BACKENDS:
        raise ConfigurationError(f"{BACKEND_ENV} must be one of {', '.join(BACKENDS)}, got {name!r}")
    proxy = args.pop("proxy", None)
    trust_env = bool(args.get("trust_env", True))

    def pool(proxy: httpx.Proxy | None) -> httpx.AsyncBaseTransport:
        if name == "httpx" or not aiohttp_speaks(args, proxy):
            return httpx.AsyncHTTPTransport(proxy=proxy, **args)
        return AiohttpTransport(proxy=proxy, **args)

    if proxy is not None:
        return pool(proxy if isinstance(proxy, httpx.Proxy) else httpx.Proxy(proxy))
    routes = environment_proxies() if trust_env else {}
    if not any(routes.values()):
        return pool(None)
    return ProxyRoutes(
        pool(None),
        {pattern: None if url is None else pool(httpx.Proxy(url)) for pattern, url in routes.items()},
    )


def missing_auto_headers(headers: httpx.Headers, method: str, body: bytes) -> list[str]:
    """Which headers aiohttp would add to a request with these ``headers``: its defaults, and
    Content-Type ``application/octet-stream`` for a body or on a POST, PUT or PATCH without one."""
    missing = [name for name in AUTO_HEADERS if name not in headers]
    if "Content-Type" not in headers and (body or method in BODY_METHODS):
        missing.append("Content-Type")
    return missing


def aiohttp_speaks(transport_args: Mapping[str, Any], proxy: httpx.Proxy | None) -> bool:
    """False for what only httpx's pool does: HTTP/2, HTTP/1.1 turned off, a SOCKS proxy."""
    if transport_args.get("http2") or not transport_args.get("http1", True):
        return False
    return proxy is None or not proxy.url.scheme.startswith("socks")


# -- proxies from the environment ---------------------------------------------------------------


def environment_proxies() -> dict[str, str | None]:
    """``{URL pattern: proxy URL, or None for "no proxy"}`` from the environment, as httpx reads it.

    Patterns are httpx's mount keys: ``"https://"``, ``"all://"``, ``"all://*example.com"``
    (the domain and its subdomains), ``"all://10.0.0.1"``, ``"all://localhost"``. ``NO_PROXY=*``
    turns every proxy off."""
    proxies = getproxies()  # *_proxy variables, lower case winning, as urllib and httpx read them
    routes: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        url = proxies.get(scheme)
        if url:
            routes[f"{scheme}://"] = url if "://" in url else f"http://{url}"
    for host in (h.strip() for h in proxies.get("no", "").split(",")):
        if host == "*":
            return {}
        if not host:
            continue
        if "://" in host:
            routes[host] = None
        elif _is_ip(host.split("/")[0], 4) or host.lower() == "localhost":
            routes[f"all://{host}"] = None
        elif _is_ip(host, 6):
            routes[f"all://[{host}]"] = None
        else:
            routes[f"all://*{host}"] = None
    return routes


def _is_ip(host: str, version: int) -> bool:
    try:
        return ipaddress.ip_address(host).version == version
    except ValueError:
        return False


@dataclass(frozen=True)
class _Pattern:
    """One of httpx's URL patterns (``scheme://host:port``, ``all`` and ``*`` wildcards)."""

    scheme: str
    host: str
    port: int | None

    @classmethod
    def parse(cls, pattern: str) -> _Pattern:
        url = httpx.URL(pattern)
        return cls(url.scheme, url.host, url.port)

    def matches(self, url: httpx.URL) -> bool:
        if self.scheme not in ("all", url.scheme):
            return False
        if self.port is not None and self.port != url.port:
            return False
        if self.host in ("", "*"):
            return True
        host = url.host.lower()
        if self.host.startswith("*."):
            return host.endswith(self.host[1:])
        if self.host.startswith("*"):
            return host == self.host[1:] or host.endswith("." + self.host[1:])
        return host == self.host

    @property
    def priority(self) -> tuple[bool, int, bool]:
        """httpx's order: a port, then a longer host, then a named scheme wins."""
        return self.port is not None, len(self.host), self.scheme != "all"


class ProxyRoutes(httpx.AsyncBaseTransport):
    """Each request goes to the pool of the most specific matching pattern (a proxy's, or the
    direct one for a ``NO_PROXY`` entry), else to ``direct``: httpx's ``mounts``, as a transport."""

    def __init__(
        self, direct: httpx.AsyncBaseTransport, routes: Mapping[str, httpx.AsyncBaseTransport | None]
    ) -> None:
        self.direct = direct
        parsed = [(_Pattern.parse(p), t) for p, t in routes.items()]
        self.routes = sorted(parsed, key=lambda route: route[0].priority, reverse=True)

    def transport_for(self, url: httpx.URL) -> httpx.AsyncBaseTransport:
        for pattern, transport in self.routes:
            if pattern.matches(url):
                return transport or self.direct
        return self.direct

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transport_for(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        for transport in {id(t): t for t in [self.direct, *(t for _, t in self.routes if t)]}.values():
            await transport.aclose()


# -- the aiohttp adapter ------------------------------------------------------------------------


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx requests sent through an ``aiohttp.ClientSession`` (made on first use, in the
    running loop); see the module docstring for what maps to what."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        cert: Any = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = DEFAULT_LIMITS,
        proxy: httpx.Proxy | None = None,
    ) -> None:
        if http2 or not http1:
            raise ConfigurationError("the aiohttp transport speaks HTTP/1.1 only; http2 uses httpx's pool")
        self.ssl_context = httpx.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
        self.limits = limits
        self.proxy = proxy
        self._slots = Slots(limits.max_connections) if limits.max_connections else None
        self._waits = Deadlines()  # the pool timeout of each wait for a free connection
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}
        self._proxy_args: dict[str, Any] = {}
        #: credentials from the proxy's URL, as httpx's pool sends them: on the CONNECT of an
        #: https:// request, on the request itself for http:// (aiohttp copies a
        #: Proxy-Authorization in proxy_headers to the CONNECT only)
        self._proxy_authorization: tuple[str, str] | None = None
        if proxy is not None:
            headers = dict(proxy.headers)
            if proxy.auth:
                token = base64.b64encode(":".join(proxy.auth).encode()).decode()
                headers.setdefault("Proxy-Authorization", f"Basic {token}")
                self._proxy_authorization = ("Proxy-Authorization", headers["Proxy-Authorization"])
            self._proxy_args = {"proxy": str(proxy.url), "proxy_headers": headers or None}

    def _open(self) -> aiohttp.ClientSession:
        import aiohttp
        import yarl

        global _URL, _AIOHTTP_ERRORS  # imported with the first session, not with the package
        _URL, _AIOHTTP_ERRORS = yarl.URL, (aiohttp.ClientError, TimeoutError, ValueError)

        connector = aiohttp.TCPConnector(
            limit=0,  # Slots is the limit: its wait is the pool timeout
            keepalive_timeout=self.limits.keepalive_expiry
            if self.limits.keepalive_expiry is not None
            else 24 * 3600.0,
            ssl=self.ssl_context,
            # the system's resolver (getaddrinfo: /etc/hosts, nsswitch), as httpx's pool uses,
            # even where aiodns is installed (aiohttp would switch to it)
            resolver=aiohttp.ThreadedResolver(),
        )
        # cookies, redirects, decoding and proxies from the environment stay httpx's and ours
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            trust_env=False,
        )
        return self._session

    def _timeout(self, timeout: Mapping[str, float | None], bounded: float | None) -> aiohttp.ClientTimeout:
        read = timeout.get("read")
        if bounded is not None and read is not None and read >= bounded:
            read = None  # no wait for data can outlast the attempt: no timer to move on every chunk
        key = (timeout.get("connect"), read)
        cached = self._timeouts.get(key)
        if cached is None:
            import aiohttp

            cached = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None, connect=key[0], sock_connect=key[0], sock_read=key[1]
            )
        return cached

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        return await self.open(
            request.method,
            str(request.url),
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
            body,
            timeout=request.extensions.get("timeout", {}),
            describe=lambda: request,
            sni_hostname=request.extensions.get("sni_hostname"),
            skip=missing_auto_headers(request.headers, request.method, body),
        )

    async def open(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        timeout: Mapping[str, float | None],
        describe: Callable[[], httpx.Request],
        sni_hostname: str | None = None,
        bounded: float | None = None,
        skip: list[str] | None = None,
    ) -> httpx.Response:
        """Send one request and return the answer's head (an ``Answer``; the body streams from
        the pool).

        ``url`` is sent as it is (already encoded, as ``httpx.URL`` prints it), ``headers``
        exactly as given; ``describe()`` builds the ``httpx.Request`` that errors carry, only
        when one is raised. ``bounded``: the caller's limit on the whole exchange (the retry
        loop's attempt limit), which makes a read timeout at least as long redundant. ``skip``:
        the headers aiohttp would add on its own (:func:`missing_auto_headers`), so the
        request goes out with exactly ``headers``.
        ``handle_async_request`` and ``_http``'s quickstart path (which builds no
        ``httpx.Request`` for an answer that needs none) both send through here."""
        session = self._session or self._open()
        slots = self._slots
        if slots is not None and not slots.take():
            wait = self._waits.within(timeout.get("pool"))
            try:
                with wait:
                    await slots.wait()
            except TimeoutError:
                if not wait.expired:
                    raise
                raise httpx.PoolTimeout("no connection free in the pool", request=describe()) from None
        try:
            if self._proxy_authorization is not None and url.startswith("http:"):
                headers = [*headers, self._proxy_authorization]
            try:
                answer = await session.request(
                    method,
                    _URL(url, encoded=True),  # httpx's encoding, as it is
                    headers=headers,
                    data=body or None,
                    allow_redirects=False,
                    timeout=self._timeout(timeout, bounded),
                    server_hostname=sni_hostname,
                    skip_auto_headers=skip or None,
                    **self._proxy_args,
                )
            except _AIOHTTP_ERRORS as exc:
                raise _httpx_error(exc, describe()) from exc
        except BaseException:
            if slots is not None:
                slots.give()
            raise
        return Answer.from_head(
            answer.status,
            answer.raw_headers,
            _Body(answer, describe, slots),
            {"http_version": _version(answer.version), "reason_phrase": _reason(answer.reason)},
            describe,
        )

    async def aclose(self) -> None:
        self._waits.close()
        if self._session is not None:
            await self._session.close()
            self._session = None


@functools.cache
def _version(version: tuple[int, int] | None) -> bytes:
    """httpx's ``http_version`` extension for aiohttp's ``HttpVersion`` (made once per version)."""
    return b"HTTP/%d.%d" % tuple(version) if version else b"HTTP/1.1"


@functools.lru_cache(maxsize=256)
def _reason(reason: str | None) -> bytes:
    """httpx's ``reason_phrase`` extension (the few phrases a server sends, encoded once each)."""
    return (reason or "").encode("ascii", "replace")


#: set by the first ``AiohttpTransport._open()``, which imports aiohttp (~130 ms, so not with
#: the package): yarl's URL class, and the errors aiohttp raises that ``_httpx_error`` maps
_URL: Any = None
_AIOHTTP_ERRORS: tuple[type[Exception], ...] = ()


class Slots:
    """The pool's ``limits.max_connections``: how many connections are free, and who waits for
    one, first come first served. A freed slot goes straight to the first waiter still waiting.

    Not ``asyncio.Semaphore``: in 3.11 it leaves woken waiters in its queue until they run, and
    every release walks past them, so with more requests in flight than connections (128 over
    100) each request cost 65,000 instructions more than with none waiting (callgrind,
    2026-12-03), where bare aiohttp's own pool limit costs 13,000."""

    __slots__ = ("_waiters", "free")

    def __init__(self, count: int) -> None:
        self.free = count
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    def take(self) -> bool:
        """Take a free slot if there is one (there are waiters only when none is free)."""
        if self.free > 0:
            self.free -= 1
            return True
        return False

    async def wait(self) -> None:
        """Wait for a slot; one handed over to a waiter that is cancelled meanwhile is passed on."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.give()  # it was handed a slot, but leaves: the next waiter gets it
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    def give(self) -> None:
        """Give a slot back: to the first waiter still waiting, else to the free count."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1


class _Body(httpx.AsyncByteStream):
    """The answer's body; closing it gives the connection back (and its pool slot)."""

    def __init__(
        self, answer: aiohttp.ClientResponse, describe: Callable[[], httpx.Request], slots: Slots | None
    ) -> None:
        self.answer, self.describe, self.slots = answer, describe, slots
        #: asked of aiohttp's headers (a C lookup) rather than httpx's, for every answer
        self.sets_cookie = "Set-Cookie" in answer.headers

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.answer.content.iter_any():
                yield chunk
        except _AIOHTTP_ERRORS as exc:
            raise _httpx_error(exc, self.describe()) from exc

    async def read_within(self, cap: int) -> bytes | None:
        """The whole body at once, the connection given back, when it is not compressed and
        its ``Content-Length`` is within ``cap`` (aiohttp reads no further than that length);
        else None, nothing read: read it chunk by chunk, counting."""
        answer = self.answer
        length = answer.content_length
        if (
            length is None
            or length > cap
            or (
                "Content-Encoding" in answer.headers
                and not plain_encoding(answer.headers.getall("Content-Encoding"))
            )
        ):
            return None
        try:
            return await answer.read()
        except _AIOHTTP_ERRORS as exc:
            raise _httpx_error(exc, self.describe()) from exc
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        answer, self.answer = self.answer, None  # type: ignore[assignment]
        if answer is not None:
            answer.release()
            if self.slots is not None:
                self.slots.give()


def _httpx_error(exc: Exception, request: httpx.Request) -> httpx.TransportError:
    """aiohttp's errors as httpx's, so the retry policy sees "never sent" exactly when it was not."""
    import aiohttp

    kind: Callable[..., httpx.TransportError]
    if isinstance(exc, ValueError) and not isinstance(exc, aiohttp.ClientError):
        # a control character in a header: refused before sending, as h11 does
        return httpx.LocalProtocolError(str(exc), request=request)
    if isinstance(exc, TimeoutError) and not isinstance(exc, aiohttp.ClientError):
        # a bare one: after the request was handed to aiohttp
        return httpx.ReadTimeout(str(exc) or "timed out", request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, DNS, TLS, proxy unreachable
        kind = httpx.ConnectError
    elif isinstance(exc, aiohttp.ConnectionTimeoutError):
        kind = httpx.ConnectTimeout
    elif isinstance(exc, aiohttp.ServerTimeoutError):  # SocketTimeoutError and the rest
        kind = httpx.ReadTimeout
    elif isinstance(exc, aiohttp.ClientHttpProxyError):
        kind = httpx.ProxyError
    elif isinstance(exc, aiohttp.InvalidURL):
        kind = httpx.UnsupportedProtocol
    elif isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientResponseError):
        kind = httpx.RemoteProtocolError
    elif isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ClientConnectionError):
        kind = httpx.ReadError
    else:
        kind = httpx.ReadError  # after the request was handed over: may have been sent
    # a connect failure says what the OS said ("[Errno 111] Connect call failed ..."), without
    # aiohttp's "Cannot connect to host ... ssl:default" wrapper, which names TLS for http://
    cause = getattr(exc, "os_error", None) if isinstance(exc, aiohttp.ClientConnectorError) else None
    return kind(str(cause or exc) or type(exc).__name__, request=request)
