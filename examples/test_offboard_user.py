"""Testing your own code against a fake Retool: the ``retool_fake`` fixture.

    python -m pytest examples/test_offboard_user.py

The fixture comes with the package (a pytest plugin; ``pip install retool-api-client[testing]``
declares the pytest it needs). Each test gets a fresh fake; ``fake.client()`` is a
``RetoolClient`` wired to it in-process, so nothing listens on a port and nothing waits. These
tests use ``asyncio.run``; with pytest-asyncio they can be ``async def``.
"""

from __future__ import annotations

import asyncio

import pytest
from offboard_user import offboard  # the code under test: examples/offboard_user.py

from retool_api_client.testing import FakeRetool


def add_user(fake: FakeRetool, email: str, groups: list[str]) -> str:
    """Seed the fake the way an admin would: through the API."""

    async def go() -> str:
        async with fake.client() as retool:
            user = await retool.users.create(email=email, first_name="Ada", last_name="Lovelace")
            for name in groups:
                group = await retool.groups.create(name=name)
                await retool.groups.add_users(group.id, members=[{"id": user.id, "is_group_admin": False}])
            return user.id

    return asyncio.run(go())


def test_offboarding_deactivates_and_removes_from_every_group(retool_fake: FakeRetool) -> None:
    user_id = add_user(retool_fake, "ada@example.com", ["Engineering", "Admins"])

    async def go() -> int:
        async with retool_fake.client() as retool:
            return await offboard(retool, "ada@example.com")

    assert asyncio.run(go()) == 0
    (user,) = [u for u in retool_fake.records("users") if u["id"] == user_id]
    assert user["active"] is False and user["metadata"] == {}
    assert all(g["members"] == [] for g in retool_fake.records("groups"))
    removals = [r for r in retool_fake.requests if r.operation_id == "remove_user_from_group"]
    assert len(removals) == 2


def test_dry_run_changes_nothing(retool_fake: FakeRetool) -> None:
    add_user(retool_fake, "ada@example.com", ["Engineering"])
    before = retool_fake.records("users"), retool_fake.records("groups")

    async def go() -> int:
        async with retool_fake.client() as retool:
            return await offboard(retool, "ada@example.com", dry_run=True)

    assert asyncio.run(go()) == 0
    assert (retool_fake.records("users"), retool_fake.records("groups")) == before
    assert {r.method for r in retool_fake.requests[-2:]} == {"GET"}


@pytest.mark.retool_fake(seed=7, users=25)
def test_unknown_email_is_reported(retool_fake: FakeRetool) -> None:
    async def go() -> int:
        async with retool_fake.client() as retool:
            return await offboard(retool, "nobody@example.com")

    assert asyncio.run(go()) == 1
    assert len(retool_fake.records("users")) == 25  # the marker populated the fake
    assert [r.method for r in retool_fake.requests] == ["GET"]  # one filtered list, no change


def test_a_flaky_server_is_retried(retool_fake: FakeRetool) -> None:
    add_user(retool_fake, "ada@example.com", [])
    retool_fake.fail("GET", "/users/{userId}", status=503, times=2)

    async def go() -> int:
        async with retool_fake.client() as retool:
            return await offboard(retool, "ada@example.com")

    assert asyncio.run(go()) == 0
    assert len(retool_fake.sleeps) == 2  # two retries; fake.client() never waits for real
