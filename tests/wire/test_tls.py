"""TLS on every pool the SDK makes: a private authority, ``verify=False``, ``SSL_CERT_FILE``, a
client certificate, and the failures (an expired certificate, another host's, an unknown
authority), each a typed connection error before anything is sent."""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Any

import pytest

from retool_api_client import APIConnectionError

from ..helpers import tls
from ..helpers.pools import made_on
from ..helpers.wire_server import WireServer, answer

USER = json.dumps({"success": True, "data": {"id": "user_1"}}).encode()
MADE = ("http11", "httpx", "httpx2")


@pytest.fixture(params=MADE)
def made(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def get(retool: Any) -> Any:
    from retool_api_client._request import send

    return await send(retool, {"method": "GET", "url": "/users/user_1"})


async def test_a_private_authority_given_as_a_context_is_trusted(made: str) -> None:
    async with WireServer(lambda r: answer(body=USER), tls=tls.server_context()) as server:
        async with made_on(made, server.url, verify=tls.client_context()) as retool:
            assert (await get(retool)).content == USER


async def test_verify_false_takes_any_certificate(made: str) -> None:
    context = tls.server_context(tls.other_authority())
    async with WireServer(lambda r: answer(body=USER), tls=context) as server:
        async with made_on(made, server.url, verify=False) as retool:
            assert (await get(retool)).content == USER


async def test_ssl_cert_file_is_read_from_the_environment(
    made: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "ca.pem"
    tls.authority().cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    async with WireServer(lambda r: answer(body=USER), tls=tls.server_context()) as server:
        async with made_on(made, server.url) as retool:
            assert (await get(retool)).content == USER
        async with made_on(made, server.url, trust_env=False, max_retries=0) as retool:
            with pytest.raises(APIConnectionError):
                await get(retool)


async def test_a_client_certificate_is_presented(made: str) -> None:
    clients = tls.other_authority()
    context = tls.client_context()
    clients.issue_cert("client.example").configure_cert(context)
    server_context = tls.server_context(client_ca=clients)
    async with WireServer(lambda r: answer(body=USER), tls=server_context) as server:
        async with made_on(made, server.url, verify=context) as retool:
            assert (await get(retool)).content == USER
        async with made_on(made, server.url, verify=tls.client_context(), max_retries=0) as retool:
            with pytest.raises(APIConnectionError):
                await get(retool)


@pytest.mark.parametrize(
    "server_context",
    [
        lambda: tls.server_context(expired=True),
        lambda: tls.server_context(hosts=("elsewhere.example",)),
        lambda: tls.server_context(tls.other_authority()),
    ],
    ids=["expired", "another host", "unknown authority"],
)
async def test_a_certificate_that_does_not_verify_is_never_sent_to(made: str, server_context: Any) -> None:
    events: list[Any] = []
    async with WireServer(lambda r: answer(body=USER), tls=server_context()) as server:
        async with made_on(
            made, server.url, verify=tls.client_context(), max_retries=1, on_retry=events.append
        ) as retool:
            retool._use_timing(sleep=_instant)
            with pytest.raises(APIConnectionError) as caught:
                await get(retool)
    assert server.received == []
    assert [e.error for e in events] == ["never sent"]
    if made == "http11":
        assert isinstance(caught.value.__cause__, ssl.SSLError)


async def _instant(seconds: float) -> None:
    return None
