"""Injected time for retry tests: nothing ever waits for real."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import httpx

from retool_api_client import RetoolClient


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(
    handler: Callable[[httpx.Request], httpx.Response], time: FakeTime | None = None, **kw: Any
) -> RetoolClient:
    time = time or FakeTime()
    return RetoolClient(
        "https://acme.retool.com",
        "tok_secret_123",
        transport=httpx.MockTransport(handler),
        _sleep=time.sleep,
        _clock=time.clock,
        _rng=random.Random(7),
        **kw,
    )


def user_json(**extra: Any) -> dict[str, Any]:
    """A user as Retool's API answers one, with ``extra`` fields added or replaced."""
    return {
        "id": "user_1", "legacy_id": 1, "email": "a@example.com", "active": True,
        "created_at": "2024-01-01T00:00:00Z", "last_active": None, "first_name": "A", "last_name": "B",
        "metadata": {}, "is_admin": False, "user_type": "default", "two_factor_auth_enabled": False, **extra,
    }  # fmt: skip
