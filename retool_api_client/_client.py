"""``BaseClient``: configuration, auth and the transport stack every call goes through.

``retool_api_client.RetoolClient`` is this class with the API's namespaces (``retool.users``,
...) mixed in; the generated package composes it (``generated/client.py``), so the core never
imports generated code.

    httpx.AsyncClient(base_url=.../api/v2, Authorization + User-Agent headers, timeout)
      └── RetryTransport (``_retry.py``: rules in ``_retry_policy.py``)
            └── your transport, or _transports.default_transport() (aiohttp's pool; env proxies)

On the default pool, requests skip httpx's request objects and go through the same retry loop
straight to the pool (``_http.Lane``); ``_http.py`` says which way a request takes.

Every generated method sends through ``_request.request`` with its client; status >= 400
raises the typed errors of ``_exceptions.py`` and transport failures raise
``APIConnectionError`` / ``APITimeoutError`` after the retries the policy allows.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import math
import os
import platform
import random
from collections.abc import Mapping
from types import TracebackType
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit

import httpx

from . import _constants as C
from ._exceptions import ConfigurationError
from ._http import lane_for
from ._retry import (
    DEFAULT_MAX_RESPONSE_BYTES,
    Clock,
    OnRetry,
    RetryTransport,
    Sleeper,
    check_max_response_bytes,
)
from ._retry_policy import RetryConfig
from ._transports import default_transport
from ._version import __version__

ENV_BASE_URL = "RETOOL_BASE_URL"
ENV_TOKEN = "RETOOL_API_TOKEN"
_TRANSPORT_ARGS = ("verify", "cert", "limits", "http1", "http2", "trust_env", "proxy")
#: httpx_args that give httpx's send() work to do (auth flows, hooks, mounts, redirects, decoding)
_SEND_ARGS = frozenset({"auth", "event_hooks", "mounts", "follow_redirects", "default_encoding"})
_UNSET: Any = object()


def user_agent(api_version: str) -> str:
    return (
        f"retool-api-client/{__version__} (Retool API {api_version}) "
        f"python/{platform.python_version()} httpx/{httpx.__version__}"
    )


def resolve_base_url(base_url: str | None, *, allow_insecure_http: bool) -> str:
    """An instance URL gets ``/api/v2`` appended; a URL that already has a path is the API root."""
    raw = base_url if base_url is not None else os.environ.get(ENV_BASE_URL)
    if not raw:
        raise ConfigurationError(
            f"No Retool URL: pass RetoolClient(base_url='https://acme.retool.com') or set {ENV_BASE_URL}."
        )
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
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"Refusing plain http:// to {parts.hostname}: the API token would travel unencrypted. "
            "Use https://, or pass allow_insecure_http=True if you really mean it."
        )
    path = parts.path.rstrip("/")
    if not path:
        path = "/api/v2"
    return f"{parts.scheme}://{parts.netloc}{path}"


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
        # NUL, tab, ESC ...: httpx would refuse them on every request (and the retries)
        raise ConfigurationError("The API token must not contain control characters.")
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


#: httpx.AsyncClient arguments the client sets itself: given to RetoolClient, not in httpx_args
_OWN_ARGS = frozenset({"base_url", "headers", "timeout", "transport"})


@functools.cache
def _httpx_client_args() -> frozenset[str]:
    import inspect

    return frozenset(inspect.signature(httpx.AsyncClient).parameters)


def _check_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """``headers`` as a dict, refused up front when a name or value is not text or holds a
    control character (httpx would send some of them, aiohttp refuses them at send time)."""
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
        if not value.isascii():
            raise ConfigurationError(
                f"header {name!r} must be ASCII text (httpx sends header values as ASCII)"
            )
    return out


def _check_httpx_args(httpx_args: Mapping[str, Any] | None) -> dict[str, Any]:
    """``httpx_args`` as a dict: the arguments ``httpx.AsyncClient`` takes, less those the
    client sets itself, checked before anything is built."""
    out = dict(httpx_args or {})
    own = sorted(_OWN_ARGS & out.keys())
    if own:
        raise ConfigurationError(f"httpx_args cannot set {own[0]!r}: pass RetoolClient({own[0]}=...) instead")
    unknown = sorted(out.keys() - _httpx_client_args())
    if unknown:
        raise ConfigurationError(f"httpx_args has arguments httpx.AsyncClient does not take: {unknown}")
    return out


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
        allow_insecure_http: allow ``http://`` to a host other than loopback.
        transport: a custom ``httpx.AsyncBaseTransport`` (retries wrap it).
        headers: extra headers for every request.
        httpx_args: more keyword arguments for ``httpx.AsyncClient`` (``verify``, ``limits``,
            ``proxy``, ``http2``... go to the default transport).
        max_response_bytes: the largest answer read, counted after decompression (default
            64 MiB); a larger one raises ``APIResponseValidationError`` once it passes the cap.
        validate_requests: check every request against the spec before sending it (default):
            a wrong argument raises :class:`RequestValidationError` and nothing is sent. Turn
            off only for a server newer than the spec this package was generated from.
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
        allow_insecure_http: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
        httpx_args: Mapping[str, Any] | None = None,
        validate_requests: bool = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        _sleep: Sleeper | None = None,
        _clock: Clock | None = None,
        _rng: random.Random | None = None,
        _shared_pool: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = resolve_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self._token = _resolve_token(token)
        self.timeout = _resolve_timeout(timeout)
        config = retry or RetryConfig()
        if max_retries is not None:
            config = dataclasses.replace(config, max_retries=max_retries)  # validated again
        self.retry = config
        self.on_retry = on_retry
        self.allow_insecure_http = allow_insecure_http
        self.headers = _check_headers(headers)
        self.httpx_args = _check_httpx_args(httpx_args)
        if not isinstance(validate_requests, bool):
            raise ConfigurationError(f"validate_requests must be True or False, got {validate_requests!r}")
        self.validate_requests = validate_requests
        self.max_response_bytes = check_max_response_bytes(max_response_bytes)
        self._sleep, self._clock, self._rng = _sleep, _clock, _rng
        #: closed by aclose(); a with_options copy is closed with its parent as well
        self._closed = False
        self._parent: BaseClient | None = None

        client_args = dict(self.httpx_args)
        transport_args = {k: client_args.pop(k) for k in _TRANSPORT_ARGS if k in client_args}
        self._owns_pool = _shared_pool is None
        if _shared_pool is not None:
            self._pool = _shared_pool
        elif transport is not None:
            if transport_args:
                raise ConfigurationError(
                    f"{sorted(transport_args)} configure the default transport; "
                    "set them on your own transport instead"
                )
            self._pool = transport
        else:
            self._pool = default_transport(transport_args)
        retrying = RetryTransport(
            self._pool,
            self.retry,
            on_retry=on_retry,
            sleep=_sleep,
            clock=_clock,
            rng=_rng,
            max_response_bytes=self.max_response_bytes,
        )
        #: ``_http.send`` hands requests to this transport directly while httpx's ``send()``
        #: would add nothing (see there); None when httpx_args configure what it would add.
        self._direct_transport: httpx.AsyncBaseTransport | None = (
            None if _SEND_ARGS & self.httpx_args.keys() or "@" in urlsplit(self.base_url).netloc else retrying
        )
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=self.timeout,
            # a default header rather than an httpx.Auth flow: same effect, a third of the
            # per-call overhead; httpx masks Authorization in every Headers repr
            headers={
                "User-Agent": user_agent(self.api_version),
                "Accept": "application/json",
                **self.headers,
                "Authorization": f"Bearer {self._token}",
            },
            transport=retrying,
            **client_args,
        )
        #: the quickstart's way to the wire (``_http.Lane``), on the default aiohttp pool
        self._lane = None if self._direct_transport is None else lane_for(self._pool, retrying, self._http)

    # -- what the request pipeline needs --------------------------------------------------

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        if self._lane is not None:
            self._lane.trusted = False  # the caller may change it: the lane checks every request
        return self._http

    # -- lifecycle ---------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the client; the connection pool is closed by the client that created it.

        Afterwards every call raises ``ConfigurationError``, on this client and on every
        ``with_options`` copy of it."""
        self._closed = True
        if self._owns_pool:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    @property
    def is_closed(self) -> bool:
        """True after ``aclose()``, or once the client this one is a copy of was closed."""
        return self._closed or self._http.is_closed or (self._parent is not None and self._parent.is_closed)

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout = _UNSET,
        max_retries: int = _UNSET,
        retry: RetryConfig = _UNSET,
        on_retry: OnRetry | None = _UNSET,
        headers: Mapping[str, str] = _UNSET,
        validate_requests: bool = _UNSET,
        max_response_bytes: int = _UNSET,
    ) -> Self:
        """A client with some settings changed that shares this one's connection pool.

        The original is untouched; closing the copy does not close the shared pool, closing the
        original closes the copy too (a call on it then raises ``ConfigurationError``)."""
        copy = type(self)(
            self.base_url,
            self._token,
            timeout=self.timeout if timeout is _UNSET else timeout,
            max_retries=None if max_retries is _UNSET else max_retries,
            retry=self.retry if retry is _UNSET else retry,
            on_retry=self.on_retry if on_retry is _UNSET else on_retry,
            allow_insecure_http=self.allow_insecure_http,
            headers={**self.headers, **(headers if headers is not _UNSET else {})},
            httpx_args={k: v for k, v in self.httpx_args.items() if k not in _TRANSPORT_ARGS},
            validate_requests=self.validate_requests if validate_requests is _UNSET else validate_requests,
            max_response_bytes=self.max_response_bytes
            if max_response_bytes is _UNSET
            else max_response_bytes,
            _sleep=self._sleep,
            _clock=self._clock,
            _rng=self._rng,
            _shared_pool=self._pool,
        )
        copy._parent = self
        return copy

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, timeout={self.timeout!r}, "
            f"max_retries={self.retry.max_retries})"
        )

    def __reduce__(self) -> Any:
        raise TypeError("RetoolClient cannot be pickled (it holds a connection pool and a token)")
