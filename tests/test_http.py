"""Requests sent with a pre-built absolute URL are the requests httpx would have built."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retool_api_client import ConfigurationError, NotFoundError, RetoolClient
from retool_api_client._http import absolute
from retool_api_client._parsing import path_segment
from retool_api_client._request import build
from retool_api_client._types import UNSET
from retool_api_client.generated.api import OPERATIONS, operation

from .helpers.calls import answering, build_call

BASES = [
    "https://acme.retool.com/api/v2",
    "https://acme.retool.com/api/v2/",
    "http://127.0.0.1:8080/retool/api/v2",
    "https://[::1]:3000/api/v2",
    "https://xn--bcher-kva.example/a%20b/api/v2",
]


def same_request(http: httpx.AsyncClient, request: dict[str, Any]) -> None:
    ours = http.build_request(**absolute(http, request))
    theirs = http.build_request(**request)
    assert str(ours.url) == str(theirs.url)
    assert ours.url.raw_path == theirs.url.raw_path
    assert ours.method == theirs.method

    def headers(built: httpx.Request) -> list[tuple[str, str]]:
        # a multipart body gets a fresh random boundary on every build
        return [(k, v.partition("; boundary=")[0]) for k, v in built.headers.multi_items()]

    assert headers(ours) == headers(theirs)


def sample_request(operation_id: str) -> dict[str, Any]:
    """The request the operation's sample call (``helpers.calls.build_call``) builds."""
    call = build_call(operation_id)
    params = {k: v for k, v in call["kwargs"].items() if k != "body"}
    return build(operation(operation_id), tuple(call["args"]), params, call["kwargs"].get("body", UNSET))


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_every_operation_builds_the_same_request(operation_id: str) -> None:
    retool = RetoolClient(BASES[0], "tok")
    same_request(retool.get_async_httpx_client(), sample_request(operation_id))


text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
param_values = st.one_of(
    text,
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.lists(st.one_of(text, st.integers()), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(
    base=st.sampled_from(BASES),
    segments=st.lists(text.filter(str.strip), min_size=1, max_size=3),
    params=st.dictionaries(text, param_values, max_size=4),
)
def test_arbitrary_paths_and_parameters_give_the_same_url(
    base: str, segments: list[str], params: dict[str, Any]
) -> None:
    path = "/users/" + "/".join(path_segment("id", segment) for segment in segments)
    request: dict[str, Any] = {"method": "get", "url": path}
    if params:
        request["params"] = params
    same_request(httpx.AsyncClient(base_url=base), request)


@pytest.mark.parametrize("url", ["/", "/users/%2E%2E", "/users/a b/\u00e9"])
@pytest.mark.parametrize("base", BASES)
def test_unusual_paths_give_the_same_url(base: str, url: str) -> None:
    same_request(httpx.AsyncClient(base_url=base), {"method": "delete", "url": url})


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("https://acme.retool.com/api/v2?x=1", "/users"),  # a base_url with a query
        ("", "/users"),  # no base_url
        ("https://acme.retool.com/api/v2", "https://elsewhere.example/users"),  # absolute already
        ("https://acme.retool.com/api/v2", "users"),  # not a path from the root
        ("https://acme.retool.com/api/v2", "//users"),  # a host, for httpx
    ],
)
def test_other_urls_are_left_to_httpx(base: str, url: str) -> None:
    request = {"method": "get", "url": url, "params": {"a": "1"}}
    http = httpx.AsyncClient(base_url=base)
    assert absolute(http, request) is request


async def test_client_wide_params_keep_httpx_precedence() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404)

    async with RetoolClient(
        "https://acme.retool.com",
        "tok",
        transport=httpx.MockTransport(handler),
        httpx_args={"params": {"email": "client@example.com", "extra": "1"}},
    ) as retool:
        with pytest.raises(NotFoundError):
            await retool.users.list(email="call@example.com").first_page()
    # the call's own value wins over the client-wide one, as with httpx alone
    assert seen[0].url.params.multi_items() == [("email", "call@example.com"), ("extra", "1")]


