"""``_http.Lane``: the quickstart client's requests, built without httpx's request objects, are
the requests httpx would have built and sent, byte for byte, with the same answers and errors."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retool_api_client import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    NotFoundError,
    RetoolClient,
)
from retool_api_client._http import Lane
from retool_api_client._parsing import path_segment
from retool_api_client.generated.api import OPERATIONS

from .test_http import BASES, HTTPX_WAY, param_values, sample_request, text
from .test_transports import USER, closed_port, no_env_proxies, serve

__all__ = ["no_env_proxies"]  # the fixture: no proxy from this machine's environment


def lane_of(retool: RetoolClient) -> Lane:
    lane = retool._lane
    assert lane is not None, "a default RetoolClient sends on the lane"
    retool.get_async_httpx_client()  # handed out: ready() asks every question again
    assert lane.ready()
    return lane


def same_as_httpx(retool: RetoolClient, request: dict[str, Any]) -> None:
    """The lane's wire request for ``request`` is what httpx's build_request makes of it."""
    http = retool.get_async_httpx_client()
    exchange = lane_of(retool).prepare(request)
    assert exchange is not None, request
    theirs = http.build_request(**request)
    assert exchange.method == theirs.method
    assert exchange.url == str(theirs.url)
    assert exchange.headers == [(k.decode(), v.decode()) for k, v in theirs.headers.raw]
    assert exchange.body == theirs.read()
    assert exchange.request().headers.raw == theirs.headers.raw


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_every_operation_goes_on_the_lane_as_httpx_would_build_it(operation_id: str) -> None:
    request = sample_request(operation_id)
    if any(key in request for key in ("files", "data", "content")):
        assert lane_of(RetoolClient(BASES[0], "tok")).prepare(request) is None  # httpx's way
        return
    same_as_httpx(RetoolClient(BASES[0], "tok", headers={"X-Team": "ops"}), request)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    base=st.sampled_from(BASES),
    method=st.sampled_from(["get", "post", "put", "patch", "delete"]),
    segments=st.lists(text.filter(str.strip), min_size=1, max_size=3),
    params=st.dictionaries(text, param_values, max_size=4),
    body=st.none() | json_values,
)
def test_arbitrary_paths_parameters_and_bodies_are_built_as_httpx_builds_them(
    base: str, method: str, segments: list[str], params: dict[str, Any], body: Any
) -> None:
    request: dict[str, Any] = {
        "method": method,
        "url": "/users/" + "/".join(path_segment("id", segment) for segment in segments),
    }
    if params:
        request["params"] = params
    if body is not None:
        request["json"] = body
        request["headers"] = {"Content-Type": "application/json"}
    same_as_httpx(RetoolClient(base, "tok"), request)


@pytest.mark.parametrize(
    "request_",
    [
        {"method": "get", "url": "/users/a b"},  # httpx would percent-encode it
        {"method": "get", "url": "//users"},  # a host, for httpx
        {"method": "get", "url": "/users/../groups"},  # httpx would remove the dots
        {"method": "get", "url": "users"},
        {"method": "post", "url": "/users", "content": b"raw"},
        {"method": "post", "url": "/users", "files": {"f": b"x"}},
        {"method": "get", "url": "/users", "headers": {"X-Bytes": b"v"}},
    ],
)
def test_what_the_lane_does_not_build_goes_httpx_way(request_: dict[str, Any]) -> None:
    assert lane_of(RetoolClient(BASES[0], "tok")).prepare(request_) is None


def test_only_the_default_pool_with_nothing_for_send_to_do_has_a_lane() -> None:
    assert RetoolClient(BASES[0], "tok")._lane is not None
    assert RetoolClient(BASES[0], "tok", httpx_args=HTTPX_WAY)._lane is None
    assert (
        RetoolClient(BASES[0], "tok", transport=httpx.MockTransport(lambda r: httpx.Response(200)))._lane
        is None
    )
    assert RetoolClient(BASES[0], "tok", httpx_args={"http2": True})._lane is None  # httpx's pool
    retool = RetoolClient(BASES[0], "tok")
    http = retool.get_async_httpx_client()
    lane = lane_of(retool)
    http.cookies.set("session", "s1")
    assert not lane.ready()  # cookies to send: httpx's build_request adds them
    http.cookies.clear()
    assert lane.ready()


async def test_an_auth_flow_set_on_the_httpx_client_later_is_run_by_httpxs_send() -> None:
    recorder = Recorder(http_answer("200 OK", json.dumps(USER).encode()))
    server, url = await serve(recorder)
    async with server, RetoolClient(url, "tok") as retool:
        assert retool._lane is not None
        retool.get_async_httpx_client().auth = httpx.BasicAuth("a", "b")
        await retool.users.get("user_1")
    (sent,) = recorder.seen
    assert b"Authorization: Basic YTpi\r\n" in sent  # the flow's header, not the lane's template


def test_the_template_follows_the_clients_headers_and_timeout() -> None:
    retool = RetoolClient(BASES[0], "tok")
    http = retool.get_async_httpx_client()
    lane = lane_of(retool)
    http.headers["X-Later"] = "1"
    http.timeout = httpx.Timeout(5.0)
    assert lane.ready()
    exchange = lane.prepare({"method": "get", "url": "/users"})
    assert exchange is not None
    assert ("X-Later", "1") in exchange.headers
    assert exchange.timeout == httpx.Timeout(5.0).as_dict() and exchange.limit == 5.0
    same_as_httpx(retool, {"method": "get", "url": "/users"})


# -- over a socket: the same bytes, answers, cookies, log line and errors -----------------------


class Recorder:
    """Answers every request with ``answer``; keeps each request's bytes, head and body."""

    def __init__(self, answer: bytes) -> None:
        self.answer, self.seen = answer, list[bytes]()

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                self.seen.append(head + await reader.readexactly(length))
                writer.write(self.answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


def http_answer(status: str, body: bytes, extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n{extra}\r\n"
    ).encode() + body


async def both_ways(answer: bytes, call: Any) -> tuple[list[bytes], list[bytes]]:
    """The bytes ``call(retool)`` sends on the lane and httpx's way, on the same aiohttp pool."""
    seen = []
    recorder = Recorder(answer)
    server, url = await serve(recorder)
    async with server:
        for httpx_args in ({}, HTTPX_WAY):
            recorder.seen = []
            async with RetoolClient(url, "tok", httpx_args=httpx_args) as retool:
                assert (retool._lane is not None) == (not httpx_args)
                await call(retool)
            seen.append(recorder.seen)
    return seen[0], seen[1]


async def test_the_lane_sends_the_bytes_httpx_sends() -> None:
    body = json.dumps(USER).encode()

    async def calls(retool: RetoolClient) -> None:
        await retool.users.get("user_1")
        await retool.users.list(email="a+b@example.com", first_name="Zoë").first_page()
        await retool.users.create(email="a@example.com", first_name="A", last_name="B")

    lane, httpx_way = await both_ways(http_answer("200 OK", body), calls)
    assert len(lane) == 3
    assert lane == httpx_way


async def test_an_error_answer_carries_the_request_httpx_would_have_sent() -> None:
    body = b'{"success": false, "message": "no such user"}'
    errors = []

    async def call(retool: RetoolClient) -> None:
        with pytest.raises(NotFoundError) as caught:
            await retool.users.get("user_1")
        errors.append(caught.value)

    await both_ways(http_answer("404 Not Found", body), call)
    lane, httpx_way = errors
    assert str(lane) == str(httpx_way) and "no such user" in str(lane)
    assert lane.request is not None and httpx_way.request is not None
    assert str(lane.request.url) == str(httpx_way.request.url)
    assert lane.request.headers.raw == httpx_way.request.headers.raw
    assert "tok" not in repr(lane.request.headers) + str(lane)  # the token stays redacted


async def test_a_cookie_the_answer_sets_is_sent_next_time_as_httpx_does() -> None:
    answer = http_answer("200 OK", json.dumps(USER).encode(), "set-cookie: session=s1; Path=/\r\n")

    async def calls(retool: RetoolClient) -> None:
        await retool.users.get("user_1")
        assert retool.get_async_httpx_client().cookies.get("session") == "s1"
        await retool.users.get("user_1")

    lane, httpx_way = await both_ways(answer, calls)
    assert b"cookie: session=s1" in lane[1].lower()
    assert lane == httpx_way


async def test_the_lane_logs_httpxs_line(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder(http_answer("200 OK", json.dumps(USER).encode()))
    server, url = await serve(recorder)
    async with server, RetoolClient(url, "tok") as retool:
        with caplog.at_level(logging.INFO, logger="httpx"):
            user = await retool.users.get("user_1")
    assert user.email == USER["data"]["email"]
    assert [r.getMessage() for r in caplog.records if r.name == "httpx"] == [
        f'HTTP Request: GET {url}/api/v2/users/user_1 "HTTP/1.1 200 OK"'
    ]


async def test_a_refused_connection_on_the_lane_is_a_connection_error_naming_the_request() -> None:
    async with RetoolClient(closed_port(), "tok", max_retries=0) as retool:
        assert retool._lane is not None
        with pytest.raises(APIConnectionError) as caught:
            await retool.users.get("user_1")
    assert caught.value.request is not None
    assert caught.value.request.url.path == "/api/v2/users/user_1"
    assert "ConnectError" in str(caught.value) and "ssl:default" not in str(caught.value)


async def test_a_read_timeout_shorter_than_the_attempt_still_applies_on_the_lane() -> None:
    """The lane leaves aiohttp's read timer off only when the whole-attempt limit covers it."""

    async def stall_mid_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{")
        await writer.drain()
        await reader.read()  # until the client gives up

    server, url = await serve(stall_mid_body)
    loop = asyncio.get_running_loop()
    async with (
        server,
        RetoolClient(url, "tok", timeout=httpx.Timeout(30.0, read=0.2), max_retries=0) as retool,
    ):
        assert retool._lane is not None
        started = loop.time()
        with pytest.raises(APITimeoutError):
            await retool.users.get("user_1")
        assert loop.time() - started < 10  # the 0.2 s read timeout, not the 30 s attempt


async def test_the_lane_sends_what_httpxs_own_pool_sends() -> None:
    """Against httpx's pool (h11), not only against httpx's way on the same aiohttp pool: what
    aiohttp would add on its own (octet-stream for a POST without a body) must not appear."""
    ok = http_answer("200 OK", json.dumps(USER).encode())
    seen: dict[str, list[bytes]] = {}
    recorder = Recorder(ok)
    server, url = await serve(recorder)
    async with server:
        for name, transport in (("lane", None), ("httpx pool", httpx.AsyncHTTPTransport())):
            recorder.seen = []
            async with RetoolClient(url, "tok", transport=transport, max_retries=0) as retool:
                assert (retool._lane is not None) == (transport is None)
                await retool.users.get("user_1")
                await retool.users.list(email="a+b@example.com", first_name="Zoë").first_page()
                await retool.users.create(email="a@example.com", first_name="A", last_name="B")
                with pytest.raises(APIResponseValidationError, match="not documented"):  # a 200, not its 204
                    await retool.organization.invalidate_all_sessions()
                with pytest.raises(APIResponseValidationError, match="not documented"):
                    await retool.users.delete("user_1")
            seen[name] = recorder.seen

    def fields(raw: bytes) -> tuple[bytes, list[tuple[bytes, bytes]], bytes]:
        head, _, body = raw.partition(b"\r\n\r\n")
        line, *lines = head.split(b"\r\n")
        pairs = [tuple(part.strip() for part in h.split(b":", 1)) for h in lines]
        return line, sorted((k.lower(), v) for k, v in pairs), body  # type: ignore[misc]

    assert len(seen["lane"]) == 5
    lane, theirs = [fields(r) for r in seen["lane"]], [fields(r) for r in seen["httpx pool"]]
    assert lane[:4] == theirs[:4]
    assert b"content-type" not in seen["lane"][3].lower()  # the POST without a body
    # the one difference, aiohttp's and not to be turned off: Content-Length: 0 on a DELETE
    line, headers, body = lane[4]
    assert (line, [h for h in headers if h != (b"content-length", b"0")], body) == theirs[4]


def test_a_new_base_url_host_leaves_the_lane_for_its_own_proxy_route(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "acme.retool.com")
    retool = RetoolClient("https://acme.retool.com", "tok")
    http = retool.get_async_httpx_client()
    lane = lane_of(retool)
    assert lane.pool.proxy is None  # acme.retool.com is exempt
    http.base_url = httpx.URL("https://other.example/api/v2/")
    assert not lane.ready()  # other.example goes through the proxy: httpx's way routes it


async def test_a_timeout_before_the_answer_keeps_the_request_on_its_cause() -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await reader.read()  # until the client gives up

    server, url = await serve(never_answer)
    async with server, RetoolClient(url, "tok", timeout=0.3, max_retries=0) as retool:
        assert retool._lane is not None
        with pytest.raises(APITimeoutError) as caught:
            await retool.users.get("user_1")
    cause = caught.value.__cause__
    assert isinstance(cause, httpx.ReadTimeout) and "no answer within 0.3s" in str(cause)
    assert cause.request.url.path == "/api/v2/users/user_1"


async def test_every_content_encoding_header_counts_on_the_lane() -> None:
    import gzip

    body = gzip.compress(json.dumps(USER).encode())
    answer = (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: identity\r\n"
        b"content-encoding: gzip\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    server, url = await serve(Recorder(answer))
    async with server, RetoolClient(url, "tok") as retool:
        assert retool._lane is not None
        user = await retool.users.get("user_1")
    assert user.email == USER["data"]["email"]


async def test_a_cookie_set_on_the_lane_is_sent_next_time_without_anyone_looking() -> None:
    """The lane trusts its template until an answer sets a cookie: the next request carries it."""
    answer = http_answer("200 OK", json.dumps(USER).encode(), "set-cookie: session=s1; Path=/\r\n")

    async def calls(retool: RetoolClient) -> None:
        assert retool._lane is None or retool._lane.trusted
        await retool.users.get("user_1")
        assert retool._lane is None or not retool._lane.trusted
        await retool.users.get("user_1")

    lane, httpx_way = await both_ways(answer, calls)
    assert b"cookie: session=s1" in lane[1].lower()
    assert lane == httpx_way


async def test_a_cookie_stored_by_a_request_off_the_lane_reaches_the_lane() -> None:
    """A multipart upload goes httpx's way; a cookie its answer sets is sent on the lane next."""
    answer = http_answer("200 OK", json.dumps(USER).encode(), "set-cookie: session=s2; Path=/\r\n")
    recorder = Recorder(answer)
    server, url = await serve(recorder)
    async with server, RetoolClient(url, "tok") as retool:
        lane = retool._lane
        assert lane is not None and lane.trusted
        from retool_api_client._http import send

        await send(retool, {"method": "POST", "url": "/upload", "files": {"f": ("a.txt", b"x")}})
        assert not lane.trusted
        await retool.users.get("user_1")
    assert b"cookie: session=s2" in recorder.seen[-1].lower()


async def test_whoever_is_handed_the_httpx_client_may_change_it_and_the_lane_follows() -> None:
    body = json.dumps(USER).encode()
    recorder = Recorder(http_answer("200 OK", body))
    server, url = await serve(recorder)
    async with server, RetoolClient(url, "tok") as retool:
        lane = retool._lane
        assert lane is not None and lane.trusted
        await retool.users.get("user_1")
        http = retool.get_async_httpx_client()
        assert not lane.trusted
        http.headers["X-Trace"] = "t1"
        await retool.users.get("user_1")
        http.params = httpx.QueryParams({"debug": "1"})  # build_request adds it: httpx's way
        await retool.users.get("user_1")
    first, second, third = recorder.seen[-3:]
    assert b"x-trace" not in first.lower()
    assert b"x-trace: t1" in second.lower()
    assert b"debug=1" in third.split(b"\r\n")[0]
