"""The pause after a 429 (``_pacing``): every request on the pool waits until the asked time,
then goes one by one, never before; 429 retries do not spend ``max_retries``; the retry
deadline and ``retry_after_cap`` still bound them. The issue's storm: 50 concurrent
``users.get``, the first 120 answered 429 ``Retry-After: 0.5``: 50 of 50 succeed with default
settings. Time is virtual (tests/helpers/virtual_time.py): nothing waits for real."""

from __future__ import annotations

import asyncio
import random

import pytest

from retool_api_client import RateLimitError, RetryConfig, RetryEvent
from retool_api_client._deadline import Deadlines
from retool_api_client._message import Answer, Headers, Request, Timeout
from retool_api_client._pacing import SPACING_S, Pacing
from retool_api_client._retry import RetryLoop, Timing
from retool_api_client.testing import FakeRetool

from .helpers.virtual_time import VirtualClock

URL = "https://x.test/api/v2/users/user_1"


class CountingPool:
    """Answers 429 (``Retry-After`` as given) to the first ``refuse`` requests, then 200;
    records when each request was sent."""

    def __init__(self, clock: VirtualClock, refuse: int, retry_after: str | None = "0.5") -> None:
        self.clock, self.refuse, self.retry_after = clock, refuse, retry_after
        self.sent: list[tuple[float, int]] = []

    async def send(self, request: Request, timeout: Timeout, cap: int) -> Answer:
        status = 429 if len(self.sent) < self.refuse else 200
        self.sent.append((self.clock.now, status))
        headers = [("Retry-After", self.retry_after)] if status == 429 and self.retry_after else []
        return Answer(status, Headers(headers), b"{}", request)

    async def aclose(self) -> None:
        pass

    def describe(self) -> str:
        return "counting"


def loop_on(
    pool: CountingPool, clock: VirtualClock, config: RetryConfig | None = None, on_retry: object = None
) -> RetryLoop:
    timing = Timing(clock.clock, clock.sleep, random.Random(1))
    return RetryLoop(
        pool, config or RetryConfig(), on_retry=on_retry, cap=1 << 20, timing=timing,  # type: ignore[arg-type]
        limits=Deadlines(), pacing=Pacing(timing),
    )  # fmt: skip


def get(method: str = "GET") -> Request:
    return Request(method, URL, [("Authorization", "Bearer tok_secret_123")])


async def test_the_issues_storm_loses_nothing_with_default_settings() -> None:
    fake = FakeRetool(seed=1).populate(users=1)
    user = fake.records("users")[0]["id"]
    fake.fail("GET", "/users/{userId}", status=429, times=120, retry_after=0.5)
    clock = VirtualClock()
    async with fake.client() as retool:
        clock.install(retool)
        results = await clock.run(
            asyncio.gather(*(retool.users.get(user) for _ in range(50)), return_exceptions=True)
        )
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert [r.id for r in results] == [user] * 50  # type: ignore[union-attr]
    statuses = [r.status for r in fake.requests]
    assert statuses.count(429) == 120 and statuses.count(200) == 50
    assert len(statuses) == 170  # 50, then 50 and 20 more 429s, the last 20 once more
    assert 1.5 < clock.now < 2.5  # three pauses of 0.5 s, and the requests let go 10 ms apart


async def test_a_429_pauses_every_request_on_the_pool_and_lets_them_go_one_by_one() -> None:
    clock = VirtualClock()
    pool = CountingPool(clock, refuse=1)
    loop = loop_on(pool, clock)
    timeout = Timeout(10, 60, 60, 60)

    async def later(delay: float) -> Answer:
        await clock.sleep(delay)
        return await loop.send(get(), timeout)

    answers = await clock.run(asyncio.gather(loop.send(get(), timeout), later(0.1), later(0.2), later(0.2)))
    assert [a.status_code for a in answers] == [200] * 4
    # the 429 at 0 paused the pool until 0.5: the three that came meanwhile waited too, and then
    # all four went one after the other, SPACING_S apart, the first at 0.5 exactly
    assert pool.sent[0] == (0.0, 429)
    times = [when for when, _ in pool.sent[1:]]
    assert times == pytest.approx([0.5 + i * SPACING_S for i in range(4)])
    assert all(status == 200 for _, status in pool.sent[1:])


