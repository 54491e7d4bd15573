"""Cursor pagination over generated list operations, on httpx.MockTransport."""

from __future__ import annotations

import asyncio
import contextlib
from types import SimpleNamespace

import httpx
import pytest

import retool_api_client as rac
from retool_api_client import AsyncPaginator, Page, PaginationError, paginate
from retool_api_client.generated.api.folders import list_folders
from retool_api_client.generated.api.users import list_users

from . import samples
from .fakes import FakeTime, make_client

USER = samples.component("user")


def user(i: int) -> dict[str, object]:
    return USER | {"id": f"user_{i}", "email": f"u{i}@example.com"}


class Server:
    """`pages` users spread over pages of `size`; tokens are "t<page index>"."""

    def __init__(
        self, total: int, size: int, repeat_token: bool = False, fail_once_at: int | None = None
    ) -> None:
        self.total, self.size, self.repeat_token, self.fail_once_at = total, size, repeat_token, fail_once_at
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        token = request.url.params.get("next_token")
        index = int(token[1:]) if token else 0
        if self.fail_once_at == index:
            self.fail_once_at = None
            return httpx.Response(503)
        size = int(request.url.params.get("limit", self.size))
        start = index * size
        items = [user(i) for i in range(start, min(start + size, self.total))]
        more = start + size < self.total
        next_token = ("t1" if self.repeat_token else f"t{index + 1}") if more else None
        return httpx.Response(
            200,
            json={
                "success": True,
                "data": items,
                "total_count": self.total,
                "next_token": next_token,
                "has_more": more,
            },
        )


async def test_iterates_all_items_across_pages() -> None:
    server = Server(total=25, size=10)
    client = make_client(server)
    emails = [u.email async for u in paginate(list_users, client=client, page_size=10)]
    assert emails == [f"u{i}@example.com" for i in range(25)]
    assert [r.url.params.get("next_token") for r in server.requests] == [None, "t1", "t2"]
    assert all(r.url.params["limit"] == "10" for r in server.requests)


async def test_pages_expose_cursor_fields_and_first_page() -> None:
    client = make_client(Server(total=15, size=10))
    pages = [p async for p in paginate(list_users, client=client, page_size=10).pages()]
    assert [(len(p.items), p.next_token, p.has_more, p.total_count) for p in pages] == [
        (10, "t1", True, 15),
        (5, None, False, 15),
    ]
    first = await paginate(list_users, client=client, page_size=10).first_page()
    assert first.next_token == "t1" and len(first.items) == 10


async def test_resume_from_saved_cursor() -> None:
    server = Server(total=30, size=10)
    client = make_client(server)
    ids = [u.id async for u in paginate(list_users, client=client, page_size=10, start_token="t2")]
    assert ids == [f"user_{i}" for i in range(20, 30)]
    assert server.requests[0].url.params["next_token"] == "t2"


async def test_max_items_stops_requests() -> None:
    server = Server(total=100, size=10)
    client = make_client(server)
    items = [u async for u in paginate(list_users, client=client, page_size=10, max_items=15)]
    assert len(items) == 15 and len(server.requests) == 2


async def test_repeated_token_raises_instead_of_looping() -> None:
    client = make_client(Server(total=100, size=10, repeat_token=True))
    with pytest.raises(PaginationError, match="'t1' was already used"):
        _ = [u async for u in paginate(list_users, client=client, page_size=10)]


@pytest.mark.parametrize(
    ("start", "cycle", "bound"),
    [
        (None, ["a", "b", "c"], 2 * 4),  # a b c a b c ...: caught within twice the cycle
        (None, ["a", "b", "c", "d", "e", "f", "g"], 2 * 8),
        ("s", ["s"], 1),  # the server hands back the token we resumed from
        ("s", ["a", "s"], 4),
    ],
)
async def test_cycling_tokens_raise_within_bounded_requests(
    start: str | None, cycle: list[str], bound: int
) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        token = cycle[(len(sent) - 1) % len(cycle)]
        body = {
            "success": True,
            "data": [user(len(sent))],
            "total_count": 9,
            "next_token": token,
            "has_more": True,
        }
        return httpx.Response(200, json=body)

    with pytest.raises(PaginationError, match="already used"):
        _ = [u async for u in paginate(list_users, client=make_client(handler), start_token=start)]
    assert len(sent) <= bound


