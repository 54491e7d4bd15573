"""docs/testing.md stays true: every Python example on it runs as written (the snippets with
``await`` at top level, as ``python -m asyncio`` runs them; the test file under pytest with the
page's ``pyproject.toml``), and docs/fake-operations.md is what the fake does."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from retool_api_client.testing.__main__ import main

from ..helpers import ROOT

PAGE = (ROOT / "docs" / "testing.md").read_text()
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", PAGE, flags=re.S)
PYTHON = [text for language, text in BLOCKS if language == "python"]
SNIPPETS = [text for text in PYTHON if "def test_" not in text]
TEST_FILES = [text for text in PYTHON if "def test_" in text]


def first_code_line(text: str) -> str:
    return next(line for line in text.splitlines() if line and not line.startswith(("import", "from", "#")))[
        :40
    ]


def test_the_page_has_examples() -> None:
    assert len(SNIPPETS) >= 5 and len(TEST_FILES) == 1
    assert [language for language, _ in BLOCKS].count("toml") == 1


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[first_code_line(s) for s in SNIPPETS])
def test_every_snippet_runs_as_written(snippet: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # paths in the snippets are the repository's
    code = compile(snippet, "docs/testing.md", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, {"__name__": "__docs__"})
    if inspect.iscoroutine(result):
        asyncio.run(result)


def test_the_test_file_passes_with_the_pages_settings(tmp_path: Path) -> None:
    (settings,) = [text for language, text in BLOCKS if language == "toml"]
    (test_file,) = TEST_FILES
    name = re.match(r"# (test_\w+\.py)", test_file)
    assert name is not None, "the test file's first line names it"
    (tmp_path / "pyproject.toml").write_text(settings)
    (tmp_path / name.group(1)).write_text(test_file)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", name.group(1)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{test_file.count('def test_')} passed" in result.stdout
    assert "warning" not in result.stdout.lower(), result.stdout  # the settings leave nothing to warn about


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
