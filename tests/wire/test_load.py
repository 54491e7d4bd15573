"""Many requests on every pool: memory stays flat over thousands of them, and hundreds cancelled
in flight give everything back (issue 23's "what held, and must keep holding")."""

from __future__ import annotations

import asyncio
import gc
import json
import resource
import sys
from typing import Any

import httpx

from ..helpers.pools import client_on, made_on
from ..helpers.wire_server import WireServer, answer

USER = json.dumps({"success": True, "data": {"id": "user_1"}}).encode()

#: requests sent after the warm-up, per pool: the SDK's own pool takes the whole 20,000; httpx's
#: and httpx2's pools are ~10x slower per request, so they send fewer, still 4x the warm-up
REQUESTS = {"http11": 20_000, "httpx": 4_000, "httpx2": 4_000}
WARM_UP = 1_000


class CannedServer(asyncio.Protocol):
    """A keep-alive server that answers every request head with the same bytes and records
    nothing, so what grows in this process over a run is the client's."""

    reply = answer(body=USER)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport, self.buffer = transport, b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        heads = self.buffer.count(b"\r\n\r\n")
        if heads:
            self.buffer = self.buffer.rsplit(b"\r\n\r\n", 1)[1]
            self.transport.write(self.reply * heads)


def live_blocks() -> int:
    """Memory blocks Python has allocated (objects of every kind, tracked by the garbage
    collector or not), after a collection."""
    gc.collect()
    return sys.getallocatedblocks()


def peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def test_memory_stays_flat_over_thousands_of_requests(pool: str) -> None:
    from retool_api_client._request import send

    loop = asyncio.get_running_loop()
    server = await loop.create_server(CannedServer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with client_on(pool, f"http://127.0.0.1:{port}") as retool:

            async def run(count: int) -> None:
                async def worker(share: int) -> None:
                    for _ in range(share):
                        got = await send(retool, {"method": "GET", "url": "/users/user_1"})
                        assert got.status_code == 200

                await asyncio.gather(*(worker(count // 8) for _ in range(8)))

            await run(WARM_UP)
            blocks, rss = live_blocks(), peak_rss_kib()
            await run(REQUESTS[pool])
            grown_blocks, grown_rss = live_blocks() - blocks, peak_rss_kib() - rss
    finally:
        server.close()
        await server.wait_closed()
    # one leaked object per request adds thousands of blocks; a run without a leak moves a few
    # hundred at most (caches filling, free lists)
    assert grown_blocks < 500, (pool, grown_blocks)
    assert grown_rss < 8 * 1024, (pool, grown_rss)


async def test_five_hundred_requests_cancelled_in_flight_give_everything_back(pool: str) -> None:
    """500 requests in flight over 10 connections (490 of them waiting for one), all cancelled:
    the connections come back, the waiters leave the queue, nothing is sent again, and the
    next requests go out at once."""
    limits = httpx.Limits(max_connections=10)
    gate, busy = asyncio.Event(), asyncio.Event()
    slow = 0

    async def script(request: Any) -> Any:
        nonlocal slow
        if request.target.endswith("/slow"):
            slow += 1
            if slow == 10:  # every connection carries one; the rest wait for a connection
                busy.set()
            await gate.wait()
        return answer(body=USER)

    async with WireServer(script) as server:
        maker = made_on if pool == "http11" else client_on
        extra: dict[str, Any] = (
            {"limits": limits} if pool == "http11" else {"client_args": {"limits": limits}}
        )
        async with maker(pool, server.url, timeout=5, max_retries=0, **extra) as retool:
            from retool_api_client._request import send

            tasks = [asyncio.create_task(send(retool, {"method": "GET", "url": "/slow"})) for _ in range(500)]
            await asyncio.wait_for(busy.wait(), 5)
            for task in tasks:
                task.cancel()
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
            gate.set()
            got = await asyncio.wait_for(
                asyncio.gather(*(send(retool, {"method": "GET", "url": "/fast"}) for _ in range(20))), 5
            )
    assert all(isinstance(o, asyncio.CancelledError) for o in outcomes)
    assert [r.target for r in server.received].count("/api/v2/slow") == 10
    assert all(a.status_code == 200 for a in got)
