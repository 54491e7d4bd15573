"""Instructions per request over loopback, counted by valgrind's callgrind: a figure that does
not move with this shared machine's speed, where requests per second move by tens of percent
within seconds.

For each client (bare aiohttp + ``json.loads``, the quickstart ``RetoolClient``, the same with
the three hooks set to a function that reads the event) and each
number of requests in flight, the client runs under callgrind twice, for 200 and for 1,200
requests against the keep-alive server of ``loopback_server.py`` (in its own process, not
counted); the difference over 1,000 is one request's instructions, start-up and warm-up
cancelled out. It counts the client's instructions in user space only (not the kernel's
socket work, the same for both), so its ratio runs a few points above the wall-clock one.

``make bench-instructions``; needs ``valgrind`` (takes a few minutes).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import loopback_server, user_envelope  # noqa: E402

CLIENT = """
import asyncio, json, sys
sys.path.insert(0, {root!r})
mode, count, in_flight, url = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

async def run(call):
    for _ in range(3):  # connections open, code warm
        await asyncio.gather(*(call() for _ in range(in_flight)))
    left = count
    async def worker():
        nonlocal left
        while left > 0:
            left -= 1
            await call()
    await asyncio.gather(*(worker() for _ in range(in_flight)))

async def main():
    if mode == "bare":
        import aiohttp
        session = aiohttp.ClientSession()
        async def call():
            async with session.get(url + "/api/v2/users/user_1") as r:
                json.loads(await r.read())
        await run(call)
        await session.close()
    else:
        from retool_api_client import RetoolClient
        def hook(event):
            event.method  # what a hook reads
        hooks = dict(on_request=hook, on_response=hook, on_retry=hook) if mode == "hooks" else {{}}
        async with RetoolClient(url, "tok", **hooks) as retool:
            async def call():
                await retool.users.get("user_1")
            await run(call)

asyncio.run(main())
"""

CLIENTS = {
    "bare aiohttp + json.loads": "bare",
    "SDK, RetoolClient(base, token) (quickstart)": "sdk",
    "SDK, quickstart + on_request/on_response/on_retry": "hooks",
}
IN_FLIGHT = (16, 128)


def instructions(script: Path, mode: str, count: int, in_flight: int, url: str) -> int:
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            str(script),
            mode,
            str(count),
            str(in_flight),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"refs:\s*([\d,]+)", done.stderr)
    assert found, done.stderr[-2000:]
    return int(found.group(1).replace(",", ""))


def quick() -> None:
    """``make bench-quick``'s run: each client script once, without valgrind and with a few
    requests, so a change that breaks this bench fails CI (no figure)."""
    with loopback_server(user_envelope()) as url, tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "client.py"
        script.write_text(CLIENT.format(root=str(ROOT)))
        for mode in CLIENTS.values():
            for n in IN_FLIGHT:
                subprocess.run([sys.executable, str(script), mode, "20", str(n), url], check=True)
    print(f"instructions bench: {len(CLIENTS)} client scripts ran at {IN_FLIGHT} in flight")


def main() -> None:
    if sys.argv[1:] == ["--quick"]:
        quick()
        return
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: no instruction counts")
        return
    body = user_envelope()
    with loopback_server(body) as url, tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "client.py"
        script.write_text(CLIENT.format(root=str(ROOT)))
        counts = {
            (name, n): (instructions(script, mode, 1200, n, url) - instructions(script, mode, 200, n, url))
            // 1000
            for name, mode in CLIENTS.items()
            for n in IN_FLIGHT
        }
    print(f"instructions per request over loopback ({len(body)} B user envelope; callgrind, user space)")
    print(f"{'':<48} " + "".join(f"{f'{n} in flight':>22}" for n in IN_FLIGHT))
    base = next(iter(CLIENTS))
    for name in CLIENTS:
        cells = [f"{counts[name, n]:>10,} {counts[name, n] / counts[base, n]:5.2f}x" for n in IN_FLIGHT]
        print(f"{name:<48} " + "".join(f"{c:>22}" for c in cells))
    print(
        f"{'':<48} (ratio: the client's instructions over bare aiohttp's; target <= 1.25x for the "
        f"quickstart's client; {os.cpu_count()} cores)"
    )
    plain, hooked = list(CLIENTS)[1:]
    cost = ", ".join(f"{counts[hooked, n] / counts[plain, n] - 1:+.1%} at {n} in flight" for n in IN_FLIGHT)
    print(f"{'':<48} hooks set: {cost} over the quickstart's client (target < 3%)")


if __name__ == "__main__":
    main()
