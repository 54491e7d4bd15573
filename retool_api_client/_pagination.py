"""Cursor pagination over Retool's ``limit`` / ``next_token`` / ``has_more`` list operations.

A page shape says only how to read its items and cursor (:class:`Page`); iteration is written
once in :class:`AsyncPaginator`. Hand-written because no library knows Retool's envelope; it is
~150 lines of plain asyncio.

Stopping rules: ``has_more`` false, or a missing/empty ``next_token``. A token the server
already sent raises :class:`PaginationError` instead of looping forever. Breaking out of the
loop sends no further request (with ``prefetch=True`` the one page already in flight is
cancelled when the iterator is closed).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ._exceptions import ConfigurationError, RetoolError
from .generated.types import Unset

T = TypeVar("T")

#: The spec declares ``limit`` as 1..100 on every paginated Retool operation.
PAGE_SIZE_RANGE = (1, 100)


class PaginationError(RetoolError):
    """The server's cursors do not make progress (a ``next_token`` repeated)."""


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_token: str | None
    has_more: bool
    total_count: int | None
    raw: Any = field(repr=False, default=None)

    @classmethod
    def from_envelope(cls, envelope: Any) -> Page[Any]:
        """Read a generated list response (``data``, ``next_token``, ``has_more``, ``total_count``)."""
        data = getattr(envelope, "data", None)
        items = list(data) if isinstance(data, list) else []
        token = _unset_to_none(getattr(envelope, "next_token", None))
        has_more = _unset_to_none(getattr(envelope, "has_more", None))
        total = _unset_to_none(getattr(envelope, "total_count", None))
        return cls(
            items=items,
            next_token=token if isinstance(token, str) and token else None,
            has_more=bool(has_more) if has_more is not None else bool(token),
            total_count=int(total) if isinstance(total, int | float) else None,
            raw=envelope,
        )

    @property
    def is_last(self) -> bool:
        return not self.has_more or not self.next_token


def _unset_to_none(value: Any) -> Any:
    return None if isinstance(value, Unset) else value


Fetch = Callable[[str | None, int | None], Awaitable[Page[T]]]


def check_page_size(page_size: int | None, valid: tuple[int, int] = PAGE_SIZE_RANGE) -> None:
    if page_size is None:
        return
    low, high = valid
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not low <= page_size <= high:
        raise ConfigurationError(f"page_size must be an integer from {low} to {high}, got {page_size!r}")


class AsyncPaginator(Generic[T]):
    """``async for item in paginator``, ``.pages()``, ``await .first_page()``."""

    def __init__(
        self,
        fetch: Fetch[T],
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        start_token: str | None = None,
        prefetch: bool = False,
    ) -> None:
        check_page_size(page_size)
        if max_items is not None and (
            isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 0
        ):
            raise ConfigurationError(f"max_items must be an integer >= 0, got {max_items!r}")
        if start_token is not None and (not isinstance(start_token, str) or not start_token):
            raise ConfigurationError(f"start_token must be a non-empty string, got {start_token!r}")
        self._fetch = fetch
        self.page_size = page_size
        self.max_items = max_items
        self.start_token = start_token
        self.prefetch = prefetch

    async def first_page(self) -> Page[T]:
        return await self._fetch(self.start_token, self.page_size)

    async def pages(self) -> AsyncGenerator[Page[T], None]:
        seen: set[str] = set()
        token = self.start_token
        pending: asyncio.Task[Page[T]] | None = None
        try:
            page = await self._fetch(token, self.page_size)
            while True:
                if not page.is_last:
                    assert page.next_token is not None
                    if page.next_token in seen or page.next_token == self.start_token:
                        raise PaginationError(
                            f"next_token {page.next_token!r} was already used: "
                            "the server is not making progress"
                        )
                    seen.add(page.next_token)
                    if self.prefetch:
                        pending = asyncio.ensure_future(self._fetch(page.next_token, self.page_size))
                yield page
                if page.is_last:
                    return
                if pending is not None:
                    page, pending = await pending, None
                else:
                    page = await self._fetch(page.next_token, self.page_size)
        finally:
            if pending is not None:
                pending.cancel()

    async def __aiter__(self) -> AsyncIterator[T]:
        remaining = self.max_items
        if remaining == 0:
            return
        pages = self.pages()
        try:
            async for page in pages:
                for item in page.items:
                    yield item
                    if remaining is not None:
                        remaining -= 1
                        if remaining == 0:
                            return
        finally:
            await pages.aclose()


def paginate(
    endpoint: Any,
    *,
    client: Any,
    page_size: int | None = None,
    max_items: int | None = None,
    start_token: str | None = None,
    prefetch: bool = False,
    **params: Any,
) -> AsyncPaginator[Any]:
    """Iterate any generated list operation: ``paginate(list_users, client=retool, email=...)``.

    ``endpoint`` is a generated endpoint module or its ``asyncio`` function. Operations that
    return the cursor fields but take no ``limit`` still iterate (``page_size`` is then refused)."""
    function = getattr(endpoint, "asyncio", endpoint)
    accepted = inspect.signature(function).parameters
    if "next_token" not in accepted:
        raise ConfigurationError(
            f"{getattr(function, '__module__', function)} takes no next_token: not paginated"
        )
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise ConfigurationError(f"unexpected parameters for {function.__module__}: {unknown}")
    if page_size is not None and "limit" not in accepted:
        raise ConfigurationError(f"{function.__module__} takes no limit, so page_size cannot be set")

    async def fetch(token: str | None, size: int | None) -> Page[Any]:
        kwargs = dict(params)
        if token is not None:
            kwargs["next_token"] = token
        if size is not None:
            kwargs["limit"] = size
        envelope = await function(client=client, **kwargs)
        return Page.from_envelope(envelope)

    return AsyncPaginator(
        fetch, page_size=page_size, max_items=max_items, start_token=start_token, prefetch=prefetch
    )
