"""Pulling a spec from a local HTTP server on 127.0.0.1: success pins it; every failure prints
one clear line and leaves ``openapi/`` byte-for-byte unchanged."""

from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from retoolgen import pull

from .helpers import ROOT

ROUTES: dict[str, tuple[int, str, bytes]] = {}
SEEN_AUTH: list[str | None] = []


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        SEEN_AUTH.append(self.headers.get("Authorization"))
        status, ctype, body = ROUTES.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def openapi_dir(tmp_path: Path) -> Path:
    target = tmp_path / "openapi"
    shutil.copytree(ROOT / "openapi", target)
    return target


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()
    }


def spec_bytes(version: str = "9.9.9") -> bytes:
    return json.dumps(
        {"openapi": "3.0.0", "info": {"title": "Retool API", "version": version}, "paths": {"/x": {}}}
    ).encode()


def test_pull_pins_a_new_version_and_keeps_the_old(server: str, openapi_dir: Path) -> None:
    ROUTES["/api/v2/spec"] = (200, "application/json", spec_bytes("9.9.9"))
    SEEN_AUTH.clear()
    pinned = json.loads((openapi_dir / "spec.lock").read_text())["current"]
    previous, version = pull.pin(openapi_dir, f"{server}/api/v2/spec", token="s3cr3t-token")
    assert (previous, version) == (pinned, "9.9.9")
    assert SEEN_AUTH == ["Bearer s3cr3t-token"]
    assert (openapi_dir / "retool-9.9.9.json").read_bytes() == spec_bytes("9.9.9") + b"\n"
    assert (openapi_dir / f"retool-{pinned}.json").exists()
    lock = json.loads((openapi_dir / "spec.lock").read_text())
    assert lock["current"] == "9.9.9"
    entry = lock["versions"]["9.9.9"]
    assert entry["source"] == f"{server}/api/v2/spec"
    assert len(entry["sha256"]) == 64 and entry["pulled"]
    assert "s3cr3t" not in (openapi_dir / "spec.lock").read_text()


@pytest.mark.parametrize(
    ("route", "response", "message"),
    [
        ("/missing", None, "returned HTTP 404"),
        ("/html", (200, "text/html", b"<!DOCTYPE html><html><body>Log in</body></html>"), "HTML page"),
        ("/garbage", (200, "application/json", b'{"openapi": "3.0.0", '), "not valid JSON"),
        (
            "/swagger",
            (200, "application/json", b'{"swagger": "2.0", "info": {"version": "1"}, "paths": {}}'),
            "not an OpenAPI 3",
        ),
        (
            "/noversion",
            (200, "application/json", b'{"openapi": "3.0.0", "info": {}, "paths": {"/x": {}}}'),
            "no usable info.version",
        ),
        ("/array", (200, "application/json", b"[1, 2]"), "not an OpenAPI 3"),
    ],
)
def test_failed_pull_changes_nothing(
    server: str, openapi_dir: Path, route: str, response: tuple[int, str, bytes] | None, message: str
) -> None:
    if response is not None:
        ROUTES[route] = response
    before = snapshot(openapi_dir)
    with pytest.raises(pull.PullError, match=message) as info:
        pull.pin(openapi_dir, server + route)
    assert "\n" not in str(info.value)
    assert snapshot(openapi_dir) == before


def test_timeout_changes_nothing(openapi_dir: Path) -> None:
    # a listening socket that never answers: the client gives up after its (short) timeout
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        before = snapshot(openapi_dir)
        with pytest.raises(pull.PullError, match="timed out"):
            pull.pin(openapi_dir, f"http://127.0.0.1:{silent.getsockname()[1]}/spec", timeout=0.2)
        assert snapshot(openapi_dir) == before
    finally:
        silent.close()


def test_connection_refused_and_missing_file_change_nothing(openapi_dir: Path) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    before = snapshot(openapi_dir)
    with pytest.raises(pull.PullError, match="could not fetch"):
        pull.pin(openapi_dir, f"http://127.0.0.1:{port}/spec", timeout=2)
    with pytest.raises(pull.PullError, match="no such file"):
        pull.pin(openapi_dir, str(openapi_dir / "nope.json"))
    assert snapshot(openapi_dir) == before


def test_cli_prints_one_line_and_exits_2(
    server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import regenerate

    root = tmp_path / "proj"
    shutil.copytree(ROOT / "openapi", root / "openapi")
    before = snapshot(root / "openapi")
    assert regenerate.main(["--root", str(root), "--spec", f"{server}/missing"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "404" in err and len(err.splitlines()) == 1
    assert snapshot(root / "openapi") == before
