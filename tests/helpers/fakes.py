"""Injected time for retry tests: nothing ever waits for real."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import httpx

from retool_api_client import RetoolClient
from retool_api_client._message import Answer, Headers, Request


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def install(self, client: RetoolClient) -> None:
        """The client (and its ``with_options`` copies) reads and waits on this time."""
        client._use_timing(self.clock, self.sleep, random.Random(7))


def make_client(
    handler: Callable[[httpx.Request], httpx.Response], time: FakeTime | None = None, **kw: Any
) -> RetoolClient:
    time = time or FakeTime()
    client = RetoolClient(
        "https://acme.retool.com", "tok_secret_123", transport=httpx.MockTransport(handler), **kw
    )
    time.install(client)
    return client


def user_json(**extra: Any) -> dict[str, Any]:
    """A user as Retool's API answers one, with ``extra`` fields added or replaced."""
    return {
        "id": "user_1", "legacy_id": 1, "email": "a@example.com", "active": True,
        "created_at": "2024-01-01T00:00:00Z", "last_active": None, "first_name": "A", "last_name": "B",
        "metadata": {}, "is_admin": False, "user_type": "default", "two_factor_auth_enabled": False, **extra,
    }  # fmt: skip


def answer(
    status: int,
    content: bytes = b"",
    *,
    json: Any = None,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    url: str = "https://acme.retool.com/api/v2/x",
) -> Answer:
    """An answer as a pool hands one back (for tests of parsing and errors)."""
    import json as _json

    pairs = list((headers or {}).items())
    if json is not None:
        content = _json.dumps(json).encode()
        pairs.append(("Content-Type", "application/json"))
    return Answer(
        status, Headers(pairs), content, Request(method, url, [("Authorization", "Bearer tok_secret_123")])
    )
