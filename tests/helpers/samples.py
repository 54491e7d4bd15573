"""Minimal valid JSON instances built from the normalized spec's schemas (for tests)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from . import ROOT


@cache
def spec() -> dict[str, Any]:
    return json.loads((ROOT / "openapi" / "normalized.json").read_text())


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def sample(schema: dict[str, Any], *, optional: bool = False, depth: int = 0) -> Any:
    """A value valid for ``schema``; with ``optional`` every property is filled in."""
    schema = resolve(schema)
    if "enum" in schema:
        return schema["enum"][0]
    for comb in ("anyOf", "oneOf"):
        if comb in schema:
            return sample(schema[comb][0], optional=optional, depth=depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = sample(part, optional=optional, depth=depth + 1)
            if not isinstance(value, dict):
                return value  # {"allOf": [{"$ref": an enum}]}: that value, not an object
            merged.update(value)
        return merged
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        return {
            name: sample(sub, optional=optional, depth=depth + 1)
            for name, sub in props.items()
            if name in required or (optional and depth < 6)
        }
    if kind == "array":
        return [sample(schema.get("items", {}), optional=optional, depth=depth + 1)] if depth < 6 else []
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            return "2024-01-01T00:00:00+00:00"
        if fmt == "date":
            return "2024-01-01"
        if fmt == "uuid":
            return "11111111-1111-4111-8111-111111111111"
        if fmt == "email":
            return "ada@example.com"
        if fmt == "uri":
            return "https://example.com"
        if "pattern" in schema:
            return _pattern_sample(schema["pattern"])
        return "x" * max(1, schema.get("minLength", 1))
    if kind in ("number", "integer"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    return None


def _pattern_sample(pattern: str) -> str:
    known = {
        "user_([a-z0-9]+)": "user_1234",
        "^(app|workflow|resource|agent|library)_([0-9]\\d*)$": "app_1",
        "^\\d+$": "1",
        "^#[A-Fa-f0-9]{6}$": "#aabbcc",
        "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)$": "1.0.0",
        "^[a-z0-9_]+$": "a_b",
    }
    return known.get(pattern, "x")


def component(name: str, **kw: Any) -> Any:
    return sample({"$ref": f"#/components/schemas/{name}"}, **kw)
