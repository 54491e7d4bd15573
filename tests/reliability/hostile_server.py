"""A raw HTTP/1.1 server on 127.0.0.1 that answers with whatever bytes a test scripts.

httpx's ``MockTransport`` hands over whole ``Response`` objects, so it cannot drip a body one
byte at a time, lie about ``Content-Encoding`` on the wire or stream 200 MB lazily; this can.
Each connection gets one answer and is closed (``Connection: close``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self


@dataclass
class Received:
    method: str
    target: str
    headers: dict[str, str]


Script = Callable[[Received], AsyncIterator[bytes]]


def head(status: int = 200, headers: dict[str, str] | None = None, *, length: int | None = None) -> bytes:
    """A status line and headers; ``length`` adds Content-Length."""
    lines = [f"HTTP/1.1 {status} X", "Content-Type: application/json", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def whole(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Script:
    """A script answering every request with ``body``."""

    async def script(request: Received) -> AsyncIterator[bytes]:
        yield head(status, headers, length=len(body)) + body

    return script


@dataclass
class HostileServer:
    script: Script
    received: list[Received] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
            length = int(headers.get("Content-Length", headers.get("content-length", "0")))
            if length:
                await reader.readexactly(length)
            request = Received(method, target, {k.lower(): v for k, v in headers.items()})
            self.received.append(request)
            async for chunk in self.script(request):
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client went away: what a hostile server expects
        except asyncio.CancelledError:
            pass  # the server is closing (ending normally: asyncio logs a cancelled handler)
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(BaseException):
                await writer.wait_closed()
