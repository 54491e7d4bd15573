"""A keep-alive HTTP/1.1 server on 127.0.0.1 that answers every request with one fixed body.

Run by ``benchmarks/run.py`` in its own process, so it does not compete with the client's
event loop: it reads the body to serve from stdin, prints its port, and serves until stdin
closes. A raw asyncio protocol (no framework): it splits requests on the blank line that ends
their head (and skips a ``Content-Length`` body), so its cost per request is a few
microseconds; bare aiohttp's figure beside the SDK's shows it is not the limit.
"""

from __future__ import annotations

import asyncio
import sys


class Answer(asyncio.Protocol):
    response = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport, self.buffer = transport, b""

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        out = []
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head, start = buffer[:end].lower(), end + 4
            length = 0
            at = head.find(b"\r\ncontent-length:")
            if at >= 0:
                length = int(head[at + 17 :].split(b"\r\n", 1)[0])
            if len(buffer) < start + length:
                break
            buffer = buffer[start + length :]
            out.append(self.response)
        self.buffer = buffer
        if out:
            self.transport.write(b"".join(out))


async def main() -> None:
    body = sys.stdin.buffer.read(int(sys.stdin.buffer.readline()))
    Answer.response = (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Answer, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.buffer.read)  # until the parent closes stdin
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
