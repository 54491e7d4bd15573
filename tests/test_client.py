"""RetoolClient configuration: URLs, env vars, insecure http, timeouts, with_options, secrets."""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import platform
from typing import Any

import httpx
import pytest

import retool_api_client
from retool_api_client import ConfigurationError, NotFoundError, RetoolClient

from .helpers import ROOT, samples
from .helpers.fakes import FakeTime, make_client

TOKEN = "tok_secret_123"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://acme.retool.com", "https://acme.retool.com/api/v2"),
        ("https://acme.retool.com/", "https://acme.retool.com/api/v2"),
        ("https://acme.retool.com/api/v2", "https://acme.retool.com/api/v2"),
        ("https://acme.retool.com/api/v2/", "https://acme.retool.com/api/v2"),
        ("https://acme.example.com:8443/retool/api/v2", "https://acme.example.com:8443/retool/api/v2"),
        ("http://127.0.0.1:4010", "http://127.0.0.1:4010/api/v2"),
        ("http://localhost:3000/", "http://localhost:3000/api/v2"),
        ("http://[::1]:3000/api/v2", "http://[::1]:3000/api/v2"),
    ],
)
def test_base_url_forms(given: str, expected: str) -> None:
    assert RetoolClient(given, TOKEN).base_url == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (123, "base_url must be a string (an http(s) URL), got int"),
        (b"https://acme.retool.com", "base_url must be a string (an http(s) URL), got bytes"),
        ("https://acme retool.com", "base_url's host 'acme retool.com' is not a host name"),
        ("https://acme%2eretool.com", "is not a host name"),
        ("https://acme.retool.com:99999", "base_url's port must be a number from 0 to 65535"),
        ("https://acme.retool.com:80a", "base_url's port must be a number from 0 to 65535"),
        ("https://acme.re\ttool.com", "base_url must not contain control characters"),
        ("https://acme.retool.com/api\n/v2", "base_url must not contain control characters"),
    ],
)
def test_a_base_url_that_is_no_url_is_refused_naming_it(given: Any, message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RetoolClient(given, TOKEN)
    assert message in str(caught.value)


async def test_requests_go_to_the_api_root_with_auth_and_user_agent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "success": True,
                "data": [samples.component("user")],
                "total_count": 1,
                "next_token": None,
                "has_more": False,
            },
        )

    async with make_client(handler) as client:
        page = await client.users.list(page_size=5).first_page()
    assert [u.id for u in page.items] == [samples.component("user")["id"]]
    request = seen[0]
    assert str(request.url) == "https://acme.retool.com/api/v2/users?limit=5"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    ua = request.headers["user-agent"]
    assert ua == (
        f"retool-api-client/{retool_api_client.__version__} (Retool API {retool_api_client.__api_version__}) "
        f"python/{platform.python_version()}"
    )
    pinned = json.loads((ROOT / "openapi" / "spec.lock").read_text())["current"]
    assert retool_api_client.__api_version__ == pinned


def test_env_vars_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETOOL_BASE_URL", "https://env.retool.com")
    monkeypatch.setenv("RETOOL_API_TOKEN", "tok_from_env")
    client = RetoolClient()
    assert client.base_url == "https://env.retool.com/api/v2"
    assert ("Authorization", "Bearer tok_from_env") in client._sending.headers


def test_explicit_arguments_beat_env_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETOOL_BASE_URL", "https://env.retool.com")
    assert RetoolClient("https://arg.retool.com", "t").base_url == "https://arg.retool.com/api/v2"


@pytest.mark.parametrize(
    ("kw", "env", "message"),
    [
        (
            {"token": "t"},
            "RETOOL_BASE_URL",
            "No Retool URL: pass RetoolClient(base_url=...) or set RETOOL_BASE_URL",
        ),
        (
            {"base_url": "https://a.retool.com"},
            "RETOOL_API_TOKEN",
            "No API token: pass RetoolClient(token=...) or set RETOOL_API_TOKEN",
        ),
    ],
)
def test_missing_settings_name_both_ways(
    monkeypatch: pytest.MonkeyPatch, kw: dict[str, str], env: str, message: str
) -> None:
    monkeypatch.delenv("RETOOL_BASE_URL", raising=False)
    monkeypatch.delenv("RETOOL_API_TOKEN", raising=False)
    with pytest.raises(ConfigurationError) as info:
        RetoolClient(**kw)
    text = str(info.value).replace("'https://acme.retool.com'", "...")
    assert message in text and env in text


