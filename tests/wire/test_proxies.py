"""Proxies on every pool the SDK makes, as httpx sends through them: an ``http://`` target in
absolute form with the proxy's headers, an ``https://`` target through a ``CONNECT`` tunnel, an
``https://`` proxy verified with its own TLS settings (never the origin's ``verify``)."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from retool_api_client import APIConnectionError

from ..helpers import tls
from ..helpers.pools import made_on
from ..helpers.wire_server import Proxy, WireServer, answer

USER = json.dumps({"success": True, "data": {"id": "user_1"}}).encode()
CREDENTIALS = base64.b64encode(b"proxyuser:pr0xy-pass").decode()


@pytest.fixture(params=("http11", "httpx", "httpx2"))
def made(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def get(retool: Any) -> Any:
    from retool_api_client._request import send

    return await send(retool, {"method": "GET", "url": "/users/user_1"})


def with_credentials(url: str) -> str:
    scheme, rest = url.split("://")
    return f"{scheme}://proxyuser:pr0xy-pass@{rest}"


async def test_an_http_target_goes_to_the_proxy_in_absolute_form_with_its_headers(made: str) -> None:
    """``httpx.Proxy(headers=...)`` reached the proxy on the SDK's aiohttp pool only for https."""
    async with WireServer(lambda r: answer(body=USER)) as origin, Proxy() as proxy:
        given = httpx.Proxy(with_credentials(proxy.url), headers={"X-Proxy-Team": "infra"})
        async with made_on(made, origin.url, proxy=given) as retool:
            assert (await get(retool)).content == USER
    (seen,) = proxy.received
    assert seen.target == origin.url + "/api/v2/users/user_1"
    assert seen.header("Proxy-Authorization") == [f"Basic {CREDENTIALS}"]
    assert seen.header("X-Proxy-Team") == ["infra"]
    (arrived,) = origin.received
    assert arrived.header("Authorization") == ["Bearer tok_secret_123"]


async def test_an_https_target_goes_through_a_tunnel_with_the_proxys_headers_on_the_connect(
    made: str,
) -> None:
    async with WireServer(lambda r: answer(body=USER), tls=tls.server_context()) as origin, Proxy() as proxy:
        given = httpx.Proxy(with_credentials(proxy.url), headers={"X-Proxy-Team": "infra"})
        async with made_on(made, origin.url, proxy=given, verify=tls.client_context()) as retool:
            assert (await get(retool)).content == USER
            assert (await get(retool)).content == USER
    (connect,) = proxy.received  # one tunnel, kept alive for both requests
    assert connect.method == "CONNECT" and connect.target == f"localhost:{origin.port}"
    assert connect.header("Proxy-Authorization") == [f"Basic {CREDENTIALS}"]
    assert connect.header("X-Proxy-Team") == ["infra"]
    assert [r.header("Proxy-Authorization") for r in origin.received] == [[], []]


async def test_an_https_proxy_is_verified_with_its_own_context(made: str) -> None:
    proxy_tls = tls.server_context(tls.other_authority())
    async with (
        WireServer(lambda r: answer(body=USER), tls=tls.server_context()) as origin,
        Proxy(tls=proxy_tls) as proxy,
    ):
        given = httpx.Proxy(
            with_credentials(proxy.url), ssl_context=tls.client_context(tls.other_authority())
        )
        async with made_on(made, origin.url, proxy=given, verify=tls.client_context()) as retool:
            assert (await get(retool)).content == USER
    assert [r.method for r in proxy.received] == ["CONNECT"]


async def test_an_impostor_https_proxy_never_sees_the_credentials_even_with_verify_false(made: str) -> None:
    """The origin's ``verify=False`` does not extend to the proxy: its certificate must verify
    with the proxy's own settings (here the default authorities), as on httpx's pool."""
    impostor = tls.server_context(tls.other_authority())
    async with (
        WireServer(lambda r: answer(body=USER), tls=tls.server_context()) as origin,
        Proxy(tls=impostor) as proxy,
    ):
        async with made_on(
            made, origin.url, proxy=with_credentials(proxy.url), verify=False, max_retries=0
        ) as retool:
            with pytest.raises(APIConnectionError) as caught:
                await get(retool)
    assert proxy.received == []
    assert origin.received == []
    assert "pr0xy-pass" not in str(caught.value) and CREDENTIALS not in str(caught.value)
    assert proxy.url in str(caught.value)  # the proxy, named without its credentials


async def test_a_proxy_refusing_the_tunnel_is_a_connection_error_never_sent(made: str) -> None:
    events: list[Any] = []
    async with (
        WireServer(lambda r: answer(body=USER), tls=tls.server_context()) as origin,
        Proxy(refuse=407) as proxy,
    ):
        async with made_on(
            made,
            origin.url,
            proxy=proxy.url,
            verify=tls.client_context(),
            max_retries=1,
            on_retry=events.append,
        ) as retool:
            retool._use_timing(sleep=_instant)
            with pytest.raises(APIConnectionError, match="407"):
                await get(retool)
    assert origin.received == []
    assert [e.error for e in events] == ["never sent"]


async def test_the_environment_picks_the_proxy_and_no_proxy_skips_it(
    made: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with WireServer(lambda r: answer(body=USER)) as origin, Proxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        async with made_on(made, origin.url) as retool:
            await get(retool)
        assert len(proxy.received) == 1
        async with made_on(made, origin.url, trust_env=False) as retool:
            await get(retool)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with made_on(made, origin.url) as retool:
            await get(retool)
    assert len(proxy.received) == 1
    assert len(origin.received) == 3


async def _instant(seconds: float) -> None:
    return None
