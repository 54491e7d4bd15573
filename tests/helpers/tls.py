"""A private certificate authority for TLS tests, made once per test run (``trustme``)."""

from __future__ import annotations

import datetime
import functools
import ssl

import trustme


@functools.cache
def authority() -> trustme.CA:
    return trustme.CA()


@functools.cache
def other_authority() -> trustme.CA:
    """A second authority nobody trusts: an impostor's."""
    return trustme.CA()


def server_context(
    ca: trustme.CA | None = None,
    *,
    hosts: tuple[str, ...] = ("localhost", "127.0.0.1"),
    expired: bool = False,
    client_ca: trustme.CA | None = None,
) -> ssl.SSLContext:
    """A server's TLS context with a certificate for ``hosts`` issued by ``ca``; with
    ``client_ca``, clients must present a certificate it issued."""
    ca = ca or authority()
    if expired:
        past = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        cert = ca.issue_cert(*hosts, not_before=past, not_after=past + datetime.timedelta(days=1))
    else:
        cert = ca.issue_cert(*hosts)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    if client_ca is not None:
        client_ca.configure_trust(context)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def client_context(ca: trustme.CA | None = None) -> ssl.SSLContext:
    """A client's TLS context that trusts ``ca`` only."""
    context = ssl.create_default_context()
    (ca or authority()).configure_trust(context)
    return context
