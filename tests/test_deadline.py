"""The retry loop's time limits (``_deadline``): asyncio.timeout's meaning on one loop timer.

No test waits for real time: a limit of 0 s expires on the loop's next turn, one of an hour
never does while the test runs, and the blocks wait on events nobody sets."""

from __future__ import annotations

import asyncio

import pytest

from retool_api_client._deadline import Deadlines


async def _wait_forever() -> None:
    await asyncio.Event().wait()


async def test_a_limit_that_passes_raises_timeout_error_and_marks_itself() -> None:
    deadlines = Deadlines()
    limit = deadlines.within(0)
    with pytest.raises(TimeoutError):
        with limit:
            await _wait_forever()
    assert limit.expired
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]  # uncancelled


async def test_a_block_that_ends_in_time_leaves_nothing_behind() -> None:
    deadlines = Deadlines()
    limit = deadlines.within(3600)
    with limit:
        await asyncio.sleep(0)
    assert not limit.expired
    assert deadlines._entries == {}
    deadlines.close()
    assert deadlines._handle is None


async def test_no_limit_is_no_limit() -> None:
    deadlines = Deadlines()
    with deadlines.within(None) as limit:
        await asyncio.sleep(0)
    assert not limit.expired and deadlines._handle is None


async def test_an_earlier_limit_moves_the_timer_and_a_later_one_does_not() -> None:
    deadlines = Deadlines()
    long_done = asyncio.Event()
    outcome: dict[str, object] = {}

    async def hold(name: str, seconds: float) -> None:
        limit = deadlines.within(seconds)
        try:
            with limit:
                if name == "long":
                    await long_done.wait()
                else:
                    await _wait_forever()
            outcome[name] = "done"
        except TimeoutError:
            outcome[name] = "timed out"

    long = asyncio.create_task(hold("long", 3600))
    await asyncio.sleep(0)
    armed = deadlines._armed_at
    later = asyncio.create_task(hold("later", 7200))
    await asyncio.sleep(0)
    assert deadlines._armed_at == armed  # not moved for a later deadline
    short = asyncio.create_task(hold("short", 0))
    await short
    assert outcome == {"short": "timed out"}
    # the timer fired for the short one and is armed again for the earliest left
    assert deadlines._handle is not None and deadlines._armed_at == armed
    long_done.set()
    await long
    later.cancel()
    with pytest.raises(asyncio.CancelledError):
        await later
    assert outcome == {"short": "timed out", "long": "done"}
    assert deadlines._entries == {}


async def test_many_limits_passing_together_each_time_out() -> None:
    deadlines = Deadlines()

    async def one() -> bool:
        limit = deadlines.within(0)
        try:
            with limit:
                await _wait_forever()
        except TimeoutError:
            return limit.expired
        return False

    assert await asyncio.gather(*(one() for _ in range(50))) == [True] * 50


async def test_a_cancellation_from_outside_stays_a_cancellation() -> None:
    deadlines = Deadlines()
    limit = deadlines.within(3600)

    async def body() -> None:
        with limit:
            await _wait_forever()

    task = asyncio.create_task(body())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not limit.expired
    assert deadlines._entries == {}


async def test_expiry_and_an_outside_cancellation_together_stay_a_cancellation() -> None:
    deadlines = Deadlines()
    limit = deadlines.within(0)
    started = asyncio.Event()

    async def body() -> None:
        with limit:
            started.set()
            await _wait_forever()

    task = asyncio.create_task(body())
    await started.wait()
    task.cancel()  # before the limit's timer runs on the next turn
    with pytest.raises(asyncio.CancelledError):
        await task


def test_a_new_event_loop_starts_afresh() -> None:
    deadlines = Deadlines()

    async def expire() -> bool:
        limit = deadlines.within(0)
        with pytest.raises(TimeoutError):
            with limit:
                await _wait_forever()
        return limit.expired

    assert asyncio.run(expire())
    assert asyncio.run(expire())  # the first loop's timer is not the second's


async def test_outside_a_task_it_says_so() -> None:
    deadlines = Deadlines()
    loop = asyncio.get_running_loop()
    errors: list[BaseException] = []

    def enter() -> None:
        try:
            deadlines.within(1).__enter__()
        except RuntimeError as exc:
            errors.append(exc)

    loop.call_soon(enter)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert errors and "inside a task" in str(errors[0])
