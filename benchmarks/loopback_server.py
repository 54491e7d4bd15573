"""A keep-alive HTTP/1.1 server on 127.0.0.1 that answers every request with one fixed body,
or (``pages`` mode) with the list page a request's ``next_token=t<index>`` asks for, after a
fixed latency.

Run by ``benchmarks/run.py`` in its own process, so it does not compete with the client's
event loop: it reads the body (or the pages and the latency) to serve from stdin, prints its
port, and serves until stdin closes. A raw asyncio protocol (no framework): it splits requests on the blank line that ends
their head (and skips a ``Content-Length`` body), so its cost per request is a few
microseconds; bare aiohttp's figure beside the SDK's shows it is not the limit.
"""

from __future__ import annotations

import asyncio
import sys


def framed(body: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


class Answer(asyncio.Protocol):
    response = b""
    pages: list[bytes] = []  # noqa: RUF012  # set once, before serving
    latency = 0.0

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
            out.append(self.answer(head))
        self.buffer = buffer
        if not out:
            return
        if self.latency:
            asyncio.get_running_loop().call_later(self.latency, self.transport.write, b"".join(out))
        else:
            self.transport.write(b"".join(out))

    def answer(self, head: bytes) -> bytes:
        if not self.pages:
            return self.response
        line = head.split(b"\r\n", 1)[0]
        at = line.find(b"next_token=t")
        index = int(line[at + 12 :].split(b"&", 1)[0].split(b" ", 1)[0]) if at >= 0 else 0
        return self.pages[index]


async def main() -> None:
    first = sys.stdin.buffer.readline().split()
    if first[0] == b"pages":  # b"pages <count> <latency in seconds>", then each page framed
        Answer.latency = float(first[2])
        Answer.pages = [
            framed(sys.stdin.buffer.read(int(sys.stdin.buffer.readline()))) for _ in range(int(first[1]))
        ]
    else:
        Answer.response = framed(sys.stdin.buffer.read(int(first[0])))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Answer, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.buffer.read)  # until the parent closes stdin
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
