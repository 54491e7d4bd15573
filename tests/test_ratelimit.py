"""The client-side rate limit kept in this process (``RetoolClient(rate_limit=...)``): off by
default; each attempt, retries included, waits for its slot; bursts and the rolling window;
shared by ``with_options`` copies; a cancelled wait gives its slot back; bad input refused
before anything is sent; extras cost nothing when absent. Time is virtual."""

from __future__ import annotations

import asyncio
import pickle
import random
import subprocess
import sys

import pytest

from retool_api_client import ConfigurationError, RateLimit, RetoolClient
from retool_api_client._deadline import Deadlines
from retool_api_client._message import Answer, Headers, Request, Timeout
from retool_api_client._pacing import Pacing
from retool_api_client._retry import RetryLoop, Timing
from retool_api_client._retry_policy import RetryConfig
from retool_api_client.testing import FakeRetool

from .helpers.virtual_time import VirtualClock


async def calls_at(limit: RateLimit, count: int, **options: object) -> list[float]:
    """When each of ``count`` concurrent ``users.get`` calls reached the fake."""
    fake = FakeRetool(seed=1).populate(users=1)
    user = fake.records("users")[0]["id"]
    clock = VirtualClock()
    times: list[float] = []
    async with fake.client(
        rate_limit=limit, on_request=lambda e: times.append(clock.now), **options
    ) as retool:
        clock.install(retool)
        await clock.run(asyncio.gather(*(retool.users.get(user) for _ in range(count))))
    return times


async def test_off_by_default() -> None:
    retool = RetoolClient("https://acme.retool.com", "tok")
    assert retool.rate_limit is None and retool._pacing.limiter is None
    assert await calls_at(None, 5) == [0.0] * 5  # type: ignore[arg-type]


async def test_evenly_spaced_with_a_burst_of_one() -> None:
    assert await calls_at(RateLimit(60, headroom=0), 4) == [0.0, 1.0, 2.0, 3.0]
    spaced = await calls_at(RateLimit(60), 3)  # the default 2% headroom: 60 / 0.98 a minute
    assert spaced == pytest.approx([0.0, 1 / 0.98, 2 / 0.98])


async def test_a_burst_goes_at_once_and_never_more_within_the_time_it_takes_to_come_back() -> None:
    # 3 at once, then no more than 3 in any 3 s: the burst comes back whole every 3 s
    times = await calls_at(RateLimit(60, burst=3, headroom=0), 7)
    assert times == [0.0, 0.0, 0.0, 3.0, 3.0, 3.0, 6.0]
    # a server counting 30 per rolling minute is matched by RateLimit(30, burst=30)
    times = await calls_at(RateLimit(30, burst=30, headroom=0), 45)
    assert times == [0.0] * 30 + [60.0] * 15


async def test_every_attempt_waits_for_its_slot_retries_included() -> None:
    fake = FakeRetool(seed=1).populate(users=1)
    user = fake.records("users")[0]["id"]
    fake.fail("GET", "/users/{userId}", status=503, times=1)
    clock = VirtualClock()
    times: list[float] = []
    async with fake.client(
        rate_limit=RateLimit(60, headroom=0), on_request=lambda e: times.append(clock.now)
    ) as retool:
        clock.install(retool)
        await clock.run(retool.users.get(user))
    assert [r.status for r in fake.requests] == [503, 200]
    assert times == [0.0, 1.0]  # the retry's backoff (< 0.5 s) and then its slot, a second on


async def test_with_options_copies_share_the_limit() -> None:
    fake = FakeRetool(seed=1).populate(users=1)
    user = fake.records("users")[0]["id"]
    clock = VirtualClock()
    times: list[float] = []
    async with fake.client(rate_limit=RateLimit(60, headroom=0)) as retool:
        clock.install(retool)
        copy = retool.with_options(timeout=5, on_request=lambda e: times.append(clock.now))
        original = retool.with_options(on_request=lambda e: times.append(clock.now))
        await clock.run(
            asyncio.gather(original.users.get(user), copy.users.get(user), original.users.get(user))
        )
    assert sorted(times) == [0.0, 1.0, 2.0]


async def test_a_retry_whose_slot_would_pass_the_deadline_is_not_made() -> None:
    class Pool:
        sent = 0

        async def send(self, request: Request, timeout: Timeout, cap: int) -> Answer:
            Pool.sent += 1
            return Answer(503, Headers([]), b"", request)

        async def aclose(self) -> None: ...

        def describe(self) -> str:
            return "503"

    clock = VirtualClock()
    timing = Timing(clock.clock, clock.sleep, random.Random(1))
    limiter = RateLimit(1, headroom=0).limiter(clock.clock, Deadlines(), "x")  # one a minute
    loop = RetryLoop(
        Pool(), RetryConfig(deadline=10), on_retry=None, cap=1 << 20, timing=timing, limits=Deadlines(),
        pacing=Pacing(timing, limiter),
    )  # fmt: skip
    answer = await clock.run(loop.send(Request("GET", "https://x.test/a", []), Timeout(1, 1, 1, 1)))
    assert answer.status_code == 503 and Pool.sent == 1  # the next slot is 60 s away
    assert clock.now < 1.0
    # and the slot it did not take is still free for the next call
    slot = await limiter.reserve(None)
    assert slot is not None and slot[0] == pytest.approx(60.0 - clock.now)


