"""The default pool: the SDK's own HTTP/1.1 connections, on asyncio, parsed by ``httptools``.

**Why the SDK owns this.** A pool must hand back a complete answer whatever follows it, send
nothing the retry policy did not decide, and cost little. aiohttp's pool, the default before,
fails an answer when bytes follow it in the same read (its parser raises for the whole chunk,
and the complete answer is dropped), resends GET, PUT and DELETE on its own when a kept-alive
connection was closed, and verifies an ``https://`` proxy with the origin's TLS settings; none
of it can be turned off through its public API. httpx's own pool behaves well but costs
several times more per request (docs/performance.md). So the SDK owns the connections and
uses well-kept libraries for the rest: ``httptools`` (llhttp, Node's parser) for the bytes
that come back, asyncio for sockets, TLS and happy eyeballs, ``httpx.Cookies`` for cookies.

What it does, as httpx's pool does (the differential suite in ``tests/wire`` holds the two
together): keep-alive connections per origin (``limits``: ``max_connections`` open at once,
``max_keepalive_connections`` kept idle, ``keepalive_expiry``); the request head and body in one
write; chunked and ``Content-Length`` bodies and bodies that end with the connection;
``gzip`` and ``deflate`` decoded (a body's size is counted after decoding, in steps, so a small
compressed answer cannot grow past ``cap`` in memory); 1xx answers skipped; heads up to 100 KiB
(httpcore's limit), any number of header lines; ``http://`` targets through a forwarding proxy
(absolute URL, the proxy's headers), ``https://`` through a ``CONNECT`` tunnel, the proxy
reached over TLS itself when its URL is ``https://``; cookies the server sets sent back.

Where it is better than httpx, and tested so: a complete answer stands whatever bytes follow
it (the connection is then closed, not reused); nothing is ever resent by the pool.

Time limits are one mechanism, ``_deadline.Deadlines``: ``connect`` bounds a new connection
(TCP, TLS, the proxy's tunnel), ``pool`` the wait for a free one, ``read`` each wait for data
(a limit that moves forward whenever data arrives; left to the attempt's limit, which the retry
loop applies, when it is not shorter), ``write`` each wait to hand the request to a socket that
is not taking it. Until a connection takes a request, the pool marks it ``unsent``, so an
attempt cut off meanwhile is never sent.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httptools
import httpx

from ._deadline import Deadlines
from ._exceptions import scrub
from ._message import Answer, Headers, Request, Timeout
from ._pool import Failure, Kind, plain_cause
from ._proxies import Proxy

__all__ = ["Http11Pool", "Slots"]

T = TypeVar("T")

logger = logging.getLogger("retool_api_client")

#: the largest answer head read (status line and headers), as httpcore reads them
MAX_HEAD = 100 * 1024
#: a compressed body is inflated this many bytes of input at a time, so one step of a
#: decompression bomb (deflate expands ~1000x at most) stays near 1 MiB over the cap
_INFLATE_STEP = 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}


class _Origin:
    """Where a URL's requests go: scheme, host and port, the ``Host`` header, and how the
    request target is written (the path, or the absolute URL to a forwarding proxy)."""

    __slots__ = ("absolute", "host", "host_header", "key", "port", "prefix", "scheme")

    def __init__(self, scheme: str, host: str, port: int, netloc: str, proxy: Proxy | None) -> None:
        self.scheme, self.host, self.port = scheme, host, port
        self.prefix = f"{scheme}://{netloc}"
        self.host_header = netloc
        self.key = (scheme, host, port)
        #: an http:// target through a proxy goes in absolute form, the proxy's headers first
        self.absolute = proxy is not None and scheme == "http"


def _origin(url: str, proxy: Proxy | None) -> _Origin:
    parsed = httpx.URL(url)  # the parts as httpx sees them: the same host and port rules
    scheme = parsed.scheme
    if scheme not in _DEFAULT_PORTS or not parsed.host:
        raise Failure(Kind.NEVER_SENT, f"cannot send to {url!r}: only http:// and https:// URLs")
    port = parsed.port or _DEFAULT_PORTS[scheme]
    return _Origin(scheme, parsed.host, port, parsed.netloc.decode("ascii"), proxy)


class Http11Pool:
    """HTTP/1.1 connections kept per origin, through one proxy or none (see the module
    docstring). Made with the TLS context for origins and the limits; the event loop is the
    one that first sends (a pool belongs to one loop, as its connections do)."""

    def __init__(
        self,
        ssl_context: Any,
        *,
        limits: httpx.Limits,
        proxy: Proxy | None = None,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self._ssl = ssl_context
        ssl_context.set_alpn_protocols(["http/1.1"])  # as httpcore offers on an HTTP/1.1 pool
        self._limits = limits
        self._proxy = proxy
        self._secrets = secrets + (proxy.secrets if proxy is not None else ())
        self._origins: dict[str, _Origin] = {}
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._busy: set[_Connection] = set()
        self._slots = Slots(limits.max_connections) if limits.max_connections else None
        self._deadlines = Deadlines()
        self._cookies: httpx.Cookies | None = None
        self._proxy_head = "".join(f"{k}: {v}\r\n" for k, v in proxy.headers) if proxy is not None else ""
        self.closed = False

    def describe(self) -> str:
        return "http11" if self._proxy is None else f"http11 via {self._proxy.url}"

    def __repr__(self) -> str:
        return f"<Http11Pool {self.describe()}>"

    # -- sending ------------------------------------------------------------------------------

    async def send(self, request: Request, timeout: Timeout, cap: int) -> Answer:
        if self.closed:
            raise Failure(Kind.NEVER_SENT, "the connection pool is closed")
        url = request.url
        origin = self._origin_of(url)
        target = url if origin.absolute else url[len(origin.prefix) :] or "/"
        slots = self._slots
        request.unsent = True  # until a connection takes it (the attempt's limit may pass first)
        if slots is not None and not slots.take():
            await _bounded(
                self._deadlines,
                timeout.pool,
                slots.wait(),
                lambda: Failure(
                    Kind.NEVER_SENT,
                    f"no connection free in the pool within {timeout.pool:g}s",
                    timeout=True,
                ),
            )
        try:
            try:
                connection = self._idle_connection(origin) or await self._connect(origin, timeout)
            finally:
                request.unsent = False
            self._busy.add(connection)
            try:
                answer = await connection.exchange(
                    request, self._head(request, origin, target), timeout, cap, self._deadlines
                )
            except BaseException:
                connection.close()
                raise
            finally:
                self._busy.discard(connection)
            if connection.reusable:  # back to idle before the slot goes to a waiter, who takes it
                self._keep(origin, connection)
            else:
                connection.close()
        finally:
            if slots is not None:
                slots.give()
        if connection.sets_cookie:
            self._store_cookies(request, answer)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s -> %d", request.method, request.url, answer.status_code)
        return answer

    def _origin_of(self, url: str) -> _Origin:
        for prefix, origin in self._origins.items():
            if url.startswith(prefix) and url[len(prefix) : len(prefix) + 1] in ("/", "?", ""):
                return origin
        origin = _origin(url, self._proxy)
        self._origins[origin.prefix] = origin
        return origin

    def _head(self, request: Request, origin: _Origin, target: str) -> bytes:
        """The request line and headers, as httpx writes them: ``Host`` first (the proxy's
        headers before it, for a forwarding proxy), then the request's own, in order."""
        lines = [f"{request.method} {target} HTTP/1.1\r\n"]
        if origin.absolute:
            names = {k.lower() for k, _ in request.headers}
            lines += [f"{k}: {v}\r\n" for k, v in self._proxy.headers if k.lower() not in names]  # type: ignore[union-attr]
        lines.append(f"Host: {origin.host_header}\r\n")
        lines += [f"{k}: {v}\r\n" for k, v in request.headers]
        if self._cookies:
            cookie = self._cookie_header(request)
            if cookie:
                lines.append(f"Cookie: {cookie}\r\n")
        lines.append("\r\n")
        return "".join(lines).encode("latin-1")

    # -- connections --------------------------------------------------------------------------

    def _idle_connection(self, origin: _Origin) -> _Connection | None:
        idle = self._idle.get(origin.key)
        if not idle:
            return None
        expiry = self._limits.keepalive_expiry
        now = time.monotonic()
        while idle:
            connection = idle.pop()  # the most recently used: the least likely to be closed
            if connection.usable(now, expiry):
                return connection
            connection.close()
        return None

    def _keep(self, origin: _Origin, connection: _Connection) -> None:
        """Back to idle; beyond ``max_keepalive_connections`` the oldest idle one is closed,
        unless a request waiting for a slot is about to take it."""
        idle = self._idle.setdefault(origin.key, [])
        idle.append(connection)
        keep = self._limits.max_keepalive_connections
        if keep is not None:
            waiting = self._slots.waiting if self._slots is not None else 0
            if sum(len(v) for v in self._idle.values()) > keep + waiting:
                idle.pop(0).close()  # the oldest idle one

    async def _connect(self, origin: _Origin, timeout: Timeout) -> _Connection:
        """A new connection to ``origin`` (through the proxy, if any), within ``connect``; any
        failure is never-sent."""
        proxy = self._proxy
        where = f"{origin.prefix}" if proxy is None else f"{origin.prefix} through the proxy {proxy.url}"
        try:
            return await _bounded(
                self._deadlines,
                timeout.connect,
                self._open(origin),
                lambda: Failure(
                    Kind.NEVER_SENT, f"could not connect to {where} within {timeout.connect:g}s", timeout=True
                ),
            )
        except (OSError, ValueError) as exc:
            failure = Failure(
                Kind.NEVER_SENT,
                scrub(f"could not connect to {where}: {exc}", self._secrets),
                cause=plain_cause(exc),
            )
        raise failure

    async def _open(self, origin: _Origin) -> _Connection:
        loop = asyncio.get_running_loop()
        proxy = self._proxy
        if proxy is None:
            host, port = origin.host, origin.port
            context = self._ssl if origin.scheme == "https" else None
        else:
            host, port = proxy.host, proxy.port
            context = proxy.ssl_context if proxy.scheme == "https" else None
        transport, connection = await loop.create_connection(
            lambda: _Connection(loop),
            host,
            port,
            ssl=context,
            server_hostname=host if context is not None else None,
            happy_eyeballs_delay=0.25,
        )
        if proxy is not None and origin.scheme == "https":
            try:
                await connection.tunnel(origin, self._proxy_head)
                tls = await loop.start_tls(transport, connection, self._ssl, server_hostname=origin.host)
            except BaseException:
                transport.close()
                raise
            if tls is None:  # pragma: no cover  (only for a transport closed meanwhile)
                raise ConnectionResetError("the connection closed during the TLS handshake")
            connection.transport = tls
        return connection

    # -- cookies, as httpx keeps them ---------------------------------------------------------

    def _cookie_header(self, request: Request) -> str | None:
        assert self._cookies is not None
        probe = httpx.Request(request.method, request.url)
        self._cookies.set_cookie_header(probe)
        cookie: str | None = probe.headers.get("Cookie")
        return cookie

    def _store_cookies(self, request: Request, answer: Answer) -> None:
        if self._cookies is None:
            self._cookies = httpx.Cookies()
        response = httpx.Response(
            answer.status_code,
            headers=[(k, v) for k, v in answer.headers.multi_items() if k.lower() == "set-cookie"],
            request=httpx.Request(request.method, request.url),
        )
        self._cookies.extract_cookies(response)

    async def aclose(self) -> None:
        self.closed = True
        self._deadlines.close()
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        for connection in list(self._busy):
            connection.close()
        self._idle.clear()


