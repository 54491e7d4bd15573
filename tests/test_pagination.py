"""Cursor pagination over the list operations (``_pagination``), on httpx.MockTransport: as a
user walks it (``retool.users.list(...)``) and through the core (``paginate(client, op, ...)``)."""

from __future__ import annotations

import asyncio
import contextlib
from types import SimpleNamespace

import httpx
import pytest

import retool_api_client as rac
from retool_api_client import AsyncPaginator, Page, PaginationError
from retool_api_client._operation import Operation, Pages
from retool_api_client._pagination import paginate
from retool_api_client.generated.api import operation
from retool_api_client.generated.api.folders import LIST_FOLDERS
from retool_api_client.generated.api.user_tasks import LIST_USER_TASKS
from retool_api_client.generated.api.users import GET_USER, LIST_USERS

from .helpers import samples
from .helpers.fakes import FakeTime, make_client

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
    emails = [u.email async for u in client.users.list(page_size=10)]
    assert emails == [f"u{i}@example.com" for i in range(25)]
    assert [r.url.params.get("next_token") for r in server.requests] == [None, "t1", "t2"]
    assert all(r.url.params["limit"] == "10" for r in server.requests)
    assert all(r.url.path == "/api/v2/users" for r in server.requests)


async def test_the_core_walks_an_operation_with_its_fixed_parameters() -> None:
    server = Server(total=15, size=10)
    client = make_client(server)
    walk = paginate(client, LIST_USERS, (), {"email": "a@b.c", "first_name": None}, page_size=10)
    ids = [u.id async for u in walk]
    assert ids == [f"user_{i}" for i in range(15)]
    # every page carries the fixed filters; None is not sent; the cursor changes
    assert [dict(r.url.params) for r in server.requests] == [
        {"email": "a@b.c", "limit": "10"},
        {"email": "a@b.c", "limit": "10", "next_token": "t1"},
    ]


async def test_pages_expose_cursor_fields_and_first_page() -> None:
    client = make_client(Server(total=15, size=10))
    pages = [p async for p in client.users.list(page_size=10).pages()]
    assert [(len(p.items), p.next_token, p.has_more, p.total_count) for p in pages] == [
        (10, "t1", True, 15),
        (5, None, False, 15),
    ]
    assert type(pages[0].raw).__name__ == "ListUsersResponse200"
    first = await client.users.list(page_size=10).first_page()
    assert first.next_token == "t1" and len(first.items) == 10


async def test_resume_from_saved_cursor() -> None:
    server = Server(total=30, size=10)
    client = make_client(server)
    ids = [u.id async for u in client.users.list(page_size=10, start_token="t2")]
    assert ids == [f"user_{i}" for i in range(20, 30)]
    assert server.requests[0].url.params["next_token"] == "t2"
    assert len(server.requests) == 1


async def test_max_items_stops_requests() -> None:
    server = Server(total=100, size=10)
    client = make_client(server)
    items = [u async for u in client.users.list(page_size=10, max_items=15)]
    assert len(items) == 15 and len(server.requests) == 2
    assert [u async for u in client.users.list(max_items=0)] == []
    assert len(server.requests) == 2  # max_items=0: nothing asked for


async def test_repeated_token_raises_instead_of_looping() -> None:
    client = make_client(Server(total=100, size=10, repeat_token=True))
    with pytest.raises(PaginationError, match="'t1' was already used"):
        _ = [u async for u in client.users.list(page_size=10)]


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
        _ = [u async for u in make_client(handler).users.list(start_token=start)]
    assert 1 <= len(sent) <= bound


async def test_early_break_sends_no_further_request() -> None:
    server = Server(total=100, size=10)
    client = make_client(server)
    iterator = client.users.list(page_size=10)
    seen = []
    async with contextlib.aclosing(iterator.__aiter__()) as items:  # type: ignore[type-var]
        async for u in items:
            seen.append(u.id)
            if u.id == "user_3":
                break
    assert seen == ["user_0", "user_1", "user_2", "user_3"]
    assert len(server.requests) == 1


@pytest.mark.parametrize("prefetch", [False, True])
async def test_retry_in_the_middle_keeps_its_place(prefetch: bool) -> None:
    server = Server(total=30, size=10, fail_once_at=1)
    time = FakeTime()
    client = make_client(server, time)
    ids = [u.id async for u in client.users.list(page_size=10, prefetch=prefetch)]
    assert ids == [f"user_{i}" for i in range(30)]
    assert [r.url.params.get("next_token") for r in server.requests] == [None, "t1", "t1", "t2"]
    assert len(time.sleeps) == 1  # the one retry waited (on the fake clock)