async def test_requests_reach_the_transport_unchanged_apart_from_the_url() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={"success": False, "message": "no"})

    async with RetoolClient(
        "https://acme.retool.com", "tok", transport=httpx.MockTransport(handler)
    ) as retool:
        with pytest.raises(NotFoundError):
            await retool.users.create(email="a@example.com", first_name="A", last_name="B")
    (request,) = seen
    assert str(request.url) == "https://acme.retool.com/api/v2/users"
    assert request.headers["authorization"] == "Bearer tok"
    assert request.headers["content-type"] == "application/json"
    assert request.read() == b'{"email":"a@example.com","first_name":"A","last_name":"B"}'


# -- the direct path: straight to the retry transport while httpx's send() would add nothing --

#: httpx_args that make RetoolClient take httpx's own send() (empty hooks change nothing else)
HTTPX_WAY = {"event_hooks": {"request": [], "response": []}}


def client_for(handler: Any, **httpx_args: Any) -> RetoolClient:
    return RetoolClient(
        "https://acme.retool.com", "tok", transport=httpx.MockTransport(handler), httpx_args=httpx_args
    )


def test_only_a_client_without_send_time_features_goes_direct() -> None:
    assert client_for(lambda r: httpx.Response(200))._direct_transport is not None
    for args in (HTTPX_WAY, {"auth": ("u", "p")}, {"mounts": {}}, {"follow_redirects": True}):
        assert client_for(lambda r: httpx.Response(200), **args)._direct_transport is None, args
    # URL userinfo (which httpx would turn into basic auth, replacing the token) is refused
    with pytest.raises(ConfigurationError, match="must not contain a user name or password"):
        RetoolClient("https://u:p@acme.retool.com", "tok")


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
async def test_both_ways_send_the_same_request_and_return_the_same_result(
    operation_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    from .helpers.calls import call_declared

    call = build_call(operation_id)
    outcomes = []
    for httpx_args in ({}, HTTPX_WAY):
        seen: list[httpx.Request] = []
        handler = answering(call, seen, headers={"x-request-id": "r1"})
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="httpx"):
            async with client_for(handler, **httpx_args) as retool:
                assert (retool._direct_transport is None) == bool(httpx_args)
                result, _, _ = await call_declared(retool, call)
        (request,) = seen
        outcomes.append(
            (
                request.method,
                str(request.url),
                [(k, v.partition("; boundary=")[0]) for k, v in request.headers.multi_items()],
                request.extensions,
                request.content if call["multipart"] is None else None,
                repr(result),
                [r.getMessage() for r in caplog.records if r.name == "httpx"],
            )
        )
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][-1] == [
        f'HTTP Request: {outcomes[0][0]} {outcomes[0][1]} "HTTP/1.1 {call["status"]} {httpx.codes.get_reason_phrase(call["status"])}"'
    ]


async def test_cookies_the_server_sets_are_sent_back_both_ways() -> None:
    for httpx_args in ({}, HTTPX_WAY):
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            headers = {"set-cookie": "AWSALB=sticky1; Path=/"} if len(seen) == 1 else {}
            return httpx.Response(404, json={"success": False, "message": "no"}, headers=headers)

        async with client_for(handler, **httpx_args) as retool:
            for _ in range(3):
                with pytest.raises(NotFoundError):
                    await retool.users.get("user_1")
            assert dict(retool.get_async_httpx_client().cookies) == {"AWSALB": "sticky1"}
        assert [r.headers.get("cookie") for r in seen] == [None, "AWSALB=sticky1", "AWSALB=sticky1"]


