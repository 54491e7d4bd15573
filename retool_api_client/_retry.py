"""The retry loop: every request's attempts, between the request pipeline and the pool.

    _request.send -> RetryLoop.send -> pool.send (``_pool``)

Each attempt is held to its time limit (``Timeout.attempt``, on ``_deadline.Deadlines``) and
the retry deadline; a failure or an error status goes to the policy (``_retry_policy``: pure
rules on the pool's failure kinds and the status), which says whether to try again and after
how long; the loop waits through an injected sleeper and clock, and sends again. Nothing else
in the SDK resends a request, and every pool sends each attempt once.

Once retries are exhausted (or not allowed) a failure is raised as the SDK's
:class:`APIConnectionError` / :class:`APITimeoutError` (or, for an answer the SDK refuses to
read, :class:`APIResponseValidationError`); an error *status* is returned as the answer it is
and the pipeline raises the typed status error from it.

Hand-written because the decision needs what only the pool knows (whether the request can
have been sent): ``httpx-retries`` cannot tell a connect failure from a read timeout, and
``stamina``/``tenacity`` retry whole function calls on exceptions, not attempts on answers.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ._deadline import Deadlines
from ._exceptions import APIConnectionError, APIResponseValidationError, APITimeoutError, ConfigurationError
from ._message import Answer, Request, Timeout
from ._pool import Failure, Kind, Pool
from ._retry_policy import Decision, RetryConfig, decide_failure, decide_status, next_delay

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "RequestEvent",
    "ResponseEvent",
    "RetryEvent",
    "RetryLoop",
    "check_max_response_bytes",
]

logger = logging.getLogger("retool_api_client")

#: The largest answer read, after decompression: far above any Retool page, far below what
#: would exhaust a worker's memory. ``RetoolClient(max_response_bytes=...)`` changes it.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024

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


@dataclass(frozen=True)
class RequestEvent:
    """What ``on_request`` receives as each attempt starts: ``operation`` and ``template`` name
    the API operation (``get_user``, ``/users/{user_id}``); ``headers`` are redacted."""

    method: str
    url: str
    operation: str | None
    template: str | None
    attempt: int
    headers: Mapping[str, str]


@dataclass(frozen=True)
class ResponseEvent:
    """What ``on_response`` receives for each answer, before the retry policy sees it (so an
    error status that will be retried is seen too). ``elapsed`` is the attempt's seconds."""

    method: str
    url: str
    operation: str | None
    template: str | None
    attempt: int
    status_code: int
    headers: Mapping[str, str]
    elapsed: float


OnRequest = Callable[[RequestEvent], object]
OnResponse = Callable[[ResponseEvent], object]


class Timing:
    """Where the loop reads the time, waits, and draws its jitter: the real ones by default;
    tests (and the fake Retool) install simulated ones with ``RetoolClient._use_timing``."""

    __slots__ = ("clock", "rng", "sleep")

    def __init__(
        self, clock: Clock | None = None, sleep: Sleeper | None = None, rng: random.Random | None = None
    ) -> None:
        self.clock = clock or time.monotonic
        self.sleep = sleep or asyncio.sleep
        self.rng = rng or random.Random()


