"""Retries as an httpx transport that wraps any other transport, and the one retry loop
(:meth:`RetryTransport.run`) that both it and ``_http``'s lane send their attempts through.

Why hand-written: ``httpx-retries`` (0.6) retries by status and method but cannot tell a
connect failure (never sent, safe for POST) from a read timeout (maybe processed), has no
overall deadline, no ``retry-after-ms`` and no per-retry callback; ``stamina`` retries whole
function calls on exceptions, not responses inside a transport, and would re-run the parsing
too. The rules themselves are pure functions in ``_retry_policy.py``; this module is only the
loop: send, ask the policy, wait (through an injected sleeper and clock), send again; each
attempt held to its time limit, the answer's body read within it, never past the size cap.

Once retries are exhausted (or not allowed), a transport error is raised as the SDK's
:class:`APIConnectionError` / :class:`APITimeoutError`; an error *response* is returned as it is
and the generated code raises the typed status error from it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

import httpx

from ._deadline import Deadlines
from ._exceptions import APIConnectionError, APIResponseValidationError, APITimeoutError, ConfigurationError
from ._retry_policy import Decision, RetryConfig, decide_error, decide_status, next_delay

logger = logging.getLogger("retool_api_client")

#: The largest answer read, after decompression: far above any Retool page, far below what
#: would exhaust a worker's memory. ``RetoolClient(max_response_bytes=...)`` changes it.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
#: A compressed body is inflated this many bytes of input at a time, so one step of a
#: decompression bomb (deflate expands ~1000x at most) stays near 1 MiB over the cap.
_INFLATE_STEP = 1024

Sleeper = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


@dataclass(frozen=True)
class RetryEvent:
    """What ``on_retry`` receives before each wait. ``attempt`` is the attempt that failed
    (1 = the first request); ``delay`` the seconds until the next one."""

    method: str
    path: str
    attempt: int
    reason: str
    delay: float
    status_code: int | None = None
    error: str | None = None


OnRetry = Callable[[RetryEvent], object]


class Exchange(Protocol):
    """One request as the retry loop sees it: sent again on each attempt."""

    @property
    def method(self) -> str: ...

    @property
    def url(self) -> str:
        """For messages."""
        ...

    @property
    def path(self) -> str:
        """For ``RetryEvent`` and logs."""
        ...

    @property
    def limit(self) -> float | None:
        """One attempt's time limit (:func:`attempt_limit`)."""
        ...

    def send(self) -> Awaitable[httpx.Response]:
        """One attempt: the answer's head (its body unread), or an ``httpx.TransportError``."""
        ...

    def request(self) -> httpx.Request:
        """The request as an ``httpx.Request``, for the errors that carry one."""
        ...


class _Forwarded:
    """An httpx request handed to the retry transport, sent through the transport it wraps."""

    def __init__(self, retrying: RetryTransport, request: httpx.Request) -> None:
        self.transport, self._request = retrying.transport, request
        self.method = request.method
        self.limit = attempt_limit(request.extensions.get("timeout") or {})

    @property
    def url(self) -> str:
        return str(self._request.url)

    @property
    def path(self) -> str:
        return self._request.url.path

    async def send(self) -> httpx.Response:
        response = await self.transport.handle_async_request(self._request)
        response.request = self._request
        return response

    def request(self) -> httpx.Request:
        return self._request


class RetryTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        config: RetryConfig | None = None,
        *,
        on_retry: OnRetry | None = None,
        sleep: Sleeper | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        """``sleep``, ``clock`` and ``rng`` default to asyncio.sleep, time.monotonic and a fresh
        ``random.Random``; tests inject their own. ``max_response_bytes`` caps an answer's body
        after decompression."""
        self.max_response_bytes = check_max_response_bytes(max_response_bytes)
        self.transport = transport
        self.config = config or RetryConfig()
        self.on_retry = on_retry
        self._sleep = sleep or asyncio.sleep
        self._clock = clock or time.monotonic
        self._rng = rng or random.Random()
        self._limits = Deadlines()  # each attempt's time limit, on one loop timer

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()  # buffer the body once so every attempt sends it intact
        return await self.run(_Forwarded(self, request))

    async def run(self, exchange: Exchange) -> httpx.Response:
        """The retry loop around ``exchange``'s attempts: what the transport does for an httpx
        request, and what ``_http``'s quickstart path does for a request it sends itself."""
        started = self._clock()
        limit = exchange.limit
        attempt = 1
        while True:
            response: httpx.Response | None = None
            error: httpx.TransportError | None = None
            budget = limit
            if attempt > 1:  # the retry deadline bounds every later attempt, not only its start
                remaining = max(0.0, self.config.deadline - (self._clock() - started))
                budget = remaining if budget is None else min(budget, remaining)
            reading = False
            timer = self._limits.within(budget)
            try:
                with timer:
                    try:
                        response = await exchange.send()
                    except httpx.TransportError as exc:
                        error = exc
                        decision = decide_error(exchange.method, exc, self.config)
                    else:
                        if response.status_code < 400:
                            reading = True
                            await read_body(response, self.max_response_bytes)
                            return response  # success: nothing to decide, nothing to log
                        decision = decide_status(exchange.method, response.status_code, self.config)
                    delay = self._plan(decision, attempt, started, response, exchange)
                    if delay is None and response is not None:
                        reading = True
                        await read_body(response, self.max_response_bytes)
                        return response
            except httpx.TransportError as exc:  # only reading raises one here
                # a reset mid-body: not retried, the answer's head had arrived
                raise connection_error(exc, exchange.request()) from exc
            except TimeoutError:
                if not timer.expired:
                    raise
                if response is not None:
                    await response.aclose()
                what = f"{exchange.method} {exchange.url}"
                if reading:  # the answer had begun: not retried, as a reset mid-body
                    raise APITimeoutError(
                        f"the answer to {what} did not arrive in full within {budget:g}s",
                        request=exchange.request(),
                    ) from None
                error = httpx.ReadTimeout(f"no answer within {budget:g}s", request=exchange.request())
                response = None
                decision = decide_error(exchange.method, error, self.config)
                delay = self._plan(decision, attempt, started, None, exchange)
            if delay is None:
                assert error is not None
                raise connection_error(error, exchange.request()) from error
            event = RetryEvent(
                method=exchange.method,
                path=exchange.path,
                attempt=attempt,
                reason=decision.reason,
                delay=delay,
                status_code=response.status_code if response is not None else None,
                error=type(error).__name__ if error is not None else None,
            )
            if response is not None:
                await response.aclose()
            logger.info(
                "retrying %s %s after attempt %d (%s) in %.3fs",
                event.method,
                event.path,
                attempt,
                event.reason,
                delay,
            )
            if self.on_retry is not None:
                result = self.on_retry(event)
                if inspect.isawaitable(result):
                    await result
            await self._sleep(delay)
            attempt += 1

    def _plan(
        self,
        decision: Decision,
        attempt: int,
        started: float,
        response: httpx.Response | None,
        exchange: Exchange,
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to stop here."""
        if not decision.retry:
            logger.debug("not retrying %s %s: %s", exchange.method, exchange.path, decision.reason)
            return None
        if attempt > self.config.max_retries:
            why = f"{self.config.max_retries} retries used ({decision.reason})"
        else:
            delay, why = next_delay(
                attempt - 1, response.headers if response is not None else None, self.config, self._rng
            )
            if delay is not None and self._clock() - started + delay <= self.config.deadline:
                return delay
            if delay is not None:
                why = f"the {self.config.deadline:g}s retry deadline would pass"
        logger.debug("not retrying %s %s: %s", exchange.method, exchange.path, why)
        return None

    async def aclose(self) -> None:
        self._limits.close()
        await self.transport.aclose()


def connection_error(error: httpx.TransportError, request: httpx.Request) -> APIConnectionError:
    """The SDK's error for a transport failure (a timeout gets :class:`APITimeoutError`)."""
    where = f"{request.method} {request.url}"
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"{type(error).__name__} on {where}", request=request)
    detail = str(error) or type(error).__name__
    return APIConnectionError(f"{type(error).__name__} on {where}: {detail}", request=request)


