"""Requests sent with a pre-built absolute URL are the requests httpx would have built."""

from __future__ import annotations

import importlib
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retool_api_client import NotFoundError, RetoolClient
from retool_api_client._http import absolute
from retool_api_client._parsing import path_segment
from retool_api_client.generated.api import OPERATIONS

from .test_facade import build_call

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


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_every_operation_builds_the_same_request(operation_id: str) -> None:
    call = build_call(operation_id)
    namespace = OPERATIONS[operation_id][0]
    module = importlib.import_module(f"retool_api_client.generated.api.{namespace}.{operation_id}")
    request = module._get_kwargs(*call["args"], **call["kwargs"])
    retool = RetoolClient(BASES[0], "tok")
    same_request(retool.get_async_httpx_client(), request)


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
