"""The rate limit shared through Redis (``RateLimit(redis=...)``), against a real redis-server
on 127.0.0.1 (tests/helpers/redis_server.py): replicas in their own processes share one budget
and the fake Retool's server-side limit never answers 429; one round trip per request; keys
that expire; the server's clock; a Redis that is down or silent is a typed error naming it
without its password, never a hang."""

from __future__ import annotations

import pickle
import socket
import time
import uuid
from collections.abc import Iterator

import pytest
import redis as redis_sync

from retool_api_client import RateLimit, RateLimiterError, RetoolClient
from retool_api_client._deadline import Deadlines
from retool_api_client.testing import FakeRetool

from .helpers.redis_server import PASSWORD, free_port, redis_server
from .helpers.replicas import run_replicas


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


def fresh_key() -> str:
    return f"test:{uuid.uuid4().hex}"


def commands(r: redis_sync.Redis) -> dict[str, int]:
    """Calls per command so far (``INFO commandstats``)."""
    return {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in r.info("commandstats").items()}


def test_three_replicas_share_the_servers_limit_and_get_no_429(redis_url: str) -> None:
    """Three processes, each its own client and 15 calls at once, one Redis limit equal to the
    fake's server-side limit (30 requests per rolling 3 s, all at once if they like): every
    call succeeds, the fake answers no 429, and the 45 calls take what the limit allows (30 at
    once, 15 a window later: 3 s), within 15%.

    The test compresses a minute into 3 s, so the headroom it leaves for the requests'
    arrival jitter on a busy machine is 5% (150 ms), where the default 2% of a real minute is
    1.2 s."""
    limit, window, each = 30, 3.0, 15
    fake = FakeRetool(seed=1, rate_limit=(limit, window)).populate(users=1)
    user = fake.records("users")[0]["id"]
    with fake.serve() as base_url:
        reports = run_replicas(
            3,
            {
                "base_url": base_url,
                "token": fake.token,
                "redis": redis_url,
                "key": fresh_key(),
                "per_minute": limit * 60 / window,
                "burst": limit,
                "headroom": 0.05,
                "warm_token": fake.new_token(),
                "n": each,
                "user": user,
            },
        )
    statuses = [r.status for r in fake.requests if r.operation_id == "get_user"][3:]  # after the warm-ups
    assert [r["errors"] for r in reports] == [[], [], []]
    assert sum(r["ok"] for r in reports) == 3 * each
    assert statuses.count(429) == 0 and len(statuses) == 3 * each
    allowed = (3 * each - 1) // limit * window  # the server's window: 30 at once, then 15 a window later
    took = max(r["finished"] for r in reports) - min(r["started"] for r in reports)
    assert allowed <= took <= 1.15 * allowed, (took, allowed)


#: what the scripts run inside Redis: no round trip of their own
IN_SCRIPTS = {"time", "hmget", "hget", "hset", "hdel", "pexpire"}


async def test_one_round_trip_per_request_and_keys_that_expire(redis_url: str) -> None:
    key = fresh_key()
    fake = FakeRetool(seed=1).populate(users=1)
    user = fake.records("users")[0]["id"]
    limit = RateLimit(60_000, burst=100, redis=redis_url, key=key)
    with redis_sync.Redis.from_url(redis_url) as r:
        async with fake.client(rate_limit=limit) as retool:
            await retool.users.get(user)  # a connection open
            before = commands(r)
            for _ in range(20):
                await retool.users.get(user)
            after = commands(r)
            ttl = r.pttl(key)
    calls = {name: after[name] - before.get(name, 0) for name in after if after[name] != before.get(name, 0)}
    sent = {name: count for name, count in calls.items() if name not in IN_SCRIPTS}
    assert sent == {"evalsha": 20, "info": 1}  # the reservations, and the first INFO itself
    assert calls["time"] == 20  # each read the server's clock
    # the window of 100 slots (0.1 s, the headroom aside) and a second: then it is gone
    assert 1_000 < ttl <= 1_000 + 103


