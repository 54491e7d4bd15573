"""Every retry rule, table-driven, on httpx.MockTransport with an injected clock and sleeper."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from retool_api_client import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    ConfigurationError,
    RetryConfig,
    RetryEvent,
)
from retool_api_client._retry import RetryTransport
from retool_api_client._retry_policy import (
    backoff_delay,
    decide_error,
    decide_status,
    next_delay,
    retry_after_seconds,
)

from .helpers.fakes import FakeTime

METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "POST", "PATCH"]
IDEMPOTENT = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}


def run(
    method: str,
    script: list[httpx.Response | Exception],
    config: RetryConfig | None = None,
    time: FakeTime | None = None,
    content: bytes | None = None,
    on_retry: object = None,
) -> tuple[httpx.Response | Exception, list[httpx.Request], FakeTime]:
    time = time or FakeTime()
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = script[min(len(seen) - 1, len(script) - 1)]
        if isinstance(item, Exception):
            raise item
        return item

    transport = RetryTransport(
        httpx.MockTransport(handler),
        config or RetryConfig(),
        sleep=time.sleep,
        clock=time.clock,
        rng=random.Random(1),
        on_retry=on_retry,  # type: ignore[arg-type]
    )

    async def go() -> httpx.Response | Exception:
        async with httpx.AsyncClient(transport=transport, base_url="https://x.test") as client:
            try:
                return await client.request(method, "/api/v2/users", content=content)
            except Exception as exc:
                return exc

    import asyncio

    result = asyncio.run(go())
    return result, seen, time


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "status", [200, 201, 204, 400, 401, 403, 404, 409, 422, 408, 429, 500, 502, 503, 504]
)
def test_status_by_method(method: str, status: int) -> None:
    result, seen, _ = run(method, [httpx.Response(status), httpx.Response(200)])
    should_retry = status == 429 or (status in {408, 500, 502, 503, 504} and method in IDEMPOTENT)
    assert isinstance(result, httpx.Response)
    assert len(seen) == (2 if should_retry else 1)
    assert result.status_code == (200 if should_retry else status)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("error", "always"),
    [
        (httpx.ConnectError("refused"), True),
        (httpx.ConnectTimeout("slow connect"), True),
        (httpx.PoolTimeout("pool"), True),
        (httpx.ReadTimeout("slow read"), False),
        (httpx.WriteTimeout("slow write"), False),
        (httpx.ReadError("reset"), False),
        (httpx.RemoteProtocolError("closed"), False),
    ],
)
def test_transport_error_by_method(method: str, error: Exception, always: bool) -> None:
    result, seen, _ = run(method, [error, httpx.Response(200)])
    if always or method in IDEMPOTENT:
        assert isinstance(result, httpx.Response) and result.status_code == 200 and len(seen) == 2
    else:
        assert len(seen) == 1
        expected = APITimeoutError if isinstance(error, httpx.TimeoutException) else APIConnectionError
        assert type(result) is expected
        assert isinstance(result.__cause__, type(error))


def test_post_read_timeout_not_retried_but_connect_error_is() -> None:
    result, seen, _ = run("POST", [httpx.ReadTimeout("t"), httpx.Response(200)])
    assert isinstance(result, APITimeoutError) and len(seen) == 1
    result, seen, _ = run("POST", [httpx.ConnectError("c"), httpx.Response(200)])
    assert isinstance(result, httpx.Response) and len(seen) == 2


def test_retry_non_idempotent_opt_in() -> None:
    result, seen, _ = run(
        "POST", [httpx.Response(503), httpx.Response(200)], RetryConfig(retry_non_idempotent=True)
    )
    assert isinstance(result, httpx.Response) and result.status_code == 200 and len(seen) == 2


def test_max_retries_bounds_attempts_and_last_response_is_returned() -> None:
    result, seen, time = run("GET", [httpx.Response(503)], RetryConfig(max_retries=3))
    assert isinstance(result, httpx.Response) and result.status_code == 503
    assert len(seen) == 4 and len(time.sleeps) == 3


def test_max_retries_zero_disables() -> None:
    result, seen, time = run("GET", [httpx.Response(503)], RetryConfig(max_retries=0))
    assert len(seen) == 1 and time.sleeps == []


def test_exhausted_connect_errors_raise_connection_error() -> None:
    result, seen, _ = run("GET", [httpx.ConnectError("refused")], RetryConfig(max_retries=2))
    assert type(result) is APIConnectionError and len(seen) == 3
    assert "ConnectError" in str(result) and "GET https://x.test/api/v2/users" in str(result)


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
    result, seen, time = run("POST", [httpx.Response(429, headers=headers), httpx.Response(200)])
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
    result, seen, time = run(
        "GET",
        [httpx.Response(429, headers={"retry-after": "120"}), httpx.Response(200)],
        RetryConfig(retry_after_cap=60),
    )
    assert isinstance(result, httpx.Response) and result.status_code == 429
    assert len(seen) == 1 and time.sleeps == []


def test_retry_after_at_cap_is_waited() -> None:
    result, seen, time = run(
        "GET",
        [httpx.Response(429, headers={"retry-after": "60"}), httpx.Response(200)],
        RetryConfig(retry_after_cap=60),
    )
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
    script: list[httpx.Response | Exception] = [httpx.Response(503, headers={"retry-after": "2"})]
    result, seen, time = run("GET", script, config)
    # waits 2 + 2 = 4s; a third wait would end at 6s > 5s deadline
    assert time.sleeps == [2.0, 2.0] and len(seen) == 3
    assert isinstance(result, httpx.Response) and result.status_code == 503


def test_request_body_is_replayed_intact() -> None:
    body = b'{"email": "ada@example.com", "first_name": "Ada"}'
    result, seen, _ = run(
        "POST", [httpx.ConnectError("c"), httpx.Response(429), httpx.Response(200)], content=body
    )
    assert len(seen) == 3
    assert all(r.content == body for r in seen)


def test_streamed_request_body_is_replayed_intact() -> None:
    chunks = [b"part-1,", b"part-2"]
    seen: list[bytes] = []

    async def stream():  # type: ignore[no-untyped-def]
        for chunk in chunks:
            yield chunk

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(await request.aread())
        return httpx.Response(503 if len(seen) == 1 else 200)

    time = FakeTime()
    transport = RetryTransport(httpx.MockTransport(handler), sleep=time.sleep, clock=time.clock)

    async def go() -> int:
        async with httpx.AsyncClient(transport=transport, base_url="https://x.test") as client:
            return (await client.put("/x", content=stream())).status_code

    import asyncio

    assert asyncio.run(go()) == 200
    assert seen == [b"part-1,part-2", b"part-1,part-2"]


def test_on_retry_receives_typed_events_and_logs_never_show_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[RetryEvent] = []
    caplog.set_level(logging.DEBUG, logger="retool_api_client")
    result, seen, time = run(
        "GET",
        [httpx.ConnectError("c"), httpx.Response(503, headers={"retry-after": "1"}), httpx.Response(200)],
        on_retry=events.append,
    )
    assert [(e.attempt, e.status_code, e.error, e.delay) for e in events] == [
        (1, None, "ConnectError", time.sleeps[0]),
        (2, 503, None, 1.0),
    ]
    assert all(e.method == "GET" and e.path == "/api/v2/users" for e in events)
    assert "retrying GET /api/v2/users after attempt 2 (status 503) in 1.000s" in caplog.text


def test_async_on_retry_is_awaited() -> None:
    calls: list[int] = []

    async def hook(event: RetryEvent) -> None:
        calls.append(event.attempt)

    run("GET", [httpx.Response(500), httpx.Response(200)], on_retry=hook)
    assert calls == [1]


def test_policy_functions_are_pure() -> None:
    cfg = RetryConfig()
    assert decide_status("post", 429, cfg).retry and not decide_status("post", 503, cfg).retry
    assert decide_status("get", 503, cfg).retry and not decide_status("get", 501, cfg).retry
    assert decide_error("POST", httpx.ConnectError("x"), cfg).retry
    assert not decide_error("POST", httpx.ReadTimeout("x"), cfg).retry
    assert not decide_error("GET", ValueError("x"), cfg).retry


@pytest.mark.parametrize(
    "bad", [{"max_retries": -1}, {"max_retries": 1.5}, {"backoff_base": -1}, {"deadline": "x"}]
)
def test_bad_retry_config_is_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        RetryConfig(**bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [200, 204, 302])
def test_a_successful_call_logs_nothing(status: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="retool_api_client")
    result, seen, _ = run("GET", [httpx.Response(status)])
    assert isinstance(result, httpx.Response) and result.status_code == status
    assert len(seen) == 1
    assert caplog.records == []


def test_a_final_error_is_still_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="retool_api_client")
    run("GET", [httpx.Response(404)])
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


def test_one_attempts_limit_is_the_largest_httpx_timeout() -> None:
    from retool_api_client._retry import attempt_limit

    assert attempt_limit(httpx.Timeout(2.0).as_dict()) == 2.0
    assert attempt_limit(httpx.Timeout(60.0, connect=10.0).as_dict()) == 60.0
    assert attempt_limit(httpx.Timeout(None).as_dict()) is None
    assert attempt_limit({}) is None


async def test_a_body_over_the_cap_raises_and_closes_the_answer() -> None:
    closed = []

    class Stream(httpx.AsyncByteStream):
        async def __aiter__(self) -> Any:
            for _ in range(100):
                yield b"x" * 1000

        async def aclose(self) -> None:
            closed.append(True)

    class Inner(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, stream=Stream())

    transport = RetryTransport(Inner(), RetryConfig(max_retries=0), max_response_bytes=5_000)
    with pytest.raises(APIResponseValidationError, match="larger than the 5,000-byte response size cap"):
        await transport.handle_async_request(httpx.Request("GET", "https://x/a"))
    assert closed == [True]
    whole = RetryTransport(Inner(), RetryConfig(max_retries=0), max_response_bytes=100_000)
    response = await whole.handle_async_request(httpx.Request("GET", "https://x/a"))
    assert response.content == b"x" * 100_000
