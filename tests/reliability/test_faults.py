"""1,000 mixed operations through the SDK against a fault-injecting Retool (a transport, with an
injected clock: nothing waits for real).

About 30% of responses are faults: 429 (with retry-after-ms), 503, connection resets before
the request left and after the server applied it, and slow answers (some past the read
timeout). Behind the faults, a FakeRetool (``retool_api_client.testing``) keeps the state, pages
for real and checks every request against the spec; the transport counts every write it
applies, keyed by a marker only that call carries, so duplicates are visible. Expected: no read
is lost, no POST or PATCH is applied twice, every operation ends within the retry deadline, and
what the SDK reports matches what the server did.
"""

from __future__ import annotations

import asyncio
import collections
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from retool_api_client import APIConnectionError, APIStatusError, RetoolClient, RetryConfig
from retool_api_client.generated.models import CreateUserBody
from retool_api_client.testing import FakeRetool

from ..helpers.fakes import FakeTime
from ..helpers.pools import POOLS, client_on
from ..helpers.wire_server import Act, Received, WireServer, answer
from .conftest import REPORT

OPERATIONS = 1000
FAULT_RATE = 0.30
TIMEOUT = 10.0
RETRY = RetryConfig(max_retries=8)  # default backoff, 60 s Retry-After cap, 120 s deadline
FAULTS = ("429", "503", "reset before sending", "reset after applying", "slow", "slow past timeout")
WEIGHTS = (25, 25, 15, 15, 12, 8)


class FaultyRetool(httpx.AsyncBaseTransport):
    """Random faults in front of a :class:`FakeRetool` that keeps the state (and checks every
    request against the spec); counts each write it applies by the marker only that call carries."""

    def __init__(self, time_: FakeTime, seed: int = 2026) -> None:
        self.time, self.rng = time_, random.Random(seed)
        self.fake = FakeRetool(seed=seed).populate(users=50)
        self.token = self.fake.token
        #: user id -> email, as the server has them (in the server's order)
        self.users: dict[str, str] = {u["id"]: u["email"] for u in self.fake.records("users")}
        self.applied: collections.Counter[str] = collections.Counter()  # write marker -> times applied
        self.faults: collections.Counter[str] = collections.Counter()
        self.responses = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.responses += 1
        fault = self.rng.choices(FAULTS, WEIGHTS)[0] if self.rng.random() < FAULT_RATE else None
        if fault is not None:
            self.faults[fault] += 1
        if fault == "429":
            ms = self.rng.randint(100, 2000)
            return httpx.Response(
                429, headers={"retry-after-ms": str(ms)}, json={"success": False, "message": "slow down"}
            )
        if fault == "503":
            return httpx.Response(503, text="<html><body>503 Service Unavailable</body></html>")
        if fault == "reset before sending":
            raise httpx.ConnectError("connection refused", request=request)
        response = self._apply(request)  # the server does the work ...
        if fault == "reset after applying":  # ... and the answer is lost
            raise httpx.ReadError("connection reset by peer", request=request)
        if fault == "slow":
            self.time.now += self.rng.uniform(0.5, TIMEOUT * 0.9)
        if fault == "slow past timeout":
            self.time.now += TIMEOUT
            raise httpx.ReadTimeout("read timed out", request=request)
        return response

    async def over_http(self, request: Received) -> Act:
        """The same faults for a request that arrived over a socket."""
        self.responses += 1
        fault = self.rng.choices(FAULTS, WEIGHTS)[0] if self.rng.random() < FAULT_RATE else None
        if fault is not None:
            self.faults[fault] += 1
        if fault == "429":
            return Act(
                answer(429, b'{"success": false}', [("Retry-After-Ms", str(self.rng.randint(100, 2000)))])
            )
        if fault == "503":
            return Act(answer(503, b"<html>503</html>", [("Content-Type", "text/html")]))
        if fault == "reset before sending":
            return Act(close=True)  # read, not applied, no answer
        path, _, query = request.target.partition("?")
        done = self._handle(request.method, path, query, dict(request.headers), request.body)
        if fault == "reset after applying":
            return Act(close=True)
        if fault == "slow":
            await asyncio.sleep(self.rng.uniform(0.001, LOOPBACK_TIMEOUT / 10))
        if fault == "slow past timeout":
            return Act(hang=True)
        return Act(answer(done.status, done.body, list(done.headers.items())))

    def _apply(self, request: httpx.Request) -> httpx.Response:
        done = self._handle(
            request.method, request.url.path, request.url.query.decode(), request.headers, request.read()
        )
        return httpx.Response(done.status, headers=done.headers, content=done.body)

    def _handle(self, method: str, path: str, query: str, headers: Any, body: bytes) -> Any:
        answer = self.fake.handle(method, path, query, headers, body)
        if answer.status < 300 and method == "POST":
            user = answer.json()["data"]
            self.applied[user["email"]] += 1
            self.users[user["id"]] = user["email"]
        if answer.status < 300 and method == "PATCH":
            for op in json.loads(body)["operations"]:
                self.applied[op["value"]] += 1
        return answer


@dataclass
class Outcome:
    """What the SDK reported, operation by operation, against what the server did."""

    operations: int = 0
    outcomes: collections.Counter[str] = field(default_factory=collections.Counter)
    lost_reads: list[str] = field(default_factory=list)
    write_results: dict[str, str] = field(default_factory=dict)  # marker -> "ok" or the error class
    longest: float = 0.0


