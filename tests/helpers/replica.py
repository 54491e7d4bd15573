"""One replica of a service, for the shared rate limit's tests and benchmarks/replicas.py: its
own process and ``RetoolClient`` with a ``RateLimit`` kept in Redis.

Reads its settings as one JSON line on stdin (so the token is in no command line), warms up
with one call on ``warm_token`` (a token with a budget of its own, so the call counts against
neither the shared limit nor the main token's), prints ``ready`` once the client is open (its
Redis answered), waits for a line saying ``go``, sends
``n`` ``users.get`` calls at once, and prints one JSON line: how many succeeded, the errors, and
when it started and finished (``time.monotonic()``, one clock for every process of a machine).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from retool_api_client import RateLimit, RetoolClient


async def replica(config: dict[str, Any]) -> dict[str, Any]:
    limit = None
    if config.get("per_minute"):
        limit = RateLimit(
            config["per_minute"],
            config.get("burst", 1),
            redis=config["redis"],
            key=config["key"],
            headroom=config.get("headroom", 0.02),
        )
    async with RetoolClient(config["base_url"], config["token"], rate_limit=limit) as retool:
        if config.get("warm_token"):  # a running service: its code loaded, its request check compiled
            async with RetoolClient(config["base_url"], config["warm_token"]) as warm:
                await warm.users.get(config["user"])
        print("ready", flush=True)
        sys.stdin.readline()
        started = time.monotonic()
        results = await asyncio.gather(
            *(retool.users.get(config["user"]) for _ in range(config["n"])), return_exceptions=True
        )
        finished = time.monotonic()
    errors = [repr(r) for r in results if isinstance(r, BaseException)]
    return {"ok": len(results) - len(errors), "errors": errors, "started": started, "finished": finished}


def main() -> None:
    config = json.loads(sys.stdin.readline())
    print(json.dumps(asyncio.run(replica(config))), flush=True)


if __name__ == "__main__":
    main()
