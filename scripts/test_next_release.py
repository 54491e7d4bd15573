"""Run the test suite on a copy of the repository regenerated to another Retool release.

    python scripts/test_next_release.py            # a synthetic next release (make test-next-release)
    python scripts/test_next_release.py --newest   # the newest real document in tests/data/specs/
    python scripts/test_next_release.py --spec F   # any document

The tests must hold for any release, not only the pinned one: this copies the working tree to a
temporary directory, regenerates it (``make regenerate``'s two steps) to the release, then runs
lint, mypy, ``check-generated`` and pytest there with this venv and Prism. The synthetic release
is ``tests/helpers/releases.next_release(retype=False)`` of the pinned spec (operations added
and removed, summaries reworded, a tag renamed, an enum value and fields added and removed). For
a real document, ``check-generated`` runs without ``--strict``: the fixes.yaml entries for
operations that release lacks are reported, not fatal (the suite's release corpus regenerates
every real document; this runs the whole suite on one). Exit status: the first failing step's,
else pytest's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "tests" / "data" / "specs"


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> int:
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=cwd, env=env, check=False).returncode


def newest() -> Path:
    """The real document of the highest ``info.version``; of equal ones, Retool's own (the
    shortest name: the provider's edited copies add ``-provider``)."""

    def key(path: Path) -> tuple[tuple[int, ...], int]:
        version = json.loads(path.read_text())["info"]["version"]
        return tuple(int(n) for n in re.findall(r"\d+", version)), -len(path.name)

    return max(SPECS.glob("retool-*.json"), key=key)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--newest", action="store_true", help="the newest real document in tests/data/specs/")
    which.add_argument("--spec", type=Path, help="a Retool OpenAPI document")
    args = parser.parse_args(argv)
    real = args.spec.resolve() if args.spec else newest() if args.newest else None
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    with tempfile.TemporaryDirectory(prefix="next-release-") as tmp:
        copy = Path(tmp) / "repo"
        for name in files:
            if (ROOT / name).is_file():
                (copy / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, copy / name)
        if (ROOT / "node_modules").exists():
            (copy / "node_modules").symlink_to(ROOT / "node_modules")
        # the copy's package, not this checkout's editable install, for tests and their subprocesses
        env = dict(os.environ, PYTHONPATH=str(copy))
        py = sys.executable
        if real is None:
            make_release = (
                "import sys; sys.path.insert(0, '.'); from pathlib import Path; "
                "from tests.helpers import releases; "
                "r = releases.next_release(retype=False); releases.write(r.spec, Path('next.json')); "
                "print('synthetic release', r.version, 'removes', r.removed, 'adds', r.added)"
            )
            if run([py, "-c", make_release], copy, env):
                return 1
            spec = copy / "next.json"
        else:
            print(f"real release {json.loads(real.read_text())['info']['version']} from {real}", flush=True)
            spec = real
        if run([py, "scripts/regenerate.py", "--spec", str(spec)], copy, env):
            return 1
        if real is None:
            spec.unlink()
        with (copy / "docs" / "fake-operations.md").open("w") as out:
            subprocess.run(
                [py, "-m", "retool_api_client.testing", "--behaviour"],
                cwd=copy,
                env=env,
                stdout=out,
                check=True,
            )
        bin_dir = Path(py).parent
        checks = [
            [str(bin_dir / "ruff"), "check", "retool_api_client", "scripts", "tests", "examples"],
            [str(bin_dir / "mypy"), "retool_api_client", "examples"],
            [py, "scripts/regenerate.py", "--check", *(["--strict"] if real is None else [])],
        ]
        for check in checks:
            if run(check, copy, env):
                return 1
        return run([py, "-m", "pytest", "-p", "no:cacheprovider", "-x"], copy, env)


if __name__ == "__main__":
    sys.exit(main())
