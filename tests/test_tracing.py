"""OpenTelemetry spans per call (``RetoolClient(tracing=...)``), captured with OpenTelemetry's
in-memory exporter: one span per call, parented to the caller's span, named after the URL
template and carrying the HTTP client attributes, the operation id and the attempt count."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from retool_api_client import APIConnectionError, ConfigurationError, NotFoundError, RetoolClient
from retool_api_client.testing import FakeRetool

from .helpers.fakes import FakeTime
from .helpers.pools import client_on


@pytest.fixture
def exported() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    provider.shutdown()


async def test_a_span_per_call_with_the_url_template_parented_to_the_callers_span(
    exported: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    provider, exporter = exported
    fake = FakeRetool(seed=1).populate(users=1)
    user = fake.records("users")[0]["id"]
    async with fake.serve() as base_url:
        async with client_on("http11", base_url, fake.token, tracing=provider) as retool:
            with provider.get_tracer("the caller").start_as_current_span("offboard") as parent:
                await retool.users.get(user)
    call, outer = exporter.get_finished_spans()
    assert outer.name == "offboard"
    assert call.name == "GET /users/{userId}" and call.kind is SpanKind.CLIENT
    assert call.parent is not None and call.parent.span_id == parent.get_span_context().span_id
    port = int(base_url.split(":")[2].split("/")[0])
    assert dict(call.attributes or {}) == {
        "http.request.method": "GET",
        "url.template": "/users/{userId}",
        "url.full": f"{base_url}/users/{user}",
        "server.address": "127.0.0.1",
        "server.port": port,
        "retool.operation_id": "get_user",
        "retool.attempts": 1,
        "http.response.status_code": 200,
    }
    assert call.status.status_code is StatusCode.UNSET


async def test_retries_are_one_span_with_the_attempt_count(
    exported: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    provider, exporter = exported
    fake = FakeRetool(seed=1).populate(users=1)
    user = fake.records("users")[0]["id"]
    fake.fail("GET", "/users/{userId}", status=503, times=2)
    async with fake.client(tracing=provider) as retool:
        await retool.users.get(user)
    (call,) = exporter.get_finished_spans()
    assert call.attributes is not None
    assert call.attributes["retool.attempts"] == 3 and call.attributes["http.request.resend_count"] == 2
    assert call.attributes["http.response.status_code"] == 200


async def test_an_error_status_or_failure_marks_the_span(
    exported: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    provider, exporter = exported
    fake = FakeRetool(seed=1)
    async with fake.client(tracing=provider) as retool:
        with pytest.raises(NotFoundError):
            await retool.users.get("user_missing")
    (call,) = exporter.get_finished_spans()
    assert call.attributes is not None and call.attributes["error.type"] == "404"
    assert call.attributes["http.response.status_code"] == 404
    assert call.status.status_code is StatusCode.ERROR

    exporter.clear()
    time = FakeTime()
    async with RetoolClient(
        "http://127.0.0.1:9", "tok_secret_123", tracing=provider, max_retries=1
    ) as retool:
        time.install(retool)
        with pytest.raises(APIConnectionError):
            await retool.users.get("user_1")
    (call,) = exporter.get_finished_spans()
    assert call.attributes is not None and call.attributes["error.type"] == "APIConnectionError"
    assert call.attributes["retool.attempts"] == 2 and call.status.status_code is StatusCode.ERROR
    assert "tok_secret_123" not in str(call.to_json())


async def test_with_options_copies_trace_and_no_tracing_makes_no_span(
    exported: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    provider, exporter = exported
    fake = FakeRetool(seed=1).populate(users=1)
    user = fake.records("users")[0]["id"]
    async with fake.client(tracing=provider) as retool:
        await retool.with_options(timeout=5).users.get(user)
    async with fake.client() as untraced:
        await untraced.users.get(user)
    assert [s.name for s in exporter.get_finished_spans()] == ["GET /users/{userId}"]


def test_a_bad_tracing_value_is_refused() -> None:
    with pytest.raises(
        ConfigurationError, match="tracing must be True, False or an OpenTelemetry TracerProvider"
    ):
        RetoolClient("https://acme.retool.com", "tok", tracing="yes")
