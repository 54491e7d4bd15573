"""What comes back: every framing and encoding httpx reads is read the same on every pool; a
complete answer stands whatever follows it; what cannot be read is a typed error."""

from __future__ import annotations

import gzip
import json
import zlib

import pytest

from retool_api_client import APIConnectionError, APIResponseValidationError
from retool_api_client._message import Answer

from ..helpers.pools import client_on
from ..helpers.wire_server import Act, WireServer, answer

USER = json.dumps({"success": True, "data": {"id": "user_1"}}).encode()


async def fetch(
    pool: str, script: object, method: str = "GET", **kwargs: object
) -> tuple[Answer, WireServer]:
    from retool_api_client._request import send

    async with WireServer(script) as server:  # type: ignore[arg-type]
        async with client_on(pool, server.url, **kwargs) as retool:  # type: ignore[arg-type]
            got = await send(retool, {"method": method, "url": "/users/user_1"})
    return got, server


def chunked(body: bytes, size: int = 7) -> bytes:
    parts = [
        f"{len(body[i : i + size]):x}\r\n".encode() + body[i : i + size] + b"\r\n"
        for i in range(0, len(body), size)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


@pytest.mark.parametrize(
    ("name", "reply"),
    [
        ("length", answer(body=USER)),
        ("chunked", answer(body=chunked(USER), headers=[("Transfer-Encoding", "chunked")], length=False)),
        ("gzip", answer(body=gzip.compress(USER), headers=[("Content-Encoding", "gzip")])),
        ("deflate", answer(body=zlib.compress(USER), headers=[("Content-Encoding", "deflate")])),
        ("raw deflate", answer(body=zlib.compress(USER)[2:-4], headers=[("Content-Encoding", "deflate")])),
        (
            "gzip, chunked",
            answer(
                body=chunked(gzip.compress(USER)),
                headers=[("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
                length=False,
            ),
        ),
        ("identity", answer(body=USER, headers=[("Content-Encoding", "identity")])),
        ("100 first", b"HTTP/1.1 100 Continue\r\n\r\n" + answer(body=USER)),
        ("bare LF", answer(body=USER).replace(b"\r\n", b"\n", 2)),
        ("long header line", answer(body=USER, headers=[("X-Long", "a" * 20_000)])),
        ("many headers", answer(body=USER, headers=[(f"X-H{i}", str(i)) for i in range(300)])),
    ],
)
async def test_answers_httpx_reads_are_read_the_same(pool: str, name: str, reply: bytes) -> None:
    got, _ = await fetch(pool, lambda r: reply)
    assert got.status_code == 200, name
    assert got.content == USER, name


async def test_an_answer_to_head_has_no_body_whatever_its_head_says(pool: str) -> None:
    from retool_api_client._request import send

    async with WireServer(lambda r: answer(body=USER)[: -len(USER)]) as server:
        async with client_on(pool, server.url) as retool:
            first = await send(retool, {"method": "HEAD", "url": "/users"})
            second = await send(retool, {"method": "HEAD", "url": "/users"})
    assert (first.status_code, first.content, second.content) == (200, b"", b"")
    assert first.headers["content-length"] == str(len(USER))


async def test_an_answer_that_ends_with_the_connection_is_complete(pool: str) -> None:
    reply = answer(body=USER, headers=[("Connection", "close")], length=False)
    got, _ = await fetch(pool, lambda r: Act(reply, close=True))
    assert got.content == USER


@pytest.mark.parametrize("method", ["POST", "DELETE", "GET"])
@pytest.mark.parametrize(
    "reply",
    [
        answer(body=USER) + b"GARBAGE\r\n\r\n",
        answer(204, b"", reason="No Content") + b"hello",
        answer(204, b"", reason="No Content", length=False) + b'{"a": 1}',
    ],
    ids=["bytes after the body", "bytes after a 204", "a 204 with a body"],
)
async def test_a_complete_answer_stands_whatever_follows_it(pool: str, method: str, reply: bytes) -> None:
    """The server applied the request and said so; bytes after that do not undo it (httpx returns
    the answer too; aiohttp, the default pool before, failed it and resent a DELETE)."""
    got, server = await fetch(pool, lambda r: reply, method, max_retries=2)
    assert got.status_code in (200, 204)
    assert len(server.received) == 1
    # and the connection is not reused for a next request: the stray bytes are not an answer
    got2, server2 = await fetch(pool, lambda r: reply, method)
    assert got2.status_code == got.status_code


async def test_stray_bytes_that_look_like_an_answer_never_answer_the_next_request(pool: str) -> None:
    """A documented difference (docs/wire.md): httpx's pool keeps the stray bytes on the
    connection and reads them as the answer to the next request sent on it; the SDK's pool
    closes that connection, so the next request gets its own answer."""
    from retool_api_client._request import send

    stray = b"HTTP/1.1 500 Stray\r\nContent-Length: 0\r\n\r\n"
    replies = iter([answer(body=USER) + stray, answer(body=b'{"n": 2}')])
    async with WireServer(lambda r: next(replies)) as server:
        async with client_on(pool, server.url, max_retries=0) as retool:
            first = await send(retool, {"method": "GET", "url": "/a"})
            second = await send(retool, {"method": "GET", "url": "/b"})
    assert (first.status_code, first.content) == (200, USER)
    assert first.headers.get_list("content-length") == [str(len(USER))]
    if pool == "http11":
        assert (second.status_code, second.content) == (200, b'{"n": 2}')
        assert server.connections == 2
    else:
        assert second.status_code == 500  # the stray bytes, taken for /b's answer
        assert server.connections == 1


@pytest.mark.parametrize(
    "reply",
    [
        b'HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{"short": 1}',
        b"NOT HTTP AT ALL\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nX-Huge: " + b"a" * 200_000 + b"\r\nContent-Length: 2\r\n\r\n{}",
    ],
    ids=["cut short", "not HTTP", "bad chunk", "a head over 100 KiB"],
)
async def test_what_is_not_http_is_a_typed_connection_error_and_a_post_is_not_resent(
    pool: str, reply: bytes
) -> None:
    from retool_api_client._request import send

    async with WireServer(lambda r: Act(reply, close=True)) as server:
        async with client_on(pool, server.url, max_retries=2) as retool:
            retool._use_timing(sleep=_instant)
            with pytest.raises(APIConnectionError):
                await send(retool, {"method": "POST", "url": "/users", "json": {}})
    assert len(server.received) == 1


async def _instant(seconds: float) -> None:
    return None


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        (answer(body=b"x" * 5000), "larger than the 1,000-byte response size cap"),
        (
            answer(body=gzip.compress(b"x" * 5000), headers=[("Content-Encoding", "gzip")]),
            "larger than the 1,000-byte response size cap",
        ),
        (
            answer(body=b"not gzip", headers=[("Content-Encoding", "gzip")]),
            "does not decode as its Content-Encoding",
        ),
    ],
    ids=["plain", "compressed", "lies about its encoding"],
)
async def test_an_answer_the_sdk_will_not_read_is_a_validation_error_not_retried(
    pool: str, reply: bytes, why: str
) -> None:
    from retool_api_client._request import send

    async with WireServer(lambda r: reply) as server:
        async with client_on(pool, server.url, max_response_bytes=1000, max_retries=2) as retool:
            with pytest.raises(APIResponseValidationError, match=why):
                await send(retool, {"method": "GET", "url": "/users"})
    assert len(server.received) == 1


def test_an_answer_reads_its_headers_case_insensitively_and_as_httpx_joins_them() -> None:
    from retool_api_client._message import Headers

    headers = Headers(
        [(b"Set-Cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"Content-Type", b"application/json")]
    )
    assert headers["SET-COOKIE"] == "a=1, b=2"
    assert headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert "content-type" in headers and "x" not in headers
    assert list(headers) == ["Set-Cookie", "Content-Type"]
    assert len(headers) == 2
    assert "[redacted]" in repr(headers) and "a=1" not in repr(headers)
