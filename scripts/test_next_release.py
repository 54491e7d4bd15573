"""Run the test suite on a copy of the repository regenerated to a synthetic next Retool release.

    python scripts/test_next_release.py        # make test-next-release

The tests must hold for any release, not only the pinned one: this copies the working tree to a
temporary directory, regenerates it (``make regenerate``'s two steps) to
``tests/helpers/releases.next_release(retype=False)`` of the pinned spec (operations added and removed,
summaries reworded, a tag renamed, an enum value and fields added and removed), then runs lint,
mypy, ``check-generated`` and pytest there with this venv and Prism. Exit status: pytest's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> int:
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=cwd, env=env, check=False).returncode


def main() -> int:
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
        make_release = (
            "import sys; sys.path.insert(0, '.'); from pathlib import Path; "
            "from tests.helpers import releases; "
            "r = releases.next_release(retype=False); releases.write(r.spec, Path('next.json')); "
            "print('synthetic release', r.version, 'removes', r.removed, 'adds', r.added)"
        )
        steps = [
            [py, "-c", make_release],
            [py, "scripts/regenerate.py", "--spec", "next.json"],
        ]
        for step in steps:
            if run(step, copy, env):
                return 1
        (copy / "next.json").unlink()
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
            [py, "scripts/regenerate.py", "--check", "--strict"],
        ]
        for check in checks:
            if run(check, copy, env):
                return 1
        return run([py, "-m", "pytest", "-p", "no:cacheprovider", "-x"], copy, env)


if __name__ == "__main__":
    sys.exit(main())