def attempt_limit(timeouts: Mapping[str, object]) -> float | None:
    """One attempt's time limit: the largest of a request's httpx timeouts (``timeout=T``
    sets them all to T), applied to the whole attempt: connect, send, head and body. httpx's
    own read timeout restarts with every byte, so a server dripping one byte at a time would
    never trip it."""
    values = [v for v in timeouts.values() if isinstance(v, int | float)]
    return max(values) if values else None


def check_max_response_bytes(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"max_response_bytes must be an integer >= 1, got {value!r}")
    return value


async def read_body(response: httpx.Response, cap: int) -> None:
    """``response.aread()``, decoded as it arrives and refused as soon as it passes ``cap``
    bytes (an ``APIResponseValidationError``; the connection is closed, nothing more is read).
    A body that does not decode as its ``Content-Encoding`` says raises the same error."""
    read_within = getattr(response.stream, "read_within", None)  # the aiohttp pool's _Body
    if read_within is not None and not response.is_stream_consumed:
        whole = await read_within(cap)
        if whole is not None:
            response._content = whole
            response.is_stream_consumed = response.is_closed = True  # read_within closed it
            return
    if plain_encoding(response.headers.get_list("content-encoding")) and not response.is_stream_consumed:
        await _read_identity(response, cap)
        return
    try:
        content = response.content
    except httpx.ResponseNotRead:
        pass
    else:  # built with its content (a mock transport): only the cap to check
        if len(content) > cap:
            raise _too_large(response, cap)
        return
    decoder = response._get_content_decoder()
    chunks: list[bytes] = []
    size = 0
    try:
        async for raw in response.aiter_raw():
            for i in range(0, len(raw), _INFLATE_STEP):
                out = decoder.decode(raw[i : i + _INFLATE_STEP])
                size += len(out)
                if size > cap:
                    raise _too_large(response, cap)
                chunks.append(out)
        out = decoder.flush()
        if size + len(out) > cap:
            raise _too_large(response, cap)
        chunks.append(out)
    except httpx.DecodingError as exc:
        await response.aclose()
        encoding = response.headers.get("content-encoding")
        raise APIResponseValidationError(
            f"the body does not decode as its Content-Encoding {encoding!r} says ({exc})", response=response
        ) from None
    except BaseException:
        await response.aclose()
        raise
    response._content = b"".join(chunks)


def plain_encoding(encodings: Iterable[str]) -> bool:
    """Whether ``Content-Encoding`` values (of every header of that name) leave the body as it is."""
    return all(part.strip().lower() in ("", "identity") for value in encodings for part in value.split(","))


async def _read_identity(response: httpx.Response, cap: int) -> None:
    """An uncompressed body, read from the transport's stream itself: httpx's ``aiter_raw``
    adds four generator layers and a chunker for nothing here (~10 us an answer)."""
    chunks: list[bytes] = []
    size = 0
    response.is_stream_consumed = True
    try:
        async for chunk in response.stream:  # type: ignore[union-attr]  # an async transport's
            size += len(chunk)
            if size > cap:
                raise _too_large(response, cap)
            chunks.append(chunk)
    finally:
        response.is_closed = True
        await response.stream.aclose()  # type: ignore[union-attr]  # what aclose() does, less its layers
    response._content = b"".join(chunks)


def _too_large(response: httpx.Response, cap: int) -> APIResponseValidationError:
    return APIResponseValidationError(
        f"the answer is larger than the {cap:,}-byte response size cap (max_response_bytes); "
        "it was not read further",
        response=response,
    )
