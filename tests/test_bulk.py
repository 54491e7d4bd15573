"""``retool.bulk(items, call, concurrency=..., progress=...)``: a result per item in input order
(the value, or the error its call raised, while the others go on), at most ``concurrency`` in
flight, under the client's rate limit, with progress, cancellable as a whole."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from retool_api_client import (
    BulkFailed,
    BulkSucceeded,
    ConfigurationError,
    NotFoundError,
    RateLimit,
    RetoolClient,
)
from retool_api_client.testing import FakeRetool

from .helpers.typecheck import mypy_strict
from .helpers.virtual_time import VirtualClock


async def test_a_result_per_item_in_input_order_and_a_failing_item_holds_its_error() -> None:
    fake = FakeRetool(seed=1).populate(users=5)
    ids = [u["id"] for u in fake.records("users")]
    items = [ids[0], "user_missing", ids[1], ids[2], "user_gone", ids[3]]
    async with fake.client() as retool:
        results = await retool.bulk(items, lambda r, user: r.users.get(user), concurrency=3)
    assert [r.item for r in results] == items
    assert [r.ok for r in results] == [True, False, True, True, False, True]
    assert [r.value.id for r in results if r.ok] == [ids[0], ids[1], ids[2], ids[3]]
    failed = [r.error for r in results if not r.ok]
    assert all(isinstance(e, NotFoundError) for e in failed)
    with pytest.raises(NotFoundError):
        results[1].result()
    assert results[0].result().id == ids[0]


async def test_the_issues_example_creates_invites_under_the_rate_limit() -> None:
    fake = FakeRetool(seed=1)
    emails = [f"new{i}@example.com" for i in range(12)]
    clock = VirtualClock()
    times: list[float] = []
    limit = RateLimit(120, headroom=0)  # two a second
    async with fake.client(rate_limit=limit, on_request=lambda e: times.append(clock.now)) as retool:
        clock.install(retool)
        results = await clock.run(
            retool.bulk(emails, lambda r, email: r.user_invites.create(email=email), concurrency=10)
        )
    assert all(r.ok for r in results)
    assert [r.value.invited_email for r in results] == emails  # type: ignore[union-attr]
    assert times == [i * 0.5 for i in range(12)]


async def test_at_most_concurrency_calls_in_flight_and_progress_after_each() -> None:
    in_flight = peak = 0
    progress: list[tuple[int, int]] = []

    async def call(retool: RetoolClient, item: int) -> int:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        in_flight -= 1
        if item == 7:
            raise ValueError("seven")
        return item * 2

    async def report(done: int, total: int) -> None:  # an async callback is awaited
        progress.append((done, total))

    async with RetoolClient("https://acme.retool.com", "tok") as retool:
        results = await retool.bulk(iter(range(20)), call, concurrency=4, progress=report)
    assert peak == 4
    assert [r.value for r in results] == [i * 2 if i != 7 else None for i in range(20)]
    assert str(results[7].error) == "seven"
    assert progress == [(i, 20) for i in range(1, 21)]


async def test_cancelling_bulk_cancels_the_calls_in_flight_and_starts_no_more() -> None:
    started: list[int] = []
    cancelled: list[int] = []
    gate = asyncio.Event()

    async def call(retool: RetoolClient, item: int) -> int:
        started.append(item)
        try:
            await gate.wait()
        except asyncio.CancelledError:
            cancelled.append(item)
            raise
        return item

    async with RetoolClient("https://acme.retool.com", "tok") as retool:
        task = asyncio.ensure_future(retool.bulk(range(10), call, concurrency=3))
        for _ in range(5):
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert started == [0, 1, 2] and sorted(cancelled) == [0, 1, 2]


async def test_a_progress_callback_that_raises_stops_the_bulk_with_its_error() -> None:
    def report(done: int, total: int) -> None:
        raise RuntimeError("progress bar broke")

    async def call(retool: RetoolClient, item: int) -> int:
        return item

    async with RetoolClient("https://acme.retool.com", "tok") as retool:
        with pytest.raises(RuntimeError, match="progress bar broke"):
            await retool.bulk([1, 2, 3], call, progress=report)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"concurrency": 0}, "bulk: concurrency must be an integer >= 1, got 0"),
        ({"concurrency": True}, "bulk: concurrency must be an integer >= 1, got True"),
        ({"progress": "yes"}, "bulk: progress must be callable, got str"),
    ],
)
async def test_bad_arguments_are_refused_before_any_call(kwargs: dict[str, object], message: str) -> None:
    calls: list[int] = []

    async def call(retool: RetoolClient, item: int) -> None:
        calls.append(item)

    async with RetoolClient("https://acme.retool.com", "tok") as retool:
        with pytest.raises(ConfigurationError, match=message):
            await retool.bulk([1], call, **kwargs)  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError, match="bulk: items must be an iterable of items, got int"):
            await retool.bulk(5, call)  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError, match="bulk: call must be callable, got NoneType"):
            await retool.bulk([1], None)  # type: ignore[arg-type]
    assert calls == []


async def test_no_items_no_calls() -> None:
    async with RetoolClient("https://acme.retool.com", "tok") as retool:
        assert await retool.bulk([], lambda r, i: r.users.get(i)) == []
    assert BulkSucceeded(1, 2).ok and not BulkFailed(1, ValueError()).ok
    with pytest.raises(ValueError):
        BulkFailed[int, int](1, ValueError()).result()


def test_a_type_checker_narrows_a_result_by_ok(tmp_path: Path) -> None:
    """docs/replicas.md's loop: ``if result.ok:`` gives ``value`` its type, without a cast."""
    code = """
from retool_api_client import BulkResult, RetoolClient
from retool_api_client.generated.models import User


async def main(retool: RetoolClient) -> None:
    results = await retool.bulk(["user_1"], lambda r, uid: r.users.get(uid))
    kept: list[BulkResult[str, User]] = results
    for result in kept:
        if result.ok:
            print(result.item, "->", result.value.id)
        else:
            print(result.item, "failed:", result.error.args)
        if result.error is None:
            print(result.value.email)
    print(results[0].value.id)  # E1: may have failed
"""
    checked = mypy_strict(code, tmp_path)
    assert [marker[:2] for marker in checked.flagged] == ["E1"], checked.output
