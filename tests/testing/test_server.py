"""``fake.serve()``: the same fake over real HTTP on 127.0.0.1, driven with plain httpx (no SDK)."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import socket
import subprocess
import sys

import httpx
import pytest

from retool_api_client import RetoolClient
from retool_api_client.testing import FakeRetool


async def test_plain_httpx_with_bearer_auth_sees_state() -> None:
    fake = FakeRetool(seed=1).populate(users=3)
    async with fake.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/api/v2")
        headers = {"Authorization": f"Bearer {fake.token}"}
        async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
            created = await http.post(
                "/users", json={"email": "ada@example.com", "first_name": "Ada", "last_name": "L"}
            )
            assert created.status_code == 200, created.text
            user = created.json()["data"]
            listed = await http.get("/users", params={"email": "ada@example.com"})
            assert [u["id"] for u in listed.json()["data"]] == [user["id"]]
            patched = await http.patch(
                f"/users/{user['id']}",
                json={"operations": [{"op": "replace", "path": "/active", "value": False}]},
            )
            assert patched.json()["data"]["active"] is False
            page = (await http.get("/users", params={"limit": 2})).json()
            assert page["total_count"] == 4 and page["has_more"] is True
            rest = (await http.get("/users", params={"limit": 2, "next_token": page["next_token"]})).json()
            assert len(rest["data"]) == 2 and rest["has_more"] is False
            deleted = await http.delete(f"/users/{user['id']}")
            assert deleted.status_code == 204 and deleted.content == b""
            missing = await http.get(f"/users/{user['id']}")
            assert missing.status_code == 404 and missing.json()["success"] is False
        async with httpx.AsyncClient(base_url=base_url) as anonymous:
            refused = await anonymous.get("/users")
            assert refused.status_code == 401 and refused.json()["success"] is False
    # the in-process view is the same state
    assert len(fake.records("users")) == 3


async def test_http_and_in_process_clients_share_one_fake() -> None:
    fake = FakeRetool(seed=2)
    async with fake.serve() as base_url, fake.client() as retool:
        created = await retool.users.create(email="grace@example.com", first_name="Grace", last_name="Hopper")
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {fake.token}"}) as http:
            got = await http.get(f"{base_url}/users/{created.id}")
        assert got.json()["data"]["email"] == "grace@example.com"


def test_sync_with_keep_alive_bad_requests_and_a_dropped_connection() -> None:
    fake = FakeRetool(seed=3)
    with fake.serve() as base_url:
        port = int(base_url.split(":")[2].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        auth = {"Authorization": f"Bearer {fake.token}", "Content-Type": "application/json"}
        for _ in range(3):  # one connection, several requests
            conn.request("GET", "/api/v2/users", headers=auth)
            answer = conn.getresponse()
            assert answer.status == 200 and b'"success": true' in answer.read()
        conn.request("POST", "/api/v2/users", body=b"{oops", headers=auth)
        bad = conn.getresponse()
        assert bad.status == 400 and b"not valid JSON" in bad.read()
        conn.request("PUT", "/api/v2/users", body=b"{}", headers=auth)
        wrong = conn.getresponse()
        assert wrong.status == 405 and wrong.getheader("Allow") == "GET, POST"
        wrong.read()
        conn.close()
        # chunked upload
        chunked = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        body = iter([b'{"email": "ada@example.com", ', b'"first_name": "Ada", "last_name": "L"}'])
        chunked.request("POST", "/api/v2/users", body=body, headers=auth, encode_chunked=True)
        assert chunked.getresponse().status == 200
        chunked.close()
        fake.fail("GET", "/users", reset=True)
        with httpx.Client(headers=auth) as http_:
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                http_.get(f"{base_url}/users")
            assert http_.get(f"{base_url}/users").status_code == 200  # once only
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()  # stopped


async def test_the_sdk_over_http_retries_a_503_from_the_server() -> None:
    fake = FakeRetool(seed=4).populate(users=2)
    fake.fail("GET", "/users", status=503, times=1)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async with fake.serve() as base_url:
        async with RetoolClient(base_url, fake.token) as retool:
            retool._use_timing(sleep=sleep)
            page = await retool.users.list().first_page()
    assert len(page.items) == 2 and len(slept) == 1
    assert [r.status for r in fake.requests] == [503, 200]


async def test_many_concurrent_http_clients() -> None:
    fake = FakeRetool(seed=5)
    async with fake.serve() as base_url:
        headers = {"Authorization": f"Bearer {fake.token}"}
        async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
            answers = await asyncio.gather(*(
                http.post("/users", json={"email": f"u{i}@example.com", "first_name": "U", "last_name": str(i)})
                for i in range(40)
            ))  # fmt: skip
    assert [a.status_code for a in answers] == [200] * 40
    ids = {a.json()["data"]["id"] for a in answers}
    assert len(ids) == 40 == len(fake.records("users"))


def test_the_command_line_server() -> None:
    env = dict(os.environ, RETOOL_API_TOKEN="cli-test-token")
    process = subprocess.Popen(
        [sys.executable, "-m", "retool_api_client.testing", "--users", "3", "--seed", "4"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "cli-test-token" not in line
        base_url = line.rsplit(" at ", 1)[1].strip()
        answer = httpx.get(f"{base_url}/users", headers={"Authorization": "Bearer cli-test-token"})
        assert answer.status_code == 200 and answer.json()["total_count"] == 3
    finally:
        process.terminate()
        process.communicate(timeout=10)


def raw_exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_malformed_http_gets_retools_error_shape_never_a_5xx() -> None:
    fake = FakeRetool(seed=6)
    with fake.serve() as base_url:
        port = int(base_url.split(":")[2].split("/")[0])
        cases = {
            b"GARBAGE\r\n\r\n": b"400",
            b"GET /api/v2/users HTTP/9.9\r\n\r\n": b"400",
            b"BREW /api/v2/users HTTP/1.1\r\nHost: x\r\n\r\n": b"405",
            b"GET /api/v2/users HTTP/1.1\r\nHost: x\r\n" + b"X-Long: " + b"a" * 70000 + b"\r\n\r\n": b"431",
            b"POST /api/v2/users HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n": b"400",
        }
        for request, status in cases.items():
            answer = raw_exchange(port, request)
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.split(b" ")[1] == status, (request[:40], answer[:200])
            assert json.loads(body)["success"] is False
