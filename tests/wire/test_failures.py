"""Failures on the wire: what each pool reports, what the retry policy then does, and that no
request reaches the wire that the policy did not decide."""

from __future__ import annotations

import asyncio
import json
import pickle
from typing import Any

import httpx
import pytest

from retool_api_client import APIConnectionError, APITimeoutError, RetoolError, RetryEvent

from ..helpers.pools import client_on, made_on
from ..helpers.wire_server import Act, WireServer, answer, closed_port

USER = json.dumps({"success": True, "data": {"id": "user_1"}}).encode()
TOKEN = "tok_secret_123"


async def instant(seconds: float) -> None:
    return None


async def send(retool: Any, method: str = "GET", url: str = "/users/user_1") -> Any:
    from retool_api_client._request import send as pipeline_send

    return await pipeline_send(
        retool, {"method": method, "url": url} | ({"json": {}} if method == "POST" else {})
    )


@pytest.mark.parametrize(
    ("method", "retries", "expected"), [("GET", 0, 1), ("GET", 2, 3), ("DELETE", 1, 2), ("POST", 2, 1)]
)
async def test_a_hang_up_is_resent_only_as_the_policy_says(
    pool: str, method: str, retries: int, expected: int
) -> None:
    """aiohttp's pool resent GET, PUT and DELETE once on its own; no pool does now."""
    events: list[RetryEvent] = []
    async with WireServer(lambda r: Act(close=True)) as server:
        async with client_on(pool, server.url, max_retries=retries, on_retry=events.append) as retool:
            retool._use_timing(sleep=instant)
            with pytest.raises(APIConnectionError) as caught:
                await send(retool, method)
    assert len(server.received) == expected
    assert len(events) == expected - 1
    assert all(e.error == "maybe sent" for e in events)
    assert not isinstance(caught.value, APITimeoutError)


async def test_a_kept_alive_connection_closed_by_the_server_is_not_resent_behind_the_policys_back(
    pool: str,
) -> None:
    replies = iter([Act(answer(body=USER)), Act(close=True)])
    async with WireServer(lambda r: next(replies)) as server:
        async with client_on(pool, server.url, max_retries=0) as retool:
            await send(retool)
            with pytest.raises(APIConnectionError):
                await send(retool)
    assert len(server.received) == 2


async def test_a_refused_connection_is_never_sent_so_even_a_post_is_retried(pool: str) -> None:
    events: list[RetryEvent] = []
    port = await closed_port()
    async with client_on(pool, f"http://127.0.0.1:{port}", max_retries=2, on_retry=events.append) as retool:
        retool._use_timing(sleep=instant)
        with pytest.raises(APIConnectionError) as caught:
            await send(retool, "POST")
    assert [e.error for e in events] == ["never sent", "never sent"]
    assert f"127.0.0.1:{port}" in str(caught.value)
    if pool == "http11":  # what the OS said; httpx's pool says "All connection attempts failed"
        assert "[Errno 111]" in str(caught.value)
        assert isinstance(caught.value.__cause__, ConnectionRefusedError)


@pytest.mark.parametrize(("method", "expected"), [("GET", 2), ("POST", 1)])
async def test_no_answer_in_time_is_a_timeout_retried_only_when_idempotent(
    pool: str, method: str, expected: int
) -> None:
    async with WireServer(lambda r: Act(hang=True)) as server:
        async with client_on(pool, server.url, timeout=0.3, max_retries=1) as retool:
            retool._use_timing(sleep=instant)
            with pytest.raises(APITimeoutError):
                await send(retool, method)
    assert len(server.received) == expected


async def test_a_read_timeout_shorter_than_the_others_still_applies(pool: str) -> None:
    reply = answer(body=USER)
    async with WireServer(lambda r: Act(reply, drip=1, pause=0.4)) as server:
        async with client_on(pool, server.url, timeout=httpx.Timeout(30, read=0.2), max_retries=0) as retool:
            with pytest.raises(APITimeoutError):
                await send(retool)


async def test_a_drip_within_the_read_timeout_is_bounded_by_the_attempt(pool: str) -> None:
    reply = answer(body=USER + b" " * 200)
    loop = asyncio.get_running_loop()
    async with WireServer(lambda r: Act(reply, drip=1, pause=0.01)) as server:
        async with client_on(pool, server.url, timeout=0.5, max_retries=0) as retool:
            started = loop.time()
            with pytest.raises(APITimeoutError):
                await send(retool)
            assert loop.time() - started < 2.0


