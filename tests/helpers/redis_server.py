"""A real ``redis-server`` (Debian's package) on 127.0.0.1 for the shared rate limit's tests.

Started with no persistence and a password, on a free port, and stopped afterwards. Where the
binary is missing the tests that need it are skipped with the reason, unless
``RETOOL_TESTS_REQUIRE_REDIS=1`` (the Makefile's test targets set it, after installing the
package): then they fail, so CI cannot pass without them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

REQUIRE_ENV = "RETOOL_TESTS_REQUIRE_REDIS"
PASSWORD = "redis-secret-29c1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def binary() -> str:
    """The path of ``redis-server``, or the test is skipped (failed, when Redis is required)."""
    found = shutil.which("redis-server")
    if found is None:
        why = (
            "redis-server is not installed: the shared rate limit's tests need it "
            "(apt-get install redis-server; `make unit` installs it)"
        )
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(why)
        pytest.skip(why)
    return found


@contextmanager
def redis_server(password: str = PASSWORD) -> Iterator[str]:
    """A fresh server; yields its URL (``redis://:password@127.0.0.1:port/0``)."""
    port = free_port()
    server = subprocess.Popen(
        [binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--requirepass", password, "--loglevel", "notice"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_until_ready(server)
        yield f"redis://:{password}@127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_ready(server: subprocess.Popen[bytes]) -> None:
    """Read the server's log until it says it accepts connections (or it exits)."""
    assert server.stdout is not None
    seen = []
    for line in server.stdout:
        seen.append(line.decode(errors="replace"))
        if b"Ready to accept connections" in line:
            return
    raise RuntimeError(f"redis-server exited with {server.wait()}: {''.join(seen[-5:])}")