async def test_429_retries_do_not_spend_max_retries_but_the_deadline_bounds_them() -> None:
    clock = VirtualClock()
    pool = CountingPool(clock, refuse=5, retry_after="1")
    answer = await clock.run(
        loop_on(pool, clock, RetryConfig(max_retries=2)).send(get(), Timeout(10, 60, 60, 60))
    )
    assert answer.status_code == 200 and len(pool.sent) == 6  # five 429s waited out with 2 retries

    clock = VirtualClock()
    pool = CountingPool(clock, refuse=100, retry_after="1")
    answer = await clock.run(
        loop_on(pool, clock, RetryConfig(deadline=3.5)).send(get(), Timeout(10, 60, 60, 60))
    )
    assert answer.status_code == 429  # the pipeline raises RateLimitError from it
    assert [when for when, _ in pool.sent] == [0.0, 1.0, 2.0, 3.0]  # a fourth wait would pass 3.5 s


async def test_max_retries_zero_still_disables_every_retry_and_still_pauses_the_pool() -> None:
    clock = VirtualClock()
    pool = CountingPool(clock, refuse=1, retry_after="2")
    loop = loop_on(pool, clock, RetryConfig(max_retries=0))
    first = await clock.run(loop.send(get(), Timeout(10, 60, 60, 60)))
    assert first.status_code == 429 and len(pool.sent) == 1
    second = await clock.run(loop.send(get(), Timeout(10, 60, 60, 60)))
    assert second.status_code == 200 and pool.sent[1] == (2.0, 200)  # waited for the pause


async def test_an_ask_above_the_cap_is_not_waited_and_pauses_nobody() -> None:
    clock = VirtualClock()
    pool = CountingPool(clock, refuse=1, retry_after="120")
    loop = loop_on(pool, clock, RetryConfig(retry_after_cap=60))
    first = await clock.run(loop.send(get(), Timeout(10, 60, 60, 60)))
    assert first.status_code == 429
    second = await clock.run(loop.send(get(), Timeout(10, 60, 60, 60)))
    assert second.status_code == 200 and [when for when, _ in pool.sent] == [0.0, 0.0]


async def test_a_429_without_retry_after_backs_off_and_a_post_is_retried_too() -> None:
    clock = VirtualClock()
    pool = CountingPool(clock, refuse=2, retry_after=None)
    events: list[RetryEvent] = []
    loop = loop_on(pool, clock, on_retry=events.append)
    answer = await clock.run(loop.send(get("POST"), Timeout(10, 60, 60, 60)))
    assert answer.status_code == 200 and len(pool.sent) == 3
    assert [e.status_code for e in events] == [429, 429]
    assert all(0.1 <= e.delay <= 1.0 for e in events)  # full-jitter backoff, at least min_delay
    assert [when for when, _ in pool.sent][1:] == pytest.approx(
        [events[0].delay, events[0].delay + events[1].delay]
    )


async def test_with_options_copies_share_the_pause() -> None:
    fake = FakeRetool(seed=1).populate(users=1)
    user = fake.records("users")[0]["id"]
    fake.fail("GET", "/users/{userId}", status=429, times=1, retry_after=3)
    clock = VirtualClock()
    async with fake.client() as retool:
        clock.install(retool)
        copy = retool.with_options(timeout=5)
        await clock.run(asyncio.gather(retool.users.get(user), _after(clock, 1.0, copy.users.get(user))))
    assert clock.now == pytest.approx(3.0 + SPACING_S)  # the copy waited for the original's pause
    assert [r.status for r in fake.requests] == [429, 200, 200]


async def _after(clock: VirtualClock, delay: float, call: object) -> object:
    await clock.sleep(delay)
    return await call  # type: ignore[misc]


async def test_the_storm_with_max_retries_zero_fails_fast_as_asked() -> None:
    fake = FakeRetool(seed=1).populate(users=1)
    user = fake.records("users")[0]["id"]
    fake.fail("GET", "/users/{userId}", status=429, times=5, retry_after=0.5)
    clock = VirtualClock()
    async with fake.client(max_retries=0) as retool:
        clock.install(retool)
        results = await clock.run(
            asyncio.gather(*(retool.users.get(user) for _ in range(5)), return_exceptions=True)
        )
    assert all(isinstance(r, RateLimitError) and r.retry_after == 0.5 for r in results)


async def test_a_server_that_keeps_answering_429_is_given_up_after_max_rate_limit_retries() -> None:
    clock = VirtualClock()
    pool = CountingPool(clock, refuse=1000, retry_after="0.5")
    config = RetryConfig(max_rate_limit_retries=3)
    answer = await clock.run(loop_on(pool, clock, config).send(get(), Timeout(10, 60, 60, 60)))
    assert answer.status_code == 429 and len(pool.sent) == 4
    assert RetryConfig().max_rate_limit_retries == 20
    with pytest.raises(ValueError, match="max_rate_limit_retries must be an integer >= 0, got -1"):
        RetryConfig(max_rate_limit_retries=-1)
