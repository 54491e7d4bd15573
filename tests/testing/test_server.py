"""``fake.serve()``: the same fake over real HTTP on 127.0.0.1, driven with plain httpx (no SDK)."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import socket
import struct
import time
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    async with fake.serve() as base_url, fake.client(base_url=base_url) as retool:
        assert "fake-retool.test" not in repr(retool)  # over HTTP, to the served fake
        page = await retool.users.list().first_page()
    assert len(page.items) == 2 and len(fake.sleeps) == 1  # retried, without waiting
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


async def keep_alive_client(port: int, token: str, requests: int) -> list[bytes]:
    """One connection, ``requests`` GETs on it, one after another: the status lines."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    statuses = []
    try:
        for _ in range(requests):
            writer.write(
                f"GET /api/v2/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
            )
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(
                next(
                    line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
                ).split(b":")[1]
            )
            await reader.readexactly(length)
            statuses.append(head.split(b" ")[1])
    finally:
        writer.close()
        await writer.wait_closed()
    return statuses


async def test_hundreds_of_keep_alive_connections_at_once() -> None:
    fake = FakeRetool(seed=7).populate(users=2)
    async with fake.serve() as base_url:
        port = int(base_url.split(":")[2].split("/")[0])
        done = await asyncio.gather(*(keep_alive_client(port, fake.token, 3) for _ in range(300)))
    assert done == [[b"200"] * 3] * 300
    assert len(fake.requests) == 900


def test_a_keep_alive_client_is_not_held_back_by_delayed_acks() -> None:
    """Each answer leaves in one write with TCP_NODELAY: with the head and body in two writes and
    Nagle's algorithm on, every answer waited ~40 ms for the client's delayed ACK (50 GETs took
    2.2 s). The bound is 10x what the machine needs, so it holds on a busy one."""
    fake = FakeRetool(seed=8).populate(users=1)
    user = fake.records("users")[0]["id"]
    with (
        fake.serve() as base_url,
        httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {fake.token}"}) as http,
    ):
        http.get(f"/users/{user}")
        started = time.perf_counter()
        for _ in range(50):
            assert http.get(f"/users/{user}").status_code == 200
        elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"50 keep-alive GETs took {elapsed:.2f} s"


def test_clients_that_hang_up_are_forgotten_quietly(capfd: pytest.CaptureFixture[str]) -> None:
    fake = FakeRetool(seed=9)
    with fake.serve() as base_url:
        port = int(base_url.split(":")[2].split("/")[0])
        request = (
            f"GET /api/v2/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {fake.token}\r\n\r\n".encode()
        )
        for n in range(60):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            if n % 3 == 0:
                sock.sendall(request)  # ask, then reset before reading the answer
            elif n % 3 == 1:
                sock.sendall(request[: len(request) // 2])  # reset in the middle of a request
            else:
                sock.sendall(
                    b"POST /api/v2/users HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"
                )  # a body cut short
            sock.close()  # RST
        assert (
            httpx.get(f"{base_url}/users", headers={"Authorization": f"Bearer {fake.token}"}).status_code
            == 200
        )
    captured = capfd.readouterr()
    assert captured.err == "" and "Traceback" not in captured.out


def test_answers_over_http_carry_a_request_id_and_the_api_root_is_required() -> None:
    fake = FakeRetool(seed=10)
    with fake.serve() as base_url, httpx.Client(headers={"Authorization": f"Bearer {fake.token}"}) as http:
        answers = [http.get(f"{base_url}/users"), http.get(f"{base_url}/nowhere")]
        outside = http.get(base_url.replace("/api/v2", "") + "/users")
    assert [a.status_code for a in answers] == [200, 404]
    assert [a.headers["x-request-id"] for a in answers] == [r.request_id for r in fake.requests]
    assert outside.status_code == 404 and "/api/v2" in outside.json()["message"]


def test_stopping_closes_idle_keep_alive_connections() -> None:
    fake = FakeRetool(seed=11)
    serving = fake.serve()
    base_url = serving.start()
    port = int(base_url.split(":")[2].split("/")[0])
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        f"GET /api/v2/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {fake.token}\r\n\r\n".encode()
    )
    assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    serving.stop()
    assert sock.recv(65536) == b""  # the server closed it
    sock.close()


REQUEST_PARTS = st.lists(
    st.sampled_from([
        b"GET /api/v2/users HTTP/1.1\r\n", b"POST /api/v2/users HTTP/1.1\r\n", b"PATCH /api/v2/users/x HTTP/1.0\r\n",
        b"Host: x\r\n", b"Content-Length: 5\r\n", b"Content-Length: -1\r\n", b"Transfer-Encoding: chunked\r\n",
        b"Authorization: Bearer nope\r\n", b"Connection: close\r\n", b"\r\n", b"zz\r\n", b"{\"a\"", b"0\r\n\r\n",
        b"\xff\xfe", b"GET /%zz HTTP/1.1\r\n", b"GET / HTTP/1.1\r\n",
    ]) | st.binary(max_size=40),
    max_size=8,
).map(b"".join)  # fmt: skip


@pytest.fixture(scope="module")
def served_port() -> Iterator[int]:
    with FakeRetool(seed=12).serve() as base_url:
        yield int(base_url.split(":")[2].split("/")[0])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=REQUEST_PARTS)
def test_whatever_bytes_arrive_the_answer_is_a_4xx_or_nothing(
    data: bytes, served_port: int, capfd: pytest.CaptureFixture[str]
) -> None:
    with socket.create_connection(("127.0.0.1", served_port), timeout=5) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)  # nothing more comes: the server answers what it has, or hangs up
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    for answer in re.findall(rb"HTTP/1\.1 (\d{3}) ", b"".join(chunks)):
        assert int(answer) < 500, data
    assert capfd.readouterr().err == ""
