"""``fake.client()``: a ``RetoolClient`` whose pool calls the fake in-process.

The one place the fake meets ``RetoolClient``: what it passes to the client (the pool, the
waits that do not wait) and how the pytest plugin closes one. :class:`FakePool` is a pool of
the SDK's own kind (``retool_api_client.pool``): no sockets and no HTTP library, and a dropped
connection (``fake.fail(..., reset=True)``) is the "maybe sent" failure a real one would be.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ..pool import Answer as Answer_
from ..pool import Failure, Headers, Kind, Request, Timeout
from ._answers import Handle
from ._clock import VirtualTime

if TYPE_CHECKING:
    from .. import RetoolClient

#: the host ``fake.client()`` talks to: ``.test`` is reserved (RFC 2606), nothing resolves it
BASE_URL = "https://fake-retool.test"


class FakePool:
    """Hands each request to the fake's ``handle``; no sockets. A client with it belongs to
    the event loop that first used it, as one talking to a real instance does, so a test
    that moves a client between loops fails as the code would in production."""

    binds_to_loop = True

    def __init__(self, handle: Handle) -> None:
        self.handle = handle

    async def send(self, request: Request, timeout: Timeout, cap: int) -> Answer_:
        target = request.url.split("://", 1)[-1]
        path, _, query = target[target.find("/") :].partition("?")
        answer = self.handle(request.method, path, query, Headers(request.headers), request.body)
        if answer.reset:
            raise Failure(Kind.MAYBE_SENT, "connection reset by peer (FakeRetool.fail(reset=True))")
        if len(answer.body) > cap:
            raise Failure(Kind.BAD_ANSWER, f"the answer is larger than the {cap:,}-byte response size cap")
        return Answer_(answer.status, Headers(list(answer.headers.items())), answer.body, request)

    async def aclose(self) -> None:
        pass

    def describe(self) -> str:
        return "fake (in-process)"

    def __repr__(self) -> str:
        return "FakePool()"


def client(handle: Handle, *, root: str, token: str, time: VirtualTime, **options: Any) -> RetoolClient:
    """A ``RetoolClient`` on :class:`FakePool` (with a ``base_url`` of its own and no
    ``pool``: the SDK's own pool, to a served fake); its retries wait on ``time``, not for
    real."""
    from .. import RetoolClient

    if "base_url" not in options:
        options["base_url"] = BASE_URL + root
        options.setdefault("pool", FakePool(handle))
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
