"""The differential wire suite: every case on every pool the SDK offers (``tests/helpers/pools``),
against raw servers on 127.0.0.1 that record the bytes they receive (``tests/helpers/wire_server``).
httpx's own pool is the reference: where the SDK's pool behaves otherwise, the difference is
documented in docs/wire.md and asserted as such."""

from __future__ import annotations

import pytest

from ..helpers.pools import POOLS


@pytest.fixture(params=POOLS)
def pool(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def no_env_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