async def test_a_cancelled_wait_gives_its_slot_back() -> None:
    fake = FakeRetool(seed=1).populate(users=1)
    user = fake.records("users")[0]["id"]
    clock = VirtualClock()
    times: list[float] = []
    async with fake.client(
        rate_limit=RateLimit(60, headroom=0), on_request=lambda e: times.append(clock.now)
    ) as retool:
        clock.install(retool)

        async def scenario() -> None:
            await retool.users.get(user)  # at 0
            waiting = asyncio.ensure_future(retool.users.get(user))  # its slot: 1.0
            await clock.sleep(0.5)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            await retool.users.get(user)  # takes the slot given back

        await clock.run(scenario())
    assert times == [0.0, 1.0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"per_minute": 0}, "RateLimit: per_minute must be a number > 0, got 0"),
        ({"per_minute": -5}, "RateLimit: per_minute must be a number > 0, got -5"),
        ({"per_minute": float("nan")}, "per_minute must be a number > 0, got nan"),
        ({"per_minute": True}, "per_minute must be a number > 0, got True"),
        ({"per_minute": 60, "burst": 0}, "RateLimit: burst must be an integer >= 1, got 0"),
        ({"per_minute": 60, "burst": 2.5}, "burst must be an integer >= 1, got 2.5"),
        ({"per_minute": 60, "headroom": 1}, "headroom must be a number in [0, 1), got 1"),
        ({"per_minute": 60, "timeout": 0}, "timeout must be a number of seconds > 0, got 0"),
        ({"per_minute": 60, "key": ""}, "key must be a non-empty string"),
        ({"per_minute": 60, "redis": 6379}, "redis must be a redis:// URL or a redis.asyncio.Redis, got int"),
        ({"per_minute": 60, "redis": "http://:pw@h/0"}, "got 'http://h/0'"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(args: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RateLimit(**args)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_a_bad_rate_limit_on_the_client_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(ConfigurationError, match="rate_limit must be a RateLimit or a number"):
        RetoolClient("https://acme.retool.com", "tok", rate_limit="300/min")  # type: ignore[arg-type]
    with pytest.raises(
        ConfigurationError, match="rate_limit must be a number of requests per minute > 0, got 0"
    ):
        RetoolClient("https://acme.retool.com", "tok", rate_limit=0)
    assert RetoolClient("https://acme.retool.com", "tok", rate_limit=300).rate_limit == RateLimit(300)


def test_repr_and_pickle_never_show_a_password() -> None:
    limit = RateLimit(300, burst=5, redis="redis://app:s3cret@cache.internal:6380/2", key="acme")
    assert (
        repr(limit)
        == "RateLimit(per_minute=300, burst=5, redis='redis://app@cache.internal:6380/2', key='acme')"
    )
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(limit)
    plain = RateLimit(300, burst=5, redis="redis://cache.internal:6380/2", headroom=0.1)
    assert pickle.loads(pickle.dumps(plain)) == plain
    assert pickle.loads(pickle.dumps(RateLimit(60))) == RateLimit(60)
    with pytest.raises(AttributeError, match="immutable"):
        plain.burst = 2  # type: ignore[misc]


def test_the_extras_cost_nothing_when_absent() -> None:
    """``import retool_api_client`` and a client with a local limit load neither redis nor
    OpenTelemetry; with them blocked, asking for them is a ConfigurationError naming the extra."""
    probe = """
import sys
import retool_api_client
from retool_api_client import RateLimit, RetoolClient
RetoolClient("https://acme.retool.com", "tok", rate_limit=RateLimit(300))
print(sorted({m.split(".")[0] for m in sys.modules} & {"redis", "opentelemetry"}))
sys.modules["redis"] = sys.modules["opentelemetry"] = None  # as if not installed
for kwargs in ({"tracing": True}, {"rate_limit": RateLimit(300, redis="redis://127.0.0.1:1/0")}):
    try:
        RetoolClient("https://acme.retool.com", "tok", **kwargs)
    except retool_api_client.ConfigurationError as exc:
        print(exc)
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == [
        "[]",
        "tracing= needs OpenTelemetry's API: pip install 'retool-api-client[otel]'",
        "RateLimit(redis=...): a limit kept in Redis needs redis-py: pip install 'retool-api-client[redis]'",
    ]