@pytest.mark.parametrize(
    "url", ["http://acme.retool.com", "http://10.0.0.5/api/v2", "http://retool.internal:3000"]
)
def test_plain_http_refused_for_non_loopback(url: str) -> None:
    with pytest.raises(ConfigurationError, match="Refusing plain http://"):
        RetoolClient(url, TOKEN)
    assert RetoolClient(url, TOKEN, allow_insecure_http=True).base_url.startswith("http://")


@pytest.mark.parametrize("url", ["ftp://x", "acme.retool.com", "https://", "https://a.com/?x=1"])
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        RetoolClient(url, TOKEN)


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), None, "5", True])
def test_bad_timeouts_are_refused(timeout: object) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        RetoolClient("https://a.retool.com", TOKEN, timeout=timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize("max_retries", [-1, 2.5, "3"])
def test_bad_max_retries_are_refused(max_retries: object) -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        RetoolClient("https://a.retool.com", TOKEN, max_retries=max_retries)  # type: ignore[arg-type]


@pytest.mark.parametrize("token", ["s3cr3t\nX-Evil: 1", " s3cr3t"])
def test_bad_tokens_are_refused_without_echoing_them(token: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        RetoolClient("https://a.retool.com", token)
    assert token.strip() not in str(info.value)


def test_default_timeout_is_finite() -> None:
    timeout = RetoolClient("https://a.retool.com", TOKEN).timeout
    assert timeout.connect == 10.0 and timeout.read == 60.0
    assert RetoolClient("https://a.retool.com", TOKEN, timeout=5).timeout.read == 5.0


async def test_with_options_shares_the_pool_and_leaves_the_original() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers.get("x-extra", "-"))
        return httpx.Response(503)

    time = FakeTime()
    async with make_client(handler, time, max_retries=2) as client:
        fast = client.with_options(max_retries=0, timeout=3, headers={"x-extra": "1"})
        assert fast._pool is client._pool
        assert (client.retry.max_retries, client.timeout.read) == (2, 60.0)
        assert (fast.retry.max_retries, fast.timeout.read) == (0, 3.0)
        with pytest.raises(retool_api_client.InternalServerError):
            await fast.users.get("user_1")
        assert calls == ["1"]
        await fast.aclose()
        assert not client.is_closed
        with pytest.raises(retool_api_client.InternalServerError):
            await client.users.get("user_1")
        assert calls == ["1", "-", "-", "-"]
    assert client.is_closed


async def test_a_custom_transport_or_http_client_carries_the_requests() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={"success": False, "message": "User not found"})

    client = make_client(handler)
    with pytest.raises(NotFoundError, match="User not found"):
        await client.users.get("user_1")
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), params={"trace": "1"}) as http:
        async with RetoolClient("https://a.retool.com", TOKEN, http_client=http) as retool:
            with pytest.raises(NotFoundError):
                await retool.users.get("user_1")
        assert not http.is_closed  # the caller's client is the caller's to close
    assert seen[-1].url.params["trace"] == "1"  # httpx's build_request merged its default params
    for arg in ({"verify": False}, {"proxy": "http://p:1"}, {"limits": httpx.Limits()}, {"http2": True}):
        with pytest.raises(ConfigurationError, match=next(iter(arg))):
            RetoolClient("https://a.retool.com", TOKEN, transport=httpx.MockTransport(handler), **arg)
    with pytest.raises(ConfigurationError, match="pass one of http_client=, transport= and pool="):
        RetoolClient("https://a.retool.com", TOKEN, transport=httpx.MockTransport(handler), http_client=http)