@pytest.mark.parametrize("bad", [0, 101, -5, 2.5, True, "10"])
def test_page_size_checked_before_any_request(bad: object) -> None:
    server = Server(total=1, size=1)
    client = make_client(server)
    with pytest.raises(rac.ConfigurationError, match="page_size must be an integer from 1 to 100"):
        client.users.list(page_size=bad)  # type: ignore[arg-type]
    with pytest.raises(rac.ConfigurationError, match="page_size must be an integer from 1 to 100"):
        paginate(client, LIST_USERS, page_size=bad)  # type: ignore[arg-type]
    assert server.requests == []


def test_unknown_params_and_non_paginated_operations_are_refused() -> None:
    server = Server(total=1, size=1)
    client = make_client(server)
    with pytest.raises(TypeError, match=r"list_users takes no parameters \['emial'\]"):
        paginate(client, LIST_USERS, (), {"emial": "x"})
    with pytest.raises(rac.ConfigurationError, match="get_user is not paginated"):
        paginate(client, GET_USER, ("user_1",))
    with pytest.raises(TypeError, match="list_users takes 0 path parameters, got 1"):
        paginate(client, LIST_USERS, ("user_1",))
    assert server.requests == []


def test_page_size_and_start_token_are_refused_where_the_operation_takes_no_limit_or_cursor() -> None:
    assert LIST_FOLDERS.pages is not None and LIST_FOLDERS.pages.limit is LIST_FOLDERS.pages.token is None
    server = Server(total=1, size=1)
    client = make_client(server)
    with pytest.raises(
        rac.ConfigurationError, match="list_folders takes no limit, so page_size cannot be set"
    ):
        paginate(client, LIST_FOLDERS, page_size=5)
    with pytest.raises(
        rac.ConfigurationError, match="list_folders takes no next_token, so start_token cannot be set"
    ):
        paginate(client, LIST_FOLDERS, start_token="t1")
    assert server.requests == []


async def test_an_operation_without_limit_or_cursor_walks_its_one_page() -> None:
    folder = samples.component("folder")
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        body = {
            "success": True,
            "data": [folder, folder],
            "total_count": 2,
            "next_token": None,
            "has_more": False,
        }
        return httpx.Response(200, json=body)

    client = make_client(handler)
    assert len([f async for f in client.folders.list()]) == 2
    assert len([f async for f in paginate(client, LIST_FOLDERS)]) == 2
    assert [str(r.url) for r in sent] == ["https://acme.retool.com/api/v2/folders"] * 2  # no limit, no cursor


async def test_more_pages_of_an_operation_without_a_cursor_raise_after_its_items() -> None:
    folder = samples.component("folder")
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        body = {"success": True, "data": [folder], "total_count": 5, "next_token": "t1", "has_more": True}
        return httpx.Response(200, json=body)

    seen = []
    with pytest.raises(
        PaginationError, match="takes no next_token parameter, so the next page cannot be requested"
    ):
        async for f in make_client(handler).folders.list():
            seen.append(f)
    assert len(seen) == 1 and len(sent) == 1


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
    assert LIST_USERS.pages is not None and LIST_USERS.pages.size_range == (1, 100)
    assert LIST_USER_TASKS.pages is not None
    assert LIST_USER_TASKS.pages.size_range is None  # its limit is a string without a range
    assert LIST_USER_TASKS.pages.limit_as_text
    assert operation("list_users") is LIST_USERS
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(
            200, json={"success": True, "data": [], "total_count": 0, "next_token": None, "has_more": False}
        )

    client = make_client(handler)
    await paginate(client, LIST_USER_TASKS, page_size=250).first_page()  # accepted: no range declared
    await client.user_tasks.list(page_size=250).first_page()
    assert [r.url.params["limit"] for r in sent] == ["250", "250"]  # sent as the text it is declared as
    with pytest.raises(rac.ConfigurationError, match=">= 1"):
        paginate(client, LIST_USER_TASKS, page_size=0)
    with pytest.raises(rac.ConfigurationError, match=">= 1"):
        client.user_tasks.list(page_size=0)
    with pytest.raises(rac.ConfigurationError, match="from 1 to 100"):
        paginate(client, LIST_USERS, page_size=101)
    assert len(sent) == 2


async def test_paginate_reads_the_cursor_before_parsing_like_the_facade() -> None:
    server = Server(total=30, size=10)
    client = make_client(server)
    pages = paginate(client, LIST_USERS, page_size=10, prefetch=True).pages()
    page = await anext(pages)
    assert "not parsed yet" in repr(page)  # the cursor alone was read
    assert len(server.requests) == 2  # ... and the next page is already on its way
    assert [u.id for u in page.items] == [f"user_{i}" for i in range(10)]
    assert "10 items" in repr(page)
    await pages.aclose()


