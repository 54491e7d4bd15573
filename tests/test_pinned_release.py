"""The golden figures of the pinned release (Retool API 3.373.0), in one place.

Every other test derives what it counts from the spec; these pin what 3.373.0 has, so a bump
shows here, and only here, what moved. After a bump, update the figures with the new
release's (or the test skips itself when the pinned version is another one).
"""

from __future__ import annotations

import json

import pytest

from .helpers import ROOT

SPEC = json.loads((ROOT / "openapi" / "normalized.json").read_text())
pytestmark = pytest.mark.skipif(SPEC["info"]["version"] != "3.373.0", reason="figures of 3.373.0")


def test_operations_bodies_and_examples() -> None:
    ops = [op for item in SPEC["paths"].values() for op in item.values() if isinstance(op, dict)]
    assert len(ops) == 146
    assert sum("application/json" in op.get("requestBody", {}).get("content", {}) for op in ops) == 59
    deprecated = sorted(op["operationId"] for op in ops if op.get("deprecated"))
    assert len(deprecated) == 4


def test_the_facade_of_3_373_0() -> None:
    from retool_api_client.generated.api import OPERATIONS, PATCH_RULES, operation

    assert len(OPERATIONS) == 146
    assert len(PATCH_RULES) == 9
    pages = {o: operation(o).pages for o in OPERATIONS}
    assert sum(p is not None and p.limit is not None for p in pages.values()) == 7  # take a page size
    assert OPERATIONS["get_user"] == ("users", "get")
    assert OPERATIONS["list_user_invites"] == ("user_invites", "list")
