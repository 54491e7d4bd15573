"""Time limits for many concurrent waits, on one loop timer per owner: the SDK's one mechanism
for time limits (the retry loop's attempts; the HTTP/1.1 pool's connects, waits for a free
connection, reads and writes).

``asyncio.timeout`` schedules a loop timer per use and cancels it on exit: a ``TimerHandle``,
a heap push, and a heap pop in the loop later, about 35,000 instructions per attempt
(callgrind, 2026-12-03), a tenth of what the SDK adds to a request over real sockets. Here an
attempt's limit is an entry in a dict, and one loop timer is armed at or before the earliest
entry's deadline. When it fires it cancels the tasks whose deadline has passed and arms itself
for the next one. An attempt that ends in time only adds and removes its entry (the limits
of concurrent attempts are all about equally long, so the timer rarely needs moving).

The meaning is ``asyncio.timeout``'s: the task is cancelled at the deadline, and leaving the
block turns that cancellation into ``TimeoutError``, unless the task was also cancelled by
someone else. A limit may also move: given ``progress`` (when did the wait last make
progress?), it expires only once that long has passed with no progress (a read timeout that
restarts with every byte, without touching the timer per byte). No library does this; it is
``asyncio.timeout``'s exit logic around a dict.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType

__all__ = ["Deadlines", "Limit"]


class Deadlines:
    """The limits of the attempts in flight, and the one timer that enforces them."""

    __slots__ = ("_armed_at", "_entries", "_handle", "_loop")

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._entries: dict[Limit, None] = {}
        self._handle: asyncio.TimerHandle | None = None
        self._armed_at = 0.0

    def within(self, delay: float | None, progress: Callable[[], float] | None = None) -> Limit:
        """A context manager that cancels the current task ``delay`` seconds after it is
        entered (None: no limit), or, with ``progress`` (the loop time of the last progress),
        ``delay`` seconds after the last progress; see :class:`Limit`."""
        return Limit(self, delay, progress)

    def close(self) -> None:
        """Cancel the timer (the attempts in flight lose their limits)."""
        if self._handle is not None:
            self._handle.cancel()
        self._handle, self._entries = None, {}

    def _add(self, limit: Limit, loop: asyncio.AbstractEventLoop) -> None:
        if loop is not self._loop:  # a new event loop: the old one's entries and timer are gone
            self._loop, self._entries, self._handle = loop, {}, None
        self._entries[limit] = None
        if self._handle is None or limit.when < self._armed_at:
            self._arm(limit.when)

    def _arm(self, when: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        assert self._loop is not None
        self._handle = self._loop.call_at(when, self._fire)
        self._armed_at = when

    def _fire(self) -> None:
        self._handle = None
        assert self._loop is not None
        now = self._loop.time()
        earliest: float | None = None
        for limit in list(self._entries):
            if limit.when <= now and limit.progress is not None:
                limit.when = max(limit.when, limit.progress() + limit.delay)  # type: ignore[operator]
            if limit.when <= now:
                del self._entries[limit]
                limit.expire()
            elif earliest is None or limit.when < earliest:
                earliest = limit.when
        if earliest is not None:
            self._arm(earliest)


class Limit:
    """One attempt's limit: ``with deadlines.within(seconds):`` around awaits of one task.

    ``expired`` says whether the deadline passed (a ``TimeoutError`` leaving the block is
    then this limit's, as with ``asyncio.Timeout.expired()``)."""

    __slots__ = ("_cancelling", "_owner", "_task", "delay", "expired", "progress", "when")

    def __init__(
        self, owner: Deadlines, delay: float | None, progress: Callable[[], float] | None = None
    ) -> None:
        self._owner, self.delay, self.progress = owner, delay, progress
        self.expired = False
        self.when = 0.0
        self._task: asyncio.Task[object] | None = None
        self._cancelling = 0

    def __enter__(self) -> Limit:
        if self.delay is None:
            return self
        loop = asyncio.get_running_loop()
        task = asyncio.current_task(loop)
        if task is None:
            raise RuntimeError("a time limit must be used inside a task")
        self._task, self._cancelling = task, task.cancelling()
        self.when = loop.time() + self.delay
        self._owner._add(self, loop)
        return self

    def expire(self) -> None:
        """The deadline passed: cancel the task (the block's exit turns it into TimeoutError)."""
        self.expired = True
        assert self._task is not None
        self._task.cancel()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._task is None:
            return
        if not self.expired:
            self._owner._entries.pop(self, None)
            return
        if self._task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError:
            raise TimeoutError from exc
