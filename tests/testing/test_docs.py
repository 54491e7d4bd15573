"""docs/testing.md stays true: its table of operations is what the fake does, and the CLI that
prints it works."""

from __future__ import annotations

import contextlib
import io

from retool_api_client.testing.__main__ import main

from ..helpers import ROOT


def behaviour_table() -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--behaviour"]) == 0
    return out.getvalue()


def test_the_operations_page_is_the_fakes_behaviour() -> None:
    """docs/fake-operations.md is what ``--behaviour`` prints (``make regenerate`` rewrites it)."""
    page = (ROOT / "docs" / "fake-operations.md").read_text()
    assert page == behaviour_table()
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    assert sum("made up from the schema" not in r for r in rows) > len(rows) / 2  # most keep state
