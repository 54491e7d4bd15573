"""The fake is one module per job, each using only the others' public names, with no import
cycle (counting imports inside functions and under ``TYPE_CHECKING``)."""

from __future__ import annotations

import ast
from pathlib import Path

from ..helpers import ROOT

PACKAGE = ROOT / "retool_api_client"
TESTING = PACKAGE / "testing"


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it), for every import of the package's own modules."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = ["retool_api_client", "testing"][: 3 - node.level]
            found.append(
                (".".join([*base, *([node.module] if node.module else [])]), [a.name for a in node.names])
            )
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("retool_api_client"):
            found.append((node.module or "", [a.name for a in node.names]))
    return found


def is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def test_no_private_name_is_imported_across_modules() -> None:
    private = [
        f"{path.name}: {name} from {module}"
        for path in TESTING.glob("*.py")
        for module, names in imports(path)
        for name in names
        if name.startswith("_") and not is_module(f"{module}.{name}")
    ]
    assert private == []


def test_the_modules_import_no_cycle() -> None:
    edges: dict[str, set[str]] = {}
    for path in TESTING.glob("*.py"):
        here = f"retool_api_client.testing.{path.stem}"
        targets = edges.setdefault(here, set())
        for module, names in imports(path):
            for name in names:
                dotted = f"{module}.{name}"
                target = dotted if is_module(dotted) else module
                if target == "retool_api_client.testing":
                    target += ".__init__"  # the package is its __init__
                if target.startswith("retool_api_client.testing.") and target != here:
                    targets.add(target)
    seen: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str]:
        seen[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if seen.get(nxt) == 1:
                return [*path, node, nxt]
            if nxt not in seen and (cycle := visit(nxt, [*path, node])):
                return cycle
        seen[node] = 2
        return []

    cycles = [cycle for node in sorted(edges) if node not in seen and (cycle := visit(node, []))]
    assert cycles == []
    assert len(edges) >= 12  # the jobs are modules of their own
