"""Testing your own code against a fake Retool: the ``retool_fake`` and ``retool_client`` fixtures.

    python -m pytest examples/test_offboard_user.py

The fixtures come with the package (a pytest plugin; ``pip install retool-api-client[testing]``
declares the pytest it needs). Each test gets a fresh fake, and ``retool_client`` is a
``RetoolClient`` wired to it in-process, so nothing listens on a port and nothing waits. The
tests are ``async def``: with pytest-asyncio and ``asyncio_mode = "auto"`` (this repository's
pyproject.toml; see docs/testing.md for strict mode).
"""

from __future__ import annotations

import pytest
from offboard_user import offboard  # the code under test: examples/offboard_user.py

from retool_api_client import RetoolClient
from retool_api_client.testing import FakeRetool


def add_user(fake: FakeRetool, email: str, groups: list[str]) -> str:
    """Put a user in the fake, as a member of new groups of these names."""
    user = fake.add("users", {"email": email, "first_name": "Ada", "last_name": "Lovelace", "active": True})
    for name in groups:
        fake.add("groups", {"name": name, "members": [user["id"]]})
    return str(user["id"])


async def test_offboarding_deactivates_and_removes_from_every_group(
    retool_fake: FakeRetool, retool_client: RetoolClient
) -> None:
    user_id = add_user(retool_fake, "ada@example.com", ["Engineering", "Admins"])

    assert await offboard(retool_client, "ada@example.com") == 0

    (user,) = [u for u in retool_fake.records("users") if u["id"] == user_id]
    assert user["active"] is False and user["metadata"] == {}
    assert all(g["members"] == [] for g in retool_fake.records("groups"))
    removals = [r for r in retool_fake.requests if r.operation_id == "remove_user_from_group"]
    assert len(removals) == 2


async def test_dry_run_changes_nothing(retool_fake: FakeRetool, retool_client: RetoolClient) -> None:
    add_user(retool_fake, "ada@example.com", ["Engineering"])
    before = retool_fake.records("users"), retool_fake.records("groups")

    assert await offboard(retool_client, "ada@example.com", dry_run=True) == 0

    assert (retool_fake.records("users"), retool_fake.records("groups")) == before
    assert {r.method for r in retool_fake.requests} == {"GET"}


@pytest.mark.retool_fake(seed=7, users=25)
async def test_unknown_email_is_reported(retool_fake: FakeRetool, retool_client: RetoolClient) -> None:
    assert await offboard(retool_client, "nobody@example.com") == 1
    assert len(retool_fake.records("users")) == 25  # the marker populated the fake
    assert [r.method for r in retool_fake.requests] == ["GET"]  # one filtered list, no change


async def test_a_flaky_server_is_retried(retool_fake: FakeRetool, retool_client: RetoolClient) -> None:
    add_user(retool_fake, "ada@example.com", [])
    retool_fake.fail("GET", "/users/{userId}", status=503, times=2)

    assert await offboard(retool_client, "ada@example.com") == 0
    assert len(retool_fake.sleeps) == 2  # two retries; the fake's client never waits for real
