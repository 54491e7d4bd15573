"""Many calls, a bounded number at a time, a result per item (``retool.bulk``).

``concurrency`` workers take the items in turn, so at most that many calls are in flight, and
each call still goes through the client's retry loop, pause and rate limit. An item whose call
raises gets the error as its result and the others go on; cancelling ``bulk()`` cancels the
calls in flight and starts no more. Hand-written because it is a worker loop around
``asyncio.TaskGroup``; the libraries that do this (``aiometer``, ``asyncio-pool``) add a
dependency for those lines and return values or raise, not a result per item.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sized
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeAlias, TypeVar

from ._exceptions import ConfigurationError
from ._retry import call_hook

__all__ = ["BulkFailed", "BulkResult", "BulkSucceeded", "bulk"]

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class BulkSucceeded(Generic[T, R]):
    """An item whose call returned ``value``; ``ok`` is True and ``error`` None."""

    item: T
    value: R
    ok: Literal[True] = field(default=True, init=False)
    error: None = field(default=None, init=False)

    def result(self) -> R:
        """The value."""
        return self.value


@dataclass(frozen=True)
class BulkFailed(Generic[T, R]):
    """An item whose call raised ``error``; ``ok`` is False and ``value`` None."""

    item: T
    error: Exception
    ok: Literal[False] = field(default=False, init=False)
    value: None = field(default=None, init=False)

    def result(self) -> R:
        """Raises the error again."""
        raise self.error


#: one item's outcome: ``if result.ok:`` (or ``result.error is None``) narrows it, for a type
#: checker too, to :class:`BulkSucceeded` and its ``value``
BulkResult: TypeAlias = BulkSucceeded[T, R] | BulkFailed[T, R]


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
                results[index] = BulkSucceeded(item, await call(client, item))
            except Exception as exc:
                results[index] = BulkFailed(item, exc)
            done += 1
            if progress is not None:
                await call_hook(progress, done, total)

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(concurrency, total)):
                group.create_task(worker())
    except BaseExceptionGroup as grouped:  # only progress() can raise out of a worker
        raise grouped.exceptions[0] from None
    return results
