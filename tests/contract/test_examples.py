"""The runnable examples: quickstart and offboarding against Prism, the CSV export against a
local paginating server (Prism cannot paginate: its cursor never changes)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from prism import Prism

from .. import samples
from ..conftest import ROOT

TOKEN = "example-test-token-123"


def run_example(args: list[str], base_url: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RETOOL_BASE_URL=base_url, RETOOL_API_TOKEN=TOKEN)
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


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
        "body.email: 'ada.example.com' is not a 'email'",
        "got status 503",
        "then succeeded",
    ):
        assert expected in out, (expected, out)
    assert TOKEN not in out + result.stderr


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


# -- the export, against a server that really paginates -------------------------------------------

USERS = 7


def user(i: int) -> dict[str, Any]:
    op = samples.spec()["paths"]["/users"]["get"]
    item = samples.sample(op["responses"]["200"]["content"]["application/json"]["schema"])["data"][0]
    return {**item, "id": f"user_{i}", "email": f"u{i}@example.com", "first_name": f"F{i}", "last_name": None}


class Retool(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        Retool.requests.append(self.path)
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.answer(401, {"success": False, "message": "bad token"})
        if url.path == "/api/v2/groups":
            op = samples.spec()["paths"]["/groups"]["get"]
            group = samples.sample(op["responses"]["200"]["content"]["application/json"]["schema"])["data"][0]
            group = {**group, "name": "Admins", "members": [{**group["members"][0], "id": "user_2"}]}
            return self.answer(
                200,
                {"success": True, "data": [group], "total_count": 1, "next_token": None, "has_more": False},
            )
        if url.path == "/api/v2/users":
            size, start = int(query["limit"]), int(query.get("next_token", "0"))
            end = min(start + size, USERS)
            more = end < USERS
            return self.answer(200, {
                "success": True, "data": [user(i) for i in range(start, end)], "total_count": USERS,
                "next_token": str(end) if more else None, "has_more": more,
            })  # fmt: skip
        return self.answer(404, {"success": False, "message": "no route"})

    def answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def paginating_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Retool)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Retool.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_export_writes_every_user_with_groups(paginating_server: str, tmp_path: Path) -> None:
    out = tmp_path / "users.csv"
    result = run_example(["examples/export_users_csv.py", str(out), "--page-size", "3"], paginating_server)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open()))
    assert [r["id"] for r in rows] == [f"user_{i}" for i in range(USERS)]
    assert rows[2]["groups"] == "Admins" and rows[1]["groups"] == ""
    assert rows[0]["email"] == "u0@example.com" and rows[0]["last_name"] == ""
    assert "exported 7/7 users" in result.stderr
    assert [p for p in Retool.requests if p.startswith("/api/v2/users")] == [
        "/api/v2/users?limit=3",
        "/api/v2/users?limit=3&next_token=3",
        "/api/v2/users?limit=3&next_token=6",
    ]
