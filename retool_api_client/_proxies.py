"""Which proxy a client's requests take, decided once for its base URL, as httpx decides.

``proxy=`` wins; else, unless ``trust_env=False``, the environment as httpx reads it
(``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` and their lower-case forms, lower case
winning, and ``NO_PROXY``: ``*``, host names matching themselves and their subdomains, IP
addresses, ``localhost``, ``scheme://`` patterns). httpx applies these per request URL through
its ``mounts``; a ``RetoolClient`` sends every request to one host, so the answer is the same
for all of them and is found when the client is made.

A proxy's credentials (``http://user:pw@proxy:3128``) become a ``Proxy-Authorization`` header
and leave the URL, so nothing that shows the proxy (a message, a repr) shows them. An
``https://`` proxy's own TLS is verified with ``httpx.Proxy(ssl_context=...)`` when given, else
with the default context (system and certifi authorities), never with the origin's ``verify``,
as httpx does.

Hand-written because httpx's reading of the environment is private (``httpx._utils``) and the
standard library's ``urllib.request.getproxies`` gives only the variables, not httpx's rules.
"""

from __future__ import annotations

import base64
import ipaddress
import ssl
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit
from urllib.request import getproxies

import httpx

from ._exceptions import ConfigurationError

__all__ = ["Proxy", "environment_proxies", "proxy_for"]


@dataclass(frozen=True)
class Proxy:
    """A proxy a pool sends through: its URL without credentials, the headers sent to it
    (``Proxy-Authorization`` from its URL's credentials, and ``httpx.Proxy(headers=...)``), and
    the TLS context for an ``https://`` proxy itself."""

    url: str
    scheme: str
    host: str
    port: int
    headers: tuple[tuple[str, str], ...] = ()
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False)
    #: the credentials, for scrubbing them from any message that might repeat them
    secrets: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __repr__(self) -> str:
        return f"Proxy({self.url!r})"


def proxy_for(base_url: str, proxy: str | httpx.Proxy | None, *, trust_env: bool) -> Proxy | None:
    """The proxy requests to ``base_url`` take, or None to go direct."""
    if proxy is not None:
        return _parse(proxy)
    if not trust_env:
        return None
    target = urlsplit(base_url)
    port = target.port
    if port == {"http": 80, "https": 443}.get(target.scheme):
        port = None  # as httpx.URL gives it
    best: tuple[tuple[bool, int, bool], str | None] | None = None
    for pattern, url in environment_proxies().items():
        matched = _Pattern.parse(pattern)
        if matched.matches(target.scheme, (target.hostname or "").lower(), port) and (
            best is None or matched.priority > best[0]
        ):
            best = (matched.priority, url)
    return _parse(best[1]) if best is not None and best[1] is not None else None


def _parse(proxy: str | httpx.Proxy) -> Proxy:
    given = proxy if isinstance(proxy, httpx.Proxy) else None
    text = str(given.url) if given is not None else str(proxy)
    if "://" not in text:
        text = f"http://{text}"
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https", "socks5", "socks5h") or not parts.hostname:
        shown = f"{scheme}://{parts.hostname or ''}"
        raise ConfigurationError(
            f"proxy must be an http://, https:// or socks5:// URL with a host, got {shown!r}"
        )
    headers: dict[str, str] = {}
    if given is not None:  # as the caller wrote the names (httpx.Headers' items are lower case)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in given.headers.raw}
    user, password = parts.username, parts.password
    if given is not None and given.auth is not None:
        user, password = given.auth
    secrets: list[str] = []
    if user is not None:
        user, password = unquote(user), unquote(password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers.setdefault("Proxy-Authorization", f"Basic {token}")
        secrets += [s for s in (password, token) if s]
    secrets += [v for k, v in headers.items() if k.lower() == "proxy-authorization"]
    port = parts.port or {"http": 80, "https": 443}.get(scheme, 1080)
    host = parts.hostname
    shown_host = f"[{host}]" if ":" in host else host
    context = given.ssl_context if given is not None else None
    if scheme == "https" and context is None:
        context = _default_context()
    return Proxy(
        url=f"{scheme}://{shown_host}:{port}",
        scheme=scheme,
        host=host,
        port=port,
        headers=tuple(headers.items()),
        ssl_context=context,
        secrets=tuple(secrets),
    )


def _default_context() -> ssl.SSLContext:
    """What httpx's pool verifies an https:// proxy with when it is given no context."""
    import certifi

    context = ssl.create_default_context()
    context.load_verify_locations(certifi.where())
    return context


def environment_proxies() -> dict[str, str | None]:
    """``{URL pattern: proxy URL, or None for "no proxy"}`` from the environment, as httpx reads it.

    Patterns are httpx's mount keys: ``"https://"``, ``"all://"``, ``"all://*example.com"``
    (the domain and its subdomains), ``"all://10.0.0.1"``, ``"all://localhost"``. ``NO_PROXY=*``
    turns every proxy off."""
    proxies = getproxies()  # *_proxy variables, lower case winning, as urllib and httpx read them
    routes: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        url = proxies.get(scheme)
        if url:
            routes[f"{scheme}://"] = url if "://" in url else f"http://{url}"
    for host in (h.strip() for h in proxies.get("no", "").split(",")):
        if host == "*":
            return {}
        if not host:
            continue
        if "://" in host:
            routes[host] = None
        elif _is_ip(host.split("/")[0], 4) or host.lower() == "localhost":
            routes[f"all://{host}"] = None
        elif _is_ip(host, 6):
            routes[f"all://[{host}]"] = None
        else:
            routes[f"all://*{host}"] = None
    return routes


def _is_ip(host: str, version: int) -> bool:
    try:
        return ipaddress.ip_address(host).version == version
    except ValueError:
        return False


@dataclass(frozen=True)
class _Pattern:
    """One of httpx's URL patterns (``scheme://host:port``, ``all`` and ``*`` wildcards)."""

    scheme: str
    host: str
    port: int | None

    @classmethod
    def parse(cls, pattern: str) -> _Pattern:
        url = httpx.URL(pattern)
        return cls(url.scheme, url.host, url.port)

    def matches(self, scheme: str, host: str, port: int | None) -> bool:
        if self.scheme not in ("all", scheme):
            return False
        if self.port is not None and self.port != port:
            return False
        if self.host in ("", "*"):
            return True
        if self.host.startswith("*."):
            return host.endswith(self.host[1:])
        if self.host.startswith("*"):
            return host == self.host[1:] or host.endswith("." + self.host[1:])
        return host == self.host

    @property
    def priority(self) -> tuple[bool, int, bool]:
        """httpx's order: a port, then a longer host, then a named scheme wins."""
        return self.port is not None, len(self.host), self.scheme != "all"
