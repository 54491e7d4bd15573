"""Every real Retool release we have regenerates, as a user bumping their SDK would do it.

For each document in ``tests/data/specs/`` (and two synthetic ones: the pinned release and the
newest real one rewritten with the constructs openapi-python-client refuses as they come,
``releases.refused_constructs``), a copy of the repository is regenerated to it with
``scripts/regenerate.py`` and back to the pinned release. One regeneration per document,
shared by the assertions below; the documents run two at a time (each in its own
subprocesses). ``mypy``, the heavy part, runs on the lowest Python the package claims only
(one cache per worker): the generated code it checks is the same on every Python.

Asserted per document: exit 0 and no traceback; ``openapi/fixes.yaml`` untouched (no hand edit);
nothing typed loosely (the normalize passes settle every construct these documents have); no
facade method or namespace renamed on the operations both releases share; the package imports
and ``mypy --strict`` passes on it and on ``examples/``, or the changelog names what breaks
them; and the bump back gives the committed tree byte for byte.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tomllib
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from retoolgen import facade, normalize
from retoolgen.surface import Lock

from .helpers import ROOT, releases
from .helpers.project import (
    committed_outputs,
    copy_project,
    imports,
    mypy_errors,
    regenerate,
    renamed,
    unexplained,
)

pytestmark = pytest.mark.slow

SPECS = ROOT / "tests" / "data" / "specs"
REAL = sorted(p.name.removesuffix(".json") for p in SPECS.glob("retool-*.json"))
NEWEST = "retool-2.12.0"  # the newest real document we have
SYNTHETIC = ["refused-constructs-pinned", f"refused-constructs-{NEWEST.removeprefix('retool-')}"]
#: Documents regenerated at once: each is a chain of subprocesses, so two keep both cores busy.
WORKERS = max(1, min(2, os.cpu_count() or 1))
LOCK = Lock.load(ROOT / "openapi" / "surface.lock")
#: ``requires-python = ">=3.11"``: mypy runs on that Python only
LOWEST = tuple(
    int(n)
    for n in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    .removeprefix(">=")
    .split(".")[:2]
)
TYPECHECK = sys.version_info[:2] == LOWEST


def source(name: str, folder: Path) -> Path:
    """The document ``name`` as a file: a real one as vendored, a synthetic one written."""
    if name in REAL:
        return SPECS / f"{name}.json"
    base = (
        releases.pinned() if name.endswith("-pinned") else json.loads((SPECS / f"{NEWEST}.json").read_text())
    )
    spec = releases.refused_constructs(base)
    spec["info"]["version"] += "-refused"  # another release, so a changelog is written
    return releases.write(spec, folder / f"{name}.json")


@dataclass
class Bump:
    """One document, regenerated to and back, and what was seen on the way."""

    name: str
    root: Path
    forward: subprocess.CompletedProcess[str]
    fixes_unchanged: bool = False
    lock: Lock = field(default_factory=Lock)
    changelog: str = ""
    import_error: str = ""
    mypy: list[str] = field(default_factory=list)
    back: subprocess.CompletedProcess[str] | None = None
    differs: list[str] = field(default_factory=list)


def bump(name: str, folder: Path, caches: queue.Queue[Path]) -> Bump:
    folder.mkdir()
    root = copy_project(folder)
    pinned = LOCK.api_version
    fixes = (root / "openapi" / "fixes.yaml").read_bytes()
    before = committed_outputs(root)
    found = Bump(name, root, regenerate(root, source(name, folder)))
    if found.forward.returncode != 0:
        return found
    found.fixes_unchanged = (root / "openapi" / "fixes.yaml").read_bytes() == fixes
    found.lock = Lock.load(root / "openapi" / "surface.lock")
    changelog = root / "openapi" / "changelog" / f"{pinned}_to_{found.lock.api_version}.md"
    found.changelog = changelog.read_text() if changelog.exists() else ""
    try:
        imports(root)
    except (AssertionError, subprocess.CalledProcessError) as exc:
        found.import_error = "".join(traceback.format_exception_only(exc)) + getattr(exc, "stderr", "")
    if TYPECHECK:
        cache = caches.get()
        try:
            found.mypy = mypy_errors(root, cache)
        finally:
            caches.put(cache)
    found.back = regenerate(root, root / "openapi" / f"retool-{pinned}.json")
    after = committed_outputs(root)
    found.differs = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return found


@pytest.fixture(scope="module")
def bumps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Bump]:
    base = tmp_path_factory.mktemp("corpus")
    caches: queue.Queue[Path] = queue.Queue()
    for n in range(WORKERS):
        caches.put(base / f"mypy-cache-{n}")
    names = REAL + SYNTHETIC
    with ThreadPoolExecutor(WORKERS) as pool:
        done = pool.map(lambda name: bump(name, base / name, caches), names)
        return dict(zip(names, done, strict=True))


def derivable() -> bool:
    """Whether the committed names are the ones derivation gives the pinned release (true of
    3.373.0, whose names were derived from it; not of a synthetic release whose summaries were
    reworded after its names were locked): only then does an operation the other release lacks
    come back under its old name, since the lock keeps the operations of the current release."""
    fixes: dict[str, Any] = yaml.safe_load((ROOT / "openapi" / "fixes.yaml").read_text()) or {}
    ctx = normalize.Context()
    plan = facade.plan(normalize.normalize(releases.pinned(), fixes, ctx), fixes, ctx)
    fresh = {e["key"]: (oid, e["tag"], e["method"]) for oid, e in plan["ops"].items()}
    return all(fresh[k] == (op.operation_id, op.namespace, op.method) for k, op in LOCK.operations.items())


ALL = REAL + SYNTHETIC


@pytest.mark.parametrize("name", ALL)
def test_it_regenerates_with_exit_0_no_traceback_and_no_hand_edit(bumps: dict[str, Bump], name: str) -> None:
    found = bumps[name]
    assert found.forward.returncode == 0, found.forward.stderr
    assert "Traceback" not in found.forward.stdout + found.forward.stderr
    assert found.fixes_unchanged


@pytest.mark.parametrize("name", ALL)
def test_nothing_is_typed_loosely(bumps: dict[str, Bump], name: str) -> None:
    """The constructs these documents have are settled by the normalize passes."""
    out = bumps[name].forward.stdout
    assert [line for line in out.splitlines() if "typed loosely" in line or "not generated" in line] == []


@pytest.mark.parametrize("name", ALL)
def test_no_shared_method_or_namespace_is_renamed(bumps: dict[str, Bump], name: str) -> None:
    found = bumps[name]
    assert found.lock.operations, found.forward.stderr
    assert len(found.lock.operations.keys() & LOCK.operations.keys()) >= 0.5 * len(found.lock.operations)
    assert renamed(LOCK, found.lock) == {}
    assert "renamed to" not in found.changelog and "moved and renamed" not in found.changelog
    for key in found.lock.operations.keys() & LOCK.operations.keys():
        old, new = LOCK.operations[key], found.lock.operations[key]
        if old.returns != new.returns:
            assert (
                f"BREAKING `{new.call}()`: returns {new.returns} instead of {old.returns}" in found.changelog
            )


@pytest.mark.parametrize("name", ALL)
def test_the_package_imports(bumps: dict[str, Bump], name: str) -> None:
    found = bumps[name]
    assert found.forward.returncode == 0, found.forward.stderr
    assert found.import_error == ""


@pytest.mark.skipif(not TYPECHECK, reason=f"mypy runs on Python {LOWEST[0]}.{LOWEST[1]} only")
@pytest.mark.parametrize("name", ALL)
def test_mypy_strict_passes_on_it_and_the_examples_or_the_changelog_says_why(
    bumps: dict[str, Bump], name: str
) -> None:
    found = bumps[name]
    assert found.forward.returncode == 0, found.forward.stderr
    assert [e for e in found.mypy if not e.startswith("examples/")] == []
    assert unexplained(found.mypy, found.root, found.changelog) == []


@pytest.mark.parametrize("name", ALL)
def test_the_bump_back_gives_the_committed_tree_byte_for_byte(bumps: dict[str, Bump], name: str) -> None:
    found = bumps[name]
    assert found.back is not None, found.forward.stderr
    assert found.back.returncode == 0, found.back.stderr
    back = Lock.load(found.root / "openapi" / "surface.lock")
    # the operations both releases have keep their names through the round trip; one the other
    # release lacks comes back under the name derivation gives it (the lock holds the current
    # release's operations): its old name when the committed names are the derived ones, and
    # then the whole tree comes back byte for byte
    kept = {key: op for key, op in back.operations.items() if key in found.lock.operations}
    assert renamed(LOCK, Lock(back.api_version, kept)) == {}
    if derivable():
        assert found.differs == []