async def test_replicas_take_turns_on_the_servers_clock(redis_url: str) -> None:
    """Two limits on one key, as two replicas would hold: the second waits for the first's turn,
    and a turn given back (a cancelled wait) is taken by the next request."""
    rate = RateLimit(60, redis=redis_url, key=fresh_key(), headroom=0)
    first, second = (rate.limiter(time.monotonic, Deadlines(), "unused") for _ in range(2))
    try:
        got = await first.reserve(None)
        assert got is not None and got[0] == 0
        got = await second.reserve(None)
        assert got is not None and 0.9 < got[0] <= 1.0  # one interval, less the round trip
        ticket = got[1]
        assert await second.reserve(0.5) is None  # a wait past max_wait takes nothing
        second.give_back(ticket)
        await second.aclose()  # waits for the slot to be given back
        got = await first.reserve(None)
        assert got is not None and 0.9 < got[0] <= 1.0  # the given-back turn, not the one after
    finally:
        await first.aclose()


async def test_an_unreachable_redis_is_a_typed_error_naming_it_without_its_password() -> None:
    port = free_port()  # nothing listens there
    url = f"redis://:hunter2-secret@127.0.0.1:{port}/0"
    fake = FakeRetool(seed=1).populate(users=1)
    retool = fake.client(rate_limit=RateLimit(300, redis=url))
    assert "hunter2" not in repr(retool) and "hunter2" not in repr(retool.rate_limit)
    with pytest.raises(RateLimiterError) as caught:
        async with retool:
            pass
    error = caught.value
    assert error.url == f"redis://127.0.0.1:{port}/0"
    assert str(error).startswith(f"the shared rate limit at redis://127.0.0.1:{port}/0 cannot be reached: ")
    shown = [str(error), repr(error), pickle.dumps(error), repr(pickle.loads(pickle.dumps(error)))]
    assert not any(b"hunter2" in (s if isinstance(s, bytes) else s.encode()) for s in shown)
    assert error.__cause__ is None and error.__suppress_context__
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(retool.rate_limit)
    # a call without `async with` raises the same, and sends nothing
    user = fake.records("users")[0]["id"]
    with pytest.raises(RateLimiterError, match="gave no slot; nothing was sent"):
        await retool.users.get(user)
    assert fake.requests == []
    await retool.aclose()


async def test_a_redis_that_does_not_answer_is_an_error_within_its_timeout() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel's backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        retool = RetoolClient(
            url.replace("redis", "http", 1), "tok", rate_limit=RateLimit(300, redis=url, timeout=0.1)
        )
        started = time.monotonic()
        with pytest.raises(RateLimiterError, match=r"no answer within 0.1s"):
            async with retool:
                pass
        assert time.monotonic() - started < 2.0
        await retool.aclose()


async def test_a_wrong_password_is_refused_at_start(redis_url: str) -> None:
    url = redis_url.replace(PASSWORD, "not-the-password")
    with pytest.raises(RateLimiterError, match="cannot be reached") as caught:
        async with RetoolClient("http://127.0.0.1:1", "tok", rate_limit=RateLimit(300, redis=url)):
            pass
    assert "not-the-password" not in str(caught.value) and PASSWORD not in str(caught.value)


async def test_a_redis_client_of_your_own_is_used_and_not_closed(redis_url: str) -> None:
    import redis.asyncio as aioredis

    own = aioredis.Redis.from_url(redis_url)
    key = fresh_key()
    fake = FakeRetool(seed=1).populate(users=1)
    user = fake.records("users")[0]["id"]
    async with fake.client(rate_limit=RateLimit(60_000, redis=own, key=key)) as retool:
        await retool.users.get(user)
    assert await own.exists(key) == 1  # still open: the SDK did not close it
    await own.aclose()
