"""What changed between two normalized Retool specs, for humans reviewing a version bump.

The changelog opens with the user's view (``surface.diff``: methods added, removed, renamed,
moved, retyped, as ``retool.users.get()``), then what the pipeline reported (stale fixes.yaml
entries, settled name collisions), then the spec-level changes. The spec-level part compares
operations (by ``METHOD /path``), component models (by name), their fields and types,
and enum values. Each change is marked breaking when code written against the old SDK can stop
working: a removed operation, model, field or enum value, a retyped field, a field that became
required in a request. Added things are not breaking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .normalize import operations
from .surface import Change as UserChange
from .surface import op_key, render_changes

JSON = Any


@dataclass(frozen=True, order=True)
class Change:
    kind: str  # "operation", "model", "field", "enum"
    what: str
    detail: str
    breaking: bool

    def line(self) -> str:
        return f"- {'BREAKING ' if self.breaking else ''}{self.kind} {self.what}: {self.detail}"


def _type_of(schema: JSON) -> str:
    if not isinstance(schema, dict):
        return "any"
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    for comb in ("anyOf", "oneOf", "allOf"):
        if comb in schema:
            return f"{comb}[{', '.join(_type_of(s) for s in schema[comb])}]"
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array[{_type_of(schema.get('items'))}]"
    if schema.get("nullable"):
        return f"{kind}?"
    return str(kind)


def _enums(spec: JSON) -> dict[str, set[str]]:
    """Enum values keyed by where they live (component model + field, or operation + param)."""
    found: dict[str, set[str]] = {}

    def visit(node: JSON, where: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("enum"), list):
                found.setdefault(where, set()).update(str(v) for v in node["enum"])
            for key, value in node.items():
                if key in ("properties",) and isinstance(value, dict):
                    for prop, child in value.items():
                        visit(child, f"{where}.{prop}")
                elif key in ("items", "additionalProperties", "schema"):
                    visit(value, where)
                elif key in ("anyOf", "oneOf", "allOf") and isinstance(value, list):
                    for child in value:
                        visit(child, where)

    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        visit(schema, name)
    for path, method, op in operations(spec):
        key = op_key(method, path)
        for param in op.get("parameters", []):
            visit(param.get("schema"), f"{key} ?{param.get('name')}")
        for media in op.get("requestBody", {}).get("content", {}).values():
            visit(media.get("schema"), f"{key} body")
        for status, response in op.get("responses", {}).items():
            for media in response.get("content", {}).values():
                visit(media.get("schema"), f"{key} {status}")
    return found


def diff(old: JSON, new: JSON) -> list[Change]:
    changes: list[Change] = []
    old_ops = {op_key(m, p): op for p, m, op in operations(old)}
    new_ops = {op_key(m, p): op for p, m, op in operations(new)}
    for key in sorted(new_ops.keys() - old_ops.keys()):
        changes.append(Change("operation", key, f"added ({new_ops[key].get('operationId')})", False))
    for key in sorted(old_ops.keys() - new_ops.keys()):
        changes.append(Change("operation", key, f"removed ({old_ops[key].get('operationId')})", True))

    old_models = old.get("components", {}).get("schemas", {})
    new_models = new.get("components", {}).get("schemas", {})
    for name in sorted(new_models.keys() - old_models.keys()):
        changes.append(Change("model", name, "added", False))
    for name in sorted(old_models.keys() - new_models.keys()):
        changes.append(Change("model", name, "removed", True))
    for name in sorted(old_models.keys() & new_models.keys()):
        changes.extend(_field_changes(name, old_models[name], new_models[name]))

    old_enums, new_enums = _enums(old), _enums(new)
    for where in sorted(old_enums.keys() & new_enums.keys()):
        for value in sorted(new_enums[where] - old_enums[where]):
            changes.append(Change("enum", where, f"value {value!r} added", False))
        for value in sorted(old_enums[where] - new_enums[where]):
            changes.append(Change("enum", where, f"value {value!r} removed", True))
    return changes


def _field_changes(model: str, old: JSON, new: JSON) -> list[Change]:
    changes: list[Change] = []
    old_props = old.get("properties") or {}
    new_props = new.get("properties") or {}
    old_req, new_req = set(old.get("required") or []), set(new.get("required") or [])
    for field in sorted(new_props.keys() - old_props.keys()):
        changes.append(Change("field", f"{model}.{field}", f"added ({_type_of(new_props[field])})", False))
    for field in sorted(old_props.keys() - new_props.keys()):
        changes.append(Change("field", f"{model}.{field}", "removed", True))
    for field in sorted(old_props.keys() & new_props.keys()):
        before, after = _type_of(old_props[field]), _type_of(new_props[field])
        if before != after:
            changes.append(Change("field", f"{model}.{field}", f"retyped {before} -> {after}", True))
        if field in new_req and field not in old_req:
            changes.append(Change("field", f"{model}.{field}", "now required", True))
        elif field in old_req and field not in new_req:
            changes.append(Change("field", f"{model}.{field}", "now optional", False))
    return changes


def render(
    old_version: str,
    new_version: str,
    changes: list[Change],
    user_changes: list[UserChange] | None = None,
    warnings: list[str] | None = None,
) -> str:
    breaking = sum(c.breaking for c in changes)
    lines = [f"# Retool API {old_version} -> {new_version}", ""]
    lines += ["## Your code", "", *render_changes(user_changes or [])]
    if warnings:
        lines += ["## Reported by the pipeline", "", *(f"- {w}" for w in warnings), ""]
    lines += ["## The spec", "", f"{len(changes)} changes, {breaking} breaking.", ""]
    for kind, title in (
        ("operation", "Operations"),
        ("model", "Models"),
        ("field", "Fields"),
        ("enum", "Enum values"),
    ):
        group = [c for c in changes if c.kind == kind]
        if group:
            lines += [
                f"### {title}",
                "",
                *(c.line() for c in sorted(group, key=lambda c: (not c.breaking, c.what))),
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


__all__ = ["Change", "diff", "render"]