async def test_early_break_sends_no_further_request() -> None:
    server = Server(total=100, size=10)
    client = make_client(server)
    iterator = paginate(list_users, client=client, page_size=10)
    async with contextlib.aclosing(iterator.__aiter__()) as items:  # type: ignore[type-var]
        async for u in items:
            if u.id == "user_3":
                break
    assert len(server.requests) == 1


@pytest.mark.parametrize("prefetch", [False, True])
async def test_retry_in_the_middle_keeps_its_place(prefetch: bool) -> None:
    server = Server(total=30, size=10, fail_once_at=1)
    client = make_client(server, FakeTime())
    ids = [u.id async for u in paginate(list_users, client=client, page_size=10, prefetch=prefetch)]
    assert ids == [f"user_{i}" for i in range(30)]
    assert [r.url.params.get("next_token") for r in server.requests] == [None, "t1", "t1", "t2"]


@pytest.mark.parametrize("bad", [0, 101, -5, 2.5, True, "10"])
def test_page_size_checked_before_any_request(bad: object) -> None:
    server = Server(total=1, size=1)
    with pytest.raises(rac.ConfigurationError, match="page_size must be an integer from 1 to 100"):
        paginate(list_users, client=make_client(server), page_size=bad)  # type: ignore[arg-type]
    assert server.requests == []


def test_unknown_params_and_non_paginated_endpoints_are_refused() -> None:
    client = make_client(Server(total=1, size=1))
    with pytest.raises(rac.ConfigurationError, match="unexpected parameters"):
        paginate(list_users, client=client, emial="x")
    with pytest.raises(rac.ConfigurationError, match="not paginated"):
        paginate(list_folders, client=client)


async def test_endpoint_without_limit_still_iterates() -> None:
    async def fetch(token: str | None, size: int | None) -> Page[int]:
        assert size is None
        index = int(token or 0)
        return Page(
            items=[index * 2, index * 2 + 1],
            next_token=str(index + 1) if index < 2 else "",
            has_more=index < 2,
            total_count=6,
        )

    assert [i async for i in AsyncPaginator(fetch)] == [0, 1, 2, 3, 4, 5]


async def test_prefetch_stays_at_most_one_page_ahead() -> None:
    fetched: list[str | None] = []
    consumed: list[int] = []

    async def fetch(token: str | None, size: int | None) -> Page[int]:
        fetched.append(token)
        await asyncio.sleep(0)
        index = int(token or 0)
        return Page(
            items=[index], next_token=str(index + 1) if index < 4 else None, has_more=index < 4, total_count=5
        )

    async for item in AsyncPaginator(fetch, prefetch=True):
        for _ in range(5):
            await asyncio.sleep(0)  # let any prefetch run as far as it can
        # while page n is consumed, page n+1 is already requested, and nothing further
        assert len(fetched) == min(item + 2, 5)
        consumed.append(item)
    assert consumed == [0, 1, 2, 3, 4] and fetched == [None, "1", "2", "3", "4"]


async def test_paginate_takes_each_operations_page_size_range_from_the_spec() -> None:
    from retool_api_client.generated.api import PAGE_SIZE_RANGES
    from retool_api_client.generated.api.user_tasks import list_user_tasks

    assert PAGE_SIZE_RANGES["list_users"] == (1, 100)
    assert PAGE_SIZE_RANGES["list_user_tasks"] is None  # its limit is a string without a range
    client = make_client(Server(total=3, size=3))
    paginate(list_user_tasks, client=client, page_size=250)  # accepted: no range declared
    with pytest.raises(rac.ConfigurationError, match=">= 1"):
        paginate(list_user_tasks, client=client, page_size=0)
    with pytest.raises(rac.ConfigurationError, match="from 1 to 100"):
        paginate(list_users, client=client, page_size=101)


