"""Synthetic next Retool releases, made from whatever release is pinned (for the surface tests).

Each change is chosen from the spec, not from a list of 3.373.0 paths, so the helper keeps
working after a bump: every summary reworded, a tag renamed, an operation removed and two added
whose summaries collide (PUT and PATCH "Update widget") and one of shapes Retool does not use
yet (a header parameter, an array query parameter, a JSON array answer), an enum value added,
fields added,
removed and retyped, and a component inlined where it was referenced. :func:`refused_constructs`
rewrites a release with the constructs openapi-python-client refuses as they come.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import ROOT

METHODS = ("get", "put", "post", "delete", "patch")


def pinned() -> dict[str, Any]:
    lock = json.loads((ROOT / "openapi" / "spec.lock").read_text())
    return json.loads((ROOT / "openapi" / f"retool-{lock['current']}.json").read_text())


def ops(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(p, m, item[m]) for p, item in spec["paths"].items() for m in METHODS if m in item]


def examples_text() -> str:
    return "\n".join(p.read_text() for p in sorted((ROOT / "examples").glob("*.py")))


@dataclass
class Release:
    spec: dict[str, Any]
    version: str
    removed: list[str] = field(default_factory=list)  # "METHOD /path" (pristine spelling)
    added: list[str] = field(default_factory=list)
    renamed_tag: tuple[str, str] = ("", "")
    retyped: str = ""  # component.field
    removed_field: str = ""  # component.field
    noun: str = ""  # of the two added operations: PUT and PATCH /<noun>s/{id}
    #: an added GET /<noun>s of shapes Retool does not use yet: a header parameter, an array
    #: query parameter, and a JSON array (not an envelope) for an answer
    unusual: str = ""


def next_release(base: dict[str, Any] | None = None, version: str = "", *, retype: bool = True) -> Release:
    """The next release of ``base`` (default: the pinned one). ``retype=False`` leaves field
    types alone: the whole test suite, with its hand-written answers, passes on such a release
    (``make test`` after regenerating to ``next_release(retype=False)``)."""
    spec = copy.deepcopy(base or pinned())
    version = version or f"{int(spec['info']['version'].split('.')[0]) + 1}.0.0"
    spec["info"]["version"] = version
    release = Release(spec, version)
    used = examples_text()

    # every summary reworded: names derived from summaries would all move
    for _, _, op in ops(spec):
        if op.get("summary"):
            op["summary"] = f"{op['summary']} (v2)"

    # a tag renamed (the first one the operations use)
    old_tag = next(op["tags"][0] for _, _, op in ops(spec) if op.get("tags"))
    new_tag = f"{old_tag} Renamed"
    for _, _, op in ops(spec):
        if op.get("tags") and op["tags"][0] == old_tag:
            op["tags"][0] = new_tag
    for tag in spec.get("tags", []):
        if tag["name"] == old_tag:
            tag["name"] = new_tag
    release.renamed_tag = (old_tag, new_tag)

    # an operation removed: the last DELETE that no example calls
    for path, method, _ in reversed(ops(spec)):
        last = [w for w in re.split(r"[/{}]", path) if w][-1]
        if method == "delete" and last not in used:
            del spec["paths"][path][method]
            if not any(m in spec["paths"][path] for m in METHODS):
                del spec["paths"][path]
            release.removed.append(f"DELETE {path}")
            break

    # two operations added whose summaries collide
    widget = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
    answer = {"200": {"description": "ok", "content": {"application/json": {"schema": widget}}}}
    body = {"content": {"application/json": {"schema": widget}}}
    # (the parameter is declared on the path item, as OpenAPI allows: each operation inherits it)
    noun = next(n for n in ("widget", "gadget", "gizmo", "sprocket") if f"/{n}s/{{id}}" not in spec["paths"])
    release.noun = noun
    spec["paths"][f"/{noun}s/{{id}}"] = {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
        **{
            m: {
                "tags": [f"{noun.title()}s"],
                "summary": f"Update {noun}",
                "requestBody": body,
                "responses": answer,
            }
            for m in ("put", "patch")
        },
    }
    release.added += [f"PUT /{noun}s/{{id}}", f"PATCH /{noun}s/{{id}}"]
    spec["paths"][f"/{noun}s"] = {
        "get": {
            "tags": [f"{noun.title()}s"],
            "summary": f"Find {noun}s",
            "parameters": [
                {"name": "X-Request-Tag", "in": "header", "required": False, "schema": {"type": "string"}},
                {
                    "name": "ids",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "array", "items": {"type": "string"}},
                },
            ],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {"application/json": {"schema": {"type": "array", "items": widget}}},
                }
            },
        }
    }
    release.unusual = f"GET /{noun}s"

    components = spec["components"]["schemas"]
    # an enum value added to the first component field with an enum, and to every copy of it
    for schema in components.values():
        enum = next((p for p in (schema.get("properties") or {}).values() if "enum" in p), None)
        if enum is not None:
            values = list(enum["enum"])
            _every_enum(spec, values, f"ADDED_IN_{version.replace('.', '_')}")
            break

    # fields added, removed and retyped on the first component with enough plain fields
    for name, schema in components.items():
        props = schema.get("properties") or {}
        plain = [
            k
            for k, v in props.items()
            if v.get("type") in ("string", "boolean") and k != "id" and not v.keys() & {"enum", "format"}
        ]
        if len(plain) >= 3:
            removed, retyped = plain[-1], plain[-2]
            added = f"added_in_{version.replace('.', '_')}"  # in every copy, as Retool would
            _everywhere(
                spec, lambda node, f=added: node.setdefault(f, {"type": "string"}), beside="id", has=removed
            )
            _everywhere(spec, lambda node, f=removed: node.pop(f, None), beside="id", has=removed)
            if removed in (schema.get("required") or []):
                schema["required"].remove(removed)
            release.removed_field = f"{name}.{removed}"
            if retype:
                new_type = "integer" if props[retyped]["type"] == "string" else "string"
                _everywhere(
                    spec, lambda node, f=retyped, t=new_type: node[f].update(type=t), beside="id", has=retyped
                )
                release.retyped = f"{name}.{retyped}"
            break

    # a component inlined where one operation referenced it
    for _, _, op in ops(spec):
        content = op.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
        data = (content.get("schema") or {}).get("properties", {}).get("data", {})
        if "$ref" in data:
            target = data["$ref"].rsplit("/", 1)[-1]
            content["schema"]["properties"]["data"] = copy.deepcopy(components[target])
            break
    return release


def _every_enum(node: Any, values: list[Any], added: str) -> None:
    if isinstance(node, dict):
        if node.get("enum") == values:
            node["enum"] = [*values, added]
        for value in node.values():
            _every_enum(value, values, added)
    elif isinstance(node, list):
        for value in node:
            _every_enum(value, values, added)


def _everywhere(node: Any, change: Any, *, beside: str, has: str) -> None:
    """Apply ``change(properties)`` to every object schema with both ``beside`` and ``has``: all
    the copies Retool inlines of one model change together in a real release."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict) and beside in props and has in props:
            change(props)
            if has not in props and has in (node.get("required") or []):
                node["required"].remove(has)
        for value in list(node.values()):
            _everywhere(value, change, beside=beside, has=has)
    elif isinstance(node, list):
        for value in node:
            _everywhere(value, change, beside=beside, has=has)


def refused_constructs(base: dict[str, Any] | None = None) -> dict[str, Any]:
    """``base`` (default: the pinned release) written as a release we do not have writes it,
    with the constructs openapi-python-client refuses as they come: every ``oneOf`` in a request
    body written ``anyOf`` (the permission subject and object), and every titled object schema in
    a request body made its operation's own (its description names the operation), so that each
    occurs once, next to the component of its name ("Attempted to generate duplicate models with
    name 'Group'", also ``User``, ``Folder``, ``App``, ``Resource``, ``ResourceConfiguration``)."""
    spec = copy.deepcopy(base or pinned())

    def visit(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if "oneOf" in node:
                node["anyOf"] = node.pop("oneOf")
            if isinstance(node.get("title"), str) and node.get("type") == "object":
                node["description"] = f"{node.get('description', node['title'])} ({where})"
            for key, value in node.items():
                if key not in ("example", "examples", "default", "enum"):
                    visit(value, where)
        elif isinstance(node, list):
            for value in node:
                visit(value, where)

    for path, method, op in ops(spec):
        if "requestBody" in op:
            visit(op["requestBody"], f"{method.upper()} {path}")
    return spec


def write(spec: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(spec, indent=2))
    return path
