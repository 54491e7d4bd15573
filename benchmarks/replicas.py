"""The figures of docs/replicas.md, measured for real (not a test: nothing asserts).

* the storm of issue 27: 50 concurrent ``users.get`` against the fake Retool over HTTP on
  127.0.0.1, which answers the first 120 requests 429 with ``Retry-After: 0.5``; default
  settings; how many succeed, how many requests were sent, how long it took;
* three replicas (processes, tests/helpers/replica.py) against the fake's server-side limit,
  each sending ``--each`` calls at once: without a client-side limit, and with a shared
  ``RateLimit`` kept in a redis-server started here (Debian's ``redis-server`` must be
  installed: ``make redis``).

    .venv/bin/python benchmarks/replicas.py [storm] [replicas]
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def storm() -> None:
    from retool_api_client import RateLimitError, RetoolClient
    from retool_api_client.testing import FakeRetool

    fake = FakeRetool(seed=1).populate(users=1)
    user = fake.records("users")[0]["id"]
    async with fake.serve() as base_url, RetoolClient(base_url, fake.token) as retool:
        await retool.users.get(user)  # code loaded, a connection open
        fake.fail("GET", "/users/{userId}", status=429, times=120, retry_after=0.5)
        before = len(fake.requests)
        started = time.perf_counter()
        results = await asyncio.gather(*(retool.users.get(user) for _ in range(50)), return_exceptions=True)
        took = time.perf_counter() - started
    ok = sum(not isinstance(r, BaseException) for r in results)
    limited = sum(isinstance(r, RateLimitError) for r in results)
    print(
        f"storm: 50 concurrent users.get, the first 120 answered 429 Retry-After 0.5, default settings: "
        f"{ok} of 50 succeeded, {limited} RateLimitError, {len(fake.requests) - before} requests, {took:.2f} s"
    )


def replicas(limit: int = 30, window: float = 3.0, each: int = 15) -> None:
    from retool_api_client.testing import FakeRetool
    from tests.helpers.redis_server import redis_server
    from tests.helpers.replicas import run_replicas

    with redis_server() as redis_url:
        for shared in (False, True):
            fake = FakeRetool(seed=1, rate_limit=(limit, window)).populate(users=1)
            user = fake.records("users")[0]["id"]
            config = {"token": fake.token, "n": each, "user": user, "warm_token": fake.new_token()}
            if shared:
                config.update(
                    redis=redis_url,
                    key=uuid.uuid4().hex,
                    per_minute=limit * 60 / window,
                    burst=limit,
                    headroom=0.05,
                )
            with fake.serve() as base_url:
                reports = run_replicas(3, {**config, "base_url": base_url})
            statuses = [r.status for r in fake.requests if r.operation_id == "get_user"][3:]
            took = max(r["finished"] for r in reports) - min(r["started"] for r in reports)
            failed = sum(len(r["errors"]) for r in reports)
            allowed = (3 * each - 1) // limit * window
            label = (
                f"RateLimit({limit * 60 / window:g}, burst={limit}, redis=..., headroom=0.05)"
                if shared
                else "no client-side limit"
            )
            print(
                f"3 replicas x {each} calls, fake limit {limit} per {window:g} s, {label}: "
                f"{3 * each - failed} of {3 * each} succeeded, {len(statuses)} requests, "
                f"{statuses.count(429)} answered 429, {took:.2f} s (the limit allows {allowed:.2f} s)"
            )


def main() -> None:
    asked = sys.argv[1:] or ["storm", "replicas"]
    print(f"python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}")
    if "storm" in asked:
        asyncio.run(storm())
    if "replicas" in asked:
        replicas()


if __name__ == "__main__":
    main()