class Slots:
    """``limits.max_connections``: how many connections are free, and who waits for one, first
    come first served. A freed slot goes straight to the first waiter still waiting.

    Not ``asyncio.Semaphore``: in 3.11 it leaves woken waiters in its queue until they run,
    and every release walks past them, which costs far more with many requests waiting
    (docs/benchmarks.md, 2026-12-03)."""

    __slots__ = ("_waiters", "free", "handed")

    def __init__(self, count: int) -> None:
        self.free = count
        self.handed = 0  # slots given to waiters that have not run yet
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def waiting(self) -> int:
        """Requests that will want a connection soon: still waiting, or handed a slot."""
        return len(self._waiters) + self.handed

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
                self.handed -= 1
                self.give()  # it was handed a slot, but leaves: the next waiter gets it
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise
        self.handed -= 1

    def give(self) -> None:
        """Give a slot back: to the first waiter still waiting, else to the free count."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self.handed += 1
                return
        self.free += 1


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: one exchange at a time, then idle until reused or closed."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.BaseTransport | None = None
        self.lost = False
        self.reusable = False
        self.sets_cookie = False
        self.idle_since = 0.0
        self.last_data = 0.0
        self._waiter: asyncio.Future[None] | None = None
        self._drained: asyncio.Future[None] | None = None
        self._paused = False
        self._parser: Any = None
        self._request: Request | None = None
        self._head_only = False
        self._reset()

    def _reset(self) -> None:
        self._status = 0
        self._reason = b""
        self._raw: list[tuple[bytes, bytes]] = []
        self._head_size = 0
        self._headers_done = False
        self._complete = False
        self._chunks: list[bytes] = []
        self._size = 0
        self._cap = 0
        self._decoder: Any = None
        self._failure: Failure | None = None
        self._until_close = False
        self._tunnel = False
        self._stray = False

    # -- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.last_data = self.loop.time()
        parser = self._parser
        if parser is None or self._complete:
            # bytes nobody asked for (on an idle connection, or after a complete answer):
            # the connection cannot be trusted for another exchange
            self.reusable = False
            self.close()
            return
        try:
            parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(
                Failure(Kind.MAYBE_SENT, "the server switched protocols, which the SDK does not speak")
            )
        except httptools.HttpParserError as exc:
            if self._complete:  # bytes after a complete answer: it stands, the connection goes
                self.reusable = False
                self.close()
            elif self._failure is None:
                self._fail(
                    Failure(Kind.MAYBE_SENT, f"the answer is not valid HTTP/1.1 ({_parser_text(exc)})")
                )

    def eof_received(self) -> bool | None:
        self._ended()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self._ended(exc)
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def _ended(self, exc: BaseException | None = None) -> None:
        """The server closed its side: an answer read until the close is complete now; one in
        the middle is lost."""
        self.reusable = False
        if self._waiter is None or self._waiter.done():
            return
        if self._headers_done and self._until_close and not self._complete:
            self.on_message_complete()
            return
        if not self._complete:
            what = "while sending its answer" if self._status else "before answering"
            detail = f" ({exc})" if exc is not None else ""
            self._fail(
                Failure(
                    Kind.MAYBE_SENT,
                    f"the server closed the connection {what}{detail}",
                    cause=plain_cause(exc),
                )
            )

    # -- httptools callbacks ------------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self._complete:  # a second message after the answer: not ours to read, nor to reuse
            self._stray = True
            self.reusable = False

    def on_status(self, status: bytes) -> None:
        if self._stray:
            return
        self._reason += status
        self._grow(len(status))

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._stray:
            return
        self._raw.append((name, value))
        self._grow(len(name) + len(value) + 4)
        if len(name) == 10 and name.lower() == b"set-cookie":
            self.sets_cookie = True

    def _grow(self, size: int) -> None:
        self._head_size += size
        if self._head_size > MAX_HEAD and self._failure is None:
            self._fail(Failure(Kind.MAYBE_SENT, f"the answer's head is larger than {MAX_HEAD // 1024} KiB"))

    def on_headers_complete(self) -> None:
        if self._stray:
            return
        parser = self._parser
        status = parser.get_status_code()
        self._status = status
        if status < 200 and status != 101:
            return  # an informational answer; the real one follows
        self._headers_done = True
        if self._tunnel or self._head_only:  # no body follows, whatever the head says
            self._complete = True
            self.reusable = not self._tunnel and parser.should_keep_alive() and not self._framed_body()
            self._finish()
            return
        framed = False
        encodings: list[bytes] = []
        for name, value in self._raw:
            lowered = name.lower()
            if lowered == b"content-length" or (
                lowered == b"transfer-encoding" and b"chunked" in value.lower()
            ):
                framed = True
            elif lowered == b"content-encoding":
                encodings += [part.strip().lower() for part in value.split(b",")]
        self._until_close = not framed and status not in (204, 304)
        self._decoder = _decoder(encodings) if encodings else None

    def _framed_body(self) -> bool:
        """Whether the head announces a body (the parser would wait for it on this connection)."""
        return any(
            name.lower() in (b"content-length", b"transfer-encoding") and value.strip() not in (b"0", b"")
            for name, value in self._raw
        )

    def on_body(self, body: bytes) -> None:
        if self._failure is not None or self._stray:
            return
        decoder = self._decoder
        if decoder is None:
            self._size += len(body)
            if self._size > self._cap:
                self._too_large()
                return
            self._chunks.append(body)
            return
        try:
            for i in range(0, len(body), _INFLATE_STEP):
                out = decoder.decode(body[i : i + _INFLATE_STEP])
                self._size += len(out)
                if self._size > self._cap:
                    self._too_large()
                    return
                self._chunks.append(out)
        except zlib.error as exc:
            self._bad_encoding(exc)

    def on_message_complete(self) -> None:
        if self._stray:
            return
        if self._status < 200 and self._status != 101:
            self._reset_for_next()
            return
        if self._failure is not None or self._complete:
            return
        if self._decoder is not None:
            try:
                out = self._decoder.flush()
            except zlib.error as exc:
                self._bad_encoding(exc)
                return
            self._size += len(out)
            if self._size > self._cap:
                self._too_large()
                return
            self._chunks.append(out)
        self._complete = True
        self.reusable = not self._until_close and self._parser.should_keep_alive()
        self._finish()

    def _reset_for_next(self) -> None:
        self._status, self._reason, self._raw, self._head_size = 0, b"", [], 0

    # -- one exchange -------------------------------------------------------------------------

    def usable(self, now: float, expiry: float | None) -> bool:
        transport = self.transport
        if self.lost or transport is None or transport.is_closing():
            return False
        return expiry is None or now - self.idle_since < expiry

    async def tunnel(self, origin: _Origin, proxy_headers: str) -> None:
        """Ask the proxy for a tunnel to ``origin`` (``CONNECT``); a refusal is never-sent."""
        target = f"{origin.host}:{origin.port}"
        head = f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nAccept: */*\r\n{proxy_headers}\r\n"
        self._start(cap=0)
        self._tunnel = True
        assert self._waiter is not None
        self.transport.write(head.encode("latin-1"))  # type: ignore[union-attr]
        try:
            await self._waiter
        finally:
            self._parser = None
        if self._failure is not None:
            raise Failure(Kind.NEVER_SENT, f"the proxy did not open a tunnel: {self._failure.message}")
        if not 200 <= self._status < 300:
            reason = self._reason.decode("latin-1", "replace")
            raise Failure(
                Kind.NEVER_SENT, f"the proxy refused the tunnel to {target}: {self._status} {reason}"
            )
        self._reset()

    def _start(self, cap: int, request: Request | None = None) -> None:
        self._reset()
        self._request = request
        self._head_only = request is not None and request.method == "HEAD"
        self._cap = cap
        self.reusable = False
        self.sets_cookie = False
        self._parser = httptools.HttpResponseParser(self)
        self._parser.set_dangerous_leniencies(lenient_optional_cr_before_lf=True)  # h11 takes bare LF too
        self._waiter = self.loop.create_future()

    async def exchange(
        self, request: Request, head: bytes, timeout: Timeout, cap: int, deadlines: Deadlines
    ) -> Answer:
        """Send ``request`` (its ``head`` already written out) and read the whole answer."""
        self._start(cap, request)
        waiter = self._waiter
        assert waiter is not None
        transport: Any = self.transport
        transport.write(head + request.body if request.body else head)
        if self._paused:
            await self._drain(timeout.write, deadlines)
        read = timeout.read
        attempt = timeout.attempt
        if read is not None and (attempt is None or read < attempt):
            self.last_data = self.loop.time()
            await _bounded(
                deadlines,
                read,
                waiter,
                lambda: Failure(
                    Kind.TIMED_OUT, f"no data for {read:g}s while waiting for the answer", timeout=True
                ),
                progress=lambda: self.last_data,
            )
        else:
            await waiter
        self._parser = None
        if self._failure is not None:
            raise self._failure
        answer = Answer(
            self._status,
            Headers(self._raw),
            b"".join(self._chunks),
            request,
            http_version="HTTP/1.1",
            reason_phrase=self._reason.decode("latin-1", "replace"),
        )
        self.idle_since = time.monotonic()
        return answer

    async def _drain(self, write: float | None, deadlines: Deadlines) -> None:
        self._drained = self.loop.create_future()
        try:
            await _bounded(
                deadlines,
                write,
                self._drained,
                lambda: Failure(
                    Kind.TIMED_OUT, f"the request could not be sent within {write:g}s", timeout=True
                ),
            )
        finally:
            self._drained = None

    def _fail(self, failure: Failure) -> None:
        if self._failure is None:
            self._failure = failure
        self.reusable = False
        self._finish()
        self.close()

    def _too_large(self) -> None:
        self._fail(
            Failure(
                Kind.BAD_ANSWER,
                f"the answer is larger than the {self._cap:,}-byte response size cap "
                "(max_response_bytes); it was not read further",
                answer=self._head_answer(),
            )
        )

    def _bad_encoding(self, exc: Exception) -> None:
        encoding = next((v.decode("latin-1") for k, v in self._raw if k.lower() == b"content-encoding"), "")
        self._fail(
            Failure(
                Kind.BAD_ANSWER,
                f"the body does not decode as its Content-Encoding {encoding!r} says ({exc})",
                answer=self._head_answer(),
            )
        )

    def _head_answer(self) -> Answer:
        """The answer as far as it came (its status and headers), for the error."""
        assert self._request is not None
        return Answer(self._status, Headers(self._raw), b"", self._request)

    def _finish(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def close(self) -> None:
        self.reusable = False
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.close()


async def _bounded(
    deadlines: Deadlines,
    delay: float | None,
    waiting: Awaitable[T],
    failure: Callable[[], Failure],
    progress: Callable[[], float] | None = None,
) -> T:
    """``await waiting`` within ``delay`` seconds (with ``progress``: of no progress), else
    raise ``failure()``: each phase's limit, on the pool's one timer."""
    limit = deadlines.within(delay, progress)
    try:
        with limit:
            return await waiting
    except TimeoutError:
        if not limit.expired:
            raise
    raise failure()


def _parser_text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:200]


class _Decoder:
    """Several Content-Encodings applied in turn (the last one listed is undone first)."""

    def __init__(self, steps: list[Any]) -> None:
        self.steps = steps

    def decode(self, data: bytes) -> bytes:
        for step in self.steps:
            data = step.decompress(data)
        return data

    def flush(self) -> bytes:
        data = b""
        for step in self.steps:
            data = step.decompress(data) + step.flush()
        return data


class _Deflate:
    """``deflate`` as httpx reads it: zlib-wrapped, or raw deflate when the first bytes say so."""

    def __init__(self) -> None:
        self._first = True
        self._inner = zlib.decompressobj()

    def decompress(self, data: bytes) -> bytes:
        if self._first and data:
            self._first = False
            try:
                return self._inner.decompress(data)
            except zlib.error:
                self._inner = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._inner.decompress(data)

    def flush(self) -> bytes:
        return self._inner.flush()


_DECODERS: dict[bytes, Callable[[], Any]] = {
    b"gzip": lambda: zlib.decompressobj(zlib.MAX_WBITS | 16),
    b"x-gzip": lambda: zlib.decompressobj(zlib.MAX_WBITS | 16),
    b"deflate": _Deflate,
}


def _decoder(encodings: list[bytes]) -> _Decoder | None:
    """The decoder for a body's Content-Encoding values; encodings the SDK does not ask for
    (``identity``, or anything else) are left as they are, as httpx leaves them."""
    steps = [_DECODERS[e]() for e in reversed(encodings) if e in _DECODERS]
    return _Decoder(steps) if steps else None
