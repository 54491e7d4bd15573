"""Every retry rule: the status table over real sockets on every pool; the failure kinds on the
retry loop itself (each pool's mapping of real failures to kinds is tests/wire's); the policy's
pure functions. Time is injected: nothing waits for real."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest

from retool_api_client import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    ConfigurationError,
    RetryConfig,
    RetryEvent,
)
from retool_api_client._deadline import Deadlines
from retool_api_client._message import Answer, Headers, Request, Timeout
from retool_api_client._pool import Failure, Kind
from retool_api_client._retry import RetryLoop, Timing
from retool_api_client._retry_policy import (
    backoff_delay,
    decide_failure,
    decide_status,
    next_delay,
    retry_after_seconds,
)

from .helpers.fakes import FakeTime
from .helpers.pools import client_on
from .helpers.wire_server import WireServer, answer

METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "POST", "PATCH"]
IDEMPOTENT = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
URL = "https://x.test/api/v2/users"

Step = int | tuple[int, dict[str, str]] | Failure


def reply(step: int | tuple[int, dict[str, str]], request: Request) -> Answer:
    status, headers = step if isinstance(step, tuple) else (step, {})
    return Answer(status, Headers(list(headers.items())), b"", request)


class ScriptedPool:
    """A pool that answers (or fails) as scripted, the last step repeating; records each send."""

    def __init__(self, script: list[Step]) -> None:
        self.script, self.sent = script, []  # type: list[Step], list[Request]

    async def send(self, request: Request, timeout: Timeout, cap: int) -> Answer:
        self.sent.append(request)
        step = self.script[min(len(self.sent) - 1, len(self.script) - 1)]
        if isinstance(step, Failure):
            raise step
        return reply(step, request)

    async def aclose(self) -> None:
        pass

    def describe(self) -> str:
        return "scripted"


def run(
    method: str,
    script: list[Step],
    config: RetryConfig | None = None,
    time: FakeTime | None = None,
    on_retry: Any = None,
) -> tuple[Answer | Exception, list[Request], FakeTime]:
    """The retry loop on a scripted pool: its result (the answer or the error raised)."""
    time = time or FakeTime()
    pool = ScriptedPool(script)
    loop = RetryLoop(
        pool,
        config or RetryConfig(),
        on_retry=on_retry,
        cap=1 << 20,
        timing=Timing(time.clock, time.sleep, random.Random(1)),
        limits=Deadlines(),
    )

    async def go() -> Answer | Exception:
        try:
            return await loop.send(
                Request(method, URL, [("Authorization", "Bearer tok_secret_123")]), Timeout(10, 60, 60, 60)
            )
        except Exception as exc:
            return exc

    return asyncio.run(go()), pool.sent, time


def never(message: str = "refused", timeout: bool = False) -> Failure:
    return Failure(Kind.NEVER_SENT, message, timeout=timeout, cause=ConnectionRefusedError(111, "refused"))


def maybe(message: str = "reset") -> Failure:
    return Failure(Kind.MAYBE_SENT, message, cause=ConnectionResetError(104, "reset"))


def timed_out(message: str = "no data") -> Failure:
    return Failure(Kind.TIMED_OUT, message, timeout=True)


@pytest.mark.parametrize("pool", ["http11", "httpx", "httpx2"])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "POST", "PATCH"])
async def test_the_status_table_on_every_pool(pool: str, method: str) -> None:
    statuses = [200, 201, 204, 400, 401, 403, 404, 409, 422, 408, 429, 500, 502, 503, 504]
    script = {f"/api/v2/s{status}": status for status in statuses}
    seen: dict[int, int] = dict.fromkeys(statuses, 0)

    def serve(request: Any) -> bytes:
        status = script[request.target]
        seen[status] += 1
        first = seen[status] == 1
        return answer(status if first else 200, b"" if status == 204 and first else b"{}", reason="X")

    from retool_api_client._request import send

    time = FakeTime()
    async with WireServer(serve) as server:
        async with client_on(pool, server.url) as retool:
            time.install(retool)
            for status in statuses:
                got = await send(retool, {"method": method, "url": f"/s{status}"})
                should_retry = status == 429 or (status in {408, 500, 502, 503, 504} and method in IDEMPOTENT)
                assert seen[status] == (2 if should_retry else 1), (pool, method, status)
                assert got.status_code == (200 if should_retry else status), (pool, method, status)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("status", [400, 404, 408, 429, 500, 503])
def test_status_by_method_on_the_loop(method: str, status: int) -> None:
    result, seen, _ = run(method, [status, 200])
    should_retry = status == 429 or (status in {408, 500, 502, 503, 504} and method in IDEMPOTENT)
    assert isinstance(result, Answer)
    assert len(seen) == (2 if should_retry else 1)
    assert result.status_code == (200 if should_retry else status)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("failure", "always"),
    [
        (never(), True),
        (never("no connection free", timeout=True), True),
        (timed_out(), False),
        (maybe(), False),
    ],
    ids=["never sent", "never sent, a timeout", "timed out", "maybe sent"],
)
def test_failure_by_kind_and_method(method: str, failure: Failure, always: bool) -> None:
    result, seen, _ = run(method, [failure, 200])
    if always or method in IDEMPOTENT:
        assert isinstance(result, Answer) and result.status_code == 200 and len(seen) == 2
    else:
        assert len(seen) == 1
        expected = APITimeoutError if failure.timeout else APIConnectionError
        assert type(result) is expected
        assert result.__cause__ is failure.cause and result.__context__ is None


def test_a_final_failure_or_a_bad_answer_is_never_retried() -> None:
    result, seen, _ = run("GET", [Failure(Kind.MAYBE_SENT, "redirect loop", final=True), 200])
    assert isinstance(result, APIConnectionError) and len(seen) == 1
    result, seen, _ = run("GET", [Failure(Kind.BAD_ANSWER, "too large"), 200])
    assert isinstance(result, APIResponseValidationError) and len(seen) == 1


def test_post_timeout_not_retried_but_never_sent_is() -> None:
    result, seen, _ = run("POST", [timed_out(), 200])
    assert isinstance(result, APITimeoutError) and len(seen) == 1
    result, seen, _ = run("POST", [never(), 200])
    assert isinstance(result, Answer) and len(seen) == 2


def test_retry_non_idempotent_opt_in() -> None:
    result, seen, _ = run("POST", [503, 200], RetryConfig(retry_non_idempotent=True))
    assert isinstance(result, Answer) and result.status_code == 200 and len(seen) == 2


def test_max_retries_bounds_attempts_and_last_response_is_returned() -> None:
    result, seen, time = run("GET", [503], RetryConfig(max_retries=3))
    assert isinstance(result, Answer) and result.status_code == 503
    assert len(seen) == 4 and len(time.sleeps) == 3


def test_max_retries_zero_disables() -> None:
    result, seen, time = run("GET", [503], RetryConfig(max_retries=0))
    assert len(seen) == 1 and time.sleeps == []


def test_exhausted_never_sent_failures_raise_connection_error() -> None:
    result, seen, _ = run(
        "GET", [never("could not connect to https://x.test: refused")], RetryConfig(max_retries=2)
    )
    assert type(result) is APIConnectionError and len(seen) == 3
    assert str(result) == f"GET {URL}: could not connect to https://x.test: refused"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
    ],
)
def test_retry_after_forms_are_honoured(headers: dict[str, str], expected: float) -> None:
    result, seen, time = run("POST", [(429, headers), 200])
    assert len(seen) == 2 and time.sleeps == [expected]


def test_retry_after_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    later = datetime(2026, 1, 1, 12, 0, 7, tzinfo=UTC)
    assert retry_after_seconds({"retry-after": format_datetime(later, usegmt=True)}, now) == 7.0
    assert retry_after_seconds({"retry-after": format_datetime(now, usegmt=True)}, later) == 0.0


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf", ""])
def test_unreadable_retry_after_falls_back_to_backoff(value: str) -> None:
    assert retry_after_seconds({"retry-after": value}) is None
    delay, why = next_delay(0, {"retry-after": value}, RetryConfig(), random.Random(1))
    assert why == "backoff" and delay is not None and 0 <= delay <= 0.5


def test_retry_after_above_cap_is_not_retried() -> None:
    result, seen, time = run("GET", [(429, {"retry-after": "120"}), 200], RetryConfig(retry_after_cap=60))
    assert isinstance(result, Answer) and result.status_code == 429
    assert len(seen) == 1 and time.sleeps == []


def test_retry_after_at_cap_is_waited() -> None:
    result, seen, time = run("GET", [(429, {"retry-after": "60"}), 200], RetryConfig(retry_after_cap=60))
    assert time.sleeps == [60.0] and len(seen) == 2


@pytest.mark.parametrize("retry_number", range(8))
def test_backoff_is_full_jitter_within_bounds(retry_number: int) -> None:
    config = RetryConfig(backoff_base=0.5, backoff_cap=8.0)
    ceiling = min(8.0, 0.5 * 2**retry_number)
    rng = random.Random(retry_number)
    delays = [backoff_delay(retry_number, config, rng) for _ in range(500)]
    assert all(0.0 <= d <= ceiling for d in delays)
    assert max(delays) > ceiling * 0.9 and min(delays) < ceiling * 0.1  # jitter spans the range


def test_deadline_stops_new_attempts() -> None:
    config = RetryConfig(max_retries=10, deadline=5.0)
    result, seen, time = run("GET", [(503, {"retry-after": "2"})], config)
    # waits 2 + 2 = 4s; a third wait would end at 6s > 5s deadline
    assert time.sleeps == [2.0, 2.0] and len(seen) == 3
    assert isinstance(result, Answer) and result.status_code == 503


def test_the_same_request_is_sent_again_intact() -> None:
    result, seen, _ = run("POST", [never(), 429, 200])
    assert len(seen) == 3 and seen[0] is seen[1] is seen[2]


def test_on_retry_receives_typed_events_and_logs_never_show_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[RetryEvent] = []
    caplog.set_level(logging.DEBUG, logger="retool_api_client")
    result, seen, time = run(
        "GET",
        [never(), (503, {"retry-after": "1"}), 200],
        on_retry=events.append,
    )
    assert [(e.attempt, e.status_code, e.error, e.delay) for e in events] == [
        (1, None, "never sent", time.sleeps[0]),
        (2, 503, None, 1.0),
    ]
    assert all(e.method == "GET" and e.path == "/api/v2/users" for e in events)
    assert "retrying GET /api/v2/users after attempt 2 (status 503) in 1.000s" in caplog.text
    assert "tok_secret_123" not in caplog.text


def test_async_on_retry_is_awaited() -> None:
    calls: list[int] = []

    async def hook(event: RetryEvent) -> None:
        calls.append(event.attempt)

    run("GET", [500, 200], on_retry=hook)
    assert calls == [1]


def test_policy_functions_are_pure() -> None:
    cfg = RetryConfig()
    assert decide_status("post", 429, cfg).retry and not decide_status("post", 503, cfg).retry
    assert decide_status("get", 503, cfg).retry and not decide_status("get", 501, cfg).retry
    assert decide_failure("POST", never(), cfg).retry
    assert not decide_failure("POST", timed_out(), cfg).retry
    assert decide_failure("GET", maybe(), cfg).retry
    assert not decide_failure("GET", Failure(Kind.MAYBE_SENT, "x", final=True), cfg).retry


@pytest.mark.parametrize(
    "bad", [{"max_retries": -1}, {"max_retries": 1.5}, {"backoff_base": -1}, {"deadline": "x"}]
)
def test_bad_retry_config_is_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        RetryConfig(**bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [200, 204, 302])
def test_a_successful_call_logs_nothing(status: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="retool_api_client")
    result, seen, _ = run("GET", [status])
    assert isinstance(result, Answer) and result.status_code == status
    assert len(seen) == 1
    assert caplog.records == []


def test_a_final_error_is_still_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="retool_api_client")
    run("GET", [404])
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("DEBUG", "not retrying GET /api/v2/users: status 404 is final")
    ]


# -- issue 15: a minimum delay, the whole-attempt timeout, the size cap ------------------------------


def test_no_retry_waits_less_than_the_minimum_delay() -> None:
    config = RetryConfig()
    assert config.min_delay == 0.1
    assert next_delay(0, {"retry-after": "0"}, config)[0] == 0.1
    assert next_delay(0, {"retry-after-ms": "1"}, config)[0] == 0.1
    assert all(next_delay(0, None, config, random.Random(seed))[0] >= 0.1 for seed in range(200))  # type: ignore[operator]
    assert next_delay(0, {"retry-after": "0"}, RetryConfig(min_delay=0))[0] == 0
    with pytest.raises(ConfigurationError, match="min_delay must be a number >= 0"):
        RetryConfig(min_delay=-1)


def test_one_attempts_limit_is_the_largest_timeout() -> None:
    assert Timeout(2.0, 2.0, 2.0, 2.0).attempt == 2.0
    assert Timeout(10.0, 60.0, 60.0, 60.0).attempt == 60.0
    assert Timeout(None, None, None, None).attempt is None
    assert Timeout(None, 5.0, None, None).attempt == 5.0


# -- issue 27: the hook events read the request when asked ------------------------------------


async def test_hook_events_carry_the_request_and_answer_read_on_demand() -> None:
    from retool_api_client import RequestEvent, ResponseEvent
    from retool_api_client.testing import FakeRetool

    fake = FakeRetool(seed=1).populate(users=1)
    user = fake.records("users")[0]["id"]
    fake.fail("GET", "/users/{userId}", status=503, times=1)
    seen: list[RequestEvent | ResponseEvent] = []

    async def on_response(event: ResponseEvent) -> None:  # async hooks are awaited
        seen.append(event)

    async with fake.client(on_request=seen.append, on_response=on_response) as retool:
        FakeTime().install(retool)
        await retool.users.get(user)
    assert [type(e).__name__ for e in seen] == ["RequestEvent", "ResponseEvent"] * 2
    first, answered = seen[0], seen[1]
    assert isinstance(first, RequestEvent) and isinstance(answered, ResponseEvent)
    assert (first.method, first.operation, first.template, first.attempt) == (
        "GET", "get_user", "/users/{userId}", 1,
    )  # fmt: skip
    assert first.url.endswith(f"/api/v2/users/{user}")
    assert first.headers["Authorization"] == "[redacted]" and fake.token not in repr(first.headers)
    assert (answered.status_code, answered.attempt, seen[3].attempt) == (503, 1, 2)
    assert answered.headers["content-type"].startswith("application/json") and answered.elapsed >= 0
    with pytest.raises(AttributeError):
        first.attempt = 5  # type: ignore[misc]
