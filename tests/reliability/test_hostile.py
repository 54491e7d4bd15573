"""Hostile servers and misuse: every answer, whatever its bytes, ends as a parsed model or one
of the SDK's typed errors; deadlines hold against a server that drips; no secret in a message.

Servers are real sockets on 127.0.0.1 (``hostile_server.py``) where the bytes on the wire
matter (drips, lying ``Content-Encoding``, 200 MB bodies); a ``MockTransport`` elsewhere. Every
case records whether something other than the expected typed error escaped; the last test
prints ``hostile: N cases, 0 escaped, deadline held, peak RSS X MB`` (docs/reliability.md).
Wall time is measured with ``time.monotonic``; nothing here sleeps except the servers that
drip on purpose (0.2 s a byte, a few seconds in all).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import json
import pickle
import resource
import time
import warnings
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

import retool_api_client as rac
from retool_api_client import RetoolClient, RetryConfig
from retool_api_client._message import Request
from retool_api_client._pagination import PaginationError
from retool_api_client.patch import JsonPatch, check

from ..helpers import samples
from ..helpers.pools import POOLS
from .conftest import REPORT
from .hostile_server import HostileServer, Received, head, whole

pytestmark = [
    pytest.mark.filterwarnings("error::ResourceWarning"),
    pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning"),
]

TOKEN = "tok_HOSTILE_secret_42"
USER = samples.component("user")
RESULTS: dict[
    tuple[str, str], bool
] = {}  # (case, pool) -> escaped (something other than the expected typed error)
DEADLINES: list[tuple[str, float, float]] = []  # (case, seconds taken, bound)
PEAKS: list[float] = []  # MB, during the size-cap cases


async def instant(seconds: float) -> None:
    await asyncio.sleep(0)  # the SDK's retry waits, without the wait


_backend = ["http11"]
_http_clients: list[Any] = []


@pytest.fixture(autouse=True, params=POOLS)
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """Every case runs on every pool the SDK offers (tests/helpers/pools.py)."""
    _backend[0] = request.param
    yield str(request.param)
    while _http_clients:
        await _http_clients.pop().aclose()


def client(url: str, *, follow_redirects: bool = False, **kw: Any) -> RetoolClient:
    """A client on this case's pool; ``follow_redirects`` gives the httpx pools a client of
    the caller's that follows them (the SDK's own pool never does)."""
    kw.setdefault("max_retries", 0)
    kw.setdefault("timeout", 5)
    if url.startswith("http://127.0.0.1") and _backend[0] != "http11" and "transport" not in kw:
        lib: Any = importlib.import_module(_backend[0])
        if follow_redirects:
            http = lib.AsyncClient(follow_redirects=True, trust_env=False)
            _http_clients.append(http)
            kw["http_client"] = http
        else:
            kw["transport"] = lib.AsyncHTTPTransport()
    retool = RetoolClient(url, TOKEN, **kw)
    retool._use_timing(sleep=instant)
    return retool


def follows_redirects() -> None:
    if _backend[0] == "http11":
        pytest.skip("the SDK's pool does not follow redirects: a 302 is an answer ('a 302 not followed')")


E = TypeVar("E", bound=BaseException)


async def outcome(case: str, call: Awaitable[Any], expected: type[E]) -> E:
    """Await ``call``; record the case; return the exception (which must be ``expected``)."""
    try:
        await call
    except BaseException as exc:  # what escapes is the point
        RESULTS[case, _backend[0]] = not isinstance(exc, expected)
        assert isinstance(exc, expected), f"{case}: {type(exc).__name__}: {exc}"
        assert TOKEN not in str(exc) and TOKEN not in repr(exc)
        return exc
    RESULTS[case, _backend[0]] = True
    raise AssertionError(f"{case}: no error")


def envelope(**fields: Any) -> dict[str, Any]:
    return {"success": True, "data": [], "total_count": 0, "next_token": None, "has_more": False, **fields}


# -- answers that used to escape ``except RetoolError`` ---------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("status", [200, 404])
async def test_a_deeply_nested_body_is_a_typed_error(depth: int, status: int) -> None:
    body = b'{"success": true, "data": ' + b"[" * depth + b"]" * depth + b"}"
    async with HostileServer(whole(body, status)) as server, client(server.url) as retool:
        expected = rac.APIResponseValidationError if status == 200 else rac.NotFoundError
        exc = await outcome(f"nested {depth} deep, {status}", retool.users.get("user_1"), expected)
    if status == 200:
        # the decoder gives up ("nested too deeply"), or, where it can go that deep (Python 3.12's
        # can for 1,000), the model says the data is not a user
        assert "nested too deeply" in str(exc) or ("GetUserResponse200" in str(exc) and depth < 10_000), exc
    else:
        assert isinstance(exc, rac.NotFoundError)


@pytest.mark.parametrize("number", [b"1e400", b"-1e400", b"Infinity", b"-Infinity", b"NaN"])
@pytest.mark.parametrize("prefetch", [False, True])
async def test_a_non_finite_total_count_is_a_typed_error(number: bytes, prefetch: bool) -> None:
    body = (
        b'{"success": true, "data": [], "next_token": null, "has_more": false, "total_count": '
        + number
        + b"}"
    )
    async with HostileServer(whole(body)) as server, client(server.url) as retool:

        async def walk() -> None:
            async for _ in retool.users.list(page_size=10, prefetch=prefetch):
                pass

        exc = await outcome(f"total_count {number.decode()}", walk(), rac.APIResponseValidationError)
    assert "not a JSON number" in str(exc) or "too large for a float" in str(exc)


async def test_a_70kb_next_token_is_a_pagination_error() -> None:
    answers = iter([envelope(data=[USER], next_token="t" * 70_000, has_more=True)])
    async with HostileServer(_json_answers(answers)) as server, client(server.url) as retool:

        async def walk() -> None:
            async for _ in retool.users.list(page_size=10):
                pass

        exc = await outcome("70 KB next_token", walk(), PaginationError)
    assert "70,000 characters" in str(exc) and "cannot be sent back" in str(exc)
    assert len(server.received) == 1  # the second page was never asked for


async def test_a_64kb_id_fails_before_sending() -> None:
    async with HostileServer(whole(json.dumps({"success": True, "data": USER}).encode())) as server:
        async with client(server.url, validate_requests=False) as retool:
            exc = await outcome("64 KB id", retool.users.get("u" * 65_536), rac.ConfigurationError)
    assert "URL too long" in str(exc) and not server.received


async def test_a_lone_surrogate_in_an_id_fails_before_sending() -> None:
    async with HostileServer(whole(b"{}")) as server, client(server.url) as retool:
        exc = await outcome(
            "lone surrogate in an id", retool.users.get("user_\ud800"), rac.ConfigurationError
        )
    assert "user_id is not valid text: it holds a lone surrogate" in str(exc) and not server.received


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "gzip, deflate"])
async def test_a_body_that_lies_about_its_encoding_is_a_typed_error(encoding: str) -> None:
    body = b'{"success": true, "data": {}}'
    async with HostileServer(whole(body, headers={"Content-Encoding": encoding})) as server:
        async with client(server.url) as retool:
            exc = await outcome(f"not {encoding}", retool.users.get("user_1"), rac.APIResponseValidationError)
    assert f"does not decode as its Content-Encoding '{encoding}'" in str(exc)


async def test_a_redirect_loop_is_a_connection_error() -> None:
    follows_redirects()

    async def loop(request: Received) -> AsyncIterator[bytes]:
        yield head(302, {"Location": request.target}, length=0)

    async with HostileServer(loop) as server:
        async with client(server.url, follow_redirects=True) as retool:
            exc = await outcome("redirect loop", retool.users.get("user_1"), rac.APIConnectionError)
    assert "redirect" in str(exc).lower() and len(server.received) == 21


@pytest.mark.parametrize(
    ("name", "body", "status"),
    [
        ("not JSON", b"<html>oops</html>", 200),
        ("truncated JSON", b'{"success": true, "da', 200),
        ("invalid UTF-8", b'{"success": true, "data": "\xff\xfe"}', 200),
        ("a 5,000-digit integer", b'{"success": true, "data": {"legacy_id": ' + b"9" * 5000 + b"}}", 200),
        ("empty 200", b"", 200),
        ("deep 500 page", b"[" * 50_000, 500),
        ("NaN in a 400", b'{"message": NaN}', 400),
        ("status 999", b"{}", 999),
        ("a 302 not followed", b"", 302),
        ("a 204 where a body was due", b"", 204),
    ],
)
async def test_malformed_answers_are_typed_errors(name: str, body: bytes, status: int) -> None:
    expected = rac.APIResponseValidationError if status < 400 else rac.APIStatusError
    async with HostileServer(whole(body, status)) as server, client(server.url) as retool:
        await outcome(name, retool.users.get("user_1"), expected)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("a header line without a colon", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nBad Header\r\n\r\n{}"),
        ("a head cut off", b"HTTP/1.1 200 OK\r\nContent-Le"),
        ("a body shorter than its Content-Length", b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}"),
        ("not HTTP at all", b"SSH-2.0-OpenSSH_9.6\r\n"),
    ],
)
async def test_broken_http_is_a_connection_error(name: str, raw: bytes) -> None:
    async def script(request: Received) -> AsyncIterator[bytes]:
        yield raw

    async with HostileServer(script) as server, client(server.url) as retool:
        await outcome(name, retool.users.get("user_1"), rac.APIConnectionError)


@pytest.mark.parametrize("shape", ["cyclic", "5,000 deep"])
@pytest.mark.parametrize("validate", [True, False])
async def test_a_cyclic_or_very_deep_request_value_fails_before_sending(shape: str, validate: bool) -> None:
    metadata: dict[str, Any] = {}
    if shape == "cyclic":
        metadata["self"] = metadata
    else:
        for _ in range(5_000):
            metadata = {"a": metadata}
    async with (
        HostileServer(whole(b"{}")) as server,
        client(server.url, validate_requests=validate) as retool,
    ):
        call = retool.users.create(email="a@example.com", first_name="a", last_name="b", metadata=metadata)
        exc = await outcome(f"{shape} metadata", call, rac.ConfigurationError)
    assert "nested too deeply, or contains itself" in str(exc) and not server.received


# -- deadlines ----------------------------------------------------------------------------------------


def _drip(head_bytes: bytes, every: float, total: int = 10_000) -> Callable[[Received], AsyncIterator[bytes]]:
    async def script(request: Received) -> AsyncIterator[bytes]:
        yield head_bytes
        for _ in range(total):
            await asyncio.sleep(every)  # the hostile server's drip, on purpose
            yield b" "

    return script


async def test_a_dripping_body_fails_within_the_timeout() -> None:
    async with (
        HostileServer(_drip(head(length=10_000), 0.2)) as server,
        client(server.url, timeout=1) as retool,
    ):
        started = time.monotonic()
        exc = await outcome(
            "body dripped a byte every 0.2 s", retool.users.get("user_1"), rac.APITimeoutError
        )
        took = time.monotonic() - started
    DEADLINES.append((f"body drip, timeout=1, {_backend[0]}", took, 2.0))
    assert took < 2.0 and "within 1s" in str(exc)


def _head_drip(every: float) -> Callable[[Received], AsyncIterator[bytes]]:
    async def script(request: Received) -> AsyncIterator[bytes]:
        for byte in head(length=2):
            await asyncio.sleep(every)  # the hostile server's drip, on purpose
            yield bytes([byte])

    return script


async def test_a_dripping_head_fails_within_the_timeout() -> None:
    async with HostileServer(_head_drip(0.2)) as server, client(server.url, timeout=1) as retool:
        started = time.monotonic()
        await outcome("head dripped a byte every 0.2 s", retool.users.get("user_1"), rac.APITimeoutError)
        took = time.monotonic() - started
    DEADLINES.append((f"head drip, timeout=1, {_backend[0]}", took, 2.0))
    assert took < 2.0


async def test_the_retry_deadline_bounds_the_whole_call() -> None:
    # a GET whose head never arrives in time, with retries to spare: the 2 s deadline ends the
    # call, its last attempt cut short to what was left of it
    retry = RetryConfig(max_retries=50, deadline=2.0, backoff_base=0.01, backoff_cap=0.01)
    async with HostileServer(_head_drip(0.1)) as server:
        async with client(server.url, timeout=0.7, retry=retry, max_retries=50) as retool:
            started = time.monotonic()
            exc = await outcome(
                "retries against a drip, deadline 2 s", retool.users.get("user_1"), rac.APITimeoutError
            )
            took = time.monotonic() - started
    DEADLINES.append((f"retries, deadline=2, {_backend[0]}", took, 2.5))
    assert took < 2.5 and len(server.received) >= 3, (took, len(server.received), str(exc))


async def test_slow_redirects_stay_within_the_deadline() -> None:
    # each hop answers within the 0.5 s attempt limit; 20 of them would take 6 s
    follows_redirects()

    async def slow_loop(request: Received) -> AsyncIterator[bytes]:
        await asyncio.sleep(0.3)  # the hostile server's delay, on purpose
        yield head(302, {"Location": request.target}, length=0)

    retry = RetryConfig(max_retries=0, deadline=1.0)
    async with HostileServer(slow_loop) as server:
        async with client(server.url, timeout=0.5, retry=retry, follow_redirects=True) as retool:
            started = time.monotonic()
            exc = await outcome(
                "slow redirect loop, deadline 1 s", retool.users.get("user_1"), rac.APITimeoutError
            )
            took = time.monotonic() - started
    DEADLINES.append((f"slow redirects, deadline=1, {_backend[0]}", took, 1.5))
    assert took < 1.5 and "within 0.5s" in str(exc)


async def test_retry_after_zero_still_waits_the_minimum_delay() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(429, headers={"Retry-After": "0"}, json={"message": "slow down"})

    retool = RetoolClient(
        "https://acme.retool.com", TOKEN, transport=httpx.MockTransport(handler), max_retries=20
    )
    retool._use_timing(sleep=sleep)
    async with retool:
        await outcome("Retry-After: 0", retool.users.get("user_1"), rac.RateLimitError)
    assert len(calls) == 21 and len(waits) == 20 and min(waits) == pytest.approx(0.1)


# -- the size cap -----------------------------------------------------------------------------------


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    gc.collect()
    with contextlib.suppress(OSError):  # Linux: the peak (VmHWM) starts again from the current RSS
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _rss_mb()


def _current_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _rss_mb()


async def _big(request: Received) -> AsyncIterator[bytes]:
    yield head(length=200 * 2**20)
    chunk = b" " * 2**20
    for _ in range(200):
        yield chunk


async def _bomb(request: Received) -> AsyncIterator[bytes]:
    yield head(headers={"Content-Encoding": "gzip"})  # no length: until the connection closes
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * 2**20
    for _ in range(200):
        yield packer.compress(zeros)
    yield packer.flush()


@pytest.mark.parametrize(("name", "script"), [("200 MB body", _big), ("gzip bomb of 200 MB", _bomb)])
async def test_an_answer_over_the_cap_is_refused_while_it_is_read(name: str, script: Any) -> None:
    _reset_peak()
    before = _current_mb()
    async with HostileServer(script) as server, client(server.url, timeout=30) as retool:
        exc = await outcome(name, retool.users.get("user_1"), rac.APIResponseValidationError)
    grew = _peak_mb() - before
    PEAKS.append(_peak_mb())
    assert "larger than the 67,108,864-byte response size cap" in str(exc)
    assert grew < 64 * 2 + 16, f"peak grew by {grew:.0f} MB while refusing {name}"


async def test_the_cap_is_configurable() -> None:
    body = json.dumps({"success": True, "data": USER}).encode()
    async with HostileServer(whole(body)) as server, client(server.url, max_response_bytes=100) as retool:
        exc = await outcome("over a 100-byte cap", retool.users.get("user_1"), rac.APIResponseValidationError)
    assert "100-byte response size cap" in str(exc)
    async with (
        HostileServer(whole(body)) as server,
        client(server.url, max_response_bytes=len(body)) as retool,
    ):
        assert (await retool.users.get("user_1")).id == USER["id"]
    with pytest.raises(rac.ConfigurationError, match="max_response_bytes must be an integer >= 1"):
        client("http://127.0.0.1:1", max_response_bytes=0)


# -- pagination that makes no progress -----------------------------------------------------------------


def _json_answers(answers: Any, default: dict[str, Any] | None = None) -> Any:
    async def script(request: Received) -> AsyncIterator[bytes]:
        body = json.dumps(next(answers, default)).encode()
        yield head(length=len(body)) + body

    return script


@pytest.mark.parametrize("prefetch", [False, True])
async def test_empty_pages_that_claim_more_stop_the_walk(prefetch: bool) -> None:
    counter = iter(range(10**6))

    async def script(request: Received) -> AsyncIterator[bytes]:
        body = json.dumps(envelope(next_token=f"fresh{next(counter)}", has_more=True)).encode()
        yield head(length=len(body)) + body

    async with HostileServer(script) as server, client(server.url) as retool:

        async def walk() -> None:
            async for _ in retool.users.list(page_size=10, prefetch=prefetch):
                pass

        exc = await outcome("empty pages with fresh tokens", walk(), PaginationError)
    assert "3 pages in a row had no items" in str(exc)
    assert len(server.received) <= 4


# -- secrets -------------------------------------------------------------------------------------------


async def test_a_password_inside_a_parent_object_is_not_in_the_request_check() -> None:
    retool = client("http://127.0.0.1:1")
    options = {"database_options": {"host": "h", "port": "1", "password": "HUNTER2pw", "database_name": 5}}
    call = retool.resources.create(type_="postgresql", display_name="db", options=options)
    exc = await outcome("password in options", call, rac.RequestValidationError)
    assert "HUNTER2pw" not in str(exc) and "[redacted]" in str(exc)
    await retool.aclose()


def test_patch_errors_and_reprs_do_not_repeat_values() -> None:
    with pytest.raises(rac.PatchError) as info:
        JsonPatch([{"op": "replace", "pth": "/password", "value": "HUNTER2pw"}])
    with pytest.raises(rac.PatchError) as other:
        JsonPatch([{"op": "replace", "path": "/first_name", "valu": {"api_key": "HUNTER2pw"}}])
    patch = (
        JsonPatch().replace("/password", "HUNTER2pw").replace("/metadata", {"nested": {"token": "HUNTER2pw"}})
    )
    with pytest.raises(rac.PatchError) as third:
        check("update_user", patch)
    for text in (str(info.value), str(other.value), repr(patch), str(third.value)):
        assert "HUNTER2pw" not in text
    RESULTS["patch values", _backend[0]] = False


@pytest.mark.parametrize(
    "base_url",
    ["https://alice:hunter2@acme.retool.com", "http://alice:hunter2@127.0.0.1:9", "https://:hunter2@x.io"],
)
def test_a_base_url_with_credentials_is_refused_without_repeating_them(base_url: str) -> None:
    with pytest.raises(rac.ConfigurationError) as info:
        RetoolClient(base_url, TOKEN)
    assert "hunter2" not in str(info.value) and "user name or password" in str(info.value)
    RESULTS[f"userinfo in {base_url[:8]}", _backend[0]] = False


@pytest.mark.parametrize("token", ["tok\x00en", "tok\r\nX-Evil: 1", "tok\nen", "tok\ten", "tok\x7fen"])
def test_a_token_with_control_characters_is_refused_at_once(token: str) -> None:
    with pytest.raises(rac.ConfigurationError) as info:
        RetoolClient("https://acme.retool.com", token)
    assert token not in str(info.value)
    RESULTS[f"token with {token[3]!r}", _backend[0]] = False


async def test_exceptions_pickle_without_the_token_or_a_live_answer() -> None:
    async with HostileServer(whole(b'{"success": false, "message": "no such user"}', 404)) as server:
        async with client(server.url) as retool:
            exc = await outcome("pickled 404", retool.users.get("user_1"), rac.NotFoundError)
    assert exc.request is not None and exc.request.headers["authorization"] == "[redacted]"
    assert TOKEN not in repr(list(exc.request.headers.items()))
    data = pickle.dumps(exc)
    assert TOKEN.encode() not in data
    copy = pickle.loads(data)
    assert type(copy) is rac.NotFoundError and str(copy) == str(exc)
    assert copy.status_code == 404 and copy.body == {"success": False, "message": "no such user"}
    assert copy.response.content == exc.response.content and copy.response.status_code == 404
    assert not any(isinstance(v, asyncio.BaseTransport) for v in vars_of(copy.response))  # nothing live
    assert copy.request is not None and copy.request.headers["authorization"] == "[redacted]"
    for error in (
        rac.RequestValidationError("get_user", ["user_id: bad"]),
        rac.APIResponseValidationError("no", model="User", field="id"),
        rac.APITimeoutError("slow", request=Request("GET", "https://x", [("Authorization", TOKEN)])),
        PaginationError("loop"),
    ):
        data = pickle.dumps(error)
        assert TOKEN.encode() not in data
        assert str(pickle.loads(data)) == str(error) and type(pickle.loads(data)) is type(error)
    RESULTS["pickle", _backend[0]] = False


# -- lifecycle -----------------------------------------------------------------------------------------


async def test_a_copy_closes_with_its_parent() -> None:
    async with HostileServer(whole(json.dumps({"success": True, "data": USER}).encode())) as server:
        parent = client(server.url)
        copy = parent.with_options(timeout=3)
        assert (await copy.users.get("user_1")).id == USER["id"]
        await parent.aclose()
        assert copy.is_closed
        exc = await outcome("copy after its parent closed", copy.users.get("user_1"), rac.ConfigurationError)
        await outcome("use after aclose()", parent.users.get("user_1"), rac.ConfigurationError)
        await copy.aclose()
    assert "closed" in str(exc) and len(server.received) == 1


def test_a_client_used_from_a_second_event_loop_says_so() -> None:
    async def serve_and_use() -> tuple[RetoolClient, HostileServer, Any]:
        server = HostileServer(whole(json.dumps({"success": True, "data": USER}).encode()))
        await server.__aenter__()
        retool = client(server.url)
        await retool.users.get("user_1")
        return retool, server, asyncio.get_running_loop()

    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        first = asyncio.new_event_loop()
        try:
            retool, server, _ = first.run_until_complete(serve_and_use())

            async def elsewhere() -> BaseException:
                return await outcome("second event loop", retool.users.get("user_1"), rac.ConfigurationError)

            exc = asyncio.run(elsewhere())
            assert "bound to the event loop that first used it (still running)" in str(exc)
            first.run_until_complete(retool.aclose())
            first.run_until_complete(server.__aexit__(None, None, None))
        finally:
            first.close()


# -- the summary -----------------------------------------------------------------------------------------


def test_summary() -> None:
    escaped = sorted(f"{case} ({where})" for (case, where), bad in RESULTS.items() if bad)
    held = all(took < bound for _, took, bound in DEADLINES)
    peak = max(PEAKS, default=_peak_mb())
    REPORT[:] = [line for line in REPORT if not line.startswith("hostile:")]  # once per pool: the last stays
    REPORT.append(
        f"hostile: {len(RESULTS)} cases ({len({c for c, _ in RESULTS})} on {len(POOLS)} pools), {len(escaped)} escaped, "
        f"deadline {'held' if held else 'MISSED'}, peak RSS {peak:.0f} MB"
    )
    REPORT.append(
        "hostile: deadlines: "
        + "; ".join(f"{name} {took:.2f}s (bound {bound:g}s)" for name, took, bound in DEADLINES)
    )
    assert not escaped and held


def vars_of(obj: object) -> list[object]:
    return [getattr(obj, name, None) for name in getattr(type(obj), "__slots__", ())]
