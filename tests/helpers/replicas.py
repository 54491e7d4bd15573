"""Run replicas (``tests/helpers/replica.py``) side by side against one served fake Retool."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPLICA = Path(__file__).with_name("replica.py")


def run_replicas(count: int, config: dict[str, Any], timeout: float = 120) -> list[dict[str, Any]]:
    """Start ``count`` replicas with ``config``, let them go together once all are ready, and
    return what each reported."""
    processes = [
        subprocess.Popen(
            [sys.executable, str(REPLICA)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    try:
        for process in processes:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(json.dumps(config) + "\n")
            process.stdin.flush()
        for process in processes:
            assert process.stdout is not None
            ready = process.stdout.readline()
            if ready.strip() != "ready":
                _, err = process.communicate(timeout=timeout)
                raise RuntimeError(f"a replica did not start: {ready!r} {err}")
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        reports = []
        for process in processes:
            out, err = process.communicate(timeout=timeout)
            if process.returncode != 0:
                raise RuntimeError(f"a replica failed ({process.returncode}): {err}")
            reports.append(json.loads(out.splitlines()[-1]))
        return reports
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
