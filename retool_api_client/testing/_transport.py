"""``fake.client()``: a ``RetoolClient`` whose transport calls the fake in-process.

An ``httpx.AsyncBaseTransport`` rather than ``httpx.MockTransport`` so a dropped connection
(``fake.fail(..., reset=True)``) surfaces as the ``httpx.ReadError`` a real one would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from .. import RetoolClient
    from ._fake import FakeRetool

#: the host ``fake.client()`` talks to: ``.test`` is reserved (RFC 2606), nothing resolves it
BASE_URL = "https://fake-retool.test"


class FakeTransport(httpx.AsyncBaseTransport):
    """Hands each request to :meth:`FakeRetool.handle`; no sockets."""

    def __init__(self, fake: FakeRetool) -> None:
        self.fake = fake

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        answer = self.fake.handle(
            request.method, request.url.path, request.url.query.decode("ascii"), request.headers, body
        )
        if answer.reset:
            raise httpx.ReadError("connection reset by peer (FakeRetool.fail(reset=True))", request=request)
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body, request=request)

    def __repr__(self) -> str:
        return f"FakeTransport({self.fake!r})"


def client(fake: FakeRetool, **options: Any) -> RetoolClient:
    from .. import RetoolClient

    options.setdefault("base_url", BASE_URL + fake.spec.root)
    options.setdefault("token", fake.token)
    options.setdefault("transport", FakeTransport(fake))
    retool = RetoolClient(**options)
    retool._use_timing(fake._monotonic, fake._sleep)
    return retool
