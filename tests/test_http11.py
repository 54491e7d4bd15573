"""``_http11``: the SDK's own pool, where its insides matter (what it sends and reads, and how it
fails, is the differential suite's: tests/wire): the slot queue, connections kept and reused
under contention, idle ones expired, one write per request."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from retool_api_client import RetoolClient
from retool_api_client._http11 import Http11Pool, Slots

from .helpers.wire_server import Act, WireServer, answer

USER = json.dumps({"success": True, "data": {"id": "user_1"}}).encode()


async def get(retool: Any) -> Any:
    from retool_api_client._request import send

    return await send(retool, {"method": "GET", "url": "/users/user_1"})


async def test_slots_go_to_waiters_first_come_first_served() -> None:
    slots = Slots(1)
    assert slots.take() and not slots.take()
    order: list[int] = []

    async def waiter(n: int) -> None:
        await slots.wait()
        order.append(n)

    tasks = [asyncio.create_task(waiter(n)) for n in range(3)]
    await asyncio.sleep(0)
    assert slots.waiting == 3
    for _ in range(3):
        slots.give()  # each freed slot goes to the next waiter, not to the free count
        assert slots.free == 0
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2] and slots.waiting == 0
    slots.give()
    assert slots.free == 1 and slots.take()


async def test_a_waiter_that_leaves_keeps_no_slot_and_loses_none() -> None:
    slots = Slots(1)
    assert slots.take()
    leaving = asyncio.create_task(slots.wait())
    staying = asyncio.create_task(slots.wait())
    await asyncio.sleep(0)
    leaving.cancel()  # cancelled while waiting: it leaves the queue
    await asyncio.sleep(0)
    slots.give()
    await staying
    with pytest.raises(asyncio.CancelledError):
        await leaving
    # handed a slot and cancelled before it could run: the slot goes on, here to the free count
    handed = asyncio.create_task(slots.wait())
    await asyncio.sleep(0)
    slots.give()
    handed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await handed
    assert slots.free == 1 and slots.waiting == 0


async def test_more_requests_than_connections_reuse_them_instead_of_opening_new_ones() -> None:
    """A connection freed while requests wait goes to them, whatever max_keepalive_connections
    says: closing it and opening another for the waiter would churn connections."""
    async with WireServer(lambda r: answer(body=USER)) as server:
        limits = httpx.Limits(max_connections=5, max_keepalive_connections=1)
        async with RetoolClient(server.url, "tok", limits=limits) as retool:
            await asyncio.gather(*(get(retool) for _ in range(120)))
    assert len(server.received) == 120
    assert server.connections == 5


async def test_idle_connections_beyond_the_keepalive_limit_are_closed() -> None:
    async with WireServer(lambda r: answer(body=USER)) as server:
        limits = httpx.Limits(max_connections=10, max_keepalive_connections=2)
        async with RetoolClient(server.url, "tok", limits=limits) as retool:
            await asyncio.gather(*(get(retool) for _ in range(10)))
            await asyncio.gather(*(get(retool) for _ in range(2)))
    assert server.connections == 10  # the first burst opened 10; 2 were kept for the next two


async def test_an_idle_connection_past_its_expiry_is_not_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    import retool_api_client._http11 as http11

    now = [1000.0]
    monkeypatch.setattr(http11.time, "monotonic", lambda: now[0])
    async with WireServer(lambda r: answer(body=USER)) as server:
        async with RetoolClient(server.url, "tok", limits=httpx.Limits(keepalive_expiry=5.0)) as retool:
            await get(retool)
            now[0] += 4.0
            await get(retool)  # within 5 s of its last use: reused
            now[0] += 6.0
            await get(retool)  # idle for 6 s: a new connection
    assert server.connections == 2


async def test_a_connection_the_server_closed_while_idle_is_not_used_again() -> None:
    replies = iter([Act(answer(body=USER), close=True), Act(answer(body=USER))])
    async with WireServer(lambda r: next(replies)) as server:
        async with RetoolClient(server.url, "tok", max_retries=0) as retool:
            await get(retool)
            idle = [c for kept in retool._pool._idle.values() for c in kept]
            for _ in range(100_000):  # turns of the loop until the server's close has arrived
                if all(c.lost for c in idle):
                    break
                await asyncio.sleep(0)
            assert idle and all(c.lost for c in idle)
            await get(retool)
    assert server.connections == 2


async def test_a_request_goes_out_in_one_write() -> None:
    writes: list[bytes] = []

    class Recording(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport

        def data_received(self, data: bytes) -> None:
            writes.append(data)
            if data.endswith(b"}"):
                self.transport.write(answer(body=USER))  # type: ignore[attr-defined]

    loop = asyncio.get_running_loop()
    server = await loop.create_server(Recording, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with RetoolClient(f"http://127.0.0.1:{port}", "tok") as retool:
        from retool_api_client._request import send

        await send(retool, {"method": "POST", "url": "/users", "json": {"email": "a@example.com"}})
    server.close()
    assert len(writes) == 1 and writes[0].startswith(b"POST /api/v2/users HTTP/1.1\r\n")
    assert writes[0].endswith(b'{"email":"a@example.com"}')


def test_the_pool_names_its_route_without_credentials() -> None:
    from retool_api_client._proxies import proxy_for

    context = httpx.create_ssl_context()
    proxy = proxy_for("https://a.example", "http://u:secret-pw@proxy.example:3128", trust_env=False)
    pool = Http11Pool(context, limits=httpx.Limits(), proxy=proxy)
    assert pool.describe() == "http11 via http://proxy.example:3128"
    assert "secret-pw" not in repr(pool)
