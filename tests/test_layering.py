"""Generated code depends on the hand-written core, never the reverse."""

from __future__ import annotations

import ast
import re
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


LIBRARIES = ("httpx", "httpcore", "httpx2", "httpcore2", "aiohttp", "yarl", "httptools", "h11", "h2")
SUNDER = re.compile(r"_[a-z]+_")  # enum's documented ``_name_`` / ``_value_``


def own_private_names() -> set[str]:
    """Every private name the package itself defines: methods, classes, functions, class-level
    names, slots and attributes it assigns (``self._x = ...``). A private attribute read on
    anything else is another library's."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.add(node.value)  # __slots__ entries, dataclass field names
    return {n for n in names if n.startswith("_")}


def foreign_reaches(source: str, own: set[str]) -> list[str]:
    """What ``source`` does to an HTTP library's objects that the house rules forbid: a class
    subclassing one of theirs (so nothing of theirs is built through ``__new__``), a
    ``__class__`` swapped, a private attribute that is not the package's own read or written."""
    tree = ast.parse(source)
    imported = {  # names bound to a library or to something imported from one
        alias.asname or alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
        if (node.module if isinstance(node, ast.ImportFrom) else alias.name) is not None
        and str(node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0] in LIBRARIES
    }

    def library(node: ast.expr) -> bool:
        while isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        return isinstance(node, ast.Name) and node.id in imported

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(library(base) for base in node.bases):
            found.append(f"{node.lineno}: class {node.name} subclasses a library class")
        if isinstance(node, ast.Attribute):
            if node.attr == "__class__" and isinstance(node.ctx, ast.Store):
                found.append(f"{node.lineno}: __class__ swapped")
            private = node.attr.startswith("_") and not node.attr.startswith("__")
            if private and not SUNDER.fullmatch(node.attr) and (node.attr not in own or library(node.value)):
                found.append(f"{node.lineno}: .{node.attr}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "__new__"
        ):
            built = [node.func.value, *node.args[:1]]  # httpx.Response.__new__(C), object.__new__(Response)
            if any(library(c) for c in built):
                found.append(f"{node.lineno}: a library class built through __new__")
    return found


def test_no_hand_written_module_reaches_into_another_librarys_objects() -> None:
    """The SDK owns what speed needs: no hand-written module subclasses an HTTP library's
    class, swaps a class, builds one of theirs through ``__new__``, or touches a private
    attribute that the package does not define itself."""
    own = own_private_names()
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in PACKAGE.rglob("*.py")
        if "generated" not in path.relative_to(PACKAGE).parts
        for line in foreign_reaches(path.read_text(), own)
    ]
    assert offenders == [], offenders


def test_the_reach_check_sees_what_the_core_once_did() -> None:
    """What the hand-written core did before it owned its wire, each caught."""
    own = own_private_names()
    planted = """
import httpx
from httpx import Response as R
from aiohttp import ClientResponse


class Answer(R):
    pass


class Reader(ClientResponse):
    pass


def build(response, request):
    answer = httpx.Response.__new__(Answer)
    answer._raw_headers = []
    answer._num_bytes_downloaded = 0
    response.__class__ = Answer
    response._content = b""
    decoder = response._get_content_decoder()
    return request._session, httpx._config
"""
    found = {line.split(": ", 1)[1] for line in foreign_reaches(planted, own)}
    assert found == {
        "class Answer subclasses a library class",
        "class Reader subclasses a library class",
        "__class__ swapped",
        "a library class built through __new__",
        "._raw_headers",
        "._num_bytes_downloaded",
        "._content",
        "._get_content_decoder",
        "._session",
        "._config",
    }
    # an enum's private table is another library's too; its documented member names are not
    assert foreign_reaches("def f(cls, m):\n    m._value_ = cls._value2member_map_\n", own) == [
        "2: ._value2member_map_"
    ]
