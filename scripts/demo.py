"""`make demo`: start Prism (a spec-driven mock of Retool) on 127.0.0.1, run the examples
against it, stop it.

The quickstart and the offboarding run against Prism in static mode: answers are the spec's
own examples, readable and the same on every run (its list pages always say ``has_more`` with
the cursor ``"string"``, which the SDK refuses to follow in a loop). The export runs against
Prism in dynamic mode: answers are made up afresh from the schemas, so lists really paginate
and the data differ from run to run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from prism import ROOT, Prism

DEMO_TOKEN = "demo-token-not-a-secret"  # Prism checks that a bearer token is present, not its value


def run(title: str, args: list[str], env: dict[str, str]) -> None:
    print(f"\n{'=' * 78}\n$ python {' '.join(args)}    # {title}\n{'=' * 78}", flush=True)
    subprocess.run([sys.executable, *args], env=env, cwd=ROOT, check=True)


def main() -> int:
    print("starting Prism, the mock Retool API (node_modules/@stoplight/prism-cli), static mode ...")
    with Prism() as prism:
        print(f"Prism listening on {prism.url}/api/v2 (pid {prism.process.pid if prism.process else '?'})")
        env = dict(os.environ, RETOOL_BASE_URL=prism.url, RETOOL_API_TOKEN=DEMO_TOKEN)
        run("list, get, create, JSON-Patch update, typed error, refused argument, retried 503",
            ["examples/quickstart.py"], env)  # fmt: skip
        run("offboard a user by email", ["examples/offboard_user.py", "user@example.com"], env)
    print("\nrestarting Prism in dynamic mode (made-up data, real pagination) ...", flush=True)
    with Prism(dynamic=True) as prism, tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, RETOOL_BASE_URL=prism.url, RETOOL_API_TOKEN=DEMO_TOKEN)
        out = Path(tmp) / "users.csv"
        run("export users with their groups to CSV", ["examples/export_users_csv.py", str(out)], env)
        lines = out.read_text().splitlines()
        print(f"first rows of the CSV ({len(lines) - 1} users, made-up data):")
        for line in lines[:4]:
            print(f"   {line[:110]}")
    print("\nPrism stopped. The same examples run against a real instance with RETOOL_BASE_URL and "
          "RETOOL_API_TOKEN set.")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
