"""The README's code must not rot: every Python block compiles, and the quickstart type-checks
(mypy --strict) against the package as it is."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_python_blocks_compile() -> None:
    assert len(BLOCKS) >= 4
    for block in BLOCKS:
        # snippets use `await` at top level as if inside an async function
        compile(
            "async def _snippet():\n" + "".join("    " + line + "\n" for line in block.splitlines()),
            "README",
            "exec",
        )


def test_quickstart_type_checks(tmp_path: Path) -> None:
    quickstart = BLOCKS[0]
    assert "asyncio.run(main())" in quickstart
    (tmp_path / "quickstart.py").write_text(quickstart)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(tmp_path / "quickstart.py")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
