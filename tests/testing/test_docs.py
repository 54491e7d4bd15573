"""docs/testing.md stays true: its table of operations is what the fake does, and the CLI that
prints it works."""

from __future__ import annotations

import contextlib
import io

import pytest

from retool_api_client.testing.__main__ import main

from ..conftest import ROOT


def behaviour_table() -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--behaviour"]) == 0
    return out.getvalue()


def test_the_docs_table_is_the_fakes_behaviour() -> None:
    doc = (ROOT / "docs" / "testing.md").read_text()
    section = doc.split("## Every operation", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    expected = [line for line in behaviour_table().splitlines() if line.startswith("| `")]
    assert rows == expected
    assert sum("made up from the schema" not in r for r in rows) > 90  # most of the API keeps state


def test_the_cli_wants_a_token_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("RETOOL_API_TOKEN", raising=False)
    assert main([]) == 2
    assert "RETOOL_API_TOKEN" in capsys.readouterr().err
