"""The fake's time: the clock that stamps records, and the waits ``fake.client()`` never does.

* :class:`VirtualClock` is the default ``clock`` of a fake: ``created_at`` / ``updated_at``
  come from it, a second later at each read, so a test's timestamps are the same every run.
* :class:`VirtualTime` is what ``fake.client()`` sleeps with: a retry's delay is recorded
  (``fake.sleeps``) and moves the virtual time on instead of waiting. The rate limit's window
  counts that time too, so an in-process client that waits out a 429 finds the window moved.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class VirtualClock:
    """The default clock: starts at ``start`` and moves one second each time it is read."""

    def __init__(self, start: datetime = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class VirtualTime:
    """Sleeps that do not wait: each is recorded in :attr:`sleeps` and adds to :attr:`elapsed`."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.elapsed = 0.0

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += seconds

    def monotonic(self) -> float:
        """The virtual time: the sum of the sleeps so far."""
        return self.elapsed

    def real_plus_slept(self) -> float:
        """Real monotonic time plus the sleeps: what the rate limit's window runs on by default."""
        return time.monotonic() + self.elapsed
