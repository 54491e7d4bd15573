"""A default ``RetoolClient`` honours ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY``
as httpx documents them, on every backend: checked against a proxy stub on 127.0.0.1 that
records what it receives and never connects onwards (nothing leaves loopback; the hostnames
behind the proxy are never resolved by the client)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from retool_api_client import APIConnectionError, RetoolClient
from retool_api_client._transports import BACKEND_ENV, ProxyRoutes, _Pattern, environment_proxies

from .helpers import samples

BACKENDS = ["aiohttp", "httpx"]
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def envelope(email: str) -> bytes:
    return json.dumps(
        {"success": True, "data": samples.component("user", optional=True) | {"email": email}}
    ).encode()


class Stub:
    """An HTTP server on 127.0.0.1 answering a user whose email says who answered; it records
    each request line. As a proxy: absolute-form ``GET http://host/...`` is answered as any
    request, ``CONNECT host:443`` is refused with a 403 (recorded first)."""

    def __init__(self, name: str) -> None:
        self.name, self.lines, self.heads, self.url = name, list[str](), list[bytes](), ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                line = head.split(b"\r\n")[0].decode()
                self.lines.append(line)
                self.heads.append(head)
                if line.startswith("CONNECT "):
                    writer.write(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    await writer.drain()
                    break
                body = envelope(f"{self.name}@example.com")
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                    % (len(body), body)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def __aenter__(self) -> Stub:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARS, "REQUEST_METHOD"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(BACKEND_ENV, request.param)
    return str(request.param)


@pytest.fixture
async def proxy() -> AsyncIterator[Stub]:
    async with Stub("proxy") as stub:
        yield stub


@pytest.fixture
async def direct() -> AsyncIterator[Stub]:
    async with Stub("direct") as stub:
        yield stub


async def email_of_user(base_url: str, **kwargs: object) -> str:
    async with RetoolClient(base_url, "tok", allow_insecure_http=True, max_retries=0, **kwargs) as retool:  # type: ignore[arg-type]
        return (await retool.users.get("user_1")).email


async def test_http_proxy_gets_the_absolute_url(
    backend: str, proxy: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    assert await email_of_user("http://acme.retool.example") == "proxy@example.com"
    assert proxy.lines == ["GET http://acme.retool.example/api/v2/users/user_1 HTTP/1.1"]


async def test_https_proxy_is_asked_for_a_tunnel(
    backend: str, proxy: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    with pytest.raises(APIConnectionError, match="ProxyError"):  # the stub refuses the tunnel
        await email_of_user("https://acme.retool.example")
    assert proxy.lines == ["CONNECT acme.retool.example:443 HTTP/1.1"]


async def test_https_proxy_without_a_scheme_is_http(
    backend: str, proxy: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("https_proxy", proxy.url.removeprefix("http://"))
    with pytest.raises(APIConnectionError, match="ProxyError"):
        await email_of_user("https://acme.retool.example")
    assert proxy.lines == ["CONNECT acme.retool.example:443 HTTP/1.1"]


async def test_all_proxy_covers_every_scheme(
    backend: str, proxy: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALL_PROXY", proxy.url)
    assert await email_of_user("http://acme.retool.example") == "proxy@example.com"


async def test_no_proxy_goes_direct(
    backend: str, proxy: Stub, direct: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "localhost, 127.0.0.1")
    assert await email_of_user(direct.url) == "direct@example.com"
    monkeypatch.setenv("NO_PROXY", "*")
    assert await email_of_user(direct.url) == "direct@example.com"
    assert proxy.lines == []
    assert len(direct.lines) == 2


async def test_trust_env_false_ignores_the_environment(
    backend: str, proxy: Stub, direct: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    assert await email_of_user(direct.url, httpx_args={"trust_env": False}) == "direct@example.com"
    assert proxy.lines == []


async def test_an_explicit_proxy_wins_over_the_environment(
    backend: str, proxy: Stub, direct: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", direct.url)  # would answer "direct"
    monkeypatch.setenv("NO_PROXY", "acme.retool.example")  # httpx ignores both for proxy=
    assert (
        await email_of_user("http://acme.retool.example", httpx_args={"proxy": proxy.url})
        == "proxy@example.com"
    )
    assert direct.lines == []


async def test_credentials_in_the_proxy_url_are_sent_to_the_proxy(
    backend: str, proxy: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("http://", "http://alice:s3cret@"))
    assert await email_of_user("http://acme.retool.example") == "proxy@example.com"
    monkeypatch.setenv("HTTPS_PROXY", proxy.url.replace("http://", "http://alice:s3cret@"))
    with pytest.raises(APIConnectionError, match="ProxyError"):
        await email_of_user("https://acme.retool.example")
    assert [h.split(b"\r\n")[0] for h in proxy.heads] == [
        b"GET http://acme.retool.example/api/v2/users/user_1 HTTP/1.1",
        b"CONNECT acme.retool.example:443 HTTP/1.1",
    ]
    for head in proxy.heads:  # alice:s3cret, once
        assert head.lower().count(b"\r\nproxy-authorization: basic ywxpy2u6cznjcmv0\r\n") == 1


async def test_without_proxy_variables_requests_go_direct(backend: str, direct: Stub) -> None:
    assert await email_of_user(direct.url) == "direct@example.com"


def test_the_environment_is_read_as_httpx_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://p:1")
    monkeypatch.setenv("HTTPS_PROXY", "p:2")
    monkeypatch.setenv("NO_PROXY", "localhost,10.0.0.1,::1,.internal.example,corp.example,https://x.example")
    assert environment_proxies() == {
        "http://": "http://p:1",
        "https://": "http://p:2",
        "all://localhost": None,
        "all://10.0.0.1": None,
        "all://[::1]": None,
        "all://*.internal.example": None,
        "all://*corp.example": None,
        "https://x.example": None,
    }
    routes = ProxyRoutes(
        direct := httpx.AsyncHTTPTransport(),
        {p: None if u is None else httpx.AsyncHTTPTransport() for p, u in environment_proxies().items()},
    )
    http, https = (routes.transport_for(httpx.URL(u)) for u in ("http://a.example", "https://a.example"))
    assert http is not direct and https is not direct and http is not https
    for bypassed in (
        "http://localhost:8080",
        "http://10.0.0.1",
        "http://[::1]:1",
        "https://svc.internal.example",
        "https://corp.example",
        "https://api.corp.example",
        "https://x.example",
    ):
        assert routes.transport_for(httpx.URL(bypassed)) is direct, bypassed
    for proxied in (
        "https://notcorp.example",
        "http://internal.example",
        "http://x.example",
        "http://10.0.0.2",
    ):
        assert routes.transport_for(httpx.URL(proxied)) is not direct, proxied
    monkeypatch.setenv("NO_PROXY", "*")
    assert environment_proxies() == {}


@pytest.mark.parametrize(
    "env",
    [
        {"HTTP_PROXY": "http://p:1"},
        {"https_proxy": "p:2", "no_proxy": "a.example, 127.0.0.1 ,,"},
        {"ALL_PROXY": "socks5://p:3", "NO_PROXY": "http://b.example:8080,::1,10.0.0.0"},
        {"HTTP_PROXY": "http://p:1", "NO_PROXY": "*"},
        {},
    ],
)
def test_the_same_routes_as_httpx_builds_for_itself(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpx's own reading of the environment (private, so compared here rather than used)."""
    from httpx._utils import URLPattern, get_environment_proxies

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert environment_proxies() == get_environment_proxies()
    urls = [
        "http://a.example",
        "https://x.a.example",
        "http://b.example:8080",
        "http://b.example",
        "http://[::1]",
    ]
    for pattern in [*environment_proxies(), "all://*", "http://*.a.example", "all://*a.example:80"]:
        for url in urls:
            assert _Pattern.parse(pattern).matches(httpx.URL(url)) == URLPattern(pattern).matches(
                httpx.URL(url)
            ), (
                pattern,
                url,
            )
