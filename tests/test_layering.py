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


LIBRARIES = ("httpx", "httpcore", "httpx2", "httpcore2", "aiohttp", "yarl", "httptools")
#: private attributes of httpx's and aiohttp's objects the core once used
PRIVATE = {
    "_content",
    "_request",
    "_raw_headers",
    "_num_bytes_downloaded",
    "_get_content_decoder",
    "_session",
}


def test_no_hand_written_module_reaches_into_another_librarys_objects() -> None:
    """No class subclassing an HTTP library's (so nothing of theirs built through ``__new__``),
    no ``__class__`` swapped, none of their private attributes read or written: the SDK owns
    what speed needs."""

    def library(node: ast.expr) -> bool:
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name) and node.id in LIBRARIES

    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "generated" in path.relative_to(PACKAGE).parts:
            continue
        where = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(library(base) for base in node.bases):
                offenders.append(f"{where}:{node.lineno}: class {node.name} subclasses a library class")
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Attribute) and target.attr == "__class__":
                        offenders.append(f"{where}:{node.lineno}: __class__ swapped")
            if (
                isinstance(node, ast.Attribute)
                and node.attr in PRIVATE
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                offenders.append(f"{where}:{node.lineno}: .{node.attr}")
    assert offenders == [], offenders