async def test_paginate_reads_the_cursor_before_parsing_like_the_facade() -> None:
    server = Server(total=30, size=10)
    client = make_client(server)
    pages = paginate(list_users, client=client, page_size=10, prefetch=True).pages()
    page = await anext(pages)
    assert "not parsed yet" in repr(page)  # the cursor alone was read
    assert len(server.requests) == 2  # ... and the next page is already on its way
    assert [u.id for u in page.items] == [f"user_{i}" for i in range(10)]
    await pages.aclose()


async def test_paginate_still_calls_functions_that_are_not_generated_modules() -> None:
    calls: list[dict[str, object]] = []

    async def list_things(
        *, client: object, next_token: str | None = None, limit: int | None = None
    ) -> object:
        calls.append({"next_token": next_token, "limit": limit})
        first = next_token is None
        return SimpleNamespace(
            data=[1, 2] if first else [3], next_token="t1" if first else None, has_more=first, total_count=3
        )

    items = [i async for i in paginate(list_things, client=object(), page_size=2)]
    assert items == [1, 2, 3]
    assert calls == [{"next_token": None, "limit": 2}, {"next_token": "t1", "limit": 2}]


async def test_a_prefetched_page_that_fails_raises_when_the_walk_reaches_it() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("next_token"):
            return httpx.Response(404, json={"success": False, "message": "cursor expired"})
        return Server(total=20, size=10)(request)

    seen: list[str] = []
    with pytest.raises(rac.NotFoundError, match="cursor expired"):
        async for user in paginate(list_users, client=make_client(handler), page_size=10, prefetch=True):
            seen.append(user.id)
    assert seen == [f"user_{i}" for i in range(10)]  # the whole first page, then the error


async def test_paginators_say_what_they_iterate() -> None:
    client = make_client(Server(total=3, size=3))
    by_paginate = paginate(list_users, client=client, page_size=10, start_token="t2")
    assert repr(by_paginate) == (
        "AsyncPaginator(paginate(list_users), page_size=10, max_items=None, start_token='t2', prefetch=False)"
    )
    by_facade = client.users.list(page_size=50, max_items=7, prefetch=True)
    assert repr(by_facade) == (
        "AsyncPaginator(UsersResource.list, page_size=50, max_items=7, start_token=None, prefetch=True)"
    )


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "3"])
def test_max_empty_pages_must_be_a_positive_integer(bad: object) -> None:
    async def fetch(token: str | None, size: int | None) -> Page[int]:
        return Page([])

    with pytest.raises(rac.ConfigurationError, match="max_empty_pages must be an integer >= 1"):
        AsyncPaginator(fetch, max_empty_pages=bad)  # type: ignore[arg-type]


async def test_empty_pages_with_fresh_tokens_stop_after_max_empty_pages() -> None:
    fetched: list[str | None] = []

    async def fetch(token: str | None, size: int | None) -> Page[int]:
        fetched.append(token)
        return Page([], next_token=f"t{len(fetched)}", has_more=True)

    with pytest.raises(PaginationError, match="5 pages in a row had no items"):
        async for _ in AsyncPaginator(fetch, max_empty_pages=5):
            pass
    assert len(fetched) == 5
    # a page with items in between starts the count again
    pages = iter([[], [], [1], [], [], [2], []])

    async def mixed(token: str | None, size: int | None) -> Page[int]:
        items = next(pages)
        return Page(items, next_token="t" + str(len(items)) + str(id(items)), has_more=token != "last")

    seen = [item async for item in AsyncPaginator(mixed, max_items=2, max_empty_pages=3)]
    assert seen == [1, 2]
