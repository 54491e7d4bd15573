"""Run Prism (``@stoplight/prism-cli``, pinned in package.json) as a local mock of Retool.

Used by the contract tests (a session fixture) and by ``make demo``. Prism serves the spec's
paths at the root, so it is given ``openapi/normalized.json`` (what the SDK was generated
from) with every path under ``/api/v2``, the SDK's API root; nothing else changes.

The node binary is started directly (not through ``npx``), so the PID held is the server's;
readiness is Prism's own "listening" line on its output, seen by the thread that keeps
draining that output (so a chatty server never blocks on a full pipe): no polling loop.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PRISM_JS = ROOT / "node_modules" / "@stoplight" / "prism-cli" / "dist" / "index.js"
NODE = shutil.which("node")
API_ROOT = "/api/v2"


class PrismError(RuntimeError):
    pass


def prism_spec(normalized: Path = ROOT / "openapi" / "normalized.json") -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(normalized.read_text())
    spec["paths"] = {API_ROOT + path: item for path, item in spec["paths"].items()}
    spec.pop("servers", None)
    return spec


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Prism:
    """``with Prism() as prism: prism.url`` -> ``http://127.0.0.1:<port>`` (``/api/v2`` below it)."""

    def __init__(
        self,
        *,
        dynamic: bool = False,
        seed: int | None = None,
        startup_timeout: float = 60,
        script: Path = PRISM_JS,
    ) -> None:
        self.dynamic, self.seed, self.startup_timeout, self.script = dynamic, seed, startup_timeout, script
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.output: collections.deque[str] = collections.deque(maxlen=400)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._woke = threading.Event()
        self._ready = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Prism:
        node, script = NODE, self.script
        if node is None or not script.exists():
            raise PrismError(f"Prism is not installed ({script} missing): run `make install-mock`")
        self._tmp = tempfile.TemporaryDirectory(prefix="retool-prism-")
        spec_path = Path(self._tmp.name) / "retool-api.json"
        spec_path.write_text(json.dumps(prism_spec()))
        self.port = free_port()
        cmd = [node, str(script), "mock", "-h", "127.0.0.1", "-p", str(self.port)]
        if self.dynamic:
            cmd.append("-d")
        if self.seed is not None:
            cmd += ["--seed", str(self.seed)]
        cmd.append(str(spec_path))
        env = dict(os.environ, NO_COLOR="1", FORCE_COLOR="0", SCARF_ANALYTICS="false")
        self.process = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
        self._drainer = threading.Thread(target=self._drain, args=(self.process,), daemon=True)
        self._drainer.start()
        self._wait_until_listening()
        return self

    def _wait_until_listening(self) -> None:
        self._woke.wait(self.startup_timeout)
        if self._ready:
            return
        code: int | None = None
        if self.process is not None:
            try:  # its output ended: it is exiting
                code = self.process.wait(timeout=5) if self._woke.is_set() else None
            except subprocess.TimeoutExpired:
                code = None
        self.stop()
        why = (
            f"exited with {code}"
            if code is not None
            else f"did not start within {self.startup_timeout:.0f} s"
        )
        raise PrismError(f"Prism {why}:\n{self.log()}")

    def _drain(self, process: subprocess.Popen[bytes]) -> None:
        if process.stdout is None:
            return
        for raw in process.stdout:
            line = raw.decode(errors="replace").rstrip()
            self.output.append(line)
            if "Prism is listening" in line:
                self._ready = True
                self._woke.set()
        self._woke.set()  # output ended (it exited): wake the waiter, which reads the exit code

    def log(self, lines: int = 60) -> str:
        return "\n".join(list(self.output)[-lines:])

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process is not None:
            self._drainer.join(timeout=10)  # its output ended with it
            if process.stdout is not None:
                process.stdout.close()  # else a ResourceWarning lands in whichever test runs next
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Prism:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
