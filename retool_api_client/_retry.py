"""The retry loop: every request's attempts, between the request pipeline and the pool.

    _request.send -> RetryLoop.send -> pool.send (``_pool``)

Before each attempt the loop waits for the pool's pause and rate limit (``_pacing``); each
attempt is held to its time limit (``Timeout.attempt``, on ``_deadline.Deadlines``) and the
retry deadline; a failure or an error status goes to the policy (``_retry_policy``: pure
rules on the pool's failure kinds and the status), which says whether to try again and after
how long; the loop waits through an injected sleeper and clock, and sends again. Nothing else
in the SDK resends a request, and every pool sends each attempt once.

A 429 is not a failure of this request but the server's word to every request: it pauses the
pool (``Pacing.pause``) and its retries do not spend ``max_retries`` (which would have ended
work that only had to wait); the retry deadline, ``retry_after_cap`` and
``max_rate_limit_retries`` bound them.

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
from typing import Protocol
from urllib.parse import urlsplit

from ._deadline import Deadlines
from ._exceptions import APIConnectionError, APIResponseValidationError, APITimeoutError, ConfigurationError
from ._message import Answer, Request, Timeout
from ._pacing import Pacing
from ._pool import Failure, Kind, Pool
from ._retry_policy import RetryConfig, decide_failure, decide_status, next_delay

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "RequestEvent",
    "ResponseEvent",
    "RetryEvent",
    "RetryLoop",
    "call_hook",
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


class _Event:
    """The request an event is about. Read-only; each field is read from the request when asked
    for, so a hook pays only for what it reads (``make bench``: the hooks' cost)."""

    __slots__ = ("_attempt", "_request")

    _request: Request
    _attempt: int

    @property
    def method(self) -> str:
        return self._request.method

    @property
    def url(self) -> str:
        return self._request.url

    @property
    def operation(self) -> str | None:
        return self._request.operation

    @property
    def template(self) -> str | None:
        return self._request.template

    @property
    def attempt(self) -> int:
        return self._attempt


class RequestEvent(_Event):
    """What ``on_request`` receives as each attempt starts: ``method``, ``url``, ``operation``
    and ``template`` (``get_user``, ``/users/{userId}``; None outside the API's operations),
    ``attempt`` (1 = the first) and ``headers`` (redacted)."""

    __slots__ = ()

    def __init__(self, request: Request, attempt: int) -> None:
        self._request, self._attempt = request, attempt

    @property
    def headers(self) -> Mapping[str, str]:
        return self._request.info().headers

    def __repr__(self) -> str:
        return f"<RequestEvent {self.method} {self.url} attempt={self.attempt}>"


class ResponseEvent(_Event):
    """What ``on_response`` receives for each answer, before the retry policy sees it (so an
    error status that will be retried is seen too): the request's fields, ``status_code``,
    ``headers`` (the answer's) and ``elapsed`` (the attempt's seconds)."""

    __slots__ = ("_answer", "_elapsed")

    def __init__(self, request: Request, attempt: int, answer: Answer, elapsed: float) -> None:
        self._request, self._attempt, self._answer, self._elapsed = request, attempt, answer, elapsed

    @property
    def status_code(self) -> int:
        return self._answer.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self._answer.headers

    @property
    def elapsed(self) -> float:
        return self._elapsed

    def __repr__(self) -> str:
        return f"<ResponseEvent {self.method} {self.url} attempt={self.attempt} status={self.status_code}>"


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


class Attempts:
    """How many attempts a call has made so far (what a tracing span reports)."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


class CallTracer(Protocol):
    """Wraps each call's attempts (``_tracing.Tracer``: an OpenTelemetry span per call)."""

    async def send(
        self,
        attempts: Callable[[Request, Timeout, Attempts | None], Awaitable[Answer]],
        request: Request,
        timeout: Timeout,
    ) -> Answer: ...


class RetryLoop:
    """The attempts of one client's requests (a ``with_options`` copy has its own loop with its
    own settings, on the same pool and the same :class:`~._pacing.Pacing`)."""

    __slots__ = (
        "_limits",
        "cap",
        "config",
        "on_request",
        "on_response",
        "on_retry",
        "pacing",
        "pool",
        "timing",
        "tracer",
    )

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
        pacing: Pacing | None = None,
        tracer: CallTracer | None = None,
    ) -> None:
        self.pool, self.config, self.on_retry, self.cap, self.timing = pool, config, on_retry, cap, timing
        self.on_request, self.on_response = on_request, on_response
        self._limits = limits
        self.pacing = pacing or Pacing(timing)
        self.tracer = tracer

    async def send(self, request: Request, timeout: Timeout) -> Answer:
        """The answer to ``request`` after the retries the policy allows (an error status
        included), or the SDK's connection error."""
        if self.tracer is None:
            return await self._attempts(request, timeout, None)
        return await self.tracer.send(self._attempts, request, timeout)

    async def _attempts(self, request: Request, timeout: Timeout, counted: Attempts | None) -> Answer:
        config, timing, pacing = self.config, self.timing, self.pacing
        clock = timing.clock
        now = clock()
        if pacing.limiter is not None or pacing.until > now:
            await pacing.wait(now, None)  # queueing for the first attempt: the deadline starts after
            now = clock()
        started = now
        limit = timeout.attempt
        attempt = 1
        throttled = 0  # 429s retried: they wait on the pool's pause, not on max_retries
        while True:
            budget = limit
            if attempt > 1:  # the retry deadline bounds every later attempt, not only its start
                remaining = max(0.0, config.deadline - (clock() - started))
                budget = remaining if budget is None else min(budget, remaining)
            if counted is not None:
                counted.count = attempt
            answer: Answer | None = None
            failure: Failure | None = None
            if self.on_request is not None:  # call_hook inlined: this runs for every attempt
                hooked = self.on_request(RequestEvent(request, attempt))
                if hooked is not None and inspect.isawaitable(hooked):
                    await hooked
            sent = clock()
            request.unsent = False  # a pool that keeps track sets it (_message.Request.unsent)
            timer = self._limits.within(budget)
            try:
                with timer:
                    answer = await self.pool.send(request, timeout, self.cap)
            except Failure as exc:
                failure = exc
            except TimeoutError:
                if not timer.expired:
                    raise
                if request.unsent:  # the attempt's limit passed before a connection took it
                    failure = Failure(
                        Kind.NEVER_SENT, f"no connection to send on within {budget:g}s", timeout=True
                    )
                else:
                    failure = Failure(Kind.TIMED_OUT, f"no complete answer within {budget:g}s", timeout=True)
            if answer is not None:
                if self.on_response is not None:
                    hooked = self.on_response(ResponseEvent(request, attempt, answer, clock() - sent))
                    if hooked is not None and inspect.isawaitable(hooked):
                        await hooked
                if answer.status_code < 400:
                    return answer  # success: nothing to decide, nothing to log
                decision = decide_status(request.method, answer.status_code, config)
            else:
                assert failure is not None
                decision = decide_failure(request.method, failure, config)
            now = clock()
            waited_turn = False
            delay: float | None
            if not decision.retry:
                delay, why = None, decision.reason
            elif answer is not None and answer.status_code == 429:
                throttled += 1
                delay, why = next_delay(throttled - 1, answer.headers, config, timing.rng)
                if delay is not None:
                    pacing.pause(now + delay)  # every request on the pool waits, not only this one
                    if config.max_retries == 0:
                        delay, why = None, "max_retries=0"
                    elif throttled > config.max_rate_limit_retries:
                        delay, why = (
                            None,
                            f"{config.max_rate_limit_retries} 429s waited out ({decision.reason})",
                        )
                    else:
                        delay, waited_turn = pacing.next_turn() - now, True
            elif attempt - throttled > config.max_retries:
                delay, why = None, f"{config.max_retries} retries used ({decision.reason})"
            else:
                headers = answer.headers if answer is not None else None
                delay, why = next_delay(attempt - 1 - throttled, headers, config, timing.rng)
            if delay is not None and now - started + delay > config.deadline:
                delay, why = None, f"the {config.deadline:g}s retry deadline would pass"
            if delay is None:
                if logger.isEnabledFor(logging.DEBUG):
                    logger.debug("not retrying %s %s: %s", request.method, urlsplit(request.url).path, why)
                return _give_up(answer, failure, request)
            if waited_turn:
                pacing.take_turn()
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
                await call_hook(self.on_retry, event)
            await timing.sleep(delay)
            now = clock()
            if pacing.limiter is not None or (not waited_turn and pacing.until > now):
                left = config.deadline - (now - started)
                if not await pacing.wait(now, left, paused=not waited_turn):
                    logger.debug(
                        "not retrying %s %s: its turn would come after the %gs retry deadline",
                        request.method,
                        urlsplit(request.url).path,
                        config.deadline,
                    )
                    return _give_up(answer, failure, request)
            attempt += 1


def _give_up(answer: Answer | None, failure: Failure | None, request: Request) -> Answer:
    """The last answer (an error status: the pipeline raises its typed error), or the last
    failure as the SDK's error."""
    if answer is not None:
        return answer
    assert failure is not None
    raise _error(failure, request) from failure.cause


async def call_hook(hook: Callable[..., object], *args: object) -> None:
    """Call a caller's hook, which may be a plain function or a coroutine function."""
    result = hook(*args)
    if result is not None and inspect.isawaitable(result):
        await result


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
