"""Generated code depends on the hand-written core, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

from .helpers import ROOT

PACKAGE = ROOT / "retool_api_client"


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    package = ".".join(parts[:-1])  # what a relative import of this module starts from
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def test_no_hand_written_module_imports_generated_code() -> None:
    hand_written = [
        p
        for p in PACKAGE.rglob("*.py")
        if "generated" not in p.relative_to(PACKAGE).parts and p != PACKAGE / "__init__.py"
    ]
    assert len(hand_written) > 10
    offenders = {
        str(p.relative_to(ROOT)): sorted(
            m for m in imported_modules(p) if m.startswith("retool_api_client.generated")
        )
        for p in hand_written
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_sees_relative_imports(tmp_path: Path) -> None:
    # the package __init__ is the one place allowed to re-export generated names
    assert "retool_api_client.generated.client" in imported_modules(PACKAGE / "__init__.py")
    assert "retool_api_client._client.BaseClient" in imported_modules(PACKAGE / "generated" / "client.py")
