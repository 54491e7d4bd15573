"""The opt-in server-side rate limit: N requests per token in any rolling window, then 429 with
``Retry-After`` (and ``retry-after-ms``), in-process and over HTTP."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from retool_api_client import RateLimitError
from retool_api_client.testing import FakeRetool, RateLimit

from .helpers import auth, call


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_past_the_limit_a_token_gets_429_until_the_window_moves() -> None:
    clock = Clock()
    fake = FakeRetool(seed=1, rate_limit=(3, 10), rate_clock=clock).populate(users=1)
    for _ in range(3):  # at 1000, 1001, 1002
        assert call(fake, "GET", "/users").status == 200
        clock.now += 1
    clock.now += 1  # 1004
    refused = call(fake, "GET", "/users")
    assert refused.status == 429 and refused.json()["success"] is False
    assert "3 requests per 10 seconds" in refused.json()["message"]
    assert refused.headers["Retry-After"] == "6" and refused.headers["retry-after-ms"] == "6000"
    clock.now += 5.5  # the first request leaves the window 10 s after it came
    assert call(fake, "GET", "/users").status == 429
    assert call(fake, "GET", "/users").headers["retry-after-ms"] == "500"
    clock.now += 0.5
    assert call(fake, "GET", "/users").status == 200  # one slot freed: the 429s did not count
    assert call(fake, "GET", "/users").status == 429
    assert [r.status for r in fake.requests].count(429) == 4  # refused requests are logged


def test_the_limit_is_per_token_and_comes_after_the_token_check() -> None:
    clock = Clock()
    fake = FakeRetool(seed=2, rate_limit=(2, 60), rate_clock=clock)
    other = fake.new_token()
    assert other != fake.token
    for _ in range(2):
        assert call(fake, "GET", "/users").status == 200
    assert call(fake, "GET", "/users").status == 429
    other_headers = {"Authorization": f"Bearer {other}"}
    assert [fake.handle("GET", "/users", "", other_headers).status for _ in range(3)] == [200, 200, 429]
    assert fake.handle("GET", "/users", "", {"Authorization": "Bearer nope"}).status == 401  # not a 429
    assert "Rate limit" not in repr(fake.requests) and other not in repr(fake.requests)


def test_every_request_counts_whatever_its_answer() -> None:
    clock = Clock()
    fake = FakeRetool(seed=3, rate_limit=(2, 60), rate_clock=clock)
    assert call(fake, "GET", "/users/NOT-A-USER").status == 400
    assert call(fake, "GET", "/nowhere").status == 404
    assert call(fake, "GET", "/users").status == 429


async def test_an_in_process_client_waits_out_the_429_without_waiting_for_real() -> None:
    """By default the window runs on real time plus what ``fake.client()``'s retries were asked
    to wait, so the SDK's retry after the 429 finds a free slot at once."""
    fake = FakeRetool(seed=4, rate_limit=(5, 30)).populate(users=1)
    user = fake.records("users")[0]["id"]
    async with fake.client() as retool:
        for _ in range(6):
            assert (await retool.users.get(user)).id == user
    assert [r.status for r in fake.requests] == [200] * 5 + [429, 200]
    assert len(fake.sleeps) == 1 and 29 < fake.sleeps[0] <= 30.5
    strict = FakeRetool(seed=4, rate_limit=(2, 30)).populate(users=1)
    async with strict.client(max_retries=0) as retool:
        for _ in range(2):
            await retool.users.get(user)
        with pytest.raises(RateLimitError) as caught:
            await retool.users.get(user)
    assert caught.value.status_code == 429 and 29 < (caught.value.retry_after or 0) <= 30


async def test_concurrent_http_clients_over_the_limit_see_429_with_retry_after() -> None:
    clock = Clock()
    fake = FakeRetool(seed=5, rate_limit=(20, 60), rate_clock=clock)
    async with fake.serve() as base_url:
        clients = [httpx.AsyncClient(base_url=base_url, headers=auth(fake)) for _ in range(5)]
        try:
            answers = await asyncio.gather(*(c.get("/users") for c in clients for _ in range(8)))
        finally:
            await asyncio.gather(*(c.aclose() for c in clients))
    statuses = [a.status_code for a in answers]
    assert statuses.count(200) == 20 and statuses.count(429) == 20
    for answer in answers:
        if answer.status_code == 429:
            assert answer.headers["Retry-After"] == "60" and answer.json()["success"] is False
            assert answer.headers["x-request-id"]


def test_rate_limit_values() -> None:
    assert RateLimit.of(300) == RateLimit(300, 60.0)
    assert RateLimit.of((5, 0.5)) == RateLimit(5, 0.5)
    assert RateLimit.of("10/2.5") == RateLimit(10, 2.5) and RateLimit.of("7") == RateLimit(7, 60.0)
    for bad in (0, -1, True, (5, 0), (5, -1), "x", "5/", (1, 2, 3), 1.5):
        with pytest.raises(ValueError, match="rate_limit"):
            RateLimit.of(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rate_limit"):
        FakeRetool(rate_limit=0)
    assert FakeRetool(rate_limit=300).rate_limit == RateLimit(300, 60.0)
    assert FakeRetool().rate_limit is None