async def test_token_never_appears_in_repr_str_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/users/user_a"):
            raise httpx.ConnectError(f"boom {request.headers['authorization']!r}"[:10])
        return httpx.Response(401, json={"success": False, "message": "bad token"})

    client = make_client(handler)
    texts = [repr(client), str(client), repr(client._sending)]
    caught: list[type[Exception]] = []
    for user_id in ("user_a", "user_b"):
        try:
            await client.users.get(user_id)
        except retool_api_client.RetoolError as exc:
            caught.append(type(exc))
            texts += [str(exc), repr(exc), repr(exc.request), repr(getattr(exc, "response", None))]
            texts += [repr(getattr(exc, "request", None) and exc.request.headers)]  # type: ignore[union-attr]
    texts.append(caplog.text)
    assert caught == [retool_api_client.APIConnectionError, retool_api_client.AuthenticationError]
    assert all(TOKEN not in text for text in texts)
    with pytest.raises(TypeError):
        pickle.dumps(client)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"headers": {"X-Team": "a\r\nX-Admin: 1"}}, "its value holds the control character '\\r'"),
        ({"headers": {"X-Team": "a\x01"}}, "its value holds the control character '\\x01'"),
        ({"headers": {"X-Te\x7fam": "a"}}, "its name holds the control character '\\x7f'"),
        ({"headers": {"X-Team": "Zoë"}}, "must be ASCII text"),
        ({"headers": {"X-Team": 1}}, "headers must map str to str"),
        ({"headers": {" ": "a"}}, "a header name is empty"),
        ({"headers": ["X-Team"]}, "headers must be a mapping"),
        ({"headers": {"authorization": "Bearer other"}}, "header 'authorization' is the SDK's own"),
        ({"limits": {"max_connections": 1}}, "limits must be an httpx.Limits"),
        ({"on_retry": "print"}, "on_retry must be callable"),
    ],
)
def test_bad_headers_and_settings_are_refused_when_the_client_is_made(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RetoolClient("https://acme.retool.com", "tok", **kwargs)
    assert message in str(caught.value)


def test_a_tab_in_a_header_value_and_the_pool_settings_are_fine() -> None:
    retool = RetoolClient(
        "https://acme.retool.com",
        "tok",
        headers={"X-Team": "a\tb"},
        http2=False,
        verify=True,
        limits=httpx.Limits(max_connections=5),
    )
    assert ("X-Team", "a\tb") in retool._sending.headers


async def test_with_options_can_act_for_another_organisation_on_the_same_pool() -> None:
    from retool_api_client.testing import FakeRetool

    first, second = FakeRetool(seed=1), FakeRetool(seed=2)
    base = "https://acme.retool.com"
    tokens = {f"Bearer {first.token}": first, f"Bearer {second.token}": second}

    def handler(request: httpx.Request) -> httpx.Response:
        fake = tokens[request.headers["authorization"]]
        path = request.url.path.removeprefix("/other-org")
        done = fake.handle(request.method, path, request.url.query.decode(), request.headers, request.content)
        return httpx.Response(done.status, headers=done.headers, content=done.body)

    async with RetoolClient(base, first.token, transport=httpx.MockTransport(handler)) as retool:
        other = retool.with_options(token=second.token, base_url=base + "/other-org/api/v2")
        assert other._pool is retool._pool
        assert other.base_url == base + "/other-org/api/v2" and retool.base_url == base + "/api/v2"
        mine = await retool.users.create(email="ada@example.com", first_name="Ada", last_name="L")
        theirs = await other.users.create(email="bob@example.com", first_name="Bob", last_name="M")
        assert [u.email async for u in retool.users.list(email="bob@example.com")] == []
        assert [u.email async for u in other.users.list(email="bob@example.com")] == [theirs.email]
        assert [u.email async for u in other.users.list(email="ada@example.com")] == []
        assert mine.email == "ada@example.com"
        assert second.token not in repr(other) and first.token not in repr(retool)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_url": "ftp://acme.retool.com"}, "base_url must be an http(s) URL"),
        ({"base_url": "https://elsewhere.example"}, "needs a RetoolClient of its own"),
        ({"base_url": 123}, "base_url must be a string"),
        ({"base_url": "https://acme retool.com"}, "is not a host name"),
        ({"token": "tok\r\nX-Admin: 1"}, "single-line"),
        ({"token": "tok\x00"}, "control characters"),
        ({"timeout": -1}, "timeout must be a positive number"),
        ({"max_retries": -1}, "max_retries must be an integer >= 0"),
        ({"headers": {"Host": "x"}}, "header 'Host' is the SDK's own"),
        ({"validate_requests": "yes"}, "validate_requests must be True or False"),
    ],
)
def test_with_options_checks_what_it_is_given_as_the_constructor_does(
    kwargs: dict[str, Any], message: str
) -> None:
    retool = RetoolClient("https://acme.retool.com", TOKEN)
    with pytest.raises(ConfigurationError) as caught:
        retool.with_options(**kwargs)
    assert message in str(caught.value)
    assert "tok\r" not in str(caught.value)


def test_help_shows_no_sentinels_and_no_private_parameters() -> None:
    import inspect
    import pydoc

    text = pydoc.render_doc(RetoolClient, renderer=pydoc.plaintext)
    assert "<object object" not in text
    for method in (RetoolClient.__init__, RetoolClient.with_options):
        parameters = inspect.signature(method).parameters
        assert not [name for name in parameters if name.startswith("_")], method
        assert all("object at 0x" not in repr(p.default) for p in parameters.values())
    retool = RetoolClient("https://acme.retool.com", TOKEN, max_retries=4)
    assert retool.max_retries == 4
    assert f"max_retries={retool.max_retries}" in repr(retool)
    assert f"base_url={retool.base_url!r}" in repr(retool)


