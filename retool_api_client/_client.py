"""``BaseClient``: configuration, and the one way every call goes to the wire.

``retool_api_client.RetoolClient`` is this class with the API's namespaces (``retool.users``,
...) mixed in; the generated package composes it (``generated/client.py``), so the core never
imports generated code. The path of a call, with no branch that picks a way:

    retool.users.get("user_1")                         generated/api/users (the facade)
      -> _request.request: build, check, encode        the request pipeline
      -> _retry.RetryLoop.send: attempts and waits     the retry loop
      -> pool.send: bytes out, the whole answer in     _http11.Http11Pool or _httpx_pool.HttpxPool
      -> _request.parse: the model, or a typed error

The pool is chosen once, when the client is made (``_pool.open_pool``), and shared by its
``with_options`` copies; each copy has its own :class:`Sending` (base URL, headers, timeout,
retry loop).
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import math
import os
import platform
import random
import re
import ssl
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar
from urllib.parse import urlsplit

import httpx

from . import _constants as C
from ._deadline import Deadlines
from ._exceptions import ConfigurationError
from ._facade import Resource
from ._message import Timeout, merge_headers
from ._pacing import Pacing
from ._pool import DEFAULT_LIMITS, Pool, check_pool_args, open_pool
from ._ratelimit import RateLimit
from ._retry import (
    DEFAULT_MAX_RESPONSE_BYTES,
    Clock,
    OnRequest,
    OnResponse,
    OnRetry,
    RetryLoop,
    Sleeper,
    Timing,
    check_max_response_bytes,
)
from ._retry_policy import RetryConfig
from ._types import UNSET, Unset
from ._version import __version__

if TYPE_CHECKING:
    from ._bulk import BulkResult, Progress
    from ._retry import CallTracer

T = TypeVar("T")
R = TypeVar("R")

ENV_BASE_URL = "RETOOL_BASE_URL"
ENV_TOKEN = "RETOOL_API_TOKEN"

#: headers the SDK writes itself (from ``token=``, the body, the pool) or that frame the
#: message: given in ``headers=`` they are refused, naming the header, before anything is sent
OWN_HEADERS = frozenset(
    {
        "authorization",
        "accept",
        "accept-encoding",
        "content-type",
        "content-length",
        "transfer-encoding",
        "host",
        "connection",
        "keep-alive",
        "expect",
        "te",
        "trailer",
        "upgrade",
        "proxy-authorization",
        "proxy-connection",
    }
)


def user_agent(api_version: str) -> str:
    return f"retool-api-client/{__version__} (Retool API {api_version}) python/{platform.python_version()}"


def resolve_base_url(base_url: str | None, *, allow_insecure_http: bool) -> str:
    """An instance URL gets ``/api/v2`` appended; a URL that already has a path is the API root."""
    if base_url is not None and not isinstance(base_url, str):
        raise ConfigurationError(f"base_url must be a string (an http(s) URL), got {type(base_url).__name__}")
    raw = base_url if base_url is not None else os.environ.get(ENV_BASE_URL)
    if not raw:
        raise ConfigurationError(
            f"No Retool URL: pass RetoolClient(base_url='https://acme.retool.com') or set {ENV_BASE_URL}."
        )
    if _CONTROL.search(raw.strip()):  # urlsplit drops tabs and newlines without a word
        raise ConfigurationError(f"base_url must not contain control characters, got {raw!r}")
    parts = urlsplit(raw.strip())
    if "@" in parts.netloc:  # first: every message below repeats the URL
        raise ConfigurationError(
            "base_url must not contain a user name or password (the API token authenticates, and "
            "credentials in a URL end up in reprs, logs and errors); pass the URL without them"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"base_url must be an http(s) URL with a host, got {raw!r}")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"base_url must not have a query or fragment, got {raw!r}")
    if _BAD_HOST.search(parts.hostname):
        raise ConfigurationError(f"base_url's host {parts.hostname!r} is not a host name, got {raw!r}")
    try:
        parts.port  # noqa: B018  # urlsplit checks the port only when asked
    except ValueError:
        raise ConfigurationError(f"base_url's port must be a number from 0 to 65535, got {raw!r}") from None
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"Refusing plain http:// to {parts.hostname}: the API token would travel unencrypted. "
            "Use https://, or pass allow_insecure_http=True if you really mean it."
        )
    path = parts.path.rstrip("/")
    if not path:
        path = "/api/v2"
    try:  # as httpx writes a URL: an IDNA host, a percent-encoded path (what goes on the wire)
        return str(httpx.URL(f"{parts.scheme}://{parts.netloc}{path}"))
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"base_url is not a valid URL ({exc}), got {raw!r}") from None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: what no host name has (whitespace, controls, URL delimiters, percent signs); letters of
#: any script stay (an IDNA host), as do the brackets' contents of an IPv6 address
_BAD_HOST = re.compile(r"[\x00-\x20\x7f\"%<>\\^`{|}]")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _resolve_token(token: str | None) -> str:
    value = token if token is not None else os.environ.get(ENV_TOKEN)
    if not value:
        raise ConfigurationError(f"No API token: pass RetoolClient(token=...) or set {ENV_TOKEN}.")
    if not isinstance(value, str) or any(c in value for c in "\r\n") or value != value.strip():
        raise ConfigurationError("The API token must be a single-line string without surrounding spaces.")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        # NUL, tab, ESC ...: no server would take them in a header
        raise ConfigurationError("The API token must not contain control characters.")
    if not value.isascii():
        raise ConfigurationError("The API token must be ASCII text (headers are sent as ASCII).")
    return value


def _resolve_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        raise ConfigurationError("timeout=None would wait forever; pass a number of seconds or httpx.Timeout")
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return httpx.Timeout(float(timeout))


def _check_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """``headers`` as a dict, refused up front (naming the header) when a name or value is not
    text, holds a control character or non-ASCII text, or is one the SDK writes itself."""
    if headers is not None and not isinstance(headers, Mapping):
        raise ConfigurationError(f"headers must be a mapping of str to str, got {type(headers).__name__}")
    out = dict(headers or {})
    for name, value in out.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ConfigurationError(f"headers must map str to str, got {name!r}: {type(value).__name__}")
        bad = next((c for c in name + value if (ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F), None)
        if not name.strip():
            raise ConfigurationError("a header name is empty; nothing was sent")
        if bad is not None:
            where = "value" if bad in value else "name"
            raise ConfigurationError(f"header {name!r}: its {where} holds the control character {bad!r}")
        if not (name + value).isascii():
            raise ConfigurationError(f"header {name!r} must be ASCII text (headers are sent as ASCII)")
        if name.strip().lower() in OWN_HEADERS:
            raise ConfigurationError(
                f"header {name!r} is the SDK's own (it writes it from token=, the body or the "
                "connection); nothing was sent. Remove it from headers="
            )
    return out


@dataclasses.dataclass(frozen=True, slots=True)
class Sending:
    """What a request needs from the client it is sent with (``_request.send``): the API root
    (no trailing slash), the headers every request starts with, in the order they are sent,
    the time limits, and the retry loop that owns the attempts."""

    base: str
    headers: list[tuple[str, str]] = dataclasses.field(repr=False)  # the token is one of them
    timeout: Timeout
    retry: RetryLoop = dataclasses.field(repr=False)


class BaseClient:
    """An async client for the Retool API; use it as ``async with RetoolClient(...) as retool``.

    Args:
        base_url: instance URL (``https://acme.retool.com`` -> ``.../api/v2``) or a full API
            root (``https://acme.retool.com/api/v2``). Default: ``RETOOL_BASE_URL``.
        token: a Retool API token. Default: ``RETOOL_API_TOKEN``. Never shown in repr or logs.
        timeout: seconds or ``httpx.Timeout``; default 60 s overall, 10 s to connect.
        max_retries: retries after the first attempt (default 2; 0 disables).
        retry: full :class:`RetryConfig` (backoff, caps, deadline, ``retry_non_idempotent``);
            ``max_retries`` overrides its field of the same name.
        on_retry: called with a :class:`RetryEvent` before each retry (may be async).
        on_request: called with a :class:`RequestEvent` as each attempt starts (may be async).
        on_response: called with a :class:`ResponseEvent` for each answer (may be async).
        headers: extra headers for every request (not the SDK's own: ``Authorization``,
            ``Accept``, ``Content-Type``, or those that frame a message).
        allow_insecure_http: allow ``http://`` to a host other than loopback.
        validate_requests: check every request against the spec before sending it (default):
            a wrong argument raises :class:`RequestValidationError` and nothing is sent. Turn
            off only for a server newer than the spec this package was generated from.
        max_response_bytes: the largest answer read, counted after decompression (default
            64 MiB); a larger one raises ``APIResponseValidationError`` once it passes the cap.
        verify: TLS verification, as httpx takes it (``True``, ``False``, an ``ssl.SSLContext``);
            default ``True`` (``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` with ``trust_env``).
        cert: a client certificate, as httpx takes it.
        proxy: a proxy URL or ``httpx.Proxy``; default: the environment's (``HTTPS_PROXY``...).
        trust_env: read proxies and certificate locations from the environment (default True).
        limits: ``httpx.Limits`` for the connection pool (default: 100 connections, 20 idle).
        http2: use HTTP/2 (through httpx's pool; needs ``httpx[http2]``).
        http_client: an ``httpx.AsyncClient`` (or httpx2's) to send with: its transport, auth,
            hooks, redirects and cookies apply. The SDK does not close it.
        transport: an ``httpx.AsyncBaseTransport`` to send with (a mock, say); closed with the client.
        pool: a pool of your own (``retool_api_client.pool.Pool``); closed with the client.
        rate_limit: a :class:`RateLimit` (or a number of requests per minute): every attempt,
            retries included, waits for its slot; shared by ``with_options`` copies, and with
            ``RateLimit(redis=...)`` by every client given the same Redis and key. Default: none.
        tracing: ``True`` for an OpenTelemetry span per call (the ``otel`` extra), on the global
            tracer provider, or a ``TracerProvider`` to use; default ``False``.
    """

    #: the Retool API version the namespaces were generated from (set by ``RetoolClient``)
    api_version: ClassVar[str] = ""

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        timeout: float | httpx.Timeout = C.DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry: RetryConfig | None = None,
        on_retry: OnRetry | None = None,
        on_request: OnRequest | None = None,
        on_response: OnResponse | None = None,
        headers: Mapping[str, str] | None = None,
        allow_insecure_http: bool = False,
        validate_requests: bool = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        verify: ssl.SSLContext | str | bool | None = None,
        cert: Any = None,
        proxy: str | httpx.Proxy | None = None,
        trust_env: bool | None = None,
        limits: httpx.Limits | None = None,
        http2: bool | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        pool: Pool | None = None,
        rate_limit: RateLimit | float | None = None,
        tracing: Any = False,
    ) -> None:
        self.base_url = resolve_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self.rate_limit = RateLimit.of(rate_limit)
        self._tracer = _tracer(tracing)
        self._token = _resolve_token(token)
        self.allow_insecure_http = allow_insecure_http
        self._configure(
            timeout=timeout,
            retry=RetryConfig() if retry is None else retry,
            max_retries=max_retries,
            on_retry=on_retry,
            on_request=on_request,
            on_response=on_response,
            headers=_check_headers(headers),
            validate_requests=validate_requests,
            max_response_bytes=max_response_bytes,
        )
        pool_args = {
            "verify": verify,
            "cert": cert,
            "proxy": proxy,
            "trust_env": trust_env,
            "limits": limits,
            "http2": http2,
        }
        given = [
            name for name, v in (("http_client", http_client), ("transport", transport), ("pool", pool)) if v
        ]
        if len(given) > 1:
            raise ConfigurationError(
                f"pass one of http_client=, transport= and pool=, not {' and '.join(given)}"
            )
        if given:
            check_pool_args(pool_args, given[0])
        if pool is not None and not all(
            callable(getattr(pool, m, None)) for m in ("send", "aclose", "describe")
        ):
            raise ConfigurationError(
                f"pool must have send(), aclose() and describe(), got {type(pool).__name__}"
            )
        if limits is not None and not isinstance(limits, httpx.Limits):
            raise ConfigurationError(f"limits must be an httpx.Limits, got {type(limits).__name__}")
        self._pool: Pool = pool or open_pool(
            self.base_url,
            verify=True if verify is None else verify,
            cert=cert,
            trust_env=True if trust_env is None else bool(trust_env),
            limits=limits or DEFAULT_LIMITS,
            http2=bool(http2),
            proxy=proxy,
            transport=transport,
            http_client=http_client,
            secrets=(self._token,),
        )
        #: the loop the pool's connections belong to (None until the first request); a pool of
        #: the caller's own (a mock) may move on once that loop is closed
        self._loop: weakref.ref[asyncio.AbstractEventLoop] | None = None
        self._loop_bound = not given or getattr(pool, "binds_to_loop", False) is True
        self._timing = Timing()
        self._limits = Deadlines()  # each attempt's time limit, shared by with_options copies
        # the pause after a 429 and the rate limit: the pool's, shared by with_options copies
        self._pacing = Pacing(
            self._timing,
            self.rate_limit.limiter(self._clock, self._limits, self.base_url)
            if self.rate_limit is not None
            else None,
        )
        self._owner: BaseClient | None = None  # the client whose pool this is, for a copy
        self._closed = False
        self._build_sending()

    def _configure(
        self,
        *,
        timeout: float | httpx.Timeout,
        retry: RetryConfig,
        max_retries: int | None,
        on_retry: OnRetry | None,
        on_request: OnRequest | None,
        on_response: OnResponse | None,
        headers: dict[str, str],
        validate_requests: bool,
        max_response_bytes: int,
    ) -> None:
        """The settings a ``with_options`` copy may change, checked as the constructor checks them."""
        self.timeout = _resolve_timeout(timeout)
        if not isinstance(retry, RetryConfig):
            raise ConfigurationError(f"retry must be a RetryConfig, got {type(retry).__name__}")
        self.retry = retry if max_retries is None else dataclasses.replace(retry, max_retries=max_retries)
        for name, hook in (("on_retry", on_retry), ("on_request", on_request), ("on_response", on_response)):
            if hook is not None and not callable(hook):
                raise ConfigurationError(f"{name} must be callable, got {type(hook).__name__}")
        self.on_retry, self.on_request, self.on_response = on_retry, on_request, on_response
        self.headers = headers
        if not isinstance(validate_requests, bool):
            raise ConfigurationError(f"validate_requests must be True or False, got {validate_requests!r}")
        self.validate_requests = validate_requests
        self.max_response_bytes = check_max_response_bytes(max_response_bytes)

    def _build_sending(self) -> None:
        timeout = self.timeout
        base = [
            ("Accept", "application/json"),
            ("Accept-Encoding", "gzip, deflate"),
            ("Connection", "keep-alive"),
            ("User-Agent", user_agent(self.api_version)),
        ]
        headers = merge_headers(merge_headers(base, self.headers), {"Authorization": f"Bearer {self._token}"})
        loop = RetryLoop(
            self._pool,
            self.retry,
            on_retry=self.on_retry,
            cap=self.max_response_bytes,
            timing=self._timing,
            limits=self._limits,
            on_request=self.on_request,
            on_response=self.on_response,
            pacing=self._pacing,
            tracer=self._tracer,
        )
        self._sending = Sending(
            self.base_url,
            headers,
            Timeout(timeout.connect, timeout.read, timeout.write, timeout.pool),
            loop,
        )

    @property
    def max_retries(self) -> int:
        """Retries after the first attempt (``retry.max_retries``)."""
        return self.retry.max_retries

    # -- what the request pipeline needs ------------------------------------------------------

    def sending(self) -> Sending:
        """What ``_request.send`` sends with; refuses a closed client, or one used from an
        event loop other than the one its connections belong to, before anything is sent."""
        if self._closed or (self._owner is not None and self._owner._closed):
            raise ConfigurationError("this RetoolClient is closed; nothing was sent")
        owner = self._owner or self
        loop = asyncio.get_running_loop()
        bound = owner._loop
        if bound is None or bound() is not loop:
            owner._bind(loop)
        return self._sending

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        first = self._loop() if self._loop is not None else None
        if first is not None and first is not loop and (self._loop_bound or not first.is_closed()):
            raise ConfigurationError(
                "this RetoolClient is bound to the event loop that first used it "
                f"({'closed since' if first.is_closed() else 'still running'}) and was used from "
                "another one; "
                "create one client per event loop (per asyncio.run()); nothing was sent"
            )
        self._loop = weakref.ref(loop)

    def _clock(self) -> float:
        return self._timing.clock()  # read when called: _use_timing may replace the clock

    def _use_timing(
        self, clock: Clock | None = None, sleep: Sleeper | None = None, rng: random.Random | None = None
    ) -> None:
        """Read the time, wait and draw jitter with these (tests and the fake Retool use a
        simulated clock, so nothing waits for real); shared with ``with_options`` copies."""
        timing = self._timing
        timing.clock = clock or timing.clock
        timing.sleep = sleep or timing.sleep
        timing.rng = rng or timing.rng

    # -- lifecycle ---------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the client and its connection pool (a ``with_options`` copy closes only itself).

        Afterwards every call raises ``ConfigurationError``, on this client and on every
        ``with_options`` copy of it."""
        self._closed = True
        if self._owner is None:
            self._limits.close()
            try:
                await self._pool.aclose()
            finally:
                if self._pacing.limiter is not None:
                    await self._pacing.limiter.aclose()

    async def __aenter__(self) -> Self:
        """The client; with a shared rate limit, once its Redis answered (``RateLimiterError``
        naming it, without its password, when it does not)."""
        if self._owner is None and self._pacing.limiter is not None:
            await self._pacing.limiter.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    @property
    def is_closed(self) -> bool:
        """True after ``aclose()``, or once the client this one is a copy of was closed."""
        return self._closed or (self._owner is not None and self._owner._closed)

    def with_options(
        self,
        *,
        base_url: str | Unset = UNSET,
        token: str | Unset = UNSET,
        timeout: float | httpx.Timeout | Unset = UNSET,
        max_retries: int | Unset = UNSET,
        retry: RetryConfig | Unset = UNSET,
        on_retry: OnRetry | Unset | None = UNSET,
        on_request: OnRequest | Unset | None = UNSET,
        on_response: OnResponse | Unset | None = UNSET,
        headers: Mapping[str, str] | Unset = UNSET,
        validate_requests: bool | Unset = UNSET,
        max_response_bytes: int | Unset = UNSET,
    ) -> Self:
        """A client with some settings changed that shares this one's connection pool (and
        cookies, time limits and event loop); each argument is checked as the constructor
        checks it. ``headers`` are added to this client's.

        ``base_url`` may name another instance or organisation, but not another scheme, host or
        port than the pool was made for: make a new client for those. The original is
        untouched; closing the copy does not close the shared pool, closing the original closes
        the copy too (a call on it then raises ``ConfigurationError``)."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        if not isinstance(base_url, Unset):
            copy.base_url = resolve_base_url(base_url, allow_insecure_http=self.allow_insecure_http)
            if _origin(copy.base_url) != _origin(self.base_url):
                raise ConfigurationError(
                    f"with_options(base_url=...) keeps the pool's host {_origin(self.base_url)}; "
                    f"{_origin(copy.base_url)} needs a RetoolClient of its own"
                )
        if not isinstance(token, Unset):
            copy._token = _resolve_token(token)
        copy._configure(
            timeout=self.timeout if isinstance(timeout, Unset) else timeout,
            retry=self.retry if isinstance(retry, Unset) else retry,
            max_retries=None if isinstance(max_retries, Unset) else max_retries,
            on_retry=self.on_retry if isinstance(on_retry, Unset) else on_retry,
            on_request=self.on_request if isinstance(on_request, Unset) else on_request,
            on_response=self.on_response if isinstance(on_response, Unset) else on_response,
            headers=self.headers
            if isinstance(headers, Unset)
            else {**self.headers, **_check_headers(headers)},
            validate_requests=self.validate_requests
            if isinstance(validate_requests, Unset)
            else validate_requests,
            max_response_bytes=self.max_response_bytes
            if isinstance(max_response_bytes, Unset)
            else max_response_bytes,
        )
        copy._owner = self._owner or self
        copy._closed = False
        for name in [k for k, v in vars(copy).items() if isinstance(v, Resource)]:
            del copy.__dict__[name]  # namespaces hold their client: the copy gets its own
        copy._build_sending()
        return copy

    async def bulk(
        self,
        items: Iterable[T],
        call: Callable[[Self, T], Awaitable[R]],
        *,
        concurrency: int = 10,
        progress: Progress | None = None,
    ) -> list[BulkResult[T, R]]:
        """``await call(self, item)`` for every item, at most ``concurrency`` at a time (each
        call under the client's retries, pause and rate limit): a :class:`BulkResult` per item,
        in the items' order, holding its value or the error its call raised (the others go on).
        ``progress(done, total)`` is called (or awaited) after each item. Cancelling the
        ``bulk()`` call cancels the calls in flight and starts no more.

        ``await retool.bulk(emails, lambda r, email: r.user_invites.create(email=email))``
        """
        from ._bulk import bulk

        return await bulk(self, items, call, concurrency=concurrency, progress=progress)

    def __repr__(self) -> str:
        limit = f", rate_limit={self.rate_limit!r}" if self.rate_limit is not None else ""
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, timeout={self.timeout!r}, "
            f"max_retries={self.max_retries}, pool={self._pool.describe()!r}{limit})"
        )

    def __reduce__(self) -> Any:
        raise TypeError("RetoolClient cannot be pickled (it holds a connection pool and a token)")


def _tracer(tracing: Any) -> CallTracer | None:
    """``tracing=`` as given: False (none), True (the global tracer provider) or a provider."""
    if tracing is False or tracing is None:
        return None
    try:
        from ._tracing import Tracer
    except ImportError:
        raise ConfigurationError(
            "tracing= needs OpenTelemetry's API: pip install 'retool-api-client[otel]'"
        ) from None
    if tracing is True:
        return Tracer()
    if not callable(getattr(tracing, "get_tracer", None)):
        raise ConfigurationError(
            f"tracing must be True, False or an OpenTelemetry TracerProvider, got {type(tracing).__name__}"
        )
    return Tracer(tracing)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
