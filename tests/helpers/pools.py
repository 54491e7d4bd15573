"""Every pool the SDK offers, for suites that run each case on each of them.

``http11`` is the SDK's own pool (the default); ``httpx`` and ``httpx2`` are the adapter over a
client of that library (``http_client=``), as a caller would hand one in.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator
from typing import Any

from retool_api_client import RetoolClient

POOLS = ("http11", "httpx", "httpx2")


@contextlib.asynccontextmanager
async def client_on(
    pool: str, base_url: str, token: str = "tok_secret_123", **kwargs: Any
) -> AsyncIterator[RetoolClient]:
    """A ``RetoolClient`` of ``base_url`` sending through ``pool``, closed (with its HTTP
    client) on the way out."""
    if pool == "http11":
        async with RetoolClient(base_url, token, **kwargs) as retool:
            yield retool
        return
    lib: Any = importlib.import_module(pool)
    client_args = kwargs.pop("client_args", {})
    async with lib.AsyncClient(trust_env=False, **client_args) as http:
        async with RetoolClient(base_url, token, http_client=http, **kwargs) as retool:
            yield retool


@contextlib.asynccontextmanager
async def made_on(
    pool: str, base_url: str, token: str = "tok_secret_123", **kwargs: Any
) -> AsyncIterator[RetoolClient]:
    """A ``RetoolClient`` whose pool the SDK makes itself (``RETOOL_HTTP_BACKEND``), so the
    SDK's own pool arguments (``proxy=``, ``verify=``, ``limits=``...) configure it."""
    import os

    saved = os.environ.get("RETOOL_HTTP_BACKEND")
    os.environ["RETOOL_HTTP_BACKEND"] = pool
    try:
        retool = RetoolClient(base_url, token, **kwargs)
    finally:
        if saved is None:
            del os.environ["RETOOL_HTTP_BACKEND"]
        else:
            os.environ["RETOOL_HTTP_BACKEND"] = saved
    async with retool:
        yield retool
