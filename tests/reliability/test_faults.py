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

import collections
import json
import random
import time

import httpx

from retool_api_client import APIConnectionError, APIStatusError, RetoolClient, RetryConfig
from retool_api_client.generated.models import CreateUserBody
from retool_api_client.testing import FakeRetool

from ..helpers.fakes import FakeTime
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

    def _apply(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        answer = self.fake.handle(
            request.method, request.url.path, request.url.query.decode(), request.headers, body
        )
        if answer.status < 300 and request.method == "POST":
            user = answer.json()["data"]
            self.applied[user["email"]] += 1
            self.users[user["id"]] = user["email"]
        if answer.status < 300 and request.method == "PATCH":
            for op in json.loads(body)["operations"]:
                self.applied[op["value"]] += 1
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body)


async def test_thousand_operations_under_faults_lose_nothing_and_duplicate_nothing() -> None:
    time_ = FakeTime()
    server = FaultyRetool(time_)
    rng = random.Random(7)
    outcomes: collections.Counter[str] = collections.Counter()
    lost_reads: list[str] = []
    write_results: dict[str, str] = {}  # marker -> "ok" or the error class
    longest = 0.0
    wall = time.perf_counter()
    async with RetoolClient(
        "https://acme.retool.com", server.token, transport=server, retry=RETRY, timeout=TIMEOUT,
        _sleep=time_.sleep, _clock=time_.clock, _rng=random.Random(1),
    ) as retool:  # fmt: skip
        for n in range(OPERATIONS):
            kind = rng.choices(["get", "list", "create", "update"], [40, 20, 20, 20])[0]
            user_id = rng.choice(list(server.users))
            marker = f"{kind}-{n}"
            started = time_.now
            try:
                if kind == "get":
                    user = await retool.users.get(user_id)
                    if (user.id, user.email) != (user_id, server.users[user_id]):
                        lost_reads.append(f"{n}: wrong user {user.id}")
                elif kind == "list":
                    page = await retool.users.list(page_size=10).first_page()
                    if [u.id for u in page.items] != list(server.users)[:10]:
                        lost_reads.append(f"{n}: wrong page")
                elif kind == "create":
                    email = f"{marker}@example.com"
                    created = await retool.users.create(
                        body=CreateUserBody(email=email, first_name="N", last_name="U")
                    )
                    assert created.email == email
                    write_results[email] = "ok"
                else:
                    updated = await retool.users.update(user_id, first_name=marker)
                    assert updated.first_name == marker
                    write_results[marker] = "ok"
                outcomes[f"{kind} ok"] += 1
            except (APIStatusError, APIConnectionError) as exc:
                outcomes[f"{kind} {type(exc).__name__}"] += 1
                if kind in ("get", "list"):
                    lost_reads.append(f"{n}: {exc!r}")
                else:
                    write_results[f"{marker}@example.com" if kind == "create" else marker] = type(
                        exc
                    ).__name__
            longest = max(longest, time_.now - started)
    wall = time.perf_counter() - wall

    duplicated = {m: c for m, c in server.applied.items() if c > 1}
    acknowledged_not_applied = [m for m, r in write_results.items() if r == "ok" and server.applied[m] != 1]
    failed = {m: r for m, r in write_results.items() if r != "ok"}
    failed_but_applied = sum(1 for m in failed if server.applied[m] == 1)
    faults = sum(server.faults.values())

    REPORT.extend([
        f"reliability: {OPERATIONS} operations, {server.responses} responses, {faults} faults "
        f"({faults / server.responses:.0%}): " + ", ".join(f"{k} {v}" for k, v in sorted(server.faults.items())),
        f"reliability: lost reads {len(lost_reads)}, duplicated POST/PATCH {len(duplicated)}, "
        f"acknowledged but not applied {len(acknowledged_not_applied)}",
        f"reliability: writes failed visibly {len(failed)} (not retried: no idempotency keys; "
        f"{failed_but_applied} of them had been applied before the answer was lost)",
        f"reliability: longest operation {longest:.1f} s simulated (deadline {RETRY.deadline:g} s + one "
        f"{TIMEOUT:g} s attempt), wall time {wall:.2f} s",
    ])  # fmt: skip

    assert faults / server.responses >= 0.25
    assert set(server.faults) == set(FAULTS)
    assert lost_reads == []
    assert duplicated == {}
    assert acknowledged_not_applied == []
    assert longest <= RETRY.deadline + TIMEOUT
    # a write refused with 503 was never applied; only a lost answer leaves one applied
    assert all(server.applied[m] == 0 for m, r in failed.items() if r == "InternalServerError")
    assert set(failed.values()) <= {"InternalServerError", "APIConnectionError", "APITimeoutError"}
    reads = sum(v for k, v in outcomes.items() if k.split()[0] in ("get", "list"))
    assert outcomes["get ok"] + outcomes["list ok"] == reads > 500
