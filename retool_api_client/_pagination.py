"""Cursor pagination over Retool's ``limit`` / ``next_token`` / ``has_more`` list operations.

A page shape says only how to read its items and cursor (:class:`Page`); iteration is written
once in :class:`AsyncPaginator`. Hand-written because no library knows Retool's envelope; it is
plain asyncio over the request pipeline (``_request``: build, check, send, parse).

Stopping rules: ``has_more`` false, or a missing/empty ``next_token``. Tokens that cycle
raise :class:`PaginationError` instead of looping forever (detected in constant memory), and so
do ``max_empty_pages`` (default 3) pages in a row without items that still say ``has_more``
with fresh tokens.
Breaking out of the loop sends no further request (with ``prefetch=True`` the one page already
in flight is cancelled when the iterator is closed).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

from . import _parsing
from ._exceptions import ConfigurationError, RetoolError
from ._json_tail import trailing_scalars
from ._operation import Operation, model
from ._request import build, check, parse, send
from ._types import UNSET, Unset

T = TypeVar("T")

#: Pages in a row without items, each claiming ``has_more``, before a walk gives up.
MAX_EMPTY_PAGES = 3

#: The usual ``limit`` range; each operation's own comes from the spec (``Operation.pages``).
PAGE_SIZE_RANGE = (1, 100)


class PaginationError(RetoolError):
    """The server's cursors do not make progress (a ``next_token`` repeated), or it says there
    are more pages of an operation that takes no cursor."""


PaginationError.__module__ = "retool_api_client"  # public name, as in tracebacks and reprs


class Page(Generic[T]):
    """One page: ``items`` plus the cursor fields (``next_token``, ``has_more``, ``total_count``).

    A page fetched by the facade reads its cursor from the end of the body and decodes the
    body into typed items on first access, so with ``prefetch=True`` the next request is
    already in flight while this page is decoded and parsed. A body that is not valid JSON or
    does not fit the model raises ``APIResponseValidationError`` on that first access (or at
    once, when the cursor could not be read without decoding)."""

    __slots__ = ("_items", "_materialize", "_raw", "has_more", "next_token", "total_count")

    def __init__(
        self,
        items: list[T] | None = None,
        next_token: str | None = None,
        has_more: bool = False,
        total_count: int | None = None,
        raw: Any = None,
        *,
        materialize: Callable[[], Any] | None = None,
    ) -> None:
        self._items = items if items is not None or materialize is not None else []
        self._raw = raw
        self._materialize = materialize
        self.next_token = next_token
        self.has_more = has_more
        self.total_count = total_count

    @property
    def items(self) -> list[T]:
        if self._materialize is not None:
            self._load()
        assert self._items is not None
        return self._items

    @property
    def raw(self) -> Any:
        """The parsed envelope (``ListUsersResponse200``...)."""
        if self._materialize is not None:
            self._load()
        return self._raw

    def _load(self) -> None:
        assert self._materialize is not None
        envelope = self._materialize()
        self._materialize = None
        self._raw = envelope
        self._items = _items_of(_unset_to_none(getattr(envelope, "data", None)))

    @classmethod
    def from_envelope(cls, envelope: Any) -> Page[Any]:
        """Read a generated list response (``data``, ``next_token``, ``has_more``, ``total_count``)."""

        def field(name: str) -> Any:
            return _unset_to_none(getattr(envelope, name, None))

        page: Page[Any] = cls._with_cursor(field("next_token"), field("has_more"), field("total_count"))
        page._items = _items_of(field("data"))
        page._raw = envelope
        return page

    @classmethod
    def from_body(cls, body: dict[str, Any], materialize: Callable[[], Any]) -> Page[Any]:
        """Cursor from ``body`` (the envelope's members) now, typed items from ``materialize()``
        on first access."""
        page: Page[Any] = cls._with_cursor(
            body.get("next_token"), body.get("has_more"), body.get("total_count")
        )
        page._materialize = materialize
        return page

    @classmethod
    def _with_cursor(cls, token: Any, has_more: Any, total: Any) -> Page[Any]:
        return cls(
            next_token=token if isinstance(token, str) and token else None,
            has_more=bool(has_more) if has_more is not None else bool(token),
            # 1e400 decodes to inf (int() would raise OverflowError): not a count; a body with
            # it is refused when its items are decoded (_parsing.decode_json)
            total_count=int(total)
            if isinstance(total, int | float) and not isinstance(total, bool) and math.isfinite(total)
            else None,
        )

    @property
    def is_last(self) -> bool:
        return not self.has_more or not self.next_token

    def __repr__(self) -> str:
        items = "<not parsed yet>" if self._materialize is not None else f"{len(self._items or [])} items"
        return (
            f"Page({items}, next_token={self.next_token!r}, has_more={self.has_more}, "
            f"total_count={self.total_count})"
        )


def _items_of(data: Any) -> list[Any]:
    # a list is a page of items; an object (usage details) is one item per page
    return list(data) if isinstance(data, list) else ([] if data is None else [data])


_CURSOR_FIELDS = frozenset(("next_token", "has_more", "total_count"))


async def fetch_page(client: Any, op: Operation, request: dict[str, Any]) -> Page[Any]:
    """Send one list request (``_request.build``); read its cursor now and leave decoding and
    the typed parse for later.

    Anything but a 200 goes through ``_request.parse`` (typed errors, undocumented statuses).
    The cursor comes from the body's trailing members (Retool puts ``total_count``,
    ``next_token`` and ``has_more`` after ``data``; see :mod:`._json_tail`), so with
    ``prefetch=True`` the next request leaves before this body is decoded. A body laid out
    otherwise is decoded at once instead."""
    response = await send(client, request, op)
    if response.status_code != 200:
        return Page.from_envelope(parse(op, response))
    from_dict = model(op.responses[200] or "").from_dict
    tail = trailing_scalars(response.content, _CURSOR_FIELDS)
    if not _CURSOR_FIELDS.issubset(tail):
        body = _decode_object(response)
        return Page.from_body(body, lambda: _typed(response, from_dict, body))
    return Page.from_body(tail, lambda: _typed(response, from_dict, _decode_object(response)))


def _decode_object(response: Any) -> dict[str, Any]:
    try:
        body = _parsing.decode_json(response.content)
        if not isinstance(body, dict):
            raise TypeError(f"expected a JSON object, got {type(body).__name__}")
    except (TypeError, ValueError) as exc:
        raise _parsing.response_error(response, exc) from exc
    return body


def _typed(response: Any, from_dict: Callable[[dict[str, Any]], Any], body: dict[str, Any]) -> Any:
    try:
        return from_dict(body)
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise _parsing.response_error(response, exc) from exc


def _unset_to_none(value: Any) -> Any:
    return None if isinstance(value, Unset) else value


Fetch = Callable[[str | None, int | None], Awaitable[Page[T]]]


def check_page_size(page_size: int | None, valid: tuple[int, int] | None = PAGE_SIZE_RANGE) -> None:
    """``valid`` is the ``limit`` parameter's range from the spec; None when it declares none."""
    if page_size is None:
        return
    low, high = valid or (1, None)
    if (
        isinstance(page_size, bool)
        or not isinstance(page_size, int)
        or page_size < low
        or (high is not None and page_size > high)
    ):
        allowed = f"from {low} to {high}" if high is not None else f">= {low}"
        raise ConfigurationError(f"page_size must be an integer {allowed}, got {page_size!r}")


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
        page_size_range: tuple[int, int] | None = PAGE_SIZE_RANGE,
        max_empty_pages: int = MAX_EMPTY_PAGES,
    ) -> None:
        check_page_size(page_size, page_size_range)
        if isinstance(max_empty_pages, bool) or not isinstance(max_empty_pages, int) or max_empty_pages < 1:
            raise ConfigurationError(f"max_empty_pages must be an integer >= 1, got {max_empty_pages!r}")
        self.max_empty_pages = max_empty_pages
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
        # what the repr names: the method that made the fetch function (``UsersResource.list``)
        self._source = str(getattr(fetch, "__qualname__", fetch)).removesuffix(".<locals>.fetch")

    def __repr__(self) -> str:
        return (
            f"AsyncPaginator({self._source}, page_size={self.page_size!r}, max_items={self.max_items!r}, "
            f"start_token={self.start_token!r}, prefetch={self.prefetch!r})"
        )

    async def first_page(self) -> Page[T]:
        return await self._fetch(self.start_token, self.page_size)

    async def pages(self) -> AsyncGenerator[Page[T], None]:
        # Brent's cycle detection: O(1) memory however long the walk (a set of every token
        # would grow with it); a token repeating at once is caught at once, a longer cycle
        # within at most twice its length.
        checkpoint, power, steps = self.start_token, 1, 0
        token = self.start_token
        pending: asyncio.Task[Page[T]] | None = None
        empty = 0  # pages in a row with no item that still said has_more
        try:
            page = await self._fetch(token, self.page_size)
            while True:
                if not page.is_last:
                    assert page.next_token is not None
                    if page.next_token == checkpoint:
                        raise PaginationError(
                            f"next_token {page.next_token!r} was already used: "
                            "the server is not making progress"
                        )
                    steps += 1
                    if steps == power:
                        checkpoint, power, steps = page.next_token, power * 2, 0
                    if self.prefetch:
                        pending = asyncio.ensure_future(self._next(page.next_token))
                        await asyncio.sleep(0)  # let it send its request before this page is parsed
                yield page
                if page.is_last:
                    return
                # after the yield: the items are parsed by now (not before the prefetch left)
                empty = empty + 1 if not page.items else 0
                if empty >= self.max_empty_pages:
                    raise PaginationError(
                        f"{empty} pages in a row had no items but said has_more with a new "
                        "next_token: the server is not making progress"
                    )
                if pending is not None:
                    page, pending = await pending, None
                else:
                    assert page.next_token is not None
                    page = await self._next(page.next_token)
        finally:
            if pending is not None:
                pending.cancel()

    async def _next(self, token: str) -> Page[T]:
        """The page after one whose cursor is ``token``: a token that cannot be sent back (too
        long for a URL) is the server's fault, so a PaginationError rather than a
        ConfigurationError."""
        try:
            return await self._fetch(token, self.page_size)
        except ConfigurationError as exc:
            raise PaginationError(
                f"the server's next_token ({len(token):,} characters) cannot be sent back: {exc}"
            ) from None

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
    client: Any,
    op: Operation,
    path: tuple[Any, ...] = (),
    params: Mapping[str, Any] | None = None,
    *,
    body: Any = UNSET,
    page_size: int | None = None,
    max_items: int | None = None,
    start_token: str | None = None,
    prefetch: bool = False,
    max_empty_pages: int = MAX_EMPTY_PAGES,
    source: str = "",
) -> AsyncPaginator[Any]:
    """The paginator of a list operation (``op.pages``), as the generated list methods return
    it; ``path``, ``params`` and ``body`` as for ``_request.request``. The first page's request is checked
    now (later pages change only the cursor); ``source`` names the method in the repr."""
    pages = op.pages
    if pages is None:
        raise ConfigurationError(f"{op.id} is not paginated")
    if page_size is not None and pages.limit is None:
        raise ConfigurationError(f"{op.id} takes no limit, so page_size cannot be set")
    if start_token is not None and pages.token is None:
        raise ConfigurationError(f"{op.id} takes no next_token, so start_token cannot be set")
    fixed = dict(params or {})

    def request_for(token: str | None, size: int | None) -> dict[str, Any]:
        given = dict(fixed)
        if pages.limit is not None and size is not None:
            given[pages.limit] = str(size) if pages.limit_as_text else size
        if pages.token is not None and token is not None:
            given[pages.token] = token
        return build(op, path, given, body)

    async def fetch(token: str | None, size: int | None) -> Page[Any]:
        if token is not None and pages.token is None:
            raise PaginationError(
                f"{op.id} answered has_more with a next_token, but the operation takes no next_token "
                "parameter, so the next page cannot be requested; the items so far were all yielded"
            )
        return await fetch_page(client, op, request_for(token, size))

    paginator: AsyncPaginator[Any] = AsyncPaginator(
        fetch,
        page_size=page_size,
        max_items=max_items,
        start_token=start_token,
        prefetch=prefetch,
        page_size_range=pages.size_range,
        max_empty_pages=max_empty_pages,
    )
    paginator._source = source or op.id
    first = request_for(start_token if pages.token else None, page_size if pages.limit else None)
    check(client, op, first, path)
    return paginator