class RetryLoop:
    """The attempts of one client's requests (a ``with_options`` copy has its own loop with its
    own settings, on the same pool)."""

    __slots__ = ("_limits", "cap", "config", "on_request", "on_response", "on_retry", "pool", "timing")

    def __init__(
        self,
        pool: Pool,
        config: RetryConfig,
        *,
        on_retry: OnRetry | None,
        cap: int,
        timing: Timing,
        limits: Deadlines,
        on_request: OnRequest | None = None,
        on_response: OnResponse | None = None,
    ) -> None:
        self.pool, self.config, self.on_retry, self.cap, self.timing = pool, config, on_retry, cap, timing
        self.on_request, self.on_response = on_request, on_response
        self._limits = limits

    async def send(self, request: Request, timeout: Timeout) -> Answer:
        """The answer to ``request`` after the retries the policy allows (an error status
        included), or the SDK's connection error."""
        config = self.config
        clock = self.timing.clock
        started = clock()
        limit = timeout.attempt
        attempt = 1
        while True:
            budget = limit
            if attempt > 1:  # the retry deadline bounds every later attempt, not only its start
                remaining = max(0.0, config.deadline - (clock() - started))
                budget = remaining if budget is None else min(budget, remaining)
            answer: Answer | None = None
            failure: Failure | None = None
            if self.on_request is not None:
                await _call(self.on_request, _request_event(request, attempt))
            sent = clock()
            timer = self._limits.within(budget)
            try:
                with timer:
                    answer = await self.pool.send(request, timeout, self.cap)
            except Failure as exc:
                failure = exc
            except TimeoutError:
                if not timer.expired:
                    raise
                failure = Failure(Kind.TIMED_OUT, f"no complete answer within {budget:g}s", timeout=True)
            if answer is not None and self.on_response is not None:
                await _call(self.on_response, _response_event(request, attempt, answer, clock() - sent))
            if answer is not None:
                if answer.status_code < 400:
                    return answer  # success: nothing to decide, nothing to log
                decision = decide_status(request.method, answer.status_code, config)
            else:
                assert failure is not None
                decision = decide_failure(request.method, failure, config)
            delay = self._plan(decision, attempt, started, answer, request)
            if delay is None:
                if answer is not None:
                    return answer
                assert failure is not None
                raise _error(failure, request) from failure.cause
            event = RetryEvent(
                method=request.method,
                path=urlsplit(request.url).path,
                attempt=attempt,
                reason=decision.reason,
                delay=delay,
                status_code=answer.status_code if answer is not None else None,
                error=failure.kind.value if failure is not None else None,
            )
            logger.info(
                "retrying %s %s after attempt %d (%s) in %.3fs",
                event.method,
                event.path,
                attempt,
                event.reason,
                delay,
            )
            if self.on_retry is not None:
                await _call(self.on_retry, event)
            await self.timing.sleep(delay)
            attempt += 1

    def _plan(
        self, decision: Decision, attempt: int, started: float, answer: Answer | None, request: Request
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to stop here."""
        config = self.config
        if not decision.retry:
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "not retrying %s %s: %s", request.method, urlsplit(request.url).path, decision.reason
                )
            return None
        if attempt > config.max_retries:
            why = f"{config.max_retries} retries used ({decision.reason})"
        else:
            delay, why = next_delay(
                attempt - 1, answer.headers if answer is not None else None, config, self.timing.rng
            )
            if delay is not None and self.timing.clock() - started + delay <= config.deadline:
                return delay
            if delay is not None:
                why = f"the {config.deadline:g}s retry deadline would pass"
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("not retrying %s %s: %s", request.method, urlsplit(request.url).path, why)
        return None


async def _call(hook: Callable[[Any], object], event: object) -> None:
    result = hook(event)
    if inspect.isawaitable(result):
        await result


def _request_event(request: Request, attempt: int) -> RequestEvent:
    info = request.info()
    return RequestEvent(
        request.method, request.url, request.operation, request.template, attempt, info.headers
    )


def _response_event(request: Request, attempt: int, answer: Answer, elapsed: float) -> ResponseEvent:
    return ResponseEvent(
        request.method,
        request.url,
        request.operation,
        request.template,
        attempt,
        answer.status_code,
        answer.headers,
        elapsed,
    )


def _error(failure: Failure, request: Request) -> APIConnectionError | APIResponseValidationError:
    """The SDK's error for a pool's failure: what happened, on which request, in words without
    secrets; its cause (set by the caller) is the plain OS or TLS error, when there was one."""
    where = f"{request.method} {request.url}"
    if failure.kind is Kind.BAD_ANSWER:
        return APIResponseValidationError(failure.message, response=failure.answer, request=request)
    if failure.timeout:
        return APITimeoutError(f"{where}: {failure.message}", request=request)
    return APIConnectionError(f"{where}: {failure.message}", request=request)


def check_max_response_bytes(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"max_response_bytes must be an integer >= 1, got {value!r}")
    return value
