"""The package's pytest plugin (registered as the ``pytest11`` entry point ``retool_api_client``).

Two fixtures:

* ``retool_fake``: a fresh :class:`~retool_api_client.testing.FakeRetool` per test, seed 0;
  ``@pytest.mark.retool_fake(seed=..., spec=..., token=..., rate_limit=..., users=..., ...)``
  sets what ``FakeRetool()`` takes and what :meth:`~retool_api_client.testing.FakeRetool.populate`
  adds (every other keyword is a collection and its count);
* ``retool_client``: a ``RetoolClient`` wired in-process to that same fake (``retool_fake.client()``),
  ready to call and closed after the test.

Both are plain (synchronous) fixtures, so they work in sync tests, under pytest-asyncio in either
mode, and under anyio. The fake is imported when a test asks for it, so the plugin costs other
test suites nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from retool_api_client import RetoolClient
    from retool_api_client.testing import FakeRetool

#: the marker's keywords that go to ``FakeRetool()``; the others are counts for ``populate()``
SETTINGS = ("seed", "spec", "token", "rate_limit", "rate_clock", "clock")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "retool_fake(seed=0, *, spec=None, token=None, rate_limit=None, **counts): the retool_fake "
        "fixture's FakeRetool() settings and what it populates",
    )


@pytest.fixture
def retool_fake(request: pytest.FixtureRequest) -> FakeRetool:
    """A fresh, empty (or, with the ``retool_fake`` marker, populated) fake Retool."""
    from retool_api_client.testing import FakeRetool

    marker = request.node.get_closest_marker("retool_fake")
    counts: dict[str, Any] = dict(marker.kwargs) if marker else {}
    settings = {key: counts.pop(key) for key in SETTINGS if key in counts}
    fake = FakeRetool(**settings)
    return fake.populate(**counts) if counts else fake


@pytest.fixture
def retool_client(retool_fake: FakeRetool) -> Iterator[RetoolClient]:
    """``retool_fake.client()``: the SDK wired to the test's fake, no sockets, retries that do
    not wait (their delays are in ``retool_fake.sleeps``)."""
    from retool_api_client.testing._transport import close

    client = retool_fake.client()
    yield client
    close(client)
