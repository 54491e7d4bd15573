"""The package as a user gets it: the wheel is built here, installed into a fresh venv with
nothing but its declared dependencies, and the README's quickstart runs from that venv against
a local server on 127.0.0.1.

No network: the wheel is built without build isolation (hatchling is in the ``dev`` group) and
its dependencies come from ``<venv>/wheelhouse``, which ``make install`` fills with the pinned
runtime wheels (``pip download``). Installing with ``--no-index`` from there proves that the
declared dependencies are enough: anything the package imports but does not declare is absent.
"""

from __future__ import annotations

import ast
import email.parser
import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import retool_api_client

from .helpers import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"
#: imported by the package but not a distribution of its own
NOT_DISTRIBUTIONS = {"retool_api_client", "__future__"}

pytestmark = pytest.mark.slow


@dataclass
class Installed:
    wheel: Path
    python: Path
    site_packages: Path


def run(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    # the fresh venv sees only what is installed in it: no PYTHONPATH pointing at a checkout
    clean = {k: v for k, v in (os.environ if env is None else env).items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=clean,
        timeout=timeout,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    if not any(WHEELHOUSE.glob("*.whl")):
        pytest.fail(f"{WHEELHOUSE} has no wheels: run `make install` (it downloads the runtime wheels)")
    tmp = tmp_path_factory.mktemp("wheel")
    built = run(
        sys.executable, "-m", "hatchling", "build", "--target", "wheel", "--directory", tmp / "dist", cwd=ROOT
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp / "dist").glob("retool_api_client-*.whl")
    venv = tmp / "venv"
    made = run(sys.executable, "-m", "venv", "--without-pip", venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    # the outer venv's pinned pip installs into the fresh one (--python), offline
    pip = run(
        sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", python,
        "install", "--no-index", "--find-links", WHEELHOUSE, wheel,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stdout + pip.stderr
    where = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    yield Installed(wheel, python, Path(where.stdout.strip()))


def wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(archive.read(name).decode())


def test_the_wheel_ships_the_licence_the_typing_marker_and_the_generated_data(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as archive:
        names = set(archive.namelist())
        licence = archive.read(
            f"retool_api_client-{retool_api_client.__version__}.dist-info/licenses/LICENSE"
        )
    assert licence.startswith(b"MIT License") and licence == (ROOT / "LICENSE").read_bytes()
    shipped = [
        "retool_api_client/py.typed",
        "retool_api_client/generated/py.typed",
        "retool_api_client/generated/openapi.json",
        "retool_api_client/generated/request_schemas.json",
    ]
    assert set(shipped) <= names
    # every file of the package's tree is in the wheel (a new data file cannot be left out)
    tree = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "retool_api_client").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    assert tree - names == set()
    assert not [n for n in names if n.startswith(("tests/", "scripts/", "openapi/", "templates/"))]
    for name in shipped:
        installed_file = installed.site_packages / name
        assert installed_file.is_file(), installed_file
    data = installed.site_packages / "retool_api_client/generated/request_schemas.json"
    assert data.read_bytes() == (ROOT / "retool_api_client/generated/request_schemas.json").read_bytes()


def test_metadata_claims_what_is_checked(installed: Installed) -> None:
    meta = wheel_metadata(installed.wheel)
    assert meta["Version"] == retool_api_client.__version__
    assert meta["License-Expression"] == "MIT"
    classifiers = set(meta.get_all("Classifier") or [])
    assert {"Typing :: Typed", "Framework :: AsyncIO"} <= classifiers
    # every Python the classifiers claim is one `make test` runs the tests on
    claimed = {
        c.rpartition(" :: ")[2]
        for c in classifiers
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    makefile = (ROOT / "Makefile").read_text()
    extra = re.search(r"^EXTRA_PYTHONS \?= (.*)$", makefile, flags=re.M)
    lowest = re.search(r"^PYTHON \?= \$\(call python_for,(3\.\d+)\)$", makefile, flags=re.M)
    assert extra is not None and lowest is not None
    assert meta["Requires-Python"] == f">={lowest.group(1)}"
    assert claimed == {lowest.group(1), *extra.group(1).split()}
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in claimed  # this run is one of them
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert {"Homepage", "Documentation", "Changelog", "Issues", "Source"} <= set(urls)
    assert all(u.startswith("https://") for u in urls.values())
    # development tools are a dependency group, not a published extra
    assert "dev" not in (meta.get_all("Provides-Extra") or [])
    assert "dev" in PYPROJECT["dependency-groups"]


def test_readme_links_work_on_a_package_index(installed: Installed) -> None:
    description = wheel_metadata(installed.wheel).get_payload()
    assert isinstance(description, str) and "pip install" in description
    targets = re.findall(r"\]\(([^)\s]+)\)", description) + re.findall(r'href="([^"]+)"', description)
    assert targets
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#", "mailto:"))]
    assert relative == []


def _third_party_imports(paths: list[Path]) -> set[str]:
    modules: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.partition(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m not in NOT_DISTRIBUTIONS}


def _distributions(modules: set[str]) -> set[str]:
    owners = packages_distributions()
    missing = sorted(m for m in modules if m not in owners)
    assert missing == [], f"imported but not installed: {missing}"
    return {canonicalize_name(d) for m in modules for d in owners[m]}


def _declared(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def test_runtime_dependencies_are_exactly_what_the_package_imports() -> None:
    package = ROOT / "retool_api_client"
    testing = package / "testing"
    core = [p for p in package.rglob("*.py") if testing not in p.parents]
    imported = _third_party_imports(core)
    # what an optional feature imports is declared by its extra (and imported only when the
    # feature is used: tests/test_ratelimit.py); opentelemetry is a namespace several
    # distributions share, so the extra must name one of them
    optional = {"redis": "redis", "opentelemetry": "otel"}
    extras = PYPROJECT["project"].get("optional-dependencies", {})
    for module, extra in optional.items():
        assert module in imported and _declared(extras[extra]) & _distributions({module}), module
    assert _distributions(imported - optional.keys()) == _declared(PYPROJECT["project"]["dependencies"])
    # the fake Retool may need more, declared as its own extra
    if testing.is_dir():
        extras = PYPROJECT["project"].get("optional-dependencies", {}).get("testing", [])
        needed = _distributions(_third_party_imports(list(testing.rglob("*.py"))))
        assert needed <= _declared(PYPROJECT["project"]["dependencies"]) | _declared(extras)


def _readme_quickstart() -> str:
    (block, *_) = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    return str(block)


def test_the_installed_wheel_runs_the_readme_quickstart(installed: Installed, tmp_path: Path) -> None:
    """The quickstart as a user runs it: from the fresh venv, over HTTP, against the fake Retool
    (served on 127.0.0.1 by this process) named by RETOOL_BASE_URL / RETOOL_API_TOKEN."""
    from retool_api_client.testing import FakeRetool

    quickstart = tmp_path / "quickstart.py"
    quickstart.write_text(_readme_quickstart())
    fake = FakeRetool(seed=3).populate(users=2)
    seeded = [f"{u['email']} {u['active']}" for u in fake.records("users")]  # whatever a release seeds
    with fake.serve() as base_url:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "RETOOL_BASE_URL": base_url,
            "RETOOL_API_TOKEN": fake.token,
        }
        result = run(installed.python, quickstart, cwd=tmp_path, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4, lines  # two listed users, Ada deactivated, the 404
    assert lines[:2] == seeded
    assert lines[2] == "ada@example.com False"
    assert lines[3].startswith("404 ")
    assert [(r.method, r.status) for r in fake.requests] == [
        ("GET", 200),  # list_users
        ("POST", 200),  # create_user
        ("PATCH", 200),  # update_user
        ("GET", 200),  # get_user
        ("GET", 404),  # get_user("user_missing")
    ]
    assert fake.token not in result.stdout + result.stderr


def test_the_installed_wheel_imports_from_itself_and_its_fake_works_in_process(installed: Installed) -> None:
    probe = """
import asyncio, importlib.resources, retool_api_client
from retool_api_client.testing import FakeRetool
print(retool_api_client.__file__)
print(importlib.resources.files("retool_api_client").joinpath("py.typed").is_file())
async def main():
    async with FakeRetool(seed=1).client() as retool:
        user = await retool.users.create(email="grace@example.com", first_name="Grace", last_name="Hopper")
        print((await retool.users.get(user.id)).email, type(user).__module__)
asyncio.run(main())
"""
    result = run(installed.python, "-c", probe, cwd=installed.python.parent)
    assert result.returncode == 0, result.stderr
    where, typed, call = result.stdout.splitlines()
    assert Path(where).is_relative_to(installed.site_packages)  # the wheel's copy, not the tree's
    assert typed == "True"
    assert call == "grace@example.com retool_api_client.generated.models.user"


def _version(text: str) -> tuple[int, int, int]:
    major, minor, patch = ([int(n) for n in re.findall(r"\d+", text)[:3]] + [0, 0])[:3]
    return major, minor, patch


def _node_satisfies(version: tuple[int, int, int], spec: str) -> bool:
    """npm's engine ranges as they occur in the lock: ``>=X.Y``, ``^X.Y``, ``X.*``/``X.x``, ``||``."""

    def holds(op: str, operand: str) -> bool:
        if op == ">=":
            return version >= _version(operand)
        if op == "^":
            return version[0] == _version(operand)[0] and version >= _version(operand)
        prefix = tuple(int(p) for p in operand.split(".") if p.isdigit())  # X, X.*, X.x
        return version[: len(prefix)] == prefix

    for alternative in spec.split("||"):
        comparators = re.findall(r"(>=|\^)?\s*(\d+(?:\.(?:\d+|\*|x))*)", alternative)
        assert comparators, spec
        if all(holds(op, operand) for op, operand in comparators):
            return True
    return False


def test_the_node_we_require_satisfies_every_engine_in_the_lock() -> None:
    """No EBADENGINE: the lowest Node that package.json admits (and the Makefile checks) is one
    every package in package-lock.json accepts, so `npm ci --engine-strict` cannot refuse it."""
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    declared = re.fullmatch(r">=\s*([\d.]+)", package["engines"]["node"])
    assert declared is not None
    minimum = declared.group(1)
    assert re.search(rf"^NODE_MIN := {re.escape(minimum)}$", (ROOT / "Makefile").read_text(), flags=re.M)
    assert lock["packages"][""]["engines"] == package["engines"]
    engines = {
        name: entry["engines"]["node"]
        for name, entry in lock["packages"].items()
        if name and isinstance(entry.get("engines"), dict) and "node" in entry["engines"]
    }
    assert "node_modules/@stoplight/prism-cli" in engines
    assert [f"{n}: {s}" for n, s in engines.items() if not _node_satisfies(_version(minimum), s)] == []
    # ... and the check is real: Prism 5.16.0's own range would refuse it
    assert not _node_satisfies(_version(minimum), ">=24.18.0")
    assert not _node_satisfies((20, 15, 0), engines["node_modules/jsep"])
