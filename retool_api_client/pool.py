"""The seam for I/O: write a pool of your own and hand it to ``RetoolClient(pool=...)``.

A pool sends one :class:`Request` and returns the whole :class:`Answer` (or raises
:class:`Failure`, saying whether the request can have been sent); the SDK's retry loop,
checks, parsing and errors stay the same whatever pool carries the bytes. The SDK ships two:
its own HTTP/1.1 pool (the default) and one over any ``httpx.AsyncClient``
(``http_client=`` / ``transport=``). A pool of your own suits an in-process double of a
server in tests (``retool_api_client.testing.FakeRetool`` uses one), or a transport the SDK
does not speak. See docs/configuration.md, "Pools".
"""

from ._message import Answer, Headers, Request, Timeout
from ._pool import Failure, Kind, Pool

__all__ = ["Answer", "Failure", "Headers", "Kind", "Pool", "Request", "Timeout"]
