"""``_proxies``: the proxy a client's requests take, decided once for its base URL, as httpx
decides per request (the differential suite, tests/wire/test_proxies.py, sends through them)."""

from __future__ import annotations

import base64

import httpx
import pytest

from retool_api_client import ConfigurationError
from retool_api_client._proxies import _Pattern, environment_proxies, proxy_for


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_the_environment_is_read_as_httpx_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://p:1")
    monkeypatch.setenv("HTTPS_PROXY", "p:2")
    monkeypatch.setenv("NO_PROXY", "localhost,10.0.0.1,::1,.internal.example,corp.example,https://x.example")
    assert environment_proxies() == {
        "http://": "http://p:1",
        "https://": "http://p:2",
        "all://localhost": None,
        "all://10.0.0.1": None,
        "all://[::1]": None,
        "all://*.internal.example": None,
        "all://*corp.example": None,
        "https://x.example": None,
    }
    for bypassed in (
        "http://localhost:8080",
        "http://10.0.0.1",
        "http://[::1]:1",
        "https://svc.internal.example",
        "https://corp.example",
        "https://api.corp.example",
        "https://x.example",
    ):
        assert proxy_for(bypassed, None, trust_env=True) is None, bypassed
    for proxied, port in (
        ("https://notcorp.example", 2),
        ("http://internal.example", 1),
        ("http://x.example", 1),
        ("http://10.0.0.2", 1),
    ):
        chosen = proxy_for(proxied, None, trust_env=True)
        assert chosen is not None and chosen.port == port, proxied
    assert proxy_for("https://a.example", None, trust_env=False) is None
    monkeypatch.setenv("NO_PROXY", "*")
    assert environment_proxies() == {}


@pytest.mark.parametrize(
    "env",
    [
        {"HTTP_PROXY": "http://p:1"},
        {"https_proxy": "p:2", "no_proxy": "a.example, 127.0.0.1 ,,"},
        {"ALL_PROXY": "socks5://p:3", "NO_PROXY": "http://b.example:8080,::1,10.0.0.0"},
        {"HTTP_PROXY": "http://p:1", "NO_PROXY": "*"},
        {},
    ],
)
def test_the_same_proxy_as_httpx_would_mount(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx's own reading of the environment and its URL patterns (private, so compared here
    rather than used): for each base URL, the pattern httpx's mounts would pick gives the
    proxy ``proxy_for`` picks."""
    from httpx._utils import URLPattern, get_environment_proxies

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert environment_proxies() == get_environment_proxies()
    urls = [
        "http://a.example",
        "https://x.a.example",
        "http://b.example:8080",
        "http://b.example",
        "http://[::1]",
    ]
    for pattern in [*environment_proxies(), "all://*", "http://*.a.example", "all://*a.example:80"]:
        for url in urls:
            target = httpx.URL(url)
            assert _Pattern.parse(pattern).matches(target.scheme, target.host, target.port) == URLPattern(
                pattern
            ).matches(target), (pattern, url)
    for url in urls:
        mounts = sorted(
            ((URLPattern(p), u) for p, u in get_environment_proxies().items()), key=lambda m: m[0]
        )
        expected = next((u for p, u in mounts if p.matches(httpx.URL(url))), None)
        chosen = proxy_for(url, None, trust_env=True)
        assert (chosen is None) == (expected is None), url
        if chosen is not None and expected is not None:
            assert chosen.port == httpx.URL(expected).port, url


def test_credentials_become_a_header_and_leave_the_url() -> None:
    chosen = proxy_for("https://a.example", "http://us%40r:p%3Ass@proxy.example:3128", trust_env=True)
    assert chosen is not None
    assert chosen.url == "http://proxy.example:3128"
    token = base64.b64encode(b"us@r:p:ss").decode()
    assert dict(chosen.headers) == {"Proxy-Authorization": f"Basic {token}"}
    assert "p:ss" not in repr(chosen) and token not in repr(chosen)
    assert {"p:ss", token} <= set(chosen.secrets)


def test_an_httpx_proxy_keeps_its_headers_and_context() -> None:
    import ssl

    context = ssl.create_default_context()
    given = httpx.Proxy("https://proxy.example", headers={"X-Team": "a"}, ssl_context=context)
    chosen = proxy_for("https://a.example", given, trust_env=False)
    assert chosen is not None
    assert chosen.scheme == "https" and chosen.port == 443
    assert dict(chosen.headers) == {"X-Team": "a"}
    assert chosen.ssl_context is context
    default = proxy_for("https://a.example", "https://proxy.example", trust_env=False)
    assert default is not None and default.ssl_context is not None  # verified, never unverified


@pytest.mark.parametrize("bad", ["ftp://proxy.example", "http://", "file:///tmp/x"])
def test_a_proxy_that_is_not_a_proxy_url_is_refused(bad: str) -> None:
    with pytest.raises(ConfigurationError, match="proxy must be"):
        proxy_for("https://a.example", bad, trust_env=False)
