"""The pytest plugin: registered as an entry point, its fixture and marker."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from retool_api_client import RetoolClient
from retool_api_client.testing import FakeRetool, RateLimit


def test_the_plugin_is_an_entry_point() -> None:
    (plugin,) = [e for e in entry_points(group="pytest11") if e.name == "retool_api_client"]
    assert plugin.value == "retool_api_client.testing.pytest_plugin"


def test_the_fixture_is_a_fresh_empty_fake(retool_fake: FakeRetool) -> None:
    assert isinstance(retool_fake, FakeRetool) and retool_fake.seed == 0
    assert all(retool_fake.records(name) == [] for name in retool_fake.collections)


@pytest.mark.retool_fake(seed=5, users=12, groups=2)
async def test_the_marker_seeds_and_populates(retool_fake: FakeRetool) -> None:
    assert retool_fake.seed == 5
    async with retool_fake.client() as retool:
        page = await retool.users.list(page_size=5).first_page()
        groups = await retool.groups.list().first_page()
    assert page.total_count == 12 and len(page.items) == 5 and len(groups.items) == 2


async def test_the_client_fixture_is_wired_to_the_same_fake(
    retool_fake: FakeRetool, retool_client: RetoolClient
) -> None:
    ada = await retool_client.users.create(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    assert [u["id"] for u in retool_fake.records("users")] == [ada.id]
    retool_fake.fail("GET", "/users/{userId}", status=503)
    assert (await retool_client.users.get(ada.id)).email == "ada@example.com"
    assert len(retool_fake.sleeps) == 1  # retried, without waiting


def test_the_client_fixture_in_a_sync_test(retool_fake: FakeRetool, retool_client: RetoolClient) -> None:
    user = retool_fake.add("users", email="grace@example.com")
    assert asyncio.run(retool_client.users.get(user["id"])).email == "grace@example.com"


@pytest.mark.retool_fake(seed=3, rate_limit=(2, 60), users=1)
async def test_the_marker_sets_the_fakes_settings(
    retool_fake: FakeRetool, retool_client: RetoolClient
) -> None:
    assert retool_fake.rate_limit == RateLimit(2, 60) and len(retool_fake.records("users")) == 1
    for _ in range(3):
        await retool_client.users.list().first_page()
    assert [r.status for r in retool_fake.requests] == [200, 200, 429, 200]


def test_the_fixtures_work_in_pytest_asyncios_strict_mode(tmp_path: Path) -> None:
    """Plain fixtures: a user in strict mode marks the test, nothing else."""
    (tmp_path / "test_strict.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.asyncio\n"
        "async def test_it(retool_fake, retool_client):\n"
        "    user = retool_fake.add('users', email='ada@example.com')\n"
        "    assert (await retool_client.users.get(user['id'])).email == 'ada@example.com'\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "asyncio_mode=strict", "test_strict.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
