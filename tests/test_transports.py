"""``_transports``: both backends over real sockets on 127.0.0.1 give httpx's answers and httpx's
errors, so the retry policy's "never sent" / "maybe sent" split holds on either."""

from __future__ import annotations

import asyncio
import json
import ssl
import types
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import httpx
import pytest

from retool_api_client import APIConnectionError, ConfigurationError, RetoolClient
from retool_api_client._retry_policy import NEVER_SENT_ERRORS
from retool_api_client._transports import (
    BACKEND_ENV,
    AiohttpTransport,
    ProxyRoutes,
    _httpx_error,
    aiohttp_speaks,
    default_transport,
)

from .helpers import samples

BACKENDS = ["aiohttp", "httpx"]
USER = {"success": True, "data": samples.component("user", optional=True) | {"email": "ada@example.com"}}
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture(autouse=True)
def no_env_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", BACKEND_ENV):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


async def read_head(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            await reader.readexactly(int(line.split(b":")[1]))
    return head


def answer(body: bytes, status: bytes = b"200 OK", extra: bytes = b"") -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\ncontent-length: "
        + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body
    )  # fmt: skip


async def answering(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Keep-alive: answers every request with the user envelope, echoing what it received."""
    try:
        while True:
            head = await read_head(reader)
            writer.write(
                answer(json.dumps(USER).encode(), extra=b"x-seen: " + head.split(b"\r\n")[0] + b"\r\n")
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def hang_up_after_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_head(reader)
    writer.close()  # the request arrived; no answer


async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_head(reader)
    await reader.read()  # until the client gives up


async def reset_mid_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_head(reader)
    writer.write(b'HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n{"success": tr')
    await writer.drain()
    writer.close()


class Serving:
    """A server on 127.0.0.1 that, when the test is done, also closes the connections it still
    holds: from Python 3.12 ``Server.wait_closed()`` waits for every handler, and a handler that
    waits for the client's EOF would otherwise hold the test forever."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._tracked, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _tracked(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.add(writer)
        try:
            await self.handler(reader, writer)
        finally:
            self.writers.discard(writer)

    async def __aenter__(self) -> Serving:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()


async def serve(handler: Handler) -> tuple[Serving, str]:
    serving = Serving(handler)
    return serving, await serving.start()


@pytest.fixture
async def user_server() -> AsyncIterator[str]:
    server, url = await serve(answering)
    async with server:
        yield url


def closed_port() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def timeouts(**values: float) -> dict[str, dict[str, float]]:
    return {"timeout": {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0, **values}}


# -- choosing the transport ----------------------------------------------------------------------


def test_the_default_is_aiohttp_and_the_environment_can_choose_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(default_transport({}), AiohttpTransport)
    monkeypatch.setenv(BACKEND_ENV, "httpx")
    assert isinstance(default_transport({}), httpx.AsyncHTTPTransport)
    monkeypatch.setenv(BACKEND_ENV, "curl")
    with pytest.raises(ConfigurationError, match=BACKEND_ENV):
        default_transport({})


def test_what_aiohttp_does_not_speak_goes_to_httpx() -> None:
    assert aiohttp_speaks({}, None)
    assert aiohttp_speaks({"http1": True, "http2": False}, httpx.Proxy("https://127.0.0.1:3128"))
    assert not aiohttp_speaks({"http2": True}, None)
    assert not aiohttp_speaks({"http1": False}, None)
    assert not aiohttp_speaks({}, httpx.Proxy("socks5://127.0.0.1:1080"))
    # httpx's pool, made with the same arguments (h2 and socksio are httpx's extras)
    assert isinstance(default_transport({"http1": False, "http2": False}), httpx.AsyncHTTPTransport)


def test_an_explicit_proxy_is_one_pool_without_routes() -> None:
    pool = default_transport({"proxy": "http://127.0.0.1:3128"})
    assert isinstance(pool, AiohttpTransport) and pool.proxy is not None
    assert pool.proxy.url == httpx.URL("http://127.0.0.1:3128")
    assert not isinstance(pool, ProxyRoutes)


async def test_limits_and_ssl_settings_reach_the_aiohttp_pool() -> None:
    pool = AiohttpTransport(verify=False, limits=httpx.Limits(max_connections=7, keepalive_expiry=2.5))
    assert pool.ssl_context.verify_mode == ssl.CERT_NONE and not pool.ssl_context.check_hostname
    assert pool._slots is not None and pool._slots.free == 7
    session = pool._open()
    try:
        connector = session.connector
        assert isinstance(connector, aiohttp.TCPConnector)
        assert connector._keepalive_timeout == 2.5
        assert connector.limit == 0  # Slots is the limit
        assert isinstance(connector._resolver, aiohttp.ThreadedResolver)
    finally:
        await pool.aclose()
    assert AiohttpTransport().ssl_context.verify_mode == ssl.CERT_REQUIRED
    assert AiohttpTransport(limits=httpx.Limits(max_connections=None))._slots is None
    with pytest.raises(ConfigurationError, match=r"HTTP/1\.1"):
        AiohttpTransport(http2=True)


# -- answers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
async def test_an_answer_arrives_as_httpx_would_give_it(backend: str, user_server: str) -> None:
    pool = default_transport({}, backend=backend)
    try:
        for _ in range(3):  # the connection is kept alive and reused
            request = httpx.Request(
                "POST", user_server + "/api/v2/users?x=a%2Fb", json={"a": 1}, extensions=timeouts()
            )
            response = await pool.handle_async_request(request)
            await response.aread()
            assert response.status_code == 200
            assert response.reason_phrase == "OK"
            assert response.http_version == "HTTP/1.1"
            assert response.json() == USER
            assert response.headers["x-seen"] == "POST /api/v2/users?x=a%2Fb HTTP/1.1"  # encoding kept
    finally:
        await pool.aclose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_retool_client_gets_a_user_over_either_backend(
    backend: str, user_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BACKEND_ENV, backend)
    async with RetoolClient(user_server, "tok") as retool:
        assert (await retool.users.get("user_1")).email == "ada@example.com"


# -- errors: never sent, or maybe sent -----------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
async def test_refused_is_a_connect_error(backend: str) -> None:
    pool = default_transport({}, backend=backend)
    try:
        with pytest.raises(httpx.ConnectError) as caught:
            await pool.handle_async_request(
                httpx.Request("POST", closed_port() + "/x", extensions=timeouts())
            )
        assert isinstance(caught.value, NEVER_SENT_ERRORS)
    finally:
        await pool.aclose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_hanging_up_after_the_request_is_not_never_sent(backend: str) -> None:
    server, url = await serve(hang_up_after_request)
    pool = default_transport({}, backend=backend)
    async with server:
        try:
            with pytest.raises(httpx.TransportError) as caught:
                await pool.handle_async_request(httpx.Request("POST", url + "/x", extensions=timeouts()))
            assert isinstance(caught.value, httpx.RemoteProtocolError | httpx.ReadError)
            assert not isinstance(caught.value, NEVER_SENT_ERRORS)
        finally:
            await pool.aclose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_no_answer_within_read_is_a_read_timeout(backend: str) -> None:
    server, url = await serve(never_answer)
    pool = default_transport({}, backend=backend)
    async with server:
        try:
            with pytest.raises(httpx.ReadTimeout):
                request = httpx.Request("GET", url + "/x", extensions=timeouts(read=0.05))
                await pool.handle_async_request(request)
        finally:
            await pool.aclose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_reset_mid_body_is_a_read_error_while_reading(backend: str) -> None:
    server, url = await serve(reset_mid_body)
    pool = default_transport({}, backend=backend)
    async with server:
        try:
            response = await pool.handle_async_request(
                httpx.Request("GET", url + "/x", extensions=timeouts())
            )
            with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
                await response.aread()
        finally:
            await pool.aclose()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("value", ["a\x00b", "a\nb", "a\r\nx-injected: 1"])
async def test_a_control_character_in_a_header_is_refused_before_sending(
    backend: str, value: str, user_server: str
) -> None:
    pool = default_transport({}, backend=backend)
    try:
        request = httpx.Request("GET", user_server + "/x", headers={"x-token": value}, extensions=timeouts())
        with pytest.raises(httpx.LocalProtocolError):
            await pool.handle_async_request(request)
    finally:
        await pool.aclose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_no_free_connection_within_pool_is_a_pool_timeout(backend: str, user_server: str) -> None:
    pool = default_transport({"limits": httpx.Limits(max_connections=1)}, backend=backend)
    try:
        held = await pool.handle_async_request(
            httpx.Request("GET", user_server + "/a", extensions=timeouts())
        )
        with pytest.raises(httpx.PoolTimeout):  # the only connection is busy until its body is closed
            await pool.handle_async_request(
                httpx.Request("GET", user_server + "/b", extensions=timeouts(pool=0.01))
            )
        await held.aread()
        await held.aclose()
        again = await pool.handle_async_request(
            httpx.Request("GET", user_server + "/c", extensions=timeouts())
        )
        await again.aread()  # the slot came back
        assert again.status_code == 200
    finally:
        await pool.aclose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_client_reports_refused_as_a_connection_error_after_retrying_a_post(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused is "never sent": even a POST is retried (the policy's rule), then reported."""
    monkeypatch.setenv(BACKEND_ENV, backend)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with RetoolClient(closed_port(), "tok", max_retries=2, _sleep=sleep) as retool:
        with pytest.raises(APIConnectionError, match="ConnectError"):
            await retool.users.create(email="ada@example.com", first_name="Ada", last_name="L")
    assert len(waits) == 2


KEY = types.SimpleNamespace(host="127.0.0.1", port=1, ssl=True)  # what aiohttp's errors show


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (aiohttp.ClientConnectorError(KEY, OSError(111, "refused")), httpx.ConnectError),  # type: ignore[arg-type]
        (aiohttp.ClientProxyConnectionError(KEY, OSError(111, "refused")), httpx.ConnectError),  # type: ignore[arg-type]
        (aiohttp.ConnectionTimeoutError("connect"), httpx.ConnectTimeout),
        (aiohttp.SocketTimeoutError("read"), httpx.ReadTimeout),
        (aiohttp.ServerTimeoutError("read"), httpx.ReadTimeout),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (aiohttp.ClientOSError(104, "reset"), httpx.ReadError),
        (aiohttp.ClientPayloadError("cut"), httpx.ReadError),
        (aiohttp.ClientConnectionError("other"), httpx.ReadError),
        (aiohttp.InvalidURL("x"), httpx.UnsupportedProtocol),
    ],
)
def test_aiohttp_errors_map_to_httpx_errors_of_the_same_phase(error: Exception, expected: type) -> None:
    mapped = _httpx_error(error, httpx.Request("GET", "http://127.0.0.1/"))
    assert type(mapped) is expected
    assert isinstance(mapped, NEVER_SENT_ERRORS) == (expected in (httpx.ConnectError, httpx.ConnectTimeout))


async def test_slots_go_to_waiters_first_come_first_served() -> None:
    from retool_api_client._transports import Slots

    slots = Slots(1)
    assert slots.take() and not slots.take()
    order: list[int] = []

    async def waiter(n: int) -> None:
        await slots.wait()
        order.append(n)

    tasks = [asyncio.create_task(waiter(n)) for n in range(3)]
    await asyncio.sleep(0)
    for _ in range(3):
        slots.give()  # each freed slot goes to the next waiter, not to the free count
        assert slots.free == 0
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2]
    slots.give()
    assert slots.free == 1 and slots.take()


async def test_a_waiter_that_leaves_keeps_no_slot_and_loses_none() -> None:
    from retool_api_client._transports import Slots

    slots = Slots(1)
    assert slots.take()
    leaving = asyncio.create_task(slots.wait())
    staying = asyncio.create_task(slots.wait())
    await asyncio.sleep(0)
    leaving.cancel()  # cancelled while waiting: it leaves the queue
    await asyncio.sleep(0)
    slots.give()
    await staying
    with pytest.raises(asyncio.CancelledError):
        await leaving
    # handed a slot and cancelled before it could run: the slot goes on, here to the free count
    handed = asyncio.create_task(slots.wait())
    await asyncio.sleep(0)
    slots.give()
    handed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await handed
    assert slots.free == 1 and not slots._waiters