async def test_paginate_walks_an_operation_described_by_hand() -> None:
    """The core needs only an ``Operation``: one that no generated namespace declares (its own
    parameter names, its limit sent as text) is walked like the generated ones."""
    things = Operation(
        "list_things",
        "GET",
        "/things/{owner}",
        ("owner",),
        query=(("size", "pageSize"), ("cursor", "cursor")),
        responses={200: "models.list_users_response_200:ListUsersResponse200"},
        unwrap="data",
        pages=Pages(limit="size", limit_as_text=True, token="cursor"),
    )
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        first = "cursor" not in request.url.params
        body = {
            "success": True,
            "data": [user(1), user(2)] if first else [user(3)],
            "total_count": 3,
            "next_token": "t1" if first else None,
            "has_more": first,
        }
        return httpx.Response(200, json=body)

    walk = paginate(make_client(handler), things, ("me",), page_size=2)
    assert repr(walk).startswith("AsyncPaginator(list_things, page_size=2,")
    assert [u.id async for u in walk] == ["user_1", "user_2", "user_3"]
    assert [(r.url.path, dict(r.url.params)) for r in sent] == [
        ("/api/v2/things/me", {"pageSize": "2"}),
        ("/api/v2/things/me", {"pageSize": "2", "cursor": "t1"}),
    ]


async def test_a_page_reads_any_envelope_with_the_cursor_fields() -> None:
    calls: list[tuple[str | None, int | None]] = []

    async def fetch(token: str | None, size: int | None) -> Page[int]:
        calls.append((token, size))
        first = token is None
        envelope = SimpleNamespace(
            data=[1, 2] if first else [3], next_token="t1" if first else None, has_more=first, total_count=3
        )
        return Page.from_envelope(envelope)

    assert [i async for i in AsyncPaginator(fetch, page_size=2)] == [1, 2, 3]
    assert calls == [(None, 2), ("t1", 2)]


async def test_a_prefetched_page_that_fails_raises_when_the_walk_reaches_it() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("next_token"):
            return httpx.Response(404, json={"success": False, "message": "cursor expired"})
        return Server(total=20, size=10)(request)

    seen: list[str] = []
    with pytest.raises(rac.NotFoundError, match="cursor expired"):
        async for u in make_client(handler).users.list(page_size=10, prefetch=True):
            seen.append(u.id)
    assert seen == [f"user_{i}" for i in range(10)]  # the whole first page, then the error


