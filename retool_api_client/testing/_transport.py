"""``fake.client()``: a ``RetoolClient`` whose transport calls the fake in-process.

The one place the fake meets ``RetoolClient``: what it passes to the client (the transport,
the waits that do not wait) and how the pytest plugin closes one. An
``httpx.AsyncBaseTransport`` rather than ``httpx.MockTransport`` so a dropped connection
(``fake.fail(..., reset=True)``) surfaces as the ``httpx.ReadError`` a real one would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._answers import Answer
from ._clock import VirtualTime

if TYPE_CHECKING:
    from .. import RetoolClient

#: the host ``fake.client()`` talks to: ``.test`` is reserved (RFC 2606), nothing resolves it
BASE_URL = "https://fake-retool.test"
#: ``handle(method, path, query, headers, body)``: the fake's entry point
Handle = Callable[[str, str, str, Mapping[str, str], bytes], Answer]


class FakeTransport(httpx.AsyncBaseTransport):
    """Hands each request to the fake's ``handle``; no sockets."""

    def __init__(self, handle: Handle) -> None:
        self.handle = handle

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        path, _, query = request.url.raw_path.decode("ascii").partition("?")
        answer = self.handle(request.method, path, query, request.headers, body)
        if answer.reset:
            raise httpx.ReadError("connection reset by peer (FakeRetool.fail(reset=True))", request=request)
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body, request=request)

    def __repr__(self) -> str:
        return "FakeTransport()"


def client(handle: Handle, *, root: str, token: str, time: VirtualTime, **options: Any) -> RetoolClient:
    """A ``RetoolClient`` on :class:`FakeTransport` (with a ``base_url`` of its own and no
    ``transport``: the SDK's own pool, to a served fake); its retries wait on ``time``, not for
    real."""
    from .. import RetoolClient

    if "base_url" not in options:
        options["base_url"] = BASE_URL + root
        options.setdefault("transport", FakeTransport(handle))
    options.setdefault("token", token)
    retool = RetoolClient(**options)
    retool._use_timing(time.monotonic, time.sleep)
    return retool


def close(retool: RetoolClient) -> None:
    """Close a client from synchronous code (a fixture's teardown). Inside a running event loop
    it is left to the garbage collector: an in-process client holds no connection."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(retool.aclose())