async def drive(retool: RetoolClient, server: FaultyRetool, operations: int, clock: Any) -> Outcome:
    """``operations`` random reads and writes through the SDK, each checked against the server."""
    rng = random.Random(7)
    out = Outcome(operations)
    for n in range(operations):
        kind = rng.choices(["get", "list", "create", "update"], [40, 20, 20, 20])[0]
        user_id = rng.choice(list(server.users))
        marker = f"{kind}-{n}"
        started = clock()
        try:
            if kind == "get":
                user = await retool.users.get(user_id)
                if (user.id, user.email) != (user_id, server.users[user_id]):
                    out.lost_reads.append(f"{n}: wrong user {user.id}")
            elif kind == "list":
                page = await retool.users.list(page_size=10).first_page()
                if [u.id for u in page.items] != list(server.users)[:10]:
                    out.lost_reads.append(f"{n}: wrong page")
            elif kind == "create":
                email = f"{marker}@example.com"
                created = await retool.users.create(
                    body=CreateUserBody(email=email, first_name="N", last_name="U")
                )
                assert created.email == email
                out.write_results[email] = "ok"
            else:
                updated = await retool.users.update(user_id, first_name=marker)
                assert updated.first_name == marker
                out.write_results[marker] = "ok"
            out.outcomes[f"{kind} ok"] += 1
        except (APIStatusError, APIConnectionError) as exc:
            out.outcomes[f"{kind} {type(exc).__name__}"] += 1
            if kind in ("get", "list"):
                out.lost_reads.append(f"{n}: {exc!r}")
            else:
                out.write_results[f"{marker}@example.com" if kind == "create" else marker] = type(
                    exc
                ).__name__
        out.longest = max(out.longest, clock() - started)
    return out


def check(out: Outcome, server: FaultyRetool, where: str, wall: float, timeout: float) -> None:
    duplicated = {m: c for m, c in server.applied.items() if c > 1}
    acknowledged_not_applied = [
        m for m, r in out.write_results.items() if r == "ok" and server.applied[m] != 1
    ]
    failed = {m: r for m, r in out.write_results.items() if r != "ok"}
    failed_but_applied = sum(1 for m in failed if server.applied[m] == 1)
    faults = sum(server.faults.values())

    REPORT.extend([
        f"reliability ({where}): {out.operations} operations, {server.responses} responses, {faults} faults "
        f"({faults / server.responses:.0%}): " + ", ".join(f"{k} {v}" for k, v in sorted(server.faults.items())),
        f"reliability ({where}): lost reads {len(out.lost_reads)}, duplicated POST/PATCH {len(duplicated)}, "
        f"acknowledged but not applied {len(acknowledged_not_applied)}",
        f"reliability ({where}): writes failed visibly {len(failed)} (not retried: no idempotency keys; "
        f"{failed_but_applied} of them had been applied before the answer was lost)",
        f"reliability ({where}): longest operation {out.longest:.1f} s (deadline {RETRY.deadline:g} s + one "
        f"{timeout:g} s attempt), wall time {wall:.2f} s",
    ])  # fmt: skip

    assert faults / server.responses >= 0.2
    assert set(server.faults) == set(FAULTS)
    assert out.lost_reads == []
    assert duplicated == {}
    assert acknowledged_not_applied == []
    assert out.longest <= RETRY.deadline + timeout
    # a write refused with 503 was never applied; only a lost answer leaves one applied
    assert all(server.applied[m] == 0 for m, r in failed.items() if r == "InternalServerError")
    assert set(failed.values()) <= {"InternalServerError", "APIConnectionError", "APITimeoutError"}
    reads = sum(v for k, v in out.outcomes.items() if k.split()[0] in ("get", "list"))
    assert out.outcomes["get ok"] + out.outcomes["list ok"] == reads > out.operations / 2


async def test_thousand_operations_under_faults_lose_nothing_and_duplicate_nothing() -> None:
    """In-process, on simulated time: every fault exactly as a transport reports it."""
    time_ = FakeTime()
    server = FaultyRetool(time_)
    wall = time.perf_counter()
    async with RetoolClient(
        "https://acme.retool.com", server.token, transport=server, retry=RETRY, timeout=TIMEOUT
    ) as retool:
        time_.install(retool)
        out = await drive(retool, server, OPERATIONS, time_.clock)
    check(out, server, "in-process", time.perf_counter() - wall, TIMEOUT)


LOOPBACK_OPERATIONS = 300
LOOPBACK_TIMEOUT = 0.25


@pytest.mark.parametrize("pool", POOLS)
async def test_operations_under_faults_over_real_sockets_on_every_pool(pool: str) -> None:
    """The same faults from a server on 127.0.0.1 (a hang-up before the request is read, one
    after it was applied, an answer that never comes): the waits between retries are
    simulated, the timeouts are real."""
    time_ = FakeTime()
    server = FaultyRetool(time_)

    async def serve(request: Received) -> Act:
        return await server.over_http(request)

    wall = time.perf_counter()
    async with WireServer(serve) as http:
        async with client_on(pool, http.url, server.token, retry=RETRY, timeout=LOOPBACK_TIMEOUT) as retool:
            time_.install(retool)
            out = await drive(retool, server, LOOPBACK_OPERATIONS, time.perf_counter)
    check(out, server, f"loopback, {pool}", time.perf_counter() - wall, LOOPBACK_TIMEOUT)
