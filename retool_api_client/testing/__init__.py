"""A stateful fake Retool for tests and demos: ``from retool_api_client.testing import FakeRetool``.

    fake = FakeRetool(seed=1).populate(users=20, groups=3)
    async with fake.client() as retool:           # in-process, no sockets
        ...
    async with fake.serve() as base_url:           # real HTTP on 127.0.0.1
        ...

Shipped in the package but imported only when used (``import retool_api_client`` does not
load it). The pytest fixtures ``retool_fake`` and ``retool_client`` come with the package's
pytest plugin. See ``docs/testing.md``.

One module per job: ``_spec`` (what the spec says), ``_routes`` (routing and the request
check), ``_store`` (the records), ``_render`` (answers and paging), ``_handlers`` (what each
operation does), ``_limits`` (the rate limit), ``_fake`` (``FakeRetool``, the entry point),
``_server`` (HTTP), ``_transport`` (``fake.client()``), ``_data`` (made-up values),
``_answers`` (what it answers and logs, and the entry point's type), ``_clock`` (virtual time).
"""

from __future__ import annotations

from ._answers import Answer, ReceivedRequest
from ._clock import VirtualClock, VirtualTime
from ._fake import FakeRetool, Fault
from ._limits import RateLimit

__all__ = ["Answer", "FakeRetool", "Fault", "RateLimit", "ReceivedRequest", "VirtualClock", "VirtualTime"]
