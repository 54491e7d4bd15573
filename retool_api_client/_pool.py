"""What a pool is, how its failures are told apart, and which pool a client gets.

A pool has one job: send a :class:`~._message.Request` and hand back the whole
:class:`~._message.Answer`, or raise :class:`Failure` saying which of three things happened:

* ``NEVER_SENT``: no byte of the request can have reached the server (refused, DNS, TLS, the
  proxy refused the tunnel, no free connection in time, a connect timeout);
* ``MAYBE_SENT``: the request was handed to a connection and no complete answer came back (a
  reset, a hang-up, an answer that does not parse as HTTP);
* ``TIMED_OUT``: the same, because a time limit passed while waiting;

A failure no retry can change (a redirect loop, a URL httpx refuses) is ``final``. There is
also ``BAD_ANSWER``, for a complete answer the SDK refuses to read (a body past
``max_response_bytes``, or one that does not decode as its ``Content-Encoding`` says), which no
retry would change. The retry policy (``_retry_policy``) decides on these kinds only, never on
a library's exception classes; each pool maps its library's errors to them.

The pools (chosen once, when the client is made, by :func:`open_pool`):

* ``_http11.Http11Pool``, the default: the SDK's own HTTP/1.1 connections on asyncio, parsed by
  ``httptools`` (llhttp). Direct, or through an ``http://`` or ``https://`` proxy.
* ``_httpx_pool.HttpxPool``: any ``httpx.AsyncClient`` (or httpx2's), through its public API.
  Used for ``http_client=``, ``transport=``, ``http2=True``, a SOCKS proxy, and
  ``RETOOL_HTTP_BACKEND=httpx`` / ``httpx2``.
"""

from __future__ import annotations

import enum
import os
import ssl
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from ._exceptions import ConfigurationError
from ._message import Answer, Request, Timeout

if TYPE_CHECKING:
    from ._proxies import Proxy

__all__ = ["BACKEND_ENV", "Failure", "Kind", "Pool", "open_pool"]

#: ``http11`` (the default), ``httpx`` or ``httpx2``: which pool a default ``RetoolClient`` uses
BACKEND_ENV = "RETOOL_HTTP_BACKEND"
BACKENDS = ("http11", "httpx", "httpx2")
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's default


class Kind(enum.Enum):
    NEVER_SENT = "never sent"
    MAYBE_SENT = "maybe sent"
    TIMED_OUT = "timed out"
    BAD_ANSWER = "bad answer"


class Failure(Exception):
    """A pool's failure, of one :class:`Kind`. ``message`` is safe to show (no token, no proxy
    credentials); ``timeout`` marks a time limit that passed (a connect or pool timeout is
    ``NEVER_SENT`` and a timeout); ``cause`` is a plain, secret-free copy of the OS or TLS
    error behind it, when there is one; ``answer`` is the answer's head for ``BAD_ANSWER``."""

    def __init__(
        self,
        kind: Kind,
        message: str,
        *,
        timeout: bool = False,
        cause: BaseException | None = None,
        answer: Answer | None = None,
        final: bool = False,
    ) -> None:
        super().__init__(message)
        self.kind, self.message, self.timeout, self.cause, self.answer = kind, message, timeout, cause, answer
        self.final = final


class Pool(Protocol):
    """Sends requests over connections it keeps; made once per client (and shared by its
    ``with_options`` copies), closed by the client that made it.

    A pool may also say ``binds_to_loop = True``: a client with it then belongs to the event
    loop that first used it, as with the SDK's own pools of sockets. Without it, a pool of the
    caller's own (a mock) may move on to a new loop once the first one is closed."""

    async def send(self, request: Request, timeout: Timeout, cap: int) -> Answer:
        """The whole answer to ``request``, its body read (decoded, at most ``cap`` bytes), or
        :class:`Failure`. Each phase is bounded by ``timeout``."""
        ...

    async def aclose(self) -> None: ...

    def describe(self) -> str:
        """A short name for logs and reprs (``http11``, ``httpx``, ``http11 via proxy``...)."""
        ...


def plain_cause(exc: BaseException | None) -> BaseException | None:
    """A copy of the OS or TLS error behind a failure, detached from whatever library raised
    it (its context and attributes may hold a request's headers): the same class with the same
    arguments, or an ``OSError`` with the same text. None for anything else."""
    if exc is None:
        return None
    if isinstance(exc, ssl.SSLError | ConnectionError | TimeoutError) or type(exc) is OSError:
        try:
            copy = type(exc)(*exc.args)
        except Exception:
            copy = OSError(str(exc))
        return copy
    if isinstance(exc, OSError):
        return OSError(exc.errno, exc.strerror) if exc.errno is not None else OSError(str(exc))
    return None


def open_pool(
    base_url: str,
    *,
    verify: ssl.SSLContext | str | bool,
    cert: Any,
    trust_env: bool,
    limits: httpx.Limits,
    http2: bool,
    proxy: str | httpx.Proxy | None,
    transport: httpx.AsyncBaseTransport | None,
    http_client: Any,
    secrets: tuple[str, ...],
) -> Pool:
    """The pool for a client of ``base_url``: ``http_client`` or ``transport`` when given, else
    the SDK's own HTTP/1.1 pool, or httpx's for what it alone speaks (HTTP/2, SOCKS) or when
    ``RETOOL_HTTP_BACKEND`` asks for it. The proxy is decided here, once, for ``base_url``'s
    host: ``proxy=``, else the environment (``HTTPS_PROXY``, ``NO_PROXY``...) unless
    ``trust_env=False``."""
    from ._httpx_pool import HttpxPool

    if http_client is not None:
        return HttpxPool(http_client, owned=False, secrets=secrets)
    if transport is not None:  # a client of the transport's own library (httpx's or httpx2's)
        import importlib

        lib: Any = importlib.import_module(type(transport).__module__.split(".")[0])
        if not hasattr(lib, "AsyncClient"):
            lib = httpx
        return HttpxPool(lib.AsyncClient(transport=transport, trust_env=False), owned=True, secrets=secrets)
    backend = os.environ.get(BACKEND_ENV, "").strip().lower() or "http11"
    if backend == "aiohttp":  # the name of the default before 0.2
        backend = "http11"
    if backend not in BACKENDS:
        raise ConfigurationError(f"{BACKEND_ENV} must be one of {', '.join(BACKENDS)}, got {backend!r}")
    from ._proxies import proxy_for

    chosen: Proxy | None = proxy_for(base_url, proxy, trust_env=trust_env)
    if backend == "http11" and not http2 and (chosen is None or chosen.scheme in ("http", "https")):
        from ._http11 import Http11Pool

        context = httpx.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
        return Http11Pool(context, limits=limits, proxy=chosen, secrets=secrets)
    return HttpxPool.made(
        backend if backend != "http11" else "httpx",
        verify=verify,
        cert=cert,
        trust_env=trust_env,
        limits=limits,
        http2=http2,
        proxy=chosen,
        secrets=secrets,
    )


def check_pool_args(values: Mapping[str, Any], instead: str) -> None:
    """Arguments for a pool the SDK makes cannot be given with ``http_client=``,
    ``transport=`` or ``pool=``: configure that one instead."""
    given = [name for name, value in values.items() if value is not None]
    if given:
        raise ConfigurationError(
            f"{', '.join(given)} configure the pool the SDK makes; with {instead}= "
            f"set them on what you pass as {instead} instead"
        )
