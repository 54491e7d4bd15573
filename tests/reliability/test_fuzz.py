"""Fuzzed responses: whatever the server sends, a call gives the declared type or one of the
SDK's typed errors, never a bare KeyError, TypeError or JSONDecodeError.

Bodies come from hypothesis strategies built from each operation's success schema, then
drift: unknown enum values, extra fields, missing fields, wrong types; plus raw answers that
are not JSON at all (an HTML 502 page, an empty body, truncated JSON).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retool_api_client import APIResponseValidationError, RetoolError

from ..helpers import samples
from ..helpers.calls import SPEC_OPS, build_call, call_declared, conforms
from ..helpers.fakes import make_client

JSON_LEAF = st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=4)
ANY_JSON = st.recursive(
    JSON_LEAF,
    lambda c: st.lists(c, max_size=2) | st.dictionaries(st.text(max_size=3), c, max_size=2),
    max_leaves=4,
)


def from_schema(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Valid JSON for an OpenAPI 3.0 schema of the normalized spec."""
    schema = samples.resolve(schema)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return st.one_of([from_schema(s, depth + 1) for s in schema[combinator]])
    if "allOf" in schema:
        parts = [from_schema(s, depth + 1) for s in schema["allOf"]]
        merged = st.tuples(*parts).map(
            # objects merge; a lone non-object part ({"allOf": [an enum]}) is that value
            lambda ds: (
                ds[0]
                if len(ds) == 1 and not isinstance(ds[0], dict)
                else {k: v for d in ds if isinstance(d, dict) for k, v in d.items()}
            )
        )
        return st.none() | merged if schema.get("nullable") else merged
    base = _typed(schema, depth)
    return st.none() | base if schema.get("nullable") else base


def _typed(schema: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {k: from_schema(v, depth + 1) for k, v in props.items() if k in required},
            optional={
                k: from_schema(v, depth + 1) for k, v in props.items() if k not in required and depth < 4
            },
        )
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), depth + 1), max_size=2 if depth < 4 else 0)
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            return st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.isoformat())
        if fmt == "date":
            return st.dates().map(lambda d: d.isoformat())
        if fmt == "uuid":
            return st.uuids().map(str)
        if "pattern" in schema:
            return st.just(samples.sample(schema))
        return st.text(max_size=6)
    if kind == "integer":
        return st.integers(schema.get("minimum", -1000), schema.get("maximum", 1000))
    if kind == "number":
        return st.integers(-1000, 1000) | st.floats(-1e6, 1e6, allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    return ANY_JSON


# -- drift --------------------------------------------------------------------------------------


def _enum_values(node: Any, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        out.update(v for v in node.get("enum", []) if isinstance(v, str))
        for v in node.values():
            _enum_values(v, out)
    elif isinstance(node, list):
        for v in node:
            _enum_values(v, out)
    return out


ENUM_VALUES = _enum_values(samples.spec(), set())


def _containers(node: Any, out: list[Any]) -> list[Any]:
    if isinstance(node, dict):
        out.append(node)
        for v in node.values():
            _containers(v, out)
    elif isinstance(node, list):
        for v in node:
            _containers(v, out)
    return out


@st.composite
def drifted(draw: st.DrawFn, valid: st.SearchStrategy[Any]) -> tuple[str, Any]:
    body = draw(valid)
    kind = draw(st.sampled_from(["valid", "unknown enum", "extra field", "missing field", "wrong type"]))
    dicts = _containers(body, [])
    target = draw(st.sampled_from(dicts)) if dicts else None
    if target is None or kind == "valid":
        return "valid", body
    if kind == "extra field":
        target["field_added_in_a_later_retool"] = draw(ANY_JSON)
    elif not target:
        return "valid", body
    else:
        key = draw(st.sampled_from(sorted(target)))
        if kind == "missing field":
            del target[key]
        elif kind == "unknown enum" and isinstance(target[key], str) and target[key] in ENUM_VALUES:
            target[key] = "value_added_in_a_later_retool"
        else:
            kind = "wrong type"
            target[key] = draw(ANY_JSON.filter(lambda v, old=target[key]: type(v) is not type(old)))
    return kind, body


RAW = [
    (502, b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", "text/html"),
    (200, b"", "application/json"),
    (200, b'{"success": true, "data": {"id": "us', "application/json"),
    (200, b"null", "application/json"),
    (200, b"[1, 2]", "application/json"),
    (200, b"<html>maintenance</html>", "text/html"),
]

LOOP = asyncio.new_event_loop()


def success_schema(operation_id: str) -> dict[str, Any] | None:
    op = SPEC_OPS[operation_id][2]
    code = min(c for c in op["responses"] if c.startswith("2"))
    content = samples.resolve(op["responses"][code]).get("content", {})
    return content.get("application/json", {}).get("schema")


#: GET operations with a JSON success body (two document a bodiless 200: nothing to parse)
GETS = sorted(op for op, (method, _, _) in SPEC_OPS.items() if method == "GET" and success_schema(op))


def call_with(operation_id: str, status: int, content: bytes, content_type: str) -> Any:
    call = build_call(operation_id)

    async def run() -> Any:
        async with make_client(
            lambda r: httpx.Response(status, content=content, headers={"content-type": content_type}),
            max_retries=0,
        ) as retool:
            result, declared, _ = await call_declared(retool, call)
            return result, declared

    return LOOP.run_until_complete(run())


@pytest.mark.parametrize("operation_id", GETS)
def test_fuzzed_bodies_parse_or_raise_typed(operation_id: str) -> None:
    schema = success_schema(operation_id)
    assert schema is not None

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(drifted(from_schema(schema)))
    def check(case: tuple[str, Any]) -> None:
        kind, body = case
        try:
            result, declared = call_with(operation_id, 200, json.dumps(body).encode(), "application/json")
        except RetoolError as exc:
            # valid bodies and tolerated drift must parse; the rest may be refused, but typed
            assert kind in ("missing field", "wrong type"), (kind, exc)
            assert isinstance(exc, APIResponseValidationError)
            return
        assert conforms(result, declared), (kind, declared, result)

    check()


@pytest.mark.parametrize("operation_id", GETS)
@pytest.mark.parametrize(
    ("status", "content", "content_type"),
    RAW,
    ids=["html502", "empty", "truncated", "null", "array", "html200"],
)
def test_raw_garbage_gives_typed_errors(
    operation_id: str, status: int, content: bytes, content_type: str
) -> None:
    with pytest.raises(RetoolError) as caught:
        call_with(operation_id, status, content, content_type)
    assert caught.type.__module__ == "retool_api_client"  # one of the SDK's own errors, as publicly imported
