"""``python -m retool_api_client.testing``: a fake served until Ctrl-C, populated with any
collection, with faults and a rate limit, for code in any language."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from retool_api_client.testing.__main__ import main

from ..helpers import ROOT

TOKEN = "cli-test-token"


@contextlib.contextmanager
def served(*args: str) -> Iterator[tuple[str, str]]:
    """The command line's server: (its first line, the base URL)."""
    env = dict(os.environ, RETOOL_API_TOKEN=TOKEN)
    process = subprocess.Popen(
        [sys.executable, "-m", "retool_api_client.testing", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert " at http://127.0.0.1:" in line, line + (process.stderr.read() if process.stderr else "")
        yield line, line.rsplit(" at ", 1)[1].strip()
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert "Traceback" not in err


def test_the_command_line_server_populates_fails_and_limits() -> None:
    args = (
        "--seed",
        "4",
        "--populate",
        "users=3",
        "apps=2",
        "--fail",
        "GET /groups 503 times=all",
        "--rate-limit",
        "5/60",
    )
    with served(*args) as (line, base_url):
        assert TOKEN not in line and "3 users, 2 apps" in line and "5 requests per 60 s" in line
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            assert http.get("/users").json()["total_count"] == 3
            assert http.get("/apps").json()["total_count"] == 2
            assert http.get("/groups").status_code == 503  # the fault comes first, and is not counted
            assert [http.get("/users").status_code for _ in range(4)] == [200, 200, 200, 429]
            limited = http.get("/users")
            assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


def test_the_short_options_and_another_release() -> None:
    spec = str(ROOT / "tests" / "data" / "specs" / "retool-2.12.0.json")
    with served("--users", "2", "--groups", "1", "--spec", spec, "--fail", "* * reset") as (line, base_url):
        assert "Retool API 2.12.0" in line
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            with pytest.raises(httpx.TransportError):
                http.get("/users")  # the one reset
            assert http.get("/groups").json()["data"][0]["name"] == "Engineering"
            assert http.get("/spec").json()["info"]["version"] == "2.12.0"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--populate", "people=3"], "no collection 'people'"),
        (["--populate", "users"], "COLLECTION=N"),
        (["--fail", "GET"], "--fail takes"),
        (["--fail", "GET /users teapot"], "cannot read"),
        (["--rate-limit", "lots"], "rate_limit"),
        (["--spec", "/nonexistent.json"], "cannot read"),
    ],
)
def test_bad_arguments_are_one_error_line(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETOOL_API_TOKEN", TOKEN)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_the_command_line_wants_a_token_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("RETOOL_API_TOKEN", raising=False)
    assert main([]) == 2
    assert "RETOOL_API_TOKEN" in capsys.readouterr().err


def test_behaviour_of_another_release() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert (
            main(["--behaviour", "--spec", str(ROOT / "tests" / "data" / "specs" / "retool-2.12.0.json")])
            == 0
        )
    assert out.getvalue().startswith(
        "# What the fake Retool does, operation by operation (Retool API 2.12.0)"
    )
    assert "| `GET /users` | " in out.getvalue()
