"""Raw servers on 127.0.0.1 that record the bytes they receive and answer with scripted bytes.

``WireServer`` reads HTTP/1.1 requests on kept-alive connections (plain or TLS), records each
(its exact bytes, method, target, headers and body) and answers with whatever its script
returns: bytes, or an ``Act`` that can also drip, hang, or close the connection. ``Proxy`` is
a forwarding and tunnelling proxy that records what reaches it (``CONNECT`` heads included)
and relays to the real server.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self


@dataclass
class Received:
    """One request as it arrived: ``raw`` is every byte of it, head and body."""

    raw: bytes
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    connection: int  #: which connection (0, 1, ...) it came on

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


@dataclass
class Act:
    """What to do after reading a request: write ``data`` (in ``drip``-sized pieces, each after
    ``pause`` seconds), then ``close`` the connection or keep it; ``hang`` waits forever
    (until the client gives up) before anything is written."""

    data: bytes = b""
    close: bool = False
    hang: bool = False
    drip: int = 0
    pause: float = 0.0


Script = Callable[[Received], "bytes | Act | Awaitable[bytes | Act]"]


def answer(
    status: int = 200,
    body: bytes = b'{"success": true}',
    headers: list[tuple[str, str]] | None = None,
    *,
    reason: str = "OK",
    length: bool = True,
) -> bytes:
    """An HTTP/1.1 answer; ``length`` adds Content-Length."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in (headers or [("Content-Type", "application/json")])]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def read_request(reader: asyncio.StreamReader, connection: int) -> Received | None:
    """One request from ``reader`` (None at the end of the connection)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = [(k, v.strip()) for k, _, v in (line.partition(":") for line in lines[1:] if line)]
    body = b""
    length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
    chunked = any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers)
    try:
        if chunked:
            while True:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";")[0], 16)
                chunk = await reader.readexactly(size + 2)
                body += chunk[:-2]
                head += size_line + chunk
                if size == 0:
                    break
        elif length and method != "CONNECT":
            body = await reader.readexactly(length)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    return Received(head + (body if not chunked else b""), method, target, headers, body, connection)


class Listener:
    """A server on 127.0.0.1 (over TLS with ``tls``) that hands each connection to
    :meth:`serve`; stopping it closes every connection and waits for their tasks."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.received: list[Received] = []
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = []
        self._stop = asyncio.Event()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{'localhost' if self.tls else '127.0.0.1'}:{self.port}"

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0, ssl=self.tls, limit=1 << 20)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        self._stop.set()
        for writer in self._writers:
            writer.close()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.append(writer)
        number = self.connections
        self.connections += 1
        try:
            await self.serve(reader, writer, number)
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, number: int) -> None:
        raise NotImplementedError


class WireServer(Listener):
    """``async with WireServer(script) as server``: ``server.url``, ``server.received``."""

    def __init__(self, script: Script, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(tls)
        self.script = script

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, number: int) -> None:
        while True:
            request = await read_request(reader, number)
            if request is None:
                return
            self.received.append(request)
            result = self.script(request)
            if isinstance(result, Awaitable):
                result = await result
            act = result if isinstance(result, Act) else Act(result)
            if act.hang:
                await self._stop.wait()
                return
            if act.drip:
                for i in range(0, len(act.data), act.drip):
                    writer.write(act.data[i : i + act.drip])
                    await writer.drain()
                    await asyncio.sleep(act.pause)
            else:
                writer.write(act.data)
                await writer.drain()
            if act.close:
                return


class Proxy(Listener):
    """A proxy on 127.0.0.1 (``tls``: reached over TLS itself): forwards absolute-form requests
    to their server, and opens ``CONNECT`` tunnels; ``received`` holds what reached it (a
    tunnel's ``CONNECT`` head, not the bytes inside). ``refuse``: answer every request with
    this status instead (407 for a proxy that wants credentials)."""

    def __init__(self, tls: ssl.SSLContext | None = None, refuse: int | None = None) -> None:
        super().__init__(tls)
        self.refuse = refuse

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, number: int) -> None:
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while True:
            request = await read_request(reader, 0)
            if request is None:
                return
            self.received.append(request)
            if self.refuse is not None:
                writer.write(answer(self.refuse, b"no", reason="Refused"))
                await writer.drain()
                continue
            if request.method == "CONNECT":
                host, _, port = request.target.rpartition(":")
                up_reader, up_writer = await asyncio.open_connection(host, int(port))
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
                await _pipe_both(reader, writer, up_reader, up_writer)
                return
            # forwarding: absolute-form target
            rest = request.target.split("://", 1)[1]
            hostport, _, path = rest.partition("/")
            host, _, port = hostport.rpartition(":")
            if upstream is None:
                upstream = await asyncio.open_connection(host, int(port or 80))
            head_line, _, remainder = request.raw.partition(b"\r\n")
            method, _, _ = head_line.decode().split(" ", 2)
            upstream[1].write(f"{method} /{path} HTTP/1.1\r\n".encode() + remainder)
            await upstream[1].drain()
            status_head = await upstream[0].readuntil(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in status_head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            body = await upstream[0].readexactly(length) if length else b""
            writer.write(status_head + body)
            await writer.drain()


async def _pipe_both(
    a_reader: asyncio.StreamReader,
    a_writer: asyncio.StreamWriter,
    b_reader: asyncio.StreamReader,
    b_writer: asyncio.StreamWriter,
) -> None:
    async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            dst.close()

    await asyncio.gather(pipe(a_reader, b_writer), pipe(b_reader, a_writer))


async def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then closed)."""
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    server.close()
    await server.wait_closed()
    return port
