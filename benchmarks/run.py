"""`make bench`: performance targets as ratios against baselines measured in the same run.

Not a test: machines here are noisy, so every figure is printed next to its baseline and the
target, and nothing asserts. Record results in docs/benchmarks.md with the date.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

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


def bench_import(runs: int = 9) -> None:
    base = fresh_import("import httpx", runs)
    sdk = fresh_import("import retool_api_client; import retool_api_client.generated.api.users", runs)
    row("import package + one namespace (fresh python)", sdk, base, "s", "<= 3x import httpx")
    sdk_client = fresh_import("import retool_api_client; retool_api_client.RetoolClient", runs)
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
    """httpx's in-process seam: every request answered with ``body``."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=self.body, headers={"content-type": "application/json"})


class StaticPool:
    """The SDK's in-process seam (``retool_api_client.pool``): every request answered with ``body``."""

    def __init__(self, body: bytes) -> None:
        from retool_api_client.pool import Answer, Headers

        self.body, self.answer, self.headers = body, Answer, Headers

    async def send(self, request: Any, timeout: Any, cap: int) -> Any:
        return self.answer(200, self.headers([("content-type", "application/json")]), self.body, request)

    async def aclose(self) -> None:
        pass

    def describe(self) -> str:
        return "static"


async def bench_client(calls: int = 2000, rounds: int = 9) -> None:
    from retool_api_client import RetoolClient

    body = user_envelope()

    async def baseline() -> float:
        async with httpx.AsyncClient(
            base_url="https://a.retool.com/api/v2", transport=StaticTransport(body)
        ) as c:
            started = time.perf_counter()
            for _ in range(calls):
                r = await c.get("/users/user_1")
                json.loads(r.content)
            return (time.perf_counter() - started) / calls

    async def sdk(validate: bool = True) -> float:
        async with RetoolClient(
            "https://a.retool.com", "tok", pool=StaticPool(body), validate_requests=validate
        ) as c:
            started = time.perf_counter()
            for _ in range(calls):
                await c.users.get("user_1")
            return (time.perf_counter() - started) / calls

    await baseline()
    await sdk()  # warm up
    # rounds alternate, so drift on a shared machine hits both sides alike; the ratio is the
    # median of the per-round ratios
    measured = [(await baseline(), await sdk(), await sdk(validate=False)) for _ in range(rounds)]
    base = statistics.median(b for b, _, _ in measured)
    for label, index in (("", 1), (", request check off", 2)):
        ours = base * statistics.median(r[index] / r[0] for r in measured)
        row(
            f"per call, in-process: retool.users.get{label}",
            ours * 1e6,
            base * 1e6,
            "us",
            "<= 0.8x httpx + json.loads, each on its in-process seam",
        )


def bench_request_check(calls: int = 2000, rounds: int = 9) -> None:
    """What checking a write's body costs, next to encoding it (``json.dumps``), which every
    write pays anyway. Target (issue 13): <= 5x."""
    from retool_api_client._request import build, check
    from retool_api_client.generated.api import operation
    from tests.helpers import samples

    class Client:
        validate_requests = True

    op = samples.spec()["paths"]["/groups/{groupId}"]["put"]
    body = samples.sample(op["requestBody"]["content"]["application/json"]["schema"], optional=True)
    replace_group = operation("replace_group")
    request = build(replace_group, ("7",), None, body)
    check(Client(), replace_group, request, ("7",))  # warm: import, compile

    def timed(work: Any) -> float:
        started = time.perf_counter()
        for _ in range(calls):
            work()
        return (time.perf_counter() - started) / calls

    measured = [
        (
            timed(lambda: json.dumps(request["json"])),
            timed(lambda: check(Client(), replace_group, request, ("7",))),
        )
        for _ in range(rounds)
    ]
    base = statistics.median(b for b, _ in measured)
    row(
        f"request check: replace_group body ({len(json.dumps(body))} B)",
        base * statistics.median(c / b for b, c in measured) * 1e6,
        base * 1e6,
        "us",
        "<= 5x; baseline json.dumps of the body",
    )


