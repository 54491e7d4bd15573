"""``fake.serve()``: the fake over real HTTP on 127.0.0.1, for code that does not use this SDK.

The standard library's ``ThreadingHTTPServer`` in a background thread: no dependency, an HTTP
parser that is maintained with CPython, keep-alive (HTTP/1.1), and it works from sync code
(``with``, as ``make demo`` does) and async code (``async with``) alike. Each request goes to
:meth:`FakeRetool.handle`, which takes the fake's lock, so the server's threads and an
in-process client can share one fake.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

from ._fake import _reason

if TYPE_CHECKING:
    from ._fake import FakeRetool

#: larger bodies get 413 without being read
MAX_BODY = 16 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeRetool"
    timeout = 30  # an idle keep-alive connection is closed after this many seconds
    fake: ClassVar[FakeRetool]

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        body = self._body()
        if body is None:
            return
        answer = self.fake.handle(self.command, path, query, dict(self.headers.items()), body)
        if answer.reset:  # drop the connection without an answer (RST, not FIN)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        self._send(answer.status, answer.headers, answer.body)

    def _body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = self.headers.get("Content-Length", "0").strip() or "0"
        if not length.isdigit():
            self._send(400, {}, b'{"success": false, "message": "bad Content-Length"}', close=True)
            return None
        if int(length) > MAX_BODY:
            self._send(413, {}, b'{"success": false, "message": "request body too large"}', close=True)
            return None
        return self.rfile.read(int(length))

    def _send(self, status: int, headers: dict[str, str], body: bytes, close: bool = False) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if body and "Content-Type" not in headers:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What the standard library answers on its own (a malformed request line, headers too
        long, a method it has no ``do_`` for), in Retool's shape instead of an HTML page, and as
        a 4xx: an unknown method is a 405 (not 501), an unknown HTTP version a 400 (not 505)."""
        if code == 501:
            code, message = 405, f"Method {self.command} not allowed"
        elif code >= 500:
            code = 400
        if self.request_version == "HTTP/0.9":  # a garbled request line: answer with a status line
            self.request_version = "HTTP/1.0"
        text = message or _reason(code)
        body = json.dumps({"success": False, "message": text}).encode()
        self.close_connection = True
        try:
            self.send_response(code, text)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                self.wfile.write(body)
        except OSError:
            pass  # the client is gone

    def log_message(self, format: str, *args: Any) -> None:  # the base class's name
        pass  # quiet; fake.requests is the log


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # the default 5 drops connections when many clients start at once


class Serving:
    """``with``/``async with fake.serve() as base_url``: started on entry, stopped on exit."""

    def __init__(self, fake: FakeRetool, host: str, port: int) -> None:
        self.fake, self.host, self.port = fake, host, port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("not serving")
        port = self._server.server_address[1]
        return f"http://{self.host}:{port}{self.fake.spec.root}"

    def start(self) -> str:
        handler = type("Handler", (_Handler,), {"fake": self.fake})
        self._server = _Server((self.host, self.port), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="FakeRetool", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> str:
        return self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)

    def __repr__(self) -> str:
        return f"Serving({self.base_url if self._server else 'stopped'})"
