"""A stateful fake Retool for tests and demos: ``from retool_api_client.testing import FakeRetool``.

    fake = FakeRetool(seed=1).populate(users=20, groups=3)
    async with fake.client() as retool:           # in-process, no sockets
        ...
    async with fake.serve() as base_url:           # real HTTP on 127.0.0.1
        ...

Shipped in the package but imported only when used (``import retool_api_client`` does not
load it). The pytest fixture ``retool_fake`` comes with the package's pytest plugin. See
``docs/testing.md``.
"""

from __future__ import annotations

from ._fake import Answer, FakeRetool, Fault, ReceivedRequest, VirtualClock

__all__ = ["Answer", "FakeRetool", "Fault", "ReceivedRequest", "VirtualClock"]
