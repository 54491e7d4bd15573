"""OpenTelemetry spans, one per call (``RetoolClient(tracing=True)``).

A span covers a call's attempts, retries and their waits included, and is a child of the span
current where the call was made. Named ``{method} {url.template}`` (``GET /users/{userId}``),
with OpenTelemetry's HTTP client attributes: ``http.request.method``, ``url.template``,
``url.full``, ``server.address``, ``server.port``, ``http.response.status_code``,
``http.request.resend_count`` (when a request was resent) and ``error.type`` (the status code,
or the SDK's error class); and this SDK's ``retool.operation_id`` and ``retool.attempts``.
An error status or error sets the span's status to ERROR.

Imported only when tracing is on: ``import retool_api_client`` does not load OpenTelemetry.
The ``otel`` extra declares the API package; the application brings the SDK and exporter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from ._message import Answer, Request, Timeout
from ._retry import Attempts
from ._version import __version__

__all__ = ["Tracer"]


class Tracer:
    """Makes a span around each call's attempts, on ``provider`` (None: the global one, looked
    up when each span starts, so a provider set after the client is made is used)."""

    __slots__ = ("_tracer",)

    def __init__(self, provider: Any = None) -> None:
        self._tracer = trace.get_tracer("retool_api_client", __version__, tracer_provider=provider)

    async def send(
        self,
        attempts: Callable[[Request, Timeout, Attempts | None], Awaitable[Answer]],
        request: Request,
        timeout: Timeout,
    ) -> Answer:
        url = urlsplit(request.url)
        template = request.template
        attributes: dict[str, Any] = {
            "http.request.method": request.method,
            "url.full": request.url,
            "server.address": url.hostname or "",
            "server.port": url.port or (443 if url.scheme == "https" else 80),
        }
        if template is not None:
            attributes["url.template"] = template
        if request.operation is not None:
            attributes["retool.operation_id"] = request.operation
        name = f"{request.method} {template}" if template else request.method
        counted = Attempts()
        with self._tracer.start_as_current_span(
            name,
            kind=SpanKind.CLIENT,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                answer = await attempts(request, timeout, counted)
            except BaseException as exc:
                _count(span, counted)
                span.set_attribute("error.type", type(exc).__name__)
                span.set_status(StatusCode.ERROR, str(exc))
                raise
            _count(span, counted)
            status = answer.status_code
            span.set_attribute("http.response.status_code", status)
            if status >= 400:
                span.set_attribute("error.type", str(status))
                span.set_status(StatusCode.ERROR)
            return answer


def _count(span: trace.Span, counted: Attempts) -> None:
    span.set_attribute("retool.attempts", counted.count)
    if counted.count > 1:
        span.set_attribute("http.request.resend_count", counted.count - 1)
