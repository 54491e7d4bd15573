"""What reaches the server: the same bytes on every pool, for every operation and every shape of
path, query, header and body; the headers the SDK owns refused before anything is sent."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retool_api_client import ConfigurationError, RetoolClient
from retool_api_client._types import UNSET
from retool_api_client.generated.api import OPERATIONS

from ..helpers.calls import build_call, call_declared
from ..helpers.pools import POOLS, client_on
from ..helpers.wire_server import Act, Received, WireServer, answer

_BOUNDARY = re.compile(rb"[0-9a-f]{32}")


def _normalized(raw: bytes) -> bytes:
    """A request's bytes with what is random per request (a multipart boundary) made constant."""
    return _BOUNDARY.sub(b"B" * 32, raw)


def sample_answer(call: dict[str, Any]) -> bytes:
    body = b"" if call["answer"] is None else json.dumps(call["answer"]).encode()
    return answer(call["status"], body, reason="OK")


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
async def test_every_operation_sends_the_same_bytes_on_every_pool(operation_id: str) -> None:
    call = build_call(operation_id)
    sent = {}
    async with WireServer(lambda r: sample_answer(call)) as server:
        for pool in POOLS:
            async with client_on(pool, server.url, max_retries=0) as retool:
                await call_declared(retool, call)
            sent[pool] = _normalized(server.received[-1].raw)
    reference = sent["httpx"]
    assert reference.startswith(f"{call['method']} {call['path']}".encode())
    for pool, raw in sent.items():
        assert raw == reference, (pool, raw, reference)


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
_SEGMENT = _TEXT.filter(str.strip)  # a blank path parameter is refused before sending (tested elsewhere)
_VALUE = st.one_of(st.booleans(), st.integers(-(10**6), 10**6), _TEXT, st.none())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.lists(_SEGMENT, min_size=1, max_size=3),
    query=st.dictionaries(
        st.sampled_from(["a", "b c", "ü", "x&y"]), st.one_of(_VALUE, st.lists(_VALUE, max_size=3))
    ),
    body=st.one_of(st.none(), st.dictionaries(_TEXT, _VALUE, max_size=4)),
)
async def test_arbitrary_paths_queries_and_bodies_are_the_same_bytes_on_every_pool(
    path: list[str], query: dict[str, Any], body: dict[str, Any] | None
) -> None:
    from retool_api_client._operation import Operation
    from retool_api_client._request import build, send

    op = Operation(
        "probe",
        "POST" if body is not None else "GET",
        "/" + "/".join(f"{{p{i}}}" for i in range(len(path))),
        path_params=tuple(f"p{i}" for i in range(len(path))),
        query=tuple((k, k) for k in query),
        body="json" if body is not None else None,
    )
    sent = {}
    async with WireServer(lambda r: answer()) as server:
        for pool in POOLS:
            async with client_on(pool, server.url, max_retries=0) as retool:
                await send(retool, build(op, tuple(path), query, body if body is not None else UNSET), op)
            sent[pool] = server.received[-1].raw
    assert sent["http11"] == sent["httpx"] == sent["httpx2"], sent


async def test_a_base_url_path_beyond_ascii_is_sent_percent_encoded_on_every_pool() -> None:
    sent = {}
    async with WireServer(lambda r: answer()) as server:
        for pool in POOLS:
            async with client_on(pool, server.url + "/orgs/zoë wörks/api/v2") as retool:
                await _get(retool)
            sent[pool] = server.received[-1].raw
    assert sent["http11"] == sent["httpx"] == sent["httpx2"]
    assert sent["http11"].startswith(b"GET /orgs/zo%C3%AB%20w%C3%B6rks/api/v2/users/user_1 HTTP/1.1")


async def test_a_header_of_the_callers_replaces_the_sdks_of_any_case(pool: str) -> None:
    async with WireServer(lambda r: answer()) as server:
        async with client_on(pool, server.url, headers={"user-agent": "my-app/1.0", "X-Team": "a"}) as retool:
            await _get(retool.with_options(headers={"x-team": "b"}))
    (request,) = server.received
    assert request.header("User-Agent") == ["my-app/1.0"]
    assert request.header("X-Team") == ["b"]
    assert len(request.header("Authorization")) == 1


@pytest.mark.parametrize(
    "name",
    [
        "Content-Length",
        "transfer-encoding",
        "Host",
        "Connection",
        "Expect",
        "Authorization",
        "accept",
        "Content-Type",
        "Keep-Alive",
        "Upgrade",
        "TE",
        "Proxy-Authorization",
    ],
)
async def test_headers_the_sdk_owns_or_that_frame_the_message_are_refused_naming_them(name: str) -> None:
    value = "100-continue" if name == "Expect" else "5"
    async with WireServer(lambda r: answer()) as server:
        with pytest.raises(ConfigurationError, match=re.escape(repr(name))):
            RetoolClient(server.url, "tok", headers={name: value})
        async with RetoolClient(server.url, "tok") as retool:
            with pytest.raises(ConfigurationError, match=re.escape(repr(name))):
                retool.with_options(headers={name: value})
    assert server.received == []


async def test_a_post_without_a_body_says_content_length_zero_as_httpx_does(pool: str) -> None:
    async with WireServer(lambda r: answer()) as server:
        async with client_on(pool, server.url) as retool:
            for method in ("POST", "PUT", "PATCH", "DELETE", "GET"):
                await _get(retool, method)
    lengths = {r.method: r.header("Content-Length") for r in server.received}
    assert lengths == {"POST": ["0"], "PUT": ["0"], "PATCH": ["0"], "DELETE": [], "GET": []}


async def test_requests_reuse_one_kept_alive_connection(pool: str) -> None:
    async with WireServer(lambda r: answer()) as server:
        async with client_on(pool, server.url) as retool:
            for _ in range(5):
                await _get(retool)
    assert len(server.received) == 5
    assert server.connections == 1


async def _get(retool: RetoolClient, method: str = "GET") -> Any:
    """A request of ``method`` to ``/users/user_1`` through the pipeline's send step."""
    from retool_api_client._request import send

    return await send(retool, {"method": method, "url": "/users/user_1"})


async def test_a_server_that_closes_after_answering_gets_a_new_connection(pool: str) -> None:
    reply = answer(headers=[("Connection", "close"), ("Content-Type", "application/json")])
    async with WireServer(lambda r: Act(reply, close=True)) as server:
        async with client_on(pool, server.url) as retool:
            for _ in range(3):
                assert (await _get(retool)).status_code == 200
    assert len(server.received) == 3
    assert server.connections == 3


async def test_a_cookie_the_server_sets_is_sent_back(pool: str) -> None:
    def script(request: Received) -> bytes:
        return answer(headers=[("Set-Cookie", "lb=node-7; Path=/"), ("Content-Type", "application/json")])

    async with WireServer(script) as server:
        async with client_on(pool, server.url) as retool:
            await _get(retool)
            await _get(retool)
    first, second = server.received
    assert first.header("Cookie") == []
    assert second.header("Cookie") == ["lb=node-7"]


def test_nothing_but_the_pools_module_names_httpx_in_a_request() -> None:
    """The wire request is the SDK's own: building one needs no httpx object."""
    from retool_api_client._message import Request

    request = Request("GET", "https://acme.retool.com/api/v2/users", [("Accept", "application/json")])
    assert not any(isinstance(v, httpx.Request | httpx.Headers | httpx.URL) for v in vars_of(request))


def vars_of(obj: object) -> list[object]:
    return [getattr(obj, name) for name in obj.__slots__]  # type: ignore[attr-defined]
