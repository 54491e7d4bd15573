"""`make demo`: the examples against a fake Retool on 127.0.0.1 that keeps what they do.

``retool_api_client.testing.FakeRetool`` (seeded, filled with a few hundred users and some
groups) is served over HTTP in this process; the example scripts run as subprocesses with
RETOOL_BASE_URL / RETOOL_API_TOKEN pointing at it, exactly as they would at a real instance.
So a created user shows up in the list, the offboarded user comes back ``active=False`` and
the export pages through every seeded user. No Node, no network.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from retool_api_client.testing import FakeRetool

ROOT = Path(__file__).resolve().parent.parent
SEED, USERS, GROUPS = 2026, 240, 6


def run(title: str, args: list[str], env: dict[str, str]) -> None:
    print(f"\n{'=' * 78}\n$ python {' '.join(args)}    # {title}\n{'=' * 78}", flush=True)
    subprocess.run([sys.executable, *args], env=env, cwd=ROOT, check=True)


def member_of_most_groups(fake: FakeRetool) -> str:
    """The email of a seeded user in the most groups: the one worth offboarding."""
    count: dict[str, int] = {}
    for group in fake.records("groups"):
        for member in group["members"]:
            count[member["id"]] = count.get(member["id"], 0) + 1
    users = [u for u in fake.records("users") if u["active"]]
    return str(max(users, key=lambda u: count.get(u["id"], 0))["email"])


def main() -> int:
    fake = FakeRetool(seed=SEED).populate(users=USERS, groups=GROUPS)
    print(f"a fake Retool (retool_api_client.testing.FakeRetool, seed {SEED}): "
          f"{USERS} users, {GROUPS} groups, state kept in memory")  # fmt: skip
    with fake.serve() as base_url, tempfile.TemporaryDirectory() as tmp:
        print(f"serving {base_url}")
        env = dict(os.environ, RETOOL_BASE_URL=base_url, RETOOL_API_TOKEN=fake.token)
        run("list, get, create, find, JSON-Patch update, typed error, refused argument, retried 503",
            ["examples/quickstart.py"], env)  # fmt: skip
        email = member_of_most_groups(fake)
        run("offboard a user by email", ["examples/offboard_user.py", email], env)
        out = Path(tmp) / "users.csv"
        run("export users with their groups to CSV", ["examples/export_users_csv.py", str(out)], env)
        lines = out.read_text().splitlines()
        print(f"first rows of the CSV ({len(lines) - 1} users):")
        for line in lines[:4]:
            print(f"   {line[:110]}")
        print(
            f"\nthe fake answered {len(fake.requests)} requests and stops with this script; the same "
            "examples run against a real instance with RETOOL_BASE_URL and RETOOL_API_TOKEN set."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
