"""``mypy --strict`` on a snippet, as a user's editor would run it on their code."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import ROOT


@dataclass(frozen=True)
class Checked:
    ok: bool  #: mypy found nothing
    output: str  #: what mypy printed
    flagged: list[str]  #: for each error, the marker after ``# `` on the line it names (``E3``)


def mypy_strict(code: str, where: Path, name: str = "snippet.py") -> Checked:
    """Write ``code`` to ``where / name`` and check it against the package as it is."""
    path = where / name
    path.write_text(code)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = code.splitlines()
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    flagged = [lines[int(e.split(":")[1]) - 1].split("# ")[-1] for e in errors]
    return Checked(done.returncode == 0, done.stdout, flagged)