@pytest.mark.parametrize("max_retries", [None, 1])
def test_retry_that_is_no_retry_config_is_refused_with_or_without_max_retries(
    max_retries: int | None,
) -> None:
    """The constructor and with_options merge ``max_retries`` into ``retry`` in one place,
    after checking it (``retry={}`` was a TypeError with max_retries, and silently the default
    without)."""
    with pytest.raises(ConfigurationError, match="retry must be a RetryConfig, got dict"):
        RetoolClient("https://acme.retool.com", TOKEN, retry={}, max_retries=max_retries)  # type: ignore[arg-type]
    retool = RetoolClient("https://acme.retool.com", TOKEN)
    with pytest.raises(ConfigurationError, match="retry must be a RetryConfig, got dict"):
        retool.with_options(retry={}, max_retries=1 if max_retries is None else max_retries)  # type: ignore[arg-type]
    assert retool.with_options(max_retries=4).max_retries == 4
    assert RetoolClient("https://acme.retool.com", TOKEN, max_retries=3).retry.max_retries == 3


@pytest.mark.parametrize("binds", [False, True])
def test_a_pool_that_binds_to_its_loop_keeps_the_client_on_it(binds: bool) -> None:
    """A pool of the caller's own may move on to a new loop once the first is closed, unless it
    says ``binds_to_loop`` (the fake's in-process pool does, as a pool of sockets would)."""
    from retool_api_client.pool import Answer, Headers, Request, Timeout

    body = json.dumps({"success": True, "data": samples.component("user")}).encode()

    class Static:
        binds_to_loop = binds

        async def send(self, request: Request, timeout: Timeout, cap: int) -> Answer:
            return Answer(200, Headers([("Content-Type", "application/json")]), body, request)

        async def aclose(self) -> None:
            pass

        def describe(self) -> str:
            return "static"

    retool = RetoolClient("https://acme.retool.com", TOKEN, pool=Static())
    asyncio.run(retool.users.get("user_1"))
    if binds:
        with pytest.raises(ConfigurationError, match="bound to the event loop that first used it"):
            asyncio.run(retool.users.get("user_1"))
    else:
        assert asyncio.run(retool.users.get("user_1")).id == samples.component("user")["id"]


def test_the_fakes_client_belongs_to_its_first_event_loop() -> None:
    from retool_api_client.testing import FakeRetool

    fake = FakeRetool(seed=0)
    user = fake.add("users", {"email": "ada@example.com", "first_name": "Ada", "last_name": "L"})
    retool = fake.client()
    assert asyncio.run(retool.users.get(user["id"])).email == "ada@example.com"
    with pytest.raises(ConfigurationError, match="create one client per event loop"):
        asyncio.run(retool.users.get(user["id"]))


async def test_a_pool_of_ones_own_carries_the_requests_through_the_same_retry_loop() -> None:
    from retool_api_client.pool import Answer, Failure, Headers, Kind, Request, Timeout

    class Flaky:
        def __init__(self) -> None:
            self.sent: list[Request] = []
            self.closed = False

        async def send(self, request: Request, timeout: Timeout, cap: int) -> Answer:
            self.sent.append(request)
            if len(self.sent) == 1:
                raise Failure(Kind.NEVER_SENT, "not yet")
            body = json.dumps({"success": True, "data": samples.component("user")}).encode()
            return Answer(200, Headers([("Content-Type", "application/json")]), body, request)

        async def aclose(self) -> None:
            self.closed = True

        def describe(self) -> str:
            return "flaky"

    pool = Flaky()
    async with RetoolClient("https://acme.retool.com", TOKEN, pool=pool) as retool:
        FakeTime().install(retool)
        user = await retool.users.get("user_1")
        assert "pool='flaky'" in repr(retool)
    assert user.id == samples.component("user")["id"]
    assert [r.url for r in pool.sent] == ["https://acme.retool.com/api/v2/users/user_1"] * 2
    assert pool.closed
    with pytest.raises(ConfigurationError, match="pool must have send"):
        RetoolClient("https://acme.retool.com", TOKEN, pool=object())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="verify"):
        RetoolClient("https://acme.retool.com", TOKEN, pool=Flaky(), verify=False)
