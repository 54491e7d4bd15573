"""OpenAPI 3.0 schemas as JSON Schema 2020-12, in one place for the pipeline and the fake.

The pipeline writes each operation's request schemas with it (``generated/request_schemas.json``,
which the request check reads with jsonschema-rs and jsonschema), and the fake Retool checks
requests and answers with it. Hand-written because the validators that read OpenAPI 3.0 directly
(openapi-schema-validator) are a layer over jsonschema that jsonschema-rs cannot use, and the
conversion is small: ``nullable`` becomes a ``"null"`` type (or an ``anyOf`` with null around a
``$ref`` or a combinator), refs point into ``$defs``, annotations are dropped. Nothing else
changes meaning. This module imports nothing from the package, so the pipeline can load it by
path before anything is generated.
"""

from __future__ import annotations

from typing import Any

#: Keywords that only annotate (``discriminator`` is OpenAPI's; JSON Schema ignores it).
ANNOTATIONS = frozenset(
    {
        "description",
        "example",
        "examples",
        "title",
        "default",
        "deprecated",
        "externalDocs",
        "xml",
        "discriminator",
    }
)
COMPONENTS = "#/components/schemas/"


def to_json_schema(node: Any, *, keep: frozenset[str] = frozenset()) -> Any:
    """One OpenAPI 3.0 schema as JSON Schema 2020-12; ``keep`` names annotations to keep (the fake
    keeps ``default``, to fill what a create leaves out)."""
    if isinstance(node, list):
        return [to_json_schema(item, keep=keep) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if (key in ANNOTATIONS and key not in keep) or key == "nullable":
            continue
        if key == "$ref":
            out[key] = "#/$defs/" + str(value).removeprefix(COMPONENTS)
        elif key == "format" and value == "binary":
            continue  # bytes on the wire; nothing to check in JSON
        elif key in ("properties", "patternProperties"):
            out[key] = {name: to_json_schema(sub, keep=keep) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not", "anyOf", "oneOf", "allOf"):
            out[key] = to_json_schema(value, keep=keep)
        else:
            out[key] = value
    if node.get("nullable") is True:
        kind = out.get("type")
        if isinstance(kind, str) and "$ref" not in out:
            out["type"] = [kind, "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out