async def test_hooks_auth_and_redirects_added_later_take_httpxs_way() -> None:
    seen: list[httpx.Request] = []
    hooked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/user_old"):
            return httpx.Response(301, headers={"location": "/api/v2/users/user_2"})
        return httpx.Response(404, json={"success": False, "message": "no"})

    async with client_for(handler) as retool:
        http = retool.get_async_httpx_client()

        async def hook(request: httpx.Request) -> None:
            hooked.append(request.url.path)

        http.event_hooks = {"request": [hook], "response": []}
        with pytest.raises(NotFoundError):
            await retool.users.get("user_1")
        assert hooked == ["/api/v2/users/user_1"]
        http.event_hooks = {"request": [], "response": []}

        http.auth = httpx.BasicAuth("u", "p")
        with pytest.raises(NotFoundError):
            await retool.users.get("user_1")
        assert seen[-1].headers["authorization"].startswith("Basic ")
        http.auth = None

        http.follow_redirects = True
        with pytest.raises(NotFoundError):
            await retool.users.get("user_old")  # user_old -> 301 -> user_2 -> 404
    assert [r.url.path for r in seen[-2:]] == ["/api/v2/users/user_old", "/api/v2/users/user_2"]


async def test_a_direct_response_is_read_timed_and_closed() -> None:
    async with client_for(
        lambda r: httpx.Response(404, json={"success": False, "message": "gone"})
    ) as retool:
        with pytest.raises(NotFoundError) as caught:
            await retool.users.get("user_1")
    response = caught.value.response
    assert response is not None and response.is_closed and response.content
    assert response.elapsed >= datetime.timedelta(0)
    assert response.request.url.path == "/api/v2/users/user_1"


async def test_a_closed_client_refuses_both_ways() -> None:
    for httpx_args in ({}, HTTPX_WAY):
        retool = client_for(lambda r: httpx.Response(200), **httpx_args)
        await retool.aclose()
        with pytest.raises(ConfigurationError, match="RetoolClient is closed"):
            await retool.users.get("user_1")


class ResetMidBody(httpx.AsyncByteStream):
    async def __aiter__(self) -> Any:
        yield b'{"success": true, "da'
        raise httpx.ReadError("connection reset by peer")

    async def aclose(self) -> None:
        pass


@pytest.mark.parametrize("httpx_args", [{}, HTTPX_WAY])
async def test_a_reset_while_the_body_is_read_is_a_typed_connection_error(httpx_args: dict[str, Any]) -> None:
    from retool_api_client import APIConnectionError

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=ResetMidBody(), headers={"content-type": "application/json"})

    async with client_for(handler, **httpx_args) as retool:
        with pytest.raises(APIConnectionError) as caught:
            await retool.users.get("user_1")
        with pytest.raises(APIConnectionError):
            await retool.users.list().first_page()
    assert str(caught.value) == (
        "ReadError on GET https://acme.retool.com/api/v2/users/user_1: connection reset by peer"
    )
    assert caught.value.request is not None


async def test_an_answer_made_from_its_head_is_an_httpx_response_in_every_attribute() -> None:
    """``Answer.from_head`` skips httpx's constructor: it must set every attribute that
    constructor sets (an httpx upgrade that adds one fails here), and behave the same."""
    from retool_api_client._answer import Answer

    raw = [(b"Content-Type", b"application/json"), (b"Set-Cookie", b"a=1"), (b"Set-Cookie", b"b=2")]
    extensions = {"http_version": b"HTTP/1.1", "reason_phrase": b"Created"}
    request = httpx.Request("POST", "https://example.com/api/v2/users")
    theirs = httpx.Response(201, headers=raw, stream=httpx.ByteStream(b'{"a": 1}'), extensions=extensions)
    theirs.request = request
    ours = Answer.from_head(201, raw, httpx.ByteStream(b'{"a": 1}'), dict(extensions), lambda: request)
    assert set(vars(theirs)) - {"headers"} <= set(vars(ours))
    assert ours.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert set(vars(theirs)) <= set(vars(ours))  # headers now parsed, and kept
    assert ours.request is request
    await ours.aread()
    await theirs.aread()
    for name in ("status_code", "reason_phrase", "http_version", "content", "encoding", "is_success"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.json() == theirs.json() == {"a": 1}
    assert list(ours.headers.multi_items()) == list(theirs.headers.multi_items())
    assert repr(ours) == repr(theirs)
    ours.headers = httpx.Headers({"x": "y"})
    assert ours.headers["x"] == "y"