async def test_paginators_say_what_they_iterate() -> None:
    client = make_client(Server(total=3, size=3))
    by_paginate = paginate(client, LIST_USERS, page_size=10, start_token="t2")
    assert repr(by_paginate) == (
        "AsyncPaginator(list_users, page_size=10, max_items=None, start_token='t2', prefetch=False)"
    )
    named = paginate(client, LIST_USERS, max_items=3, source="MyTool.users")
    assert repr(named) == (
        "AsyncPaginator(MyTool.users, page_size=None, max_items=3, start_token=None, prefetch=False)"
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
    server = Server(total=1, size=1)
    with pytest.raises(rac.ConfigurationError, match="max_empty_pages must be an integer >= 1"):
        paginate(make_client(server), LIST_USERS, max_empty_pages=bad)  # type: ignore[arg-type]
    assert server.requests == []


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


async def test_the_cores_max_empty_pages_reaches_the_walk() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        body = {
            "success": True,
            "data": [],
            "total_count": 9,
            "next_token": f"t{len(sent)}",
            "has_more": True,
        }
        return httpx.Response(200, json=body)

    with pytest.raises(PaginationError, match="2 pages in a row had no items"):
        _ = [u async for u in paginate(make_client(handler), LIST_USERS, max_empty_pages=2)]
    assert len(sent) == 2


# -- a list method of the facade, walked as a user walks it (moved from test_facade.py) ------------


async def test_facade_list_pages_and_page_size_from_spec() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        start = int(request.url.params.get("next_token", "0"))
        more = start < 4
        return httpx.Response(
            200,
            json={
                "success": True,
                "data": [user(start), user(start + 1)],
                "total_count": 6,
                "next_token": str(start + 2) if more else None,
                "has_more": more,
            },
        )

    async with make_client(handler) as retool:
        emails = [u.email async for u in retool.users.list(page_size=2, email="x@example.com")]
        assert emails == [f"u{n}@example.com" for n in range(6)]
        assert [r.url.params.get("limit") for r in sent] == ["2", "2", "2"]
        assert all(r.url.params.get("email") == "x@example.com" for r in sent)
        with pytest.raises(rac.ConfigurationError, match="from 1 to 100"):
            retool.users.list(page_size=101)
        resumed = [u.id async for u in retool.users.list(start_token="4")]
        assert resumed == ["user_4", "user_5"]


async def test_limit_typed_as_string_in_spec_is_sent_as_text() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(
            200, json={"success": True, "data": [], "total_count": 0, "next_token": None, "has_more": False}
        )

    async with make_client(handler) as retool:
        assert [t async for t in retool.user_tasks.list(page_size=250)] == []  # no range in the spec
        with pytest.raises(rac.ConfigurationError, match=">= 1"):
            retool.user_tasks.list(page_size=0)
    assert sent[0].url.params["limit"] == "250"


async def test_list_without_cursor_parameter_stops_with_clear_error_instead_of_truncating() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        group = samples.component("group", optional=True)
        return httpx.Response(
            200,
            json={"success": True, "data": [group], "total_count": 2, "next_token": "t", "has_more": True},
        )

    async with make_client(handler) as retool:
        seen = []
        with pytest.raises(rac.PaginationError, match="takes no next_token"):
            async for group in retool.groups.list():
                seen.append(group)
        assert len(seen) == 1  # what the first page had was delivered before the error


def users_page(start: int, count: int, total: int) -> dict[str, object]:
    more = start + count < total
    return {
        "success": True,
        "data": [user(i) for i in range(start, min(start + count, total))],
        "total_count": total,
        "next_token": f"t{start + count}" if more else None,
        "has_more": more,
    }


async def test_prefetch_sends_next_request_before_this_page_is_parsed_and_never_two_ahead() -> None:
    events: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("next_token", "t0")
        events.append(f"request {token}")
        return httpx.Response(200, json=users_page(int(token[1:]), 2, 8))

    async with make_client(handler) as retool:
        async for page in retool.users.list(page_size=2, prefetch=True).pages():
            events.append(f"parse {page.items[0].id}")
    assert events == [
        "request t0",
        "request t2",  # in flight before page 1 is parsed ...
        "parse user_0",
        "request t4",  # ... and the one after only once the consumer moved on
        "parse user_2",
        "request t6",
        "parse user_4",
        "parse user_6",
    ]


async def test_list_body_errors_are_typed() -> None:
    answers = iter(
        [
            httpx.Response(200, content=b"<html>502</html>"),
            httpx.Response(200, json={"success": True, "data": [{"id": 1}], "has_more": False}),
            httpx.Response(404, json={"success": False, "message": "no such list"}),
            httpx.Response(200, json=["not", "an", "object"]),
        ]
    )
    async with make_client(lambda r: next(answers)) as retool:
        with pytest.raises(rac.APIResponseValidationError, match="body is not valid JSON"):
            await retool.users.list().first_page()
        page = await retool.users.list().first_page()  # cursor read; items not parsed yet
        assert "not parsed yet" in repr(page)
        with pytest.raises(rac.APIResponseValidationError, match="ListUsersResponse200"):
            _ = page.items
        with pytest.raises(rac.NotFoundError, match="no such list"):
            await retool.users.list().first_page()
        with pytest.raises(rac.APIResponseValidationError, match="expected a JSON object"):
            await retool.users.list().first_page()


async def test_cursor_is_read_before_the_body_is_decoded_and_a_broken_body_still_fails_typed() -> None:
    # valid tail, broken items: the cursor is enough to go on; the items report the body
    broken = (
        b'{"success": true, "data": [{"id": "u1",, ], "total_count": 9, "next_token": "t2", "has_more": true}'
    )
    requested: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(request.url.params.get("next_token"))
        if len(requested) == 1:
            return httpx.Response(200, content=broken)
        return httpx.Response(200, json=users_page(2, 2, 4))

    async with make_client(handler) as retool:
        pages = retool.users.list(prefetch=True).pages()
        page = await anext(pages)
        assert (page.next_token, page.has_more, page.total_count) == ("t2", True, 9)
        assert requested == [None, "t2"]  # the next page left on the cursor alone
        with pytest.raises(rac.APIResponseValidationError, match="body is not valid JSON"):
            _ = page.items
        await pages.aclose()


async def test_cursor_fields_before_data_are_read_by_decoding_the_body() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("next_token", "t0")
        page = users_page(int(token[1:]), 2, 5)
        data = page.pop("data")
        return httpx.Response(200, json=page | {"data": data})  # cursor first, data last

    async with make_client(handler) as retool:
        ids = [user.id async for user in retool.users.list(page_size=2, prefetch=True)]
    assert ids == [f"user_{i}" for i in range(5)]
