"""`make bench`: performance targets as ratios against baselines measured in the same run.

Not a test: machines here are noisy, so every figure is printed next to its baseline and the
target, and nothing asserts. Record results in docs/benchmarks.md with the date.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))


def row(name: str, value: float, baseline: float, unit: str, target: str) -> None:
    ratio = value / baseline if baseline else float("nan")
    print(
        f"{name:<48} {value:10.4f} {unit:<3} baseline {baseline:10.4f} {unit:<3} ratio {ratio:5.2f}x  (target {target})"
    )


def fresh_import(code: str, runs: int = 9) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_import() -> None:
    base = fresh_import("import httpx")
    sdk = fresh_import("import retool_api_client; import retool_api_client.generated.api.users.get_user")
    row("import package + one endpoint (fresh python)", sdk, base, "s", "<= 3x import httpx")
    sdk_client = fresh_import("import retool_api_client; retool_api_client.RetoolClient")
    row("import package + RetoolClient (fresh python)", sdk_client, base, "s", "<= 3x import httpx")


def bench_regenerate() -> None:
    from retoolgen import pipeline

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("openapi", "templates"):
            shutil.copytree(ROOT / name, root / name)
        shutil.copy(ROOT / "generator-config.yaml", root)
        started = time.perf_counter()
        pipeline.regenerate(pipeline.Layout(root))
        elapsed = time.perf_counter() - started
    print(f"{'full regeneration (normalize + generate + format)':<48} {elapsed:10.2f} s   (target < 30 s)")


class StaticTransport(httpx.AsyncBaseTransport):
    def __init__(self, body: bytes) -> None:
        self.body = body

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=self.body, headers={"content-type": "application/json"})


async def bench_client(calls: int = 3000) -> None:
    from retool_api_client import RetoolClient
    from retool_api_client.generated.api.users import get_user
    from tests import samples

    body = json.dumps({"success": True, "data": samples.component("user", optional=True)}).encode()

    async def baseline() -> float:
        async with httpx.AsyncClient(
            base_url="https://a.retool.com/api/v2", transport=StaticTransport(body)
        ) as c:
            started = time.perf_counter()
            for _ in range(calls):
                r = await c.get("/users/user_1")
                json.loads(r.content)
            return (time.perf_counter() - started) / calls

    async def sdk() -> float:
        async with RetoolClient("https://a.retool.com", "tok", transport=StaticTransport(body)) as c:
            started = time.perf_counter()
            for _ in range(calls):
                await get_user.asyncio("user_1", client=c)
            return (time.perf_counter() - started) / calls

    await baseline()
    await sdk()  # warm up
    base = statistics.median([await baseline() for _ in range(5)])
    ours = statistics.median([await sdk() for _ in range(5)])
    row(
        "per call: RetoolClient + get_user (parsed model)",
        ours * 1e6,
        base * 1e6,
        "us",
        "<= 1.2x httpx + json.loads",
    )


def main() -> None:
    print(f"python {sys.version.split()[0]}, httpx {httpx.__version__}, {time.strftime('%Y-%m-%d')}")
    bench_import()
    asyncio.run(bench_client())
    bench_regenerate()


if __name__ == "__main__":
    main()
