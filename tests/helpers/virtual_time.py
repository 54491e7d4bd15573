"""Virtual time for concurrent tests: ``sleep(d)`` wakes ``d`` virtual seconds later, in order,
and time moves on only when every task is waiting on it. So 50 tasks that each wait 0.5 s take
0.5 virtual seconds together (``FakeTime`` adds each wait to the clock, as if they took turns),
and nothing waits for real.

Only for code that does no real I/O (the fake in-process, scripted pools): the driver takes
the loop being idle for a few rounds to mean every task waits on this clock.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from collections.abc import Awaitable
from typing import Any, TypeVar

T = TypeVar("T")

#: rounds of the event loop with nothing new that count as "every task is waiting"
IDLE_ROUNDS = 30


class VirtualClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), woken))
        await woken

    def install(self, client: Any, seed: int = 7) -> None:
        """The client (and its ``with_options`` copies) reads and waits on this clock."""
        client._use_timing(self.clock, self.sleep, random.Random(seed))

    async def run(self, work: Awaitable[T]) -> T:
        """Await ``work``, moving the clock to the next wake-up whenever everything waits."""
        task = asyncio.ensure_future(work)
        idle = 0
        while not task.done():
            await asyncio.sleep(0)
            idle += 1
            if idle < IDLE_ROUNDS or task.done():
                continue
            idle = 0
            while self._sleepers:
                when, _, woken = heapq.heappop(self._sleepers)
                if not woken.cancelled():
                    self.now = max(self.now, when)
                    woken.set_result(None)
                    break
            else:
                raise RuntimeError("nothing waits on the virtual clock, yet the work does not finish")
        return task.result()
