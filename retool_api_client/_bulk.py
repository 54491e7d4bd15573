"""Many calls, a bounded number at a time, a result per item (``retool.bulk``).

``concurrency`` workers take the items in turn, so at most that many calls are in flight, and
each call still goes through the client's retry loop, pause and rate limit. An item whose call
raises gets the error as its result and the others go on; cancelling ``bulk()`` cancels the
calls in flight and starts no more. Hand-written because it is a worker loop around
``asyncio.TaskGroup``; the libraries that do this (``aiometer``, ``asyncio-pool``) add a
dependency for those lines and return values or raise, not a result per item.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Sized
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._exceptions import ConfigurationError

__all__ = ["BulkResult", "bulk"]

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class BulkResult(Generic[T, R]):
    """One item's outcome: ``value`` when its call returned, ``error`` when it raised."""

    item: T
    value: R | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def result(self) -> R:
        """The value, or the error raised again."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


#: ``progress(done, total)`` after each item (may be async)
Progress = Callable[[int, int], object]


async def bulk(
    client: C,
    items: Iterable[T],
    call: Callable[[C, T], Awaitable[R]],
    *,
    concurrency: int = 10,
    progress: Progress | None = None,
) -> list[BulkResult[T, R]]:
    """``call(client, item)`` for every item, at most ``concurrency`` at a time; the results in
    the items' order."""
    import asyncio

    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ConfigurationError(f"bulk: concurrency must be an integer >= 1, got {concurrency!r}")
    if not callable(call):
        raise ConfigurationError(f"bulk: call must be callable, got {type(call).__name__}")
    if progress is not None and not callable(progress):
        raise ConfigurationError(f"bulk: progress must be callable, got {type(progress).__name__}")
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise ConfigurationError(f"bulk: items must be an iterable of items, got {type(items).__name__}")
    listed = list(items) if not isinstance(items, Sized) else items
    total = len(listed)
    results: list[Any] = [None] * total
    turns = iter(enumerate(listed))
    done = 0

    async def worker() -> None:
        nonlocal done
        for index, item in turns:  # one iterator: each worker takes the next item
            try:
                results[index] = BulkResult(item, await call(client, item))
            except Exception as exc:
                results[index] = BulkResult(item, None, exc)
            done += 1
            if progress is not None:
                shown = progress(done, total)
                if inspect.isawaitable(shown):
                    await shown

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(concurrency, total)):
                group.create_task(worker())
    except BaseExceptionGroup as grouped:  # only progress() can raise out of a worker
        raise grouped.exceptions[0] from None
    return results
