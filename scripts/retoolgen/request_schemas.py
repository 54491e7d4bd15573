"""What each operation accepts, as JSON Schema, for checking a request before it is sent.

Written to ``retool_api_client/generated/request_schemas.json`` at generation time and read by
``retool_api_client/_validate.py`` (with the ``jsonschema`` library) on a request's way out, so
a wrong argument fails before any request with the field and the rule it breaks.

Per operation: ``path`` (Python argument names -> schema), ``query`` (wire names -> schema, as
in the request's ``params``), ``body`` (the JSON body's schema; multipart bodies are not
checked), and ``names`` (wire name -> Python argument name, for messages). Component schemas go
once into ``$defs``. For the JSON Patch endpoints, ``patch_fields``: what an ``add``/``replace``
of a top-level field may set it to (the spec types patch values as anything), read from the
model the endpoint answers with, kept to the field's own kind (type, enum, format, lengths,
range): a nested response shape may require members a request never sends, and response
patterns are where the spec's own examples disagree with it (folder ids).

OpenAPI 3.0 schemas become JSON Schema 2020-12 with ``retool_api_client/_openapi.py``, which the
fake Retool uses too.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import facade
from .facade import snake
from .normalize import operations, walk

JSON = Any

COMPONENTS = "#/components/schemas/"
#: What a JSON Patch value is checked for (see the module docstring).
SHALLOW = frozenset({"type", "enum", "format", "minLength", "maxLength", "minimum", "maximum", "nullable"})


def _load_converter() -> Any:
    """``retool_api_client/_openapi.py``, by path: the package itself may not import yet (its
    generated half is what is being built)."""
    path = Path(__file__).resolve().parents[2] / "retool_api_client" / "_openapi.py"
    spec = importlib.util.spec_from_file_location("_retool_openapi", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: One OpenAPI 3.0 schema as JSON Schema 2020-12 (shared with the fake: ``_openapi.py``).
to_json_schema: Callable[[JSON], JSON] = _load_converter().to_json_schema


def _refs(node: JSON) -> set[str]:
    """The components ``node`` references."""
    found: set[str] = set()

    def note(schema: dict[str, Any]) -> None:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(COMPONENTS):
            found.add(ref.removeprefix(COMPONENTS))

    walk(node, note)
    return found


def _object(properties: dict[str, JSON], required: list[str]) -> JSON:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = sorted(required)
    return schema


def _patch_fields(spec: JSON, op: JSON) -> dict[str, Any]:
    if facade.patch_rules(spec, op) is None:
        return {}
    fields: dict[str, Any] = {}
    for success in facade.success_bodies(spec, op):
        data = facade.resolve(spec, success.get("properties", {}).get("data", {}))
        for name, declared in data.get("properties", {}).items():
            schema = facade.resolve(spec, declared)
            parts = schema.get("allOf", [])
            if len(parts) == 1:  # {"nullable": true, "allOf": [{"$ref": enum}]}
                schema = {**facade.resolve(spec, parts[0]), "nullable": schema.get("nullable", False)}
            if {"anyOf", "oneOf", "allOf", "not"} & schema.keys():
                continue  # a union or composition: left to the server
            shallow = {k: v for k, v in schema.items() if k in SHALLOW}
            if "type" in shallow or "enum" in shallow:
                fields[name] = to_json_schema(shallow)
    return dict(sorted(fields.items()))


def _as_sent(param: JSON, where: str) -> JSON:
    """A path parameter is checked as the text it is sent as: of ``int | str`` or ``UUID | str``
    (``normalize.path_param_types``) only the string rule applies."""
    schema = param.get("schema", {})
    branches = schema.get("anyOf", [])
    strings = [b for b in branches if b.get("type") == "string"]
    if where == "path" and strings and (len(strings) < len(branches) or {"type": "string"} in strings):
        return next((b for b in strings if b != {"type": "string"}), strings[0])
    return schema


def build(spec: JSON) -> JSON:
    """The runtime document: ``{"$defs": {...}, "operations": {operationId: {...}}}``."""
    ops: dict[str, Any] = {}
    used: set[str] = set()
    for _path, _method, op in operations(spec):
        entry: dict[str, Any] = {}
        names: dict[str, str] = {}
        for where in ("path", "query"):
            params = [p for p in op.get("parameters", []) if p["in"] == where]
            if not params:
                continue
            key = (lambda p: snake(p["name"])) if where == "path" else (lambda p: p["name"])
            properties = {key(p): to_json_schema(_as_sent(p, where)) for p in params}
            required = [key(p) for p in params if p.get("required")]
            entry[where] = _object(properties, required)
            names.update({p["name"]: snake(p["name"]) for p in params if snake(p["name"]) != p["name"]})
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            entry["body"] = to_json_schema(content["application/json"].get("schema", {}))
        if names:
            entry["names"] = names
        fields = _patch_fields(spec, op)
        if fields:
            entry["patch_fields"] = fields
        used |= _refs({k: v for k, v in op.items() if k in ("parameters", "requestBody")})
        ops[op["operationId"]] = entry
    components = spec.get("components", {}).get("schemas", {})
    pending, defs = sorted(used), {}
    while pending:  # components referenced by the ones already taken
        name = pending.pop()
        if name in defs:
            continue
        defs[name] = to_json_schema(components[name])
        pending.extend(sorted(_refs(components[name]) - defs.keys()))
    return {"$defs": dict(sorted(defs.items())), "operations": dict(sorted(ops.items()))}
