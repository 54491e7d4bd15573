"""A pool on any ``httpx.AsyncClient`` (or httpx2's), through its public API only.

For what the SDK's own HTTP/1.1 pool does not do: HTTP/2, SOCKS proxies, a client of the
caller's (``http_client=``: its auth flow, event hooks, redirects, mounts, cookies and default
headers apply, as httpx documents them), or a transport of the caller's (``transport=``: a mock
such as ``httpx.MockTransport``, respx or pytest-httpx). Each request is built with the
client's ``build_request`` and sent with ``send(..., stream=True)``; the body is read with
``aiter_bytes()`` (decoded by httpx) and counted against the cap as it arrives. httpx's errors
become the pool's failure kinds (``_pool.Kind``) here and nowhere else.

httpx2 (``pip install retool-api-client[httpx2]``, or ``RETOOL_HTTP_BACKEND=httpx2``) has the
same API; the adapter finds the error classes in whichever library the client comes from.
"""

from __future__ import annotations

import importlib
from typing import Any

import httpx

from ._exceptions import scrub
from ._message import Answer, Headers, Request, Timeout
from ._pool import Failure, Kind, plain_cause

__all__ = ["HttpxPool"]


class HttpxPool:
    """Sends through ``client``; closes it on ``aclose()`` only when ``owned`` (made by the SDK)."""

    def __init__(self, client: Any, *, owned: bool, secrets: tuple[str, ...] = (), via: str = "") -> None:
        """``via``: the proxy the client sends through (its URL without credentials), named in
        failures to connect."""
        self.client = client
        self.owned = owned
        self._secrets = secrets
        self._via = via
        self._lib: Any = importlib.import_module(type(client).__module__.split(".")[0])
        lib = self._lib
        self._never_sent = (lib.ConnectError, lib.ProxyError)  # its timeouts are told apart first
        self._refused = (lib.UnsupportedProtocol, lib.LocalProtocolError, lib.InvalidURL)

    @classmethod
    def made(
        cls,
        library: str,
        *,
        verify: Any,
        cert: Any,
        trust_env: bool,
        limits: httpx.Limits,
        http2: bool,
        proxy: Any,
        secrets: tuple[str, ...],
    ) -> HttpxPool:
        """A pool on a client the SDK makes of ``library`` (``httpx`` or ``httpx2``), with the
        proxy already decided (``_proxies``)."""
        try:
            lib: Any = importlib.import_module(library)
        except ImportError:
            from ._exceptions import ConfigurationError

            raise ConfigurationError(
                f"{library} is not installed: pip install 'retool-api-client[{library}]'"
            ) from None
        args: dict[str, Any] = {"verify": verify, "http2": http2, "trust_env": trust_env}
        if cert is not None:
            args["cert"] = cert
        args["limits"] = lib.Limits(
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
        )
        via = ""
        if proxy is not None:
            args["proxy"] = lib.Proxy(proxy.url, headers=dict(proxy.headers), ssl_context=proxy.ssl_context)
            secrets += proxy.secrets
            via = proxy.url
        transport = lib.AsyncHTTPTransport(**args)
        return cls(
            lib.AsyncClient(transport=transport, trust_env=False), owned=True, secrets=secrets, via=via
        )

    def describe(self) -> str:
        name = str(self._lib.__name__)
        return f"{name} via {self._via}" if self._via else name

    def __repr__(self) -> str:
        return f"<HttpxPool {self.describe()}>"

    async def send(self, request: Request, timeout: Timeout, cap: int) -> Answer:
        lib = self._lib
        client = self.client
        try:
            built = client.build_request(
                request.method,
                request.url,
                headers=request.headers,
                content=request.body or None,
                timeout=lib.Timeout(
                    connect=timeout.connect, read=timeout.read, write=timeout.write, pool=timeout.pool
                ),
            )
        except (lib.InvalidURL, TypeError, ValueError) as exc:
            raise Failure(Kind.NEVER_SENT, f"httpx could not build the request: {exc}") from None
        try:
            response = await client.send(built, stream=True)
        except lib.HTTPError as exc:
            raise self._failure(exc, reading=False) from None
        try:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise Failure(
                        Kind.BAD_ANSWER,
                        f"the answer is larger than the {cap:,}-byte response size cap "
                        "(max_response_bytes); it was not read further",
                        answer=self._answer(response, request, b""),
                    )
                chunks.append(chunk)
        except lib.DecodingError as exc:
            encoding = response.headers.get("content-encoding")
            failure = Failure(
                Kind.BAD_ANSWER,
                f"the body does not decode as its Content-Encoding {encoding!r} says ({exc})",
                answer=self._answer(response, request, b""),
            )
        except lib.HTTPError as exc:
            failure = self._failure(exc, reading=True)
        else:
            return self._answer(response, request, b"".join(chunks))
        finally:
            await response.aclose()
        raise failure

    def _answer(self, response: Any, request: Request, content: bytes) -> Answer:
        return Answer(
            response.status_code,
            Headers(response.headers.raw),
            content,
            request,
            http_version=response.http_version,
            reason_phrase=response.reason_phrase,
        )

    def _failure(self, exc: BaseException, *, reading: bool) -> Failure:
        lib = self._lib
        text = scrub(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, self._secrets)
        cause = plain_cause(exc.__cause__ or exc.__context__)
        if isinstance(exc, lib.TimeoutException):
            kind = (
                Kind.NEVER_SENT if isinstance(exc, lib.ConnectTimeout | lib.PoolTimeout) else Kind.TIMED_OUT
            )
            return Failure(kind, text, timeout=True, cause=cause)
        if not reading and isinstance(exc, self._refused):
            return Failure(Kind.NEVER_SENT, text, cause=cause, final=True)
        if not reading and isinstance(exc, self._never_sent):
            if self._via:
                text += f" (through the proxy {self._via})"
            return Failure(Kind.NEVER_SENT, text, cause=cause)
        return Failure(Kind.MAYBE_SENT, text, cause=cause, final=isinstance(exc, lib.TooManyRedirects))

    async def aclose(self) -> None:
        if self.owned:
            await self.client.aclose()
