"""The pytest plugin: registered as an entry point, its fixture and marker."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from retool_api_client.testing import FakeRetool


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
