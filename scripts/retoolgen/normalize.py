"""Normalize the pristine Retool OpenAPI document into what the generator reads.

Every change is either a *named generic pass* (a function below, applied to any Retool
version) or driven by the reviewed, declarative ``openapi/fixes.yaml`` where each entry carries a
one-line ``reason``. The passes never change the wire contract: they rename, move schemas into
``components`` and drop annotations the generator or JSON-Schema validators cannot digest.

Order matters and is fixed in :data:`PASSES`:

1. ``colon_path_params``   ``/access_tokens/:accessTokenId`` -> ``/{accessTokenId}`` + parameter
2. ``object_defaults``     drop ``default: {}`` on nullable objects (generator rejects it)
3. ``typeless_nullable``   ``{"nullable": true}`` without ``type`` -> ``{}`` (same values admitted)
4. ``patterns``            regexes from fixes.yaml (``\\_`` is not a valid JSON-Schema escape)
5. ``response_relaxations`` response-only ``required`` entries older instances omit
6. ``operation_ids``       snake_case ids from ``summary`` + override table
7. ``component_refs``      inline copies of a component schema become ``$ref``
8. ``hoist_repeated``      inline object schemas seen more than once become named components
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

JSON = Any
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
STOP_WORDS = frozenset({"a", "an", "the"})
#: Keys whose values are data, not schemas: never rewritten or counted as schemas.
DATA_KEYS = frozenset({"example", "examples", "default", "enum"})


class NormalizeError(Exception):
    """The spec cannot be normalized without a reviewed decision (e.g. a new name collision)."""


def canonical(node: JSON) -> str:
    return json.dumps(node, sort_keys=True, separators=(",", ":"))


def pascal(text: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text))
    return "".join(w[:1].upper() + w[1:] for w in words)


def snake_from_summary(summary: str) -> str:
    text = summary.replace("'s ", "s ").replace("'", "")
    words = [w.lower() for w in re.findall(r"[A-Za-z0-9]+", text)]
    return "_".join(w for w in words if w not in STOP_WORDS)


def operations(spec: JSON) -> Iterator[tuple[str, str, JSON]]:
    for path, item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def walk(node: JSON, fn: Callable[[dict[str, Any]], None]) -> None:
    """Call ``fn`` on every dict in ``node``, parents before children."""
    if isinstance(node, dict):
        fn(node)
        for value in list(node.values()):
            walk(value, fn)
    elif isinstance(node, list):
        for value in node:
            walk(value, fn)


# --------------------------------------------------------------------------- passes


def colon_path_params(spec: JSON, fixes: JSON) -> None:
    """Express-style ``:name`` path segments become ``{name}`` with a declared parameter."""
    rebuilt: dict[str, JSON] = {}
    for path, item in spec["paths"].items():
        names = re.findall(r"/:([A-Za-z_][A-Za-z0-9_]*)", path)
        new_path = re.sub(r"/:([A-Za-z_][A-Za-z0-9_]*)", r"/{\1}", path)
        if new_path in rebuilt or (new_path != path and new_path in spec["paths"]):
            raise NormalizeError(f"{path} -> {new_path} collides with an existing path")
        for method in HTTP_METHODS:
            if method not in item or not names:
                continue
            params = item[method].setdefault("parameters", [])
            declared = {p.get("name") for p in params if p.get("in") == "path"}
            for name in names:
                if name not in declared:
                    params.append(
                        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                    )
        rebuilt[new_path] = item
    spec["paths"] = rebuilt


def object_defaults(spec: JSON, fixes: JSON) -> None:
    """``default: {}`` on a nullable object only documents what the server assumes; the generator
    cannot represent an object default and drops the whole schema (and with it two endpoints)."""

    def fix(node: dict[str, Any]) -> None:
        if node.get("default") == {} and (node.get("type") == "object" or "additionalProperties" in node):
            del node["default"]

    walk(spec, fix)


def typeless_nullable(spec: JSON, fixes: JSON) -> None:
    """``nullable`` without ``type`` is meaningless in OAS 3.0 (and makes Prism skip validation);
    a schema without ``type`` already admits every JSON value, null included."""

    def fix(node: dict[str, Any]) -> None:
        if node.get("nullable") is True and "type" not in node and not _is_composite(node):
            del node["nullable"]

    walk(spec.get("paths", {}), fix)
    walk(spec.get("components", {}), fix)


def nullable_enums(spec: JSON, fixes: JSON) -> None:
    """``nullable: true`` next to an ``enum`` without ``null``: the generator reads the enum
    strictly and makes the field non-nullable, so a real ``null`` (``user_type`` of an invite,
    ``two_factor_auth_type``) failed to parse. Found by the contract tests in Prism's dynamic
    mode. Listing ``null`` in the enum would parse, but the generator then names the class
    ``...Type1``; instead the enum becomes a component named after its first place
    (``UserInviteUserType``), referenced as ``{"nullable": true, "allOf": [{"$ref": ...}]}``,
    which generates ``UserInviteUserType | None``. Equal enums share one component."""
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    found: list[tuple[dict[str, Any], str, str]] = []  # node, its place's name, the enum's key

    def visit(node: Any, name: str) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item, name)
            return
        if not isinstance(node, dict):
            return
        if node.get("nullable") is True and isinstance(node.get("enum"), list) and None not in node["enum"]:
            found.append((node, name, canonical({k: node[k] for k in ("type", "enum") if k in node})))
            return
        for key, child in list(node.items()):
            if key == "properties" and isinstance(child, dict):
                for prop, sub in child.items():
                    visit(sub, name + pascal(prop))
            elif key != "enum":
                visit(child, name)

    for comp in list(components):
        visit(components[comp], pascal(comp))
    for _, _, op in operations(spec):
        visit(op, pascal(op.get("operationId") or "Operation"))

    # one component per distinct enum, named after its shortest place (the component that
    # declares it rather than a response that repeats it inline)
    names: dict[str, str] = {}
    for _, name, key in found:
        if key not in names or (len(name), name) < (len(names[key]), names[key]):
            names[key] = name
    for key, name in names.items():
        if name in components:
            raise NormalizeError(f"nullable enum component {name} collides with an existing schema")
        components[name] = json.loads(key)
    for node, _, key in found:
        for k in ("type", "enum"):
            node.pop(k, None)
        node["allOf"] = [{"$ref": f"#/components/schemas/{names[key]}"}]


def parameter_defaults(spec: JSON, fixes: JSON) -> None:
    """A query parameter's ``default`` is what the server assumes when it is absent; the generator
    turns it into a default argument and sends it on every call (``?includeGroups=false`` on each
    ``get_user``: a URL re-encode per call, and a pinned value if Retool's default changes).
    The default moves into the description; absent stays absent."""
    for _, _, op in operations(spec):
        for param in op.get("parameters", []):
            schema = param.get("schema", {})
            if param.get("in") == "query" and "default" in schema:
                default = json.dumps(schema.pop("default"))
                note = f"Server default: `{default}`."
                param["description"] = (
                    f"{param['description'].rstrip()} {note}" if param.get("description") else note
                )


def required_bodies(spec: JSON, fixes: JSON) -> None:
    """A request body whose schema has required fields is not optional, whatever the missing
    ``requestBody.required`` says (OAS defaults it to false): without this every body was an
    optional argument, and ``create_user()`` with no body at all passed every client check."""
    schemas = spec.get("components", {}).get("schemas", {})
    for _, _, op in operations(spec):
        body = op.get("requestBody")
        if not isinstance(body, dict) or "required" in body:
            continue
        for media in body.get("content", {}).values():
            schema = media.get("schema", {})
            while isinstance(schema, dict) and "$ref" in schema:
                schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
            if isinstance(schema, dict) and schema.get("required"):
                body["required"] = True


def _is_composite(node: dict[str, Any]) -> bool:
    return any(k in node for k in ("anyOf", "oneOf", "allOf", "$ref", "properties", "items", "enum"))


def patterns(spec: JSON, fixes: JSON) -> None:
    table: dict[str, str] = {f["from"]: f["to"] for f in fixes.get("patterns", [])}

    def fix(node: dict[str, Any]) -> None:
        pattern = node.get("pattern")
        if isinstance(pattern, str) and pattern in table:
            node["pattern"] = table[pattern]

    walk(spec.get("paths", {}), fix)
    walk(spec.get("components", {}), fix)


def response_relaxations(spec: JSON, fixes: JSON) -> None:
    """Fields the spec marks required in responses but older instances omit: parse as unset.

    Applied to component schemas (which are response models) and to response bodies only;
    request bodies keep their ``required`` lists."""
    fields = {f["field"] for f in fixes.get("response_relaxations", [])}

    def fix(node: dict[str, Any]) -> None:
        required = node.get("required")
        if isinstance(required, list) and isinstance(node.get("properties"), dict):
            kept = [r for r in required if r not in fields or r not in node["properties"]]
            if kept != required:
                if kept:
                    node["required"] = kept
                else:
                    del node["required"]

    walk(spec.get("components", {}).get("schemas", {}), fix)
    for _, _, op in operations(spec):
        walk(op.get("responses", {}), fix)


def operation_ids(spec: JSON, fixes: JSON) -> None:
    """Stable ``operationId`` from ``summary`` (``List users`` -> ``list_users``) unless reviewed
    otherwise in ``fixes.yaml``; a collision not covered by an override stops the run."""
    overrides: dict[str, str] = {k: v["name"] for k, v in fixes.get("operation_ids", {}).items()}
    seen: dict[str, str] = {}
    used_overrides = set()
    for path, method, op in operations(spec):
        key = f"{method.upper()} {path}"
        if key in overrides:
            name = overrides[key]
            used_overrides.add(key)
        elif op.get("operationId"):
            name = re.sub(r"(?<!^)(?=[A-Z])", "_", op["operationId"]).lower()
        else:
            if not op.get("summary"):
                raise NormalizeError(f"{key} has neither operationId nor summary: add an override")
            name = snake_from_summary(op["summary"])
        if name in seen:
            raise NormalizeError(
                f"operationId {name!r} of {key} collides with {seen[name]}: add an override in fixes.yaml"
            )
        seen[name] = key
        op["operationId"] = name
    stale = set(overrides) - used_overrides
    if stale:
        raise NormalizeError(f"operation_ids overrides for unknown operations: {sorted(stale)}")


def component_refs(spec: JSON, fixes: JSON) -> None:
    """An inline schema equal to a component schema becomes a ``$ref`` to it.

    Objects are compared without their own ``description``/``title``/``example``: Retool
    repeats the ``user`` schema inline as "The created user", "The updated user", ... and
    each copy became its own model (``CreateUserResponse200Data``) instead of ``User``."""
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    by_shape = {_shape(schema): name for name, schema in components.items()}
    _replace_shapes(spec.get("paths", {}), by_shape)
    for name, schema in components.items():
        _replace_shapes(schema, {k: v for k, v in by_shape.items() if v != name}, root=True)


_DOCS = frozenset(("description", "title", "example", "examples"))


def _shape(node: JSON) -> str:
    if _is_object_schema(node):
        return canonical({key: value for key, value in node.items() if key not in _DOCS})
    return canonical(node)


def _replace_shapes(node: JSON, by_shape: dict[str, str], root: bool = False) -> JSON:
    if isinstance(node, dict):
        if not root:
            target = by_shape.get(_shape(node))
            if target is not None:
                return {"$ref": f"#/components/schemas/{target}"}
        for key, value in list(node.items()):
            if key in DATA_KEYS:
                continue
            node[key] = _replace_shapes(value, by_shape)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            node[i] = _replace_shapes(value, by_shape)
    return node


def _is_object_schema(node: JSON) -> bool:
    return (
        isinstance(node, dict)
        and isinstance(node.get("properties"), dict)
        and node.get("type")
        in (
            "object",
            None,
        )
    )


def _schema_children(node: dict[str, Any], context: str) -> Iterator[tuple[Any, Any, str]]:
    """(container, key, child-context-name) for each schema-valued child: ``container[key]``
    is the child, so a caller can replace it in place."""
    for prop, child in (node.get("properties") or {}).items():
        yield node["properties"], prop, _titled(child) or context + pascal(prop)
    for key, suffix in (("items", "Item"), ("additionalProperties", "Value")):
        if isinstance(node.get(key), dict):
            yield node, key, _titled(node[key]) or context + suffix
    for comb in ("anyOf", "oneOf", "allOf"):
        for i, child in enumerate(node.get(comb) or []):
            yield node[comb], i, _titled(child) or context + _variant_name(child, i)


def _titled(schema: JSON) -> str:
    """A titled schema starts a new naming context: its title is already a name."""
    return pascal(schema["title"]) if isinstance(schema, dict) and schema.get("title") else ""


def _variant_name(variant: JSON, index: int) -> str:
    """A union member is named by its title, else by its single-valued enum (a discriminator in
    all but name: ``authentication_type: {enum: [auth0]}`` -> ``Auth0``), else by position."""
    if not isinstance(variant, dict):
        return f"Variant{index}"
    for prop in (variant.get("properties") or {}).values():
        if isinstance(prop, dict) and isinstance(prop.get("enum"), list) and len(prop["enum"]) == 1:
            return pascal(str(prop["enum"][0]))
    return f"Variant{index}"


def _schema_roots(spec: JSON) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(holder, key, context name) for every top-level schema: ``holder[key]`` is the schema.
    Component schemas come first; their holder is ``components.schemas``."""
    components = spec.get("components", {}).get("schemas", {})
    for name in components:
        yield components, name, pascal(name)
    for path, method, op in operations(spec):
        base = pascal(op.get("operationId") or f"{method} {path}")
        holders = [(param, base + pascal(param.get("name", ""))) for param in op.get("parameters", [])]
        holders += [(media, base + "Body") for media in op.get("requestBody", {}).get("content", {}).values()]
        for status, response in op.get("responses", {}).items():
            suffix = "Response" + (status if status != "200" else "")
            holders += [(media, base + suffix) for media in response.get("content", {}).values()]
        for holder, context in holders:
            if isinstance(holder.get("schema"), dict):
                yield holder, "schema", context


def _envelope_name(node: JSON, components: JSON) -> str:
    """``{"success", "data": {"$ref": user}}`` shared by several operations is ``UserResponse``
    (not named after whichever operation came first in the document); only for the spec's own
    components, whose names are nouns."""
    properties = node.get("properties") or {}
    data = properties.get("data")
    if set(properties) == {"success", "data"} and isinstance(data, dict) and "$ref" in data:
        target = data["$ref"].rpartition("/")[2]
        if target in components:
            return pascal(target) + "Response"
    return ""


def hoist_repeated(spec: JSON, fixes: JSON) -> None:
    """Inline object schemas that occur more than once are moved once into ``components``.

    Inner schemas are hoisted before the schemas that contain them, so two copies of a parent
    become equal after their children are replaced. A hoisted schema is named after its ``title``,
    an envelope after the component it wraps (``UserResponse``), anything else after the context
    of its first occurrence in document order; the reviewed
    ``schema_names`` table in fixes.yaml renames by that derived name. Renames that match nothing
    stop the run, so the table cannot rot silently."""
    components = spec["components"]["schemas"]
    counts: Counter[str] = Counter()

    def count(node: JSON) -> None:
        if isinstance(node, dict):
            if _is_object_schema(node):
                counts[canonical(node)] += 1
            for key, value in node.items():
                if key not in DATA_KEYS:
                    count(value)
        elif isinstance(node, list):
            for value in node:
                count(value)

    for holder, key, _ in _schema_roots(spec):
        count(holder[key])

    renames: dict[str, str] = dict(fixes.get("schema_names", {}) or {})
    used_renames: set[str] = set()
    hoisted: dict[str, str] = {}  # canonical (after child replacement) -> component name
    taken = {pascal(n).lower() for n in components}
    new_components: dict[str, JSON] = {}

    def visit(node: JSON, context: str, is_root: bool) -> JSON:
        if not isinstance(node, dict):
            return node
        original = canonical(node) if _is_object_schema(node) else None
        for container, key, child_context in list(_schema_children(node, context)):
            container[key] = visit(container[key], child_context, False)
        if is_root or original is None or counts[original] < 2:
            return node
        shape = canonical(node)
        name = hoisted.get(shape)
        if name is None:
            base = _envelope_name(node, components) or context
            derived, n = base, 2
            while derived.lower() in taken:  # "App" is taken by the component "app": App2
                derived, n = f"{base}{n}", n + 1
            name = renames.get(derived, derived)
            used_renames.add(derived)
            if name.lower() in taken:
                raise NormalizeError(f"schema_names: {derived} -> {name} collides with an existing schema")
            taken.add(derived.lower())
            taken.add(name.lower())
            hoisted[shape] = name
            # the generator names a titled component after its title, not its key
            new_components[name] = {k: v for k, v in node.items() if k != "title"}
        return {"$ref": f"#/components/schemas/{name}"}

    components_holder = spec["components"]["schemas"]
    for holder, key, context in list(_schema_roots(spec)):
        holder[key] = visit(holder[key], context, holder is components_holder)
    stale = set(renames) - used_renames
    if stale:
        raise NormalizeError(f"schema_names renames that match no hoisted schema: {sorted(stale)}")
    for name in sorted(new_components):
        components[name] = new_components[name]


PASSES: list[Callable[[JSON, JSON], None]] = [
    colon_path_params,
    object_defaults,
    typeless_nullable,
    parameter_defaults,
    required_bodies,
    patterns,
    response_relaxations,
    operation_ids,
    nullable_enums,
    component_refs,
    hoist_repeated,
]


def normalize(pristine: JSON, fixes: JSON) -> JSON:
    spec = copy.deepcopy(pristine)
    for pass_ in PASSES:
        pass_(spec, fixes)
    return spec