async def network_latency(seconds: float) -> None:
    """Simulated network latency, precise to a few microseconds.

    ``asyncio.sleep`` cannot simulate sub-millisecond latency: the event loop waits in
    ``epoll`` with a 1 ms resolution, rounding every wait up (and a helper thread waking the
    loop added 0.2-0.9 ms of jitter). This task yields to the loop until the deadline instead:
    other tasks run in between as they would while a socket is quiet, and the answer is
    noticed at the first turn of the loop after the deadline, as a readable socket would be."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        await asyncio.sleep(0)


class PagedPool:
    """Serves pre-built list pages ("t<index>" cursors) after a simulated network latency, on
    the SDK's in-process seam (``retool_api_client.pool``), as ``StaticPool`` does for one call.

    The server's own work is kept to a minimum (the answer's head built once per page): in
    process, it runs on the client's thread, where a real server's time would not."""

    def __init__(self, pages: list[bytes], latency: float) -> None:
        from retool_api_client.pool import Answer, Headers

        self.pages, self.latency, self.answer = pages, latency, Answer
        self.headers = [
            Headers([("content-type", "application/json"), ("content-length", str(len(page)))])
            for page in pages
        ]

    async def send(self, request: Any, timeout: Any, cap: int) -> Any:
        query = parse_qs(urlsplit(request.url).query)
        token = query.get("next_token", [""])[0]
        if self.latency:
            await network_latency(self.latency)
        index = int(token[1:]) if token else 0
        return self.answer(200, self.headers[index], self.pages[index], request)

    async def aclose(self) -> None:
        pass

    def describe(self) -> str:
        return "paged"


def build_pages(count: int = 1000, size: int = 100) -> list[bytes]:
    from tests.helpers import samples

    op = samples.spec()["paths"]["/users"]["get"]
    item = samples.sample(op["responses"]["200"]["content"]["application/json"]["schema"], optional=True)[
        "data"
    ][0]
    pages = []
    for index in range(count):
        last = index == count - 1
        data = [item | {"id": f"user_{index * size + i}"} for i in range(size)]
        envelope = {
            "success": True,
            "data": data,
            "total_count": count * size,
            "next_token": None if last else f"t{index + 1}",
            "has_more": not last,
        }
        pages.append(json.dumps(envelope).encode())
    return pages


def consume(user: object) -> str:
    """What a caller does per item: one CSV-like row (the export example's work)."""
    return ",".join(str(getattr(user, name)) for name in ("id", "email", "first_name", "last_name", "active"))


async def walk(
    pages: list[bytes], latency: float, prefetch: bool, work: bool, trace: bool = False
) -> tuple[int, float, int]:
    """Iterate all users; returns (items, seconds, peak traced bytes above the start of the walk)."""
    import tracemalloc

    from retool_api_client import RetoolClient

    async with RetoolClient("https://a.retool.com", "tok", pool=PagedPool(pages, latency)) as retool:
        if trace:
            # Fill bounded caches first (the stdlib's urlsplit LRU keeps 128 URLs): what is
            # measured is the walk's own memory, not caches or the client's construction.
            async for _ in retool.users.list(page_size=100, max_items=200 * 100):
                pass
            tracemalloc.reset_peak()
        start_memory = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        count = 0
        async for user in retool.users.list(page_size=100, prefetch=prefetch):
            if work:
                consume(user)
            count += 1
        elapsed = time.perf_counter() - started
        return count, elapsed, tracemalloc.get_traced_memory()[1] - start_memory


def bench_pagination() -> None:
    import tracemalloc

    from retool_api_client.generated.models.list_users_response_200 import ListUsersResponse200

    pages = build_pages()
    asyncio.run(walk(build_pages(3), 0.0, prefetch=True, work=True))  # imports and caches warm

    # one page of data in every form the SDK holds it: body bytes, decoded JSON, typed items
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    body = bytes(bytearray(pages[1]))
    decoded = json.loads(body)
    held = (body, decoded, ListUsersResponse200.from_dict(decoded))
    one_page = tracemalloc.get_traced_memory()[0] - before
    del held, body, decoded
    count, _, peak = asyncio.run(walk(pages, 0.0, prefetch=True, work=True, trace=True))
    tracemalloc.stop()
    assert count == 100_000, count
    print(
        f"{'100,000 items / 1,000 pages, prefetch: peak traced':<48} {peak / 1e6:10.2f} MB  "
        f"one page {one_page / 1e6:8.2f} MB  ratio {peak / one_page:5.2f} pages  (target <= 3 pages)"
    )

    def parse_time(work: bool) -> float:
        """The time to parse (and consume) one page on this machine, right now."""
        times = []
        for body in pages[:100]:
            started = time.perf_counter()
            envelope = ListUsersResponse200.from_dict(json.loads(body))
            if work:
                for user in envelope.data:
                    consume(user)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    for work in (True, False):
        # Each round calibrates the latency again (the shared machine's speed drifts by up to
        # 2x within a minute) and runs the three walks back to back; figures are medians of
        # the per-round ratios. The walk without latency is the floor: the CPU a page costs
        # (request, answer, parse), which no prefetch on one thread can overlap with itself.
        rounds = []
        for _ in range(7):
            latency = parse_time(work)
            sequential = asyncio.run(walk(pages, latency, prefetch=False, work=work))[1]
            prefetched = asyncio.run(walk(pages, latency, prefetch=True, work=work))[1]
            cpu_only = asyncio.run(walk(pages, 0.0, prefetch=False, work=work))[1]
            rounds.append((latency, sequential, prefetched, cpu_only))
        sequential = statistics.median(s for _, s, _, _ in rounds)
        ratio = statistics.median(p / s for _, s, p, _ in rounds)
        floor = statistics.median(c / s for _, s, _, c in rounds)
        latency = statistics.median(t for t, _, _, _ in rounds)
        label = "parse + consume" if work else "parse only"
        row(
            f"1,000 pages, prefetch vs sequential ({label})",
            sequential * ratio,
            sequential,
            "s",
            f"<= 0.6x; latency {latency * 1e3:.2f} ms = {label} per page; "
            f"rounds {', '.join(f'{p / s:.2f}' for _, s, p, _ in rounds)}",
        )
        print(f"{'':<48} floor: the same walk without latency takes {floor:.2f}x of sequential")


# -- over real sockets: a keep-alive server on 127.0.0.1 in its own process -------------------

LOOPBACK_IN_FLIGHT = (1, 16, 128)


def user_envelope() -> bytes:
    """``GET /users/{id}``'s answer with every field: what the loopback benches serve."""
    from tests.helpers import samples

    return json.dumps({"success": True, "data": samples.component("user", optional=True)}).encode()


@contextlib.contextmanager
def loopback_server(body: bytes, pages: list[bytes] | None = None, latency: float = 0.0) -> Iterator[str]:
    """The server of ``benchmarks/loopback_server.py``, in its own process, for the block: its
    base URL. ``body`` for every request, or the ``pages`` a request's ``next_token`` asks for,
    each after ``latency`` seconds."""
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "loopback_server.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        if pages is None:
            server.stdin.write(b"%d\n" % len(body) + body)
        else:
            server.stdin.write(b"pages %d %r\n" % (len(pages), latency))
            for page in pages:
                server.stdin.write(b"%d\n" % len(page) + page)
        server.stdin.flush()
        yield f"http://127.0.0.1:{int(server.stdout.readline())}"
    finally:
        server.stdin.close()
        server.wait()


def bench_loopback_pages(rounds: int = 5, count: int = 200) -> None:
    """Prefetched walks over real sockets, with and without reading the cursor from the body's
    tail (``_json_tail``) before decoding it: what the tail reader is worth where it counts,
    when the server's latency equals the time a page takes to parse."""
    from retool_api_client import RetoolClient, _pagination
    from retool_api_client.generated.models.list_users_response_200 import ListUsersResponse200

    pages = build_pages(count)
    times = []
    for body in pages[:50]:
        started = time.perf_counter()
        ListUsersResponse200.from_dict(json.loads(body))
        times.append(time.perf_counter() - started)
    latency = statistics.median(times)
    tail = _pagination.trailing_scalars

    async def one(prefetch: bool) -> float:
        async with RetoolClient(base, "tok") as retool:
            await retool.users.list(page_size=100).first_page()  # connection open, code warm
            started = time.perf_counter()
            async for _ in retool.users.list(page_size=100, prefetch=prefetch):
                pass
            return time.perf_counter() - started

    ratios: dict[str, list[float]] = {"with the tail reader": [], "decoding first": []}
    with loopback_server(b"", pages, latency) as base:
        try:
            for _ in range(rounds):
                for label, reader in (
                    ("with the tail reader", tail),
                    ("decoding first", lambda body, names: {}),
                ):
                    _pagination.trailing_scalars = reader
                    sequential = asyncio.run(one(False))
                    prefetched = asyncio.run(one(True))
                    ratios[label].append(prefetched / sequential)
        finally:
            _pagination.trailing_scalars = tail
    for label, values in ratios.items():
        print(
            f"{f'loopback, {count} pages, prefetch vs sequential, {label}':<48} ratio "
            f"{statistics.median(values):5.2f}x  (target <= 0.65x; latency {latency * 1e3:.2f} ms = "
            f"parse per page; rounds {', '.join(f'{v:.2f}' for v in values)})"
        )


def loopback_clients(base: str) -> dict[str, Any]:
    """name -> async factory of (call, close): one client each, made fresh for every measurement."""
    from retool_api_client import RetoolClient

    url = base + "/api/v2/users/user_1"
    clients: dict[str, Any] = {}

    async def bare_aiohttp() -> tuple[Any, Any]:
        import aiohttp

        session = aiohttp.ClientSession()

        async def call() -> None:
            async with session.get(url) as r:
                json.loads(await r.read())

        return call, session.close

    clients["bare aiohttp + json.loads"] = bare_aiohttp

    async def bare_httpx() -> tuple[Any, Any]:
        c = httpx.AsyncClient()

        async def call() -> None:
            json.loads((await c.get(url)).content)

        return call, c.aclose

    clients["bare httpx + json.loads"] = bare_httpx

    try:
        import httpx2
    except ImportError:
        print("(httpx2 is not installed: no figure for it)")
    else:

        async def bare_httpx2() -> tuple[Any, Any]:
            c = httpx2.AsyncClient()

            async def call() -> None:
                json.loads((await c.get(url)).content)

            return call, c.aclose

        clients["bare httpx2 + json.loads"] = bare_httpx2

    def sdk(library: str | None = None) -> Any:
        async def make() -> tuple[Any, Any]:
            http: Any = None
            if library is not None:
                import importlib

                http = importlib.import_module(library).AsyncClient()
            retool = RetoolClient(base, "tok", http_client=http)

            async def call() -> None:
                await retool.users.get("user_1")

            async def close() -> None:
                await retool.aclose()
                if http is not None:
                    await http.aclose()

            return call, close

        return make

    clients["SDK, RetoolClient(base, token) (quickstart)"] = sdk()
    clients["SDK, http_client=httpx.AsyncClient()"] = sdk("httpx")
    if "bare httpx2 + json.loads" in clients:
        clients["SDK, http_client=httpx2.AsyncClient()"] = sdk("httpx2")
    return clients


async def loopback_rate(make: Any, in_flight: int, seconds: float) -> float:
    """Requests per second with ``in_flight`` tasks each sending requests in a loop for ``seconds``."""
    call, close = await make()
    try:
        done = 0

        async def worker(until: float) -> None:
            nonlocal done
            while time.perf_counter() < until:
                await call()
                done += 1

        for _ in range(3):  # connections open, code warm
            await asyncio.gather(*(call() for _ in range(in_flight)))
        started = time.perf_counter()
        done = 0
        await asyncio.gather(*(worker(started + seconds) for _ in range(in_flight)))
        return done / (time.perf_counter() - started)
    finally:
        await close()


def measure_pairs(
    title: str,
    baseline: tuple[str, Any],
    clients: dict[str, Any],
    in_flight: tuple[int, ...],
    *,
    rounds: int,
    seconds: float,
) -> tuple[dict[tuple[str, int], list[float]], dict[tuple[str, int], list[float]]]:
    """Each client's rate measured right after the baseline's at the same concurrency (a pair),
    rounds interleaved: drift on this shared machine hits both sides of a pair alike. Prints
    ``title`` and a row per client (median GETs/s, median pair ratio); returns the rates and
    the ratios measured."""
    base_name, base_make = baseline
    rates: dict[tuple[str, int], list[float]] = {}
    ratios: dict[tuple[str, int], list[float]] = {}

    async def run() -> None:
        for _ in range(rounds):
            for n in in_flight:
                for name, make in clients.items():
                    base = await loopback_rate(base_make, n, seconds)
                    rate = await loopback_rate(make, n, seconds)
                    rates.setdefault((base_name, n), []).append(base)
                    rates.setdefault((name, n), []).append(rate)
                    ratios.setdefault((name, n), []).append(rate / base)

    asyncio.run(run())
    print(title)
    print(f"{'':<48} " + "".join(f"{f'{n} in flight':>22}" for n in in_flight))
    for name in (base_name, *clients):
        cells = []
        for n in in_flight:
            ratio = statistics.median(ratios[name, n]) if name != base_name else 1.0
            cells.append(f"{statistics.median(rates[name, n]):>10,.0f} {ratio:5.2f}x    ")
        print(f"{name:<48} " + "".join(f"{c:>22}" for c in cells))
    return rates, ratios


def bench_loopback(
    rounds: int = 7, seconds: float = 0.3, in_flight: tuple[int, ...] = LOOPBACK_IN_FLIGHT
) -> None:
    """GETs of one user per second over real sockets, against bare aiohttp + ``json.loads``.

    Each client is measured right after a measurement of bare aiohttp at the same concurrency
    (a pair), and rounds are interleaved (every pair at every concurrency, then again): drift on
    this shared machine, whose speed moves by tens of percent within seconds, hits both sides of
    a pair alike. A figure is the median of its measurements, a ratio the median of its pairs'
    ratios."""
    body = user_envelope()
    baseline = "bare aiohttp + json.loads"
    with loopback_server(body) as base:
        clients = loopback_clients(base)
        others = {name: make for name, make in clients.items() if name != baseline}
        _, ratios = measure_pairs(
            f"loopback 127.0.0.1, keep-alive, {len(body)} B user envelope; GETs/s (median of {rounds} "
            f"interleaved rounds, each client paired with bare aiohttp just before it) and ratio to "
            f"{baseline} (target >= 0.8x for the quickstart's client)",
            (baseline, clients[baseline]),
            others,
            in_flight,
            rounds=rounds,
            seconds=seconds,
        )
    sdk = "SDK, RetoolClient(base, token) (quickstart)"
    if (sdk, in_flight[0]) in ratios:
        spread = ", ".join(f"{n}: {min(ratios[sdk, n]):.2f}-{max(ratios[sdk, n]):.2f}" for n in in_flight)
        print(f"{'':<48} quickstart's pair ratios, lowest-highest: {spread}")


def bench_hooks(rounds: int = 7, seconds: float = 0.3) -> None:
    """What the SDK's hooks cost when set (issue 27, target < 3%): the quickstart's client over
    real sockets, plain and with ``on_request``, ``on_response`` and ``on_retry`` set to
    functions that read the event's method (a hook that logs, minus the logging), each pair
    measured back to back as in :func:`bench_loopback`; and, for scale, an OpenTelemetry span
    per call (``tracing=`` a TracerProvider with no exporter), when the ``otel`` extra is there."""
    from retool_api_client import RetoolClient

    body = user_envelope()
    with loopback_server(body) as base:

        def hook(event: Any) -> None:
            event.method  # noqa: B018  # what a hook reads

        def client(**options: Any) -> Any:
            async def make() -> tuple[Any, Any]:
                retool = RetoolClient(base, "tok", **options)

                async def call() -> None:
                    await retool.users.get("user_1")

                return call, retool.aclose

            return make

        variants: dict[str, Any] = {
            "hooks set (on_request, on_response, on_retry)": client(
                on_request=hook, on_response=hook, on_retry=hook
            )
        }
        try:
            from opentelemetry.sdk.trace import TracerProvider
        except ImportError:
            print("(opentelemetry-sdk is not installed: no figure for tracing)")
        else:
            variants["tracing=TracerProvider() (no exporter)"] = client(tracing=TracerProvider())
        in_flights = (1, 128)
        rates, _ = measure_pairs(
            f"hooks over loopback: GETs/s (median of {rounds} rounds, each paired with the plain "
            "client just before it) and ratio to the plain client (these pairs move by more than the "
            "hooks cost: their cost is the row below, and `make bench-instructions`)",
            ("plain", client()),
            variants,
            in_flights,
            rounds=rounds,
            seconds=seconds,
        )
    # the ratios move by more than the hooks cost on a shared machine: their own work, timed
    # alone (the events made and the hooks called, as the retry loop does per attempt), next
    # to the plain client's time per request
    from retool_api_client._message import Answer, Headers, Request
    from retool_api_client._retry import RequestEvent, ResponseEvent

    request = Request("GET", f"{base}/api/v2/users/user_1", [], operation="get_user")
    answer = Answer(200, Headers([]), body, request)
    calls = 200_000
    started = time.perf_counter()
    for _ in range(calls):
        hook(RequestEvent(request, 1))
        hook(ResponseEvent(request, 1, answer, 0.0))
    own = (time.perf_counter() - started) / calls
    shares = ", ".join(
        f"{own * statistics.median(rates['plain', n]) * 100:.1f}% of a request at {n} in flight"
        for n in in_flights
    )
    print(f"{'hooks set: their own work per request':<48} {own * 1e6:10.2f} us  = {shares} (target < 3%)")


def quick() -> None:
    """``make test``'s run: every benchmark once, with a few hundred requests, so a change that
    breaks the bench fails CI. No figure here means anything; nothing is asserted."""
    bench_import(runs=1)
    asyncio.run(bench_client(calls=100, rounds=1))
    bench_request_check(calls=100, rounds=1)
    asyncio.run(walk(build_pages(3), 0.0, prefetch=True, work=True))
    bench_loopback(rounds=1, seconds=0.05, in_flight=(1, 16))
    bench_loopback_pages(rounds=1, count=5)
    bench_hooks(rounds=1, seconds=0.05)


def main() -> None:
    print(f"python {sys.version.split()[0]}, httpx {httpx.__version__}, {time.strftime('%Y-%m-%d')}")
    if sys.argv[1:] == ["--quick"]:
        quick()
        return
    if sys.argv[1:] == ["loopback"]:
        bench_loopback()
        return
    if sys.argv[1:] == ["loopback-pages"]:
        bench_loopback_pages()
        return
    if sys.argv[1:] == ["hooks"]:
        bench_hooks()
        return
    bench_import()
    asyncio.run(bench_client())
    bench_request_check()
    bench_pagination()
    bench_loopback()
    bench_loopback_pages()
    bench_hooks()
    bench_regenerate()


if __name__ == "__main__":
    main()
