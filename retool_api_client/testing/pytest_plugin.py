"""The package's pytest plugin (registered as the ``pytest11`` entry point ``retool_api_client``).

Gives the ``retool_fake`` fixture: a fresh :class:`~retool_api_client.testing.FakeRetool` per
test, seed 0 (``@pytest.mark.retool_fake(seed=..., users=..., groups=...)`` changes the seed
and what :meth:`~retool_api_client.testing.FakeRetool.populate` adds). The fake is imported
when a test asks for it, so the plugin costs other test suites nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from retool_api_client.testing import FakeRetool


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "retool_fake(seed=0, **counts): the seed of the retool_fake fixture and what it populates"
    )


@pytest.fixture
def retool_fake(request: pytest.FixtureRequest) -> FakeRetool:
    """A fresh, empty (or, with the ``retool_fake`` marker, populated) fake Retool."""
    from retool_api_client.testing import FakeRetool

    marker = request.node.get_closest_marker("retool_fake")
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    fake = FakeRetool(seed=options.pop("seed", 0))
    return fake.populate(**options) if options else fake
