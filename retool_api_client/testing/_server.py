"""``fake.serve()``: the fake over real HTTP on 127.0.0.1, for code that does not use this SDK.

The standard library's ``ThreadingHTTPServer`` in a background thread: no dependency, an HTTP
parser that is maintained with CPython, keep-alive (HTTP/1.1, a thread per connection, so a few
hundred clients at once), and it works from sync code (``with``, as ``make demo`` does) and
async code (``async with``) alike. Each answer leaves in one write with ``TCP_NODELAY`` set, so
a keep-alive client never waits for a delayed ACK. A client that hangs up is forgotten quietly;
stopping the server closes the connections still open.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from ._answers import Handle, error, reason

#: larger bodies get 413 without being read
MAX_BODY = 16 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeRetool"
    timeout = 30  # an idle keep-alive connection is closed after this many seconds
    disable_nagle_algorithm = True  # TCP_NODELAY: an answer is not held back for an ACK
    server: _Server

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        body = self._body()
        if body is None:
            return
        root = self.server.root
        if path == root or path.startswith(root + "/"):
            answer = self.server.answer(self.command, path, query, dict(self.headers.items()), body)
        else:
            answer = error(404, f"Not found: the API lives under {root}")
        if answer.reset:  # drop the connection without an answer (RST, not FIN)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        self._send(answer.status, answer.headers, answer.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def _body(self) -> bytes | None:
        """The request's body; None when the request was answered already (400, 413)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._chunked()
        length = self.headers.get("Content-Length", "0").strip() or "0"
        if not length.isdigit():
            self._refuse(400, "bad Content-Length")
            return None
        if int(length) > MAX_BODY:
            self._refuse(413, "request body too large")
            return None
        return self.rfile.read(int(length))

    def _chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            try:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
            except ValueError:
                self._refuse(400, "bad chunk size")
                return None
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                self._refuse(413, "request body too large")
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _refuse(self, status: int, message: str) -> None:
        refusal = error(status, message)
        self._send(status, refusal.headers, refusal.body, close=True)

    def _send(self, status: int, headers: Mapping[str, str], body: bytes, close: bool = False) -> None:
        """The whole answer in one write."""
        lines = [
            f"HTTP/1.1 {status} {reason(status)}",
            f"Server: {self.server_version}",
            f"Date: {self.date_time_string()}",
        ]
        lines += [f"{key}: {value}" for key, value in headers.items()]
        if body and not any(key.lower() == "content-type" for key in headers):
            lines.append("Content-Type: application/json")
        if status >= 200 and status not in (204, 304):
            lines.append(f"Content-Length: {len(body)}")
        else:
            body = b""
        if close:
            self.close_connection = True
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        self.wfile.write(head if self.command == "HEAD" else head + body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What the standard library answers on its own (a malformed request line, headers too
        long, a method it has no ``do_`` for), in Retool's shape instead of an HTML page, and as
        a 4xx: an unknown method is a 405 (not 501), an unknown HTTP version a 400 (not 505)."""
        if code == 501:
            code, message = 405, f"Method {self.command} not allowed"
        elif code >= 500:
            code = 400
        text = message or reason(code)
        with contextlib.suppress(OSError):  # the client is gone
            self._refuse(code, text)

    def log_message(self, format: str, *args: Any) -> None:  # the base class's name
        pass  # quiet; fake.requests is the log


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024  # many clients connecting at once are all accepted

    def __init__(self, address: tuple[str, int], handle: Handle, root: str) -> None:
        self.answer, self.root = handle, root
        self.open: set[socket.socket] = set()
        self.open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.open_lock:
            self.open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.open_lock:
            self.open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake the threads waiting on an idle keep-alive connection: they end."""
        with self.open_lock:
            connections = list(self.open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (reset, broken pipe, timeout) is forgotten quietly; anything
        else is one line on stderr, never a traceback."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            sys.stderr.write(f"FakeRetool: {type(exc).__name__} while serving a request: {exc}\n")


class Serving:
    """``with``/``async with fake.serve() as base_url``: started on entry, stopped on exit."""

    def __init__(self, handle: Handle, root: str, host: str, port: int) -> None:
        self.handle, self.root, self.host, self.port = handle, root, host, port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("not serving")
        port = self._server.server_address[1]
        return f"http://{self.host}:{port}{self.root}"

    def start(self) -> str:
        self._server = _Server((self.host, self.port), self.handle, self.root)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="FakeRetool", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
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
