"""A copy of the repository, regenerated to another Retool release, and what must hold of it.

Used by the tests that bump the SDK (``test_surface``, ``test_release_corpus``, ``test_pipeline``):
each regenerates a copy in a temporary directory with ``scripts/regenerate.py``, as a user
would, then checks it from outside (subprocesses run with the copy first on the path).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from retoolgen.normalize import pascal
from retoolgen.surface import Lock

from . import ROOT

#: What regeneration reads and writes, and what the checks run (the core, the examples).
COPIED = ("openapi", "templates", "scripts", "examples", "retool_api_client", "docs")


def copy_project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    ignore = shutil.ignore_patterns("__pycache__", ".mypy_cache")
    for name in COPIED:
        shutil.copytree(ROOT / name, root / name, ignore=ignore)
    for name in ("generator-config.yaml", "pyproject.toml"):
        shutil.copy(ROOT / name, root)
    return root


def env(root: Path) -> dict[str, str]:
    """The environment of a subprocess that must import the copy, not this checkout."""
    return {**os.environ, "PYTHONPATH": str(root), "MYPYPATH": str(root)}


def regenerate(root: Path, spec: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, str(root / "scripts" / "regenerate.py"), "--root", str(root), "--spec", str(spec)]
    return subprocess.run(
        [*cmd, *extra], capture_output=True, text=True, check=False, cwd=root, env=env(root)
    )


def mypy_errors(root: Path, cache_dir: Path | None = None) -> list[str]:
    """``mypy --strict`` (the project's configuration) on the copy's package and examples."""
    cache = ["--cache-dir", str(cache_dir)] if cache_dir is not None else []
    result = subprocess.run(
        [sys.executable, "-m", "mypy", *cache, "retool_api_client", "examples"],
        cwd=root, capture_output=True, text=True, check=False, env=env(root),
    )  # fmt: skip
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert result.returncode in (0, 1) and (errors or result.returncode == 0), result.stdout + result.stderr
    return errors


def imports(root: Path) -> None:
    """The copy's package imports, with one method per operation of its lock."""
    code = (
        "import retool_api_client as r, retool_api_client.generated.api as a; "
        "print(r.__api_version__, len(a.OPERATIONS), r.__file__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True, env=env(root)
    )
    version, count, where = out.stdout.split()
    lock = Lock.load(root / "openapi" / "surface.lock")
    assert (version, int(count)) == (lock.api_version, len(lock.operations))
    assert Path(where).is_relative_to(root)


def committed_outputs(root: Path) -> dict[str, bytes]:
    """Everything regeneration writes and the repository commits."""
    paths = [
        root / "openapi" / "normalized.json",
        root / "openapi" / "surface.lock",
        root / "docs" / "api.md",
    ]
    package = root / "retool_api_client" / "generated"
    paths += sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return {str(p.relative_to(root)): p.read_bytes() for p in paths}


def renamed(before: Lock, after: Lock) -> dict[str, tuple[str, str]]:
    """Operations both locks have whose facade method or namespace moved: key -> (old, new)."""
    shared = before.operations.keys() & after.operations.keys()
    return {
        k: (before.operations[k].call, after.operations[k].call)
        for k in sorted(shared)
        if before.operations[k].call != after.operations[k].call
    }


def unexplained(errors: list[str], root: Path, changelog: str) -> list[str]:
    """The mypy errors in ``examples/`` the changelog does not explain. An error is explained
    when its line calls a method the changelog marks BREAKING (``retool.users.get(...)``, also
    through ``retool.with_options(...)``), uses a namespace whose methods it marks BREAKING
    (``"RetoolClient" has no attribute "workflows"``), or reads a model's attribute whose
    field it says was removed (``"User" has no attribute "groups"``)."""
    left = []
    for error in errors:
        path, line = error.split(":")[:2]
        source = (root / path).read_text().splitlines()[int(line) - 1]
        calls = re.findall(r"\.(\w+)\.(\w+)\(", source)
        if any(f"BREAKING `retool.{ns}.{m}()`" in changelog for ns, m in calls):
            continue
        attribute = re.search(r'"(\w+)" has no attribute "(\w+)"', error)
        if attribute and attribute[1] == "RetoolClient":
            if f"BREAKING `retool.{attribute[2]}." in changelog:
                continue
        elif attribute and any(
            pascal(model) == attribute[1]
            for model in re.findall(rf"BREAKING field (\w+)\.{attribute[2]}: removed", changelog)
        ):
            continue
        left.append(error)
    return left


def assert_survives(root: Path, before: Lock, changelog: str, mypy_cache: Path | None = None) -> Lock:
    """Shared operations keep names and return models (or the changelog says so), the package
    imports and type-checks, and what breaks the examples is named in the changelog."""
    after = Lock.load(root / "openapi" / "surface.lock")
    assert renamed(before, after) == {}
    for key in before.operations.keys() & after.operations.keys():
        old, new = before.operations[key], after.operations[key]
        if old.returns != new.returns:
            assert f"BREAKING `{new.call}()`: returns {new.returns} instead of {old.returns}" in changelog
    imports(root)
    errors = mypy_errors(root, mypy_cache)
    assert [e for e in errors if not e.startswith("examples/")] == []
    assert unexplained(errors, root, changelog) == []
    return after