async def post_while_the_one_connection_is_held(pool: str, timeout: Any) -> tuple[list[str], list[str]]:
    """A POST on a pool of one connection that a hanging GET holds (through a copy of the
    client with a long limit, so the GET outlasts the POST): the errors of the POST's retries
    and the targets the server received."""
    limits = httpx.Limits(max_connections=1)
    events: list[RetryEvent] = []
    busy = asyncio.Event()

    def script(request: Any) -> Any:
        if request.target.endswith("/slow"):
            busy.set()  # the one connection is taken
            return Act(hang=True)
        return answer(body=USER)

    async with WireServer(script) as server:
        maker = made_on if pool == "http11" else client_on
        extra: dict[str, Any] = (
            {"limits": limits} if pool == "http11" else {"client_args": {"limits": limits}}
        )
        async with maker(
            pool, server.url, timeout=timeout, max_retries=1, on_retry=events.append, **extra
        ) as retool:
            retool._use_timing(sleep=instant)
            holder = retool.with_options(timeout=30, max_retries=0)  # the same pool
            slow = asyncio.create_task(send(holder, url="/slow"))
            await asyncio.wait_for(busy.wait(), 5)
            with pytest.raises(APITimeoutError):
                await send(retool, "POST")
            slow.cancel()
    return [e.error or "" for e in events], [r.target for r in server.received]


async def test_no_free_connection_in_time_is_a_pool_timeout_never_sent(pool: str) -> None:
    errors, received = await post_while_the_one_connection_is_held(pool, httpx.Timeout(5.0, pool=0.2))
    assert (errors, received) == (["never sent"], ["/api/v2/slow"])


async def test_a_pool_wait_as_long_as_the_attempt_is_still_never_sent() -> None:
    """With every limit equal (the defaults are 60 s each but connect), the attempt's own limit
    and the pool's wait end together; whichever fires, a request no connection took was never
    sent, so even a POST is retried. (httpx's pools do not say when a connection takes the
    request: there the attempt counts as maybe sent, and a POST is not retried; docs/wire.md.)"""
    errors, received = await post_while_the_one_connection_is_held("http11", 0.3)
    assert (errors, received) == (["never sent"], ["/api/v2/slow"])


# -- no secret anywhere an error reaches -------------------------------------------------------


def reachable(error: BaseException) -> list[object]:
    """Every object an error tracker could show: the error, its causes and contexts at any
    depth, their arguments and attributes (and theirs)."""
    seen: list[object] = []
    todo: list[object] = [error]
    ids: set[int] = set()
    while todo:
        item = todo.pop()
        if id(item) in ids or item is None or isinstance(item, str | bytes | int | float | bool):
            continue
        ids.add(id(item))
        seen.append(item)
        if isinstance(item, BaseException):
            todo += [item.__cause__, item.__context__, *item.args]
        for value in getattr(item, "__dict__", {}).values():
            todo.append(value)
        for name in getattr(type(item), "__slots__", ()):
            todo.append(getattr(item, name, None))
        if isinstance(item, dict):
            todo += list(item.values())
        if isinstance(item, list | tuple):
            todo += list(item)
    return seen


def assert_no_secret(error: BaseException, *secrets: str) -> None:
    for obj in reachable(error):
        for text in (repr(obj), str(obj)):
            for secret in secrets:
                assert secret not in text, (type(obj).__name__, text)
    dumped = pickle.dumps(error)
    for secret in secrets:
        assert secret.encode() not in dumped
    assert type(pickle.loads(dumped)) is type(error)


@pytest.mark.parametrize(
    "script",
    [
        lambda r: Act(close=True),
        lambda r: Act(hang=True),
        lambda r: answer(
            404, b'{"success": false, "message": "nope"}', [("Set-Cookie", "session=s3cr3t-cookie")]
        ),
        lambda r: b"NOT HTTP\r\n\r\n",
        lambda r: answer(body=b"x" * 5000),
    ],
    ids=["hang-up", "timeout", "404 setting a cookie", "not HTTP", "too large"],
)
async def test_no_object_an_error_reaches_shows_the_token(pool: str, script: Any) -> None:
    async with WireServer(script) as server:
        async with client_on(
            pool, server.url, TOKEN, timeout=0.3, max_retries=0, max_response_bytes=1000
        ) as retool:
            with pytest.raises(RetoolError) as caught:
                await retool.users.get("user_1")
    assert_no_secret(caught.value, TOKEN, "s3cr3t-cookie")


async def test_a_refused_connection_through_a_proxy_shows_neither_token_nor_proxy_password(pool: str) -> None:
    port = await closed_port()
    proxy = f"http://proxyuser:pr0xy-pass@127.0.0.1:{port}"
    async with made_on(pool, "http://127.0.0.1:1", TOKEN, proxy=proxy, max_retries=0) as retool:
        with pytest.raises(APIConnectionError) as caught:
            await send(retool)
    assert_no_secret(caught.value, TOKEN, "pr0xy-pass", "cHJveHl1c2VyOnByMHh5LXBhc3M=")
