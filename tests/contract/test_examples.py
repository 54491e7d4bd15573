"""The runnable examples: against Prism (the spec's own examples, the contract oracle) and
against the fake Retool served on 127.0.0.1 (state that reacts: what one call changes, the next
one sees), as subprocesses with RETOOL_BASE_URL / RETOOL_API_TOKEN, as a user runs them."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prism import Prism

from retool_api_client.generated.api import OPERATIONS
from retool_api_client.testing import FakeRetool

from ..helpers import ROOT, samples

TOKEN = "example-test-token-123"


def run_example(args: list[str], base_url: str, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RETOOL_BASE_URL=base_url, RETOOL_API_TOKEN=token)
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


# -- Prism ------------------------------------------------------------------------------------------


def user_id_example() -> Any:
    """The example the spec gives a listed user's id, or None. The examples take a user id
    from the list; Prism's static mock answers with the spec's examples, and without one it
    makes up ``"string"``, which the user id's pattern refuses (the SDK rightly sends nothing)."""
    (op,) = [
        op for item in samples.spec()["paths"].values() for op in item.values()
        if isinstance(op, dict) and OPERATIONS.get(op.get("operationId", "")) == ("users", "list")
    ]  # fmt: skip
    answer = next(r for status, r in sorted(op["responses"].items()) if status.startswith("2"))
    media = answer["content"]["application/json"]
    if "example" in media or "examples" in media:
        return media.get("example") or media.get("examples")
    data = samples.resolve(samples.resolve(media["schema"])["properties"]["data"])
    user = samples.resolve(data["items"])
    return samples.resolve(user["properties"]["id"]).get("example")


needs_user_id_example = pytest.mark.skipif(
    user_id_example() is None,
    reason="the spec has no example for a user's id (2.12.0): Prism's static mock answers 'string', "
    "which no user id matches, so the example cannot go past its first get",
)


@needs_user_id_example
def test_quickstart_against_prism(prism: Prism) -> None:
    result = run_example(["examples/quickstart.py"], prism.url)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in (
        "user@example.com",
        "stopped instead of looping: next_token 'string' was already used",
        "created user_",
        "{'op': 'add', 'path': '/metadata/team~1analytics', 'value': True}",
        "NotFoundError: status 404",
        "   email: 'ada.example.com' is not a 'email'",
        "got status 503",
        "then succeeded",
    ):
        assert expected in out, (expected, out)
    assert TOKEN not in out + result.stderr


@needs_user_id_example
def test_offboarding_against_prism(prism: Prism) -> None:
    result = run_example(["examples/offboard_user.py", "user@example.com"], prism.url)
    assert result.returncode == 0, result.stderr
    assert "remove from group 0" in result.stdout
    assert "'path': '/active', 'value': False" in result.stdout
    dry = run_example(["examples/offboard_user.py", "user@example.com", "--dry-run"], prism.url)
    assert dry.returncode == 0 and "dry run: nothing changed" in dry.stdout
    # the static mock never ends its user list (same cursor every page): the example stops
    # with the SDK's typed error, one line, no traceback
    missing = run_example(["examples/offboard_user.py", "nobody@example.com"], prism.url)
    assert missing.returncode == 2, missing.stderr
    assert missing.stderr.startswith("error: PaginationError: next_token 'string' was already used")
    assert "Traceback" not in missing.stderr


# -- the fake Retool ---------------------------------------------------------------------------------


@pytest.fixture
def fake() -> FakeRetool:
    return FakeRetool(seed=5).populate(users=23, groups=3)


@pytest.fixture
def served(fake: FakeRetool) -> Iterator[str]:
    with fake.serve() as base_url:
        yield base_url


def test_quickstart_against_the_fake_sees_its_own_changes(fake: FakeRetool, served: str) -> None:
    result = run_example(["examples/quickstart.py"], served, fake.token)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    created = next(line.split()[1] for line in out.splitlines() if line.strip().startswith("created "))
    # the list, filtered by email, finds the user just created; the patch took
    assert f"   {created} <ada@example.com> Ada Lovelace, active=True" in out
    assert "now Augusta Ada Lovelace" in out
    assert "total_count=23, has_more=True" in out and "(two pages are enough here" in out
    assert (
        "NotFoundError: status 404, message 'workflow 00000000-0000-4000-8000-000000000000 not found'" in out
    )
    assert "then succeeded" in out
    (stored,) = [u for u in fake.records("users") if u["id"] == created]
    assert stored["first_name"] == "Augusta Ada" and stored["metadata"] == {"team/analytics": True}
    assert fake.token not in out + result.stderr


def test_offboarding_against_the_fake_deactivates_and_leaves_every_group(
    fake: FakeRetool, served: str
) -> None:
    groups_of = {m["id"]: [] for g in fake.records("groups") for m in g["members"]}
    for group in fake.records("groups"):
        for member in group["members"]:
            groups_of[member["id"]].append(group["id"])
    user_id = max(groups_of, key=lambda u: len(groups_of[u]))
    (user,) = [u for u in fake.records("users") if u["id"] == user_id]
    result = run_example(["examples/offboard_user.py", user["email"]], served, fake.token)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("  remove from group ") == len(groups_of[user_id]) > 0
    assert result.stdout.rstrip().endswith(f"done; the server answered: {user['email']} active=False")
    assert all(user_id not in [m["id"] for m in g["members"]] for g in fake.records("groups"))
    again = run_example(["examples/offboard_user.py", user["email"]], served, fake.token)
    assert "remove from group" not in again.stdout  # the groups are gone for real
    missing = run_example(["examples/offboard_user.py", "nobody@example.com"], served, fake.token)
    assert missing.returncode == 1 and missing.stdout == "no user with email nobody@example.com\n"


def test_export_pages_through_every_user_with_their_groups(
    fake: FakeRetool, served: str, tmp_path: Path
) -> None:
    out = tmp_path / "users.csv"
    result = run_example(["examples/export_users_csv.py", str(out), "--page-size", "5"], served, fake.token)
    assert result.returncode == 0, result.stderr
    with out.open() as f:
        rows = list(csv.DictReader(f))
    users = fake.records("users")
    assert [r["id"] for r in rows] == [u["id"] for u in users]
    member_of = {
        u["id"]: [g["name"] for g in fake.records("groups") if u["id"] in [m["id"] for m in g["members"]]]
        for u in users
    }
    assert [r["groups"].split(";") if r["groups"] else [] for r in rows] == [
        member_of[u["id"]] for u in users
    ]
    assert any(r["groups"] for r in rows)
    assert "exported 23/23 users" in result.stderr
    pages = [r for r in fake.requests if r.operation_id == "list_users"]
    assert [r.query.get("limit") for r in pages] == [["5"]] * 5
    assert "next_token" not in pages[0].query and all("next_token" in p.query for p in pages[1:])


def test_the_fixture_in_a_users_own_test_suite() -> None:
    """examples/test_offboard_user.py uses the retool_fake fixture, found through the package's
    pytest11 entry point (no conftest), as in a user's project."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "examples/test_offboard_user.py", "-p", "no:cacheprovider", "-o", "addopts="],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_make_demo_runs_on_the_fake() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/demo.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "240 users, 6 groups" in out
    assert "total_count=240, has_more=True" in out
    assert "<ada@example.com> Ada Lovelace, active=True" in out
    assert "active=False" in out.split("offboard_user.py")[-1]
    assert "exported 241/241 users" in result.stderr and "wrote 241 users" in out
    assert "Prism" not in out
    assert FakeRetool(seed=2026).token not in out + result.stderr  # the demo's fake, by its seed
