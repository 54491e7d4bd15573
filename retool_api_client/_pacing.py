"""When an attempt may start: after the pause a 429 asked for, and in its slot of the rate limit.

One :class:`Pacing` per pool, shared by the client and its ``with_options`` copies, consulted
by the retry loop (``_retry.RetryLoop``) before every attempt, retries included:

* **the pause**: a 429 pauses every request on the pool until the time the server asked for
  (``Retry-After``), not only the request that got it. The requests waiting are then let go
  one by one, ``SPACING_S`` apart, the first at the asked time, never before: a queue, so 50
  requests that hit a limit together do not come back together and hit it again. A request
  that waited for its turn goes at its turn (if another request meanwhile got a 429, that one
  pauses the requests that come after it);
* **the rate limit** (``RetoolClient(rate_limit=...)``, ``_ratelimit``): a slot per attempt,
  waited for on the client's clock.

Every wait is on the client's injected clock and sleeper (``_retry.Timing``), and a wait for a
retry is bounded by what is left of the retry deadline.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._ratelimit import Limiter
    from ._retry import Timing

__all__ = ["SPACING_S", "Pacing"]

#: The gap between two requests let go after a pause: 100 a second, so a pause that held 50
#: requests releases them over half a second.
SPACING_S = 0.01


class Pacing:
    """The pool's pause and rate limit. ``until`` is when the pause ends (``-inf``: none)."""

    __slots__ = ("_next", "limiter", "timing", "until")

    def __init__(self, timing: Timing, limiter: Limiter | None = None) -> None:
        self.timing, self.limiter = timing, limiter
        self.until = -math.inf
        self._next = -math.inf  # the next free turn after the pause

    def pause(self, until: float) -> None:
        """A 429 asked every request to wait until ``until``: pause the pool until then (or
        later, when a pause already runs longer)."""
        self.until = max(self.until, until)

    def next_turn(self) -> float:
        """When the next request to wait for the pause would go."""
        return max(self.until, self._next)

    def take_turn(self) -> float:
        """Take that turn (the next request goes ``SPACING_S`` after it)."""
        turn = max(self.until, self._next)
        self._next = turn + SPACING_S
        return turn

    async def wait(self, now: float, budget: float | None, paused: bool = True) -> bool:
        """Wait out the pause (unless ``paused`` is False: the request just waited for its turn)
        and for a slot in the rate limit; False when either would take longer than ``budget``
        seconds. The pause is checked before its wait (then nothing is taken); the rate limit
        after it, so a False from the limit comes after the pause's turn was taken and waited,
        and no slot of the limit is taken."""
        timing = self.timing
        if paused and self.until > now:
            if budget is not None and self.next_turn() - now > budget:
                return False
            turn = self.take_turn()
            await timing.sleep(turn - now)
            if budget is not None:
                budget -= turn - now
        limiter = self.limiter
        if limiter is None:
            return True
        slot = await limiter.reserve(None if budget is None else max(0.0, budget))
        if slot is None:
            return False
        delay, ticket = slot
        if delay > 0:
            try:
                await timing.sleep(delay)
            except asyncio.CancelledError:
                limiter.give_back(ticket)
                raise
        return True
