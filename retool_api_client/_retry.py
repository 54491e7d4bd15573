"""Retries as an httpx transport that wraps any other transport.

Why hand-written: ``httpx-retries`` (0.6) retries by status and method but cannot tell a
connect failure (never sent, safe for POST) from a read timeout (maybe processed), has no
overall deadline, no ``retry-after-ms`` and no per-retry callback; ``stamina`` retries whole
function calls on exceptions, not responses inside a transport, and would re-run the parsing
too. The rules themselves are pure functions in ``_retry_policy.py``; this module is only the
loop: send, ask the policy, wait (through an injected sleeper and clock), replay the body.

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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from ._exceptions import APIConnectionError, APITimeoutError
from ._retry_policy import Decision, RetryConfig, decide_error, decide_status, next_delay

logger = logging.getLogger("retool_api_client")

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
    ) -> None:
        """``sleep``, ``clock`` and ``rng`` default to asyncio.sleep, time.monotonic and a fresh
        ``random.Random``; tests inject their own."""
        self.transport = transport
        self.config = config or RetryConfig()
        self.on_retry = on_retry
        self._sleep = sleep or asyncio.sleep
        self._clock = clock or time.monotonic
        self._rng = rng or random.Random()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()  # buffer the body once so every attempt sends it intact
        started = self._clock()
        attempt = 1
        while True:
            response: httpx.Response | None = None
            error: httpx.TransportError | None = None
            try:
                response = await self.transport.handle_async_request(request)
            except httpx.TransportError as exc:
                error = exc
                decision = decide_error(request.method, exc, self.config)
            else:
                if response.status_code < 400:
                    return response  # success: nothing to decide, nothing to log
                decision = decide_status(request.method, response.status_code, self.config)
            delay = self._plan(decision, attempt, started, response, request)
            if delay is None:
                if response is not None:
                    return response
                assert error is not None
                raise connection_error(error, request) from error
            event = RetryEvent(
                method=request.method,
                path=request.url.path,
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
        request: httpx.Request,
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to stop here."""
        if not decision.retry:
            logger.debug("not retrying %s %s: %s", request.method, request.url.path, decision.reason)
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
        logger.debug("not retrying %s %s: %s", request.method, request.url.path, why)
        return None

    async def aclose(self) -> None:
        await self.transport.aclose()


def connection_error(error: httpx.TransportError, request: httpx.Request) -> APIConnectionError:
    """The SDK's error for a transport failure (a timeout gets :class:`APITimeoutError`)."""
    where = f"{request.method} {request.url}"
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"{type(error).__name__} on {where}", request=request)
    detail = str(error) or type(error).__name__
    return APIConnectionError(f"{type(error).__name__} on {where}: {detail}", request=request)
