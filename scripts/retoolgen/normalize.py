"""Normalize the pristine Retool OpenAPI document into what the generator reads.

Every change is either a *named generic pass* (a function below, applied to any Retool
version) or driven by the reviewed, declarative ``openapi/fixes.yaml`` where each entry carries a
one-line ``reason``. The passes never change the wire contract: they rename, move schemas into
``components`` and drop annotations the generator or JSON-Schema validators cannot digest.

Order matters and is fixed in :data:`PASSES`:

- ``path_item_params``     parameters declared on a path item move into each of its operations
- ``colon_path_params``    ``/access_tokens/:accessTokenId`` -> ``/{accessTokenId}`` + parameter
- ``object_defaults``      drop ``default: {}`` on nullable objects (generator rejects it)
- ``typeless_nullable``    ``{"nullable": true}`` without ``type`` -> ``{}`` (same values admitted)
- ``untyped_items``        an array without ``items`` gets ``items: {}`` (generator rejects it)
- ``exclusive_unions``     an ``anyOf`` whose members a field tells apart is a ``oneOf``
- ``parameter_defaults``   a query parameter's ``default`` moves into its description
- ``required_bodies``      a body with required fields is required
- ``patterns``             regexes from fixes.yaml (``\\_`` is not a valid JSON-Schema escape)
- ``response_relaxations`` response-only ``required`` entries older instances omit
- ``integer_ids``          numeric ``id`` / ``*_id`` fields are integers
- ``path_param_types``     numeric path ids take ``int | str``, uuid ones ``UUID | str``
- ``surface_names``        operationId and namespace: reviewed entry, else the lock, else derived
- ``nullable_enums``       a nullable enum becomes a component referenced as nullable
- ``component_refs``       inline copies of a component schema become ``$ref``
- ``component_extras``     a component plus extra fields is that component (extras optional)
- ``hoist_repeated``       inline object schemas seen more than once, or titled with a name a
                           model already has, become named components

The passes that name things (``surface_names``, ``hoist_repeated``) read the surface lock from
their :class:`Context` and record what they decided there; nothing is fatal that a
deterministic rule can settle, and what they could not use is reported in ``ctx.warnings``.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .surface import VERBS, Lock, SurfaceError, op_key

JSON = Any
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
STOP_WORDS = frozenset({"a", "an", "the"})
#: Keys whose values are data, not schemas: never rewritten or counted as schemas.
DATA_KEYS = frozenset({"example", "examples", "default", "enum"})


class NormalizeError(Exception):
    """The spec cannot be normalized (e.g. a path that collides with another once fixed)."""


@dataclass
class Context:
    """What the naming passes read (the lock) and what they report."""

    lock: Lock = field(default_factory=Lock)
    warnings: list[str] = field(default_factory=list)
    hoisted: dict[str, list[str]] = field(default_factory=dict)  # model name -> places

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def snake(text: str) -> str:
    """Tag or parameter name -> Python identifier, as openapi-python-client spells it."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return "_".join(w.lower() for w in re.findall(r"[A-Za-z0-9]+", text))


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


def walk_schemas(node: JSON, fn: Callable[[dict[str, Any]], None]) -> None:
    """:func:`walk`, but not into data (``example``, ``default``, ``enum``...; a property of
    one of those names is a schema)."""
    if isinstance(node, dict):
        fn(node)
        for key, value in list(node.items()):
            if key == "properties" and isinstance(value, dict):
                for child in value.values():
                    walk_schemas(child, fn)
            elif key not in DATA_KEYS:
                walk_schemas(value, fn)
    elif isinstance(node, list):
        for value in node:
            walk_schemas(value, fn)


# --------------------------------------------------------------------------- passes


def path_item_params(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
    """Parameters on a path item apply to each of its operations (an operation's own parameter
    of the same name and place wins): the passes and the request check read operations only."""
    for item in spec.get("paths", {}).values():
        shared = item.pop("parameters", None) or []
        for method in HTTP_METHODS:
            if method not in item or not shared:
                continue
            own = item[method].setdefault("parameters", [])
            declared = {(p.get("name"), p.get("in")) for p in own}
            own[:0] = [copy.deepcopy(p) for p in shared if (p.get("name"), p.get("in")) not in declared]


def colon_path_params(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
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


def object_defaults(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
    """``default: {}`` on a nullable object only documents what the server assumes; the generator
    cannot represent an object default and drops the whole schema (and with it two endpoints)."""

    def fix(node: dict[str, Any]) -> None:
        if node.get("default") == {} and (node.get("type") == "object" or "additionalProperties" in node):
            del node["default"]

    walk(spec, fix)


def typeless_nullable(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
    """``nullable`` without ``type`` is meaningless in OAS 3.0 (and makes Prism skip validation);
    a schema without ``type`` already admits every JSON value, null included."""

    def fix(node: dict[str, Any]) -> None:
        if node.get("nullable") is True and "type" not in node and not _is_composite(node):
            del node["nullable"]

    walk(spec.get("paths", {}), fix)
    walk(spec.get("components", {}), fix)


def untyped_items(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
    """``{"type": "array"}`` without ``items`` admits arrays of anything; the generator refuses
    it ("type array must have items") and drops the operation. ``items: {}`` says the same."""

    def fix(node: dict[str, Any]) -> None:
        if node.get("type") == "array" and "items" not in node:
            node["items"] = {}

    walk_schemas(spec.get("paths", {}), fix)
    walk_schemas(spec.get("components", {}), fix)


def exclusive_unions(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
    """An ``anyOf`` of objects told apart by one required field that takes a single value in
    each (``{"type": {"enum": ["group"]}, ...}``, ``{"type": {"enum": ["user"]}, ...}``) is a
    ``oneOf``: no value can match two members, so both admit the same values. Retool writes the
    same union both ways (the permission subject and object, JSON Patch operations); written one
    way, its inline copies are equal to the component written the other way and become it."""
    components = spec.get("components", {}).get("schemas", {})

    def fix(node: dict[str, Any]) -> None:
        members = node.get("anyOf")
        if "oneOf" not in node and isinstance(members, list) and _exclusive(members, components):
            items = list(node.items())  # in place, where anyOf was
            node.clear()
            node.update(("oneOf" if key == "anyOf" else key, value) for key, value in items)

    walk_schemas(spec.get("paths", {}), fix)
    walk_schemas(components, fix)


def _exclusive(members: list[JSON], components: JSON) -> bool:
    """Whether ``members`` are objects with a common required field whose single allowed value
    differs from member to member."""
    resolved = [_deref(member, components) for member in members]
    if not all(_is_object_schema(member) for member in resolved):
        return False
    if len(resolved) < 2:
        return False
    common = set.intersection(*(set(m.get("required") or []) & set(m["properties"]) for m in resolved))
    for field_name in sorted(common):
        values = [_single_value(m["properties"][field_name], components) for m in resolved]
        if all(v is not None for v in values) and len({canonical(v) for v in values}) == len(values):
            return True
    return False


def _deref(schema: JSON, components: JSON) -> JSON:
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        schema = components.get(schema["$ref"].rpartition("/")[2])
    return schema


def _single_value(schema: JSON, components: JSON) -> JSON:
    """The one value ``schema`` admits (a one-value ``enum``, or ``const``), else None."""
    schema = _deref(schema, components)
    if not isinstance(schema, dict) or schema.get("nullable"):
        return None
    if "const" in schema:
        return [schema["const"]]
    enum = schema.get("enum")
    return enum if isinstance(enum, list) and len(enum) == 1 else None


def nullable_enums(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
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


def parameter_defaults(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
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


def required_bodies(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
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


def patterns(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
    table: dict[str, str] = {f["from"]: f["to"] for f in fixes.get("patterns", [])}

    def fix(node: dict[str, Any]) -> None:
        pattern = node.get("pattern")
        if isinstance(pattern, str) and pattern in table:
            node["pattern"] = table[pattern]

    walk(spec.get("paths", {}), fix)
    walk(spec.get("components", {}), fix)


def response_relaxations(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
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


def integer_ids(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
    """``id`` and ``*_id`` fields typed ``number`` are integers (``Group.id``, ``legacy_id``):
    as ``float`` they could not be passed back where a numeric id is expected, and the server
    never sends fractions. An object's own required ``id`` is not nullable (``group.id`` is
    marked so): an object without an id cannot be addressed, and ``int | None`` could not be
    passed to ``groups.get(group.id)``."""

    def fix(node: dict[str, Any]) -> None:
        for name, prop in (node.get("properties") or {}).items():
            if not isinstance(prop, dict) or not (name == "id" or name.endswith("_id")):
                continue
            if prop.get("type") == "number":
                prop["type"] = "integer"
            if name == "id" and "id" in (node.get("required") or []) and prop.get("type"):
                prop.pop("nullable", None)

    walk(spec.get("paths", {}), fix)
    walk(spec.get("components", {}), fix)


def path_param_types(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
    """Path parameters take the ids the models hold: a numeric id (``^\\d+$``) is ``int | str``,
    a uuid ``UUID | str``. The text sent is the same either way, and is what the request check
    reads (``request_schemas._as_sent`` keeps only the string rule)."""
    for _, _, op in operations(spec):
        for param in op.get("parameters", []):
            schema = param.get("schema")
            if param.get("in") != "path" or not isinstance(schema, dict) or schema.get("type") != "string":
                continue
            docs = {k: schema[k] for k in ("description", "example") if k in schema}
            if schema.get("pattern") == r"^\d+$":
                bare = {k: v for k, v in schema.items() if k not in docs}
                param["schema"] = {"anyOf": [{"type": "integer", "minimum": 0}, bare], **docs}
            elif schema.get("format") == "uuid":
                either = [{"type": "string", "format": "uuid"}, {"type": "string"}]
                param["schema"] = {"anyOf": either, **docs}


def surface_names(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
    """Each operation's ``operationId`` and namespace (its first tag): from a reviewed
    ``operations:`` entry in fixes.yaml, else from the surface lock, else derived (the spec's own
    operationId, else the summary: ``List users`` -> ``list_users``; the tag).

    Derived names that collide are settled, never stopped on: the HTTP method's verb replaces
    the first word (PUT -> ``replace_group``), then the last path word is added, then a number.
    Two operations given the same name by the lock or fixes.yaml cannot be settled by a rule:
    that raises :class:`SurfaceError` naming both."""
    ctx = ctx or Context()
    reviewed = reviewed_entries(fixes, spec, ctx)
    titles = {snake(t["name"]): t["name"] for t in spec.get("tags", [])}
    taken: dict[str, str] = {}  # operationId -> key
    fresh: list[tuple[str, str, str, JSON]] = []
    for path, method, op in operations(spec):
        key = op_key(method, path)
        entry = reviewed.get(key, {})
        locked = ctx.lock.operations.get(key)
        tag = (op.get("tags") or ["default"])[0]
        namespace = entry.get("namespace") or (locked.namespace if locked else snake(tag))
        title = tag if snake(tag) == namespace else titles.get(namespace, namespace.replace("_", " ").title())
        if title not in {t["name"] for t in spec.setdefault("tags", [])}:
            described = [t for t in spec["tags"] if t.get("name") == tag]
            spec["tags"].append(
                {"name": title, **({"description": described[0].get("description", "")} if described else {})}
            )
            titles[namespace] = title
        op["tags"] = [title]
        name = entry.get("operation_id") or (locked.operation_id if locked else None)
        if name is None:
            fresh.append((key, method, path, op))
            continue
        if name in taken:
            where = "openapi/fixes.yaml" if entry.get("operation_id") else "openapi/surface.lock"
            raise SurfaceError(
                f"{key}: {where} names it {name!r}, which is already the operationId of {taken[name]}; "
                "give one of them another name in openapi/fixes.yaml `operations:`"
            )
        taken[name] = key
        op["operationId"] = name
    derived = {key: _derived_id(method, path, op) for key, method, path, op in fresh}
    names = settle([(key, derived[key], method, path) for key, method, path, _ in fresh], set(taken))
    for key, _, _, op in fresh:
        if names[key] != derived[key]:
            ctx.warn(f"{key}: derived operationId {derived[key]!r} collides; named {names[key]!r}")
        op["operationId"] = names[key]


def reviewed_entries(fixes: JSON, spec: JSON, ctx: Context | None = None) -> dict[str, dict[str, Any]]:
    """fixes.yaml ``operations:`` entries by operation key; those matching nothing are reported
    in ``ctx``."""
    keys = {op_key(m, p) for p, m, _ in operations(spec)}
    reviewed: dict[str, dict[str, Any]] = {}
    for raw, entry in (fixes.get("operations") or {}).items():
        method, _, path = str(raw).partition(" ")
        key = op_key(method, path)
        if key in keys:
            reviewed[key] = entry
        elif ctx is not None:
            ctx.warn(f"fixes.yaml operations: {raw} matches no operation of this release")
    return reviewed


def _derived_id(method: str, path: str, op: JSON) -> str:
    if op.get("operationId"):
        return re.sub(r"(?<!^)(?=[A-Z])", "_", op["operationId"]).lower()
    if op.get("summary") and snake_from_summary(op["summary"]):
        return snake_from_summary(op["summary"])
    return "_".join([VERBS.get(method, method), *_path_words(path)])


def _path_words(path: str) -> list[str]:
    return [snake(w) for w in path.split("/") if w and not w.startswith("{") and snake(w)]


def settle(wanted: list[tuple[str, str, str, str]], taken: set[str]) -> dict[str, str]:
    """Names for new operations, ``(key, derived name, http method, path)`` in document order,
    none of which may be in ``taken`` (the rule for operationIds and facade methods alike).

    A derived name that is free and wanted once is kept. Operations that want the same name, or
    a taken one, try as a group: the HTTP method's verb in place of the first word
    (``update_group`` -> ``replace_group`` for the PUT), then that plus the last word of the
    path; a level is used only when it gives every member a distinct free name, else numbers
    follow in document order. The answer does not depend on the order of the group."""
    out: dict[str, str] = {}
    groups: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for key, name, method, path in wanted:
        groups[name].append((key, method, path))
    for name, members in groups.items():
        if len(members) == 1 and name not in taken:
            out[members[0][0]] = name
            taken.add(name)
            continue
        for level in (0, 1):
            names = {key: _candidates(name, method, path)[level] for key, method, path in members}
            if len(set(names.values())) == len(names) and not set(names.values()) & taken:
                break
        else:
            names = {}
            for key, method, path in members:
                base = _candidates(name, method, path)[1]
                candidate, n = base, 2
                while candidate in taken or candidate in names.values():
                    candidate, n = f"{base}_{n}", n + 1
                names[key] = candidate
        out.update(names)
        taken.update(names.values())
    return out


def _candidates(name: str, method: str, path: str) -> tuple[str, str]:
    first = "_".join([VERBS.get(method, method), *name.split("_")[1:]])
    tail = _path_words(path)[-1:]
    return first, f"{first}_{tail[0]}" if tail and not first.endswith(tail[0]) else f"{first}_{method}"


def component_refs(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
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


def component_extras(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
    """An inline response object that is a component plus extra fields becomes that component,
    and the extras become optional, read-only fields of it: ``GET /users/{userId}`` answers a
    user plus ``groups``, ``POST /access_tokens`` a token plus its ``secret``, so ``users.get``
    and ``users.list`` both give ``User`` (with ``groups`` unset where the answer has none).

    A match needs every property of a component of at least three properties, equal but for
    documentation, its required fields, and no more extras than shared fields; the largest
    matching component wins. Request bodies are left alone."""
    components = spec.get("components", {}).get("schemas", {})
    candidates = {
        name: (set(c["properties"]), {k: _bare(v) for k, v in c["properties"].items()})
        for name, c in components.items()
        if _is_object_schema(c) and len(c["properties"]) >= 3
    }

    def match(node: JSON) -> str | None:
        props = node.get("properties") or {}
        best: tuple[int, str] | None = None
        for name, (keys, bare) in candidates.items():
            component = components[name]
            if not keys < set(props) or len(set(props) - keys) > len(keys):
                continue
            if any(_bare(props[k]) != bare[k] for k in keys):
                continue
            if not set(component.get("required") or []) <= set(node.get("required") or []):
                continue
            if _frame(node) != _frame(component):
                continue
            if best is None or len(keys) > best[0]:
                best = (len(keys), name)
        return best[1] if best else None

    def visit(node: JSON) -> JSON:
        if isinstance(node, list):
            return [visit(v) for v in node]
        if not isinstance(node, dict):
            return node
        for key, value in list(node.items()):
            if key not in DATA_KEYS:
                node[key] = visit(value)
        if not _is_object_schema(node):
            return node
        target = match(node)
        if target is None:
            return node
        component = components[target]
        for extra in sorted(set(node["properties"]) - set(component["properties"])):
            existing = component["properties"].get(extra)
            added = {**node["properties"][extra], "readOnly": True}
            if existing is not None and _bare(existing) != _bare(added):
                return node  # another copy added a different field of the same name
            component["properties"][extra] = added
        return {"$ref": f"#/components/schemas/{target}"}

    for _, _, op in operations(spec):
        for response in op.get("responses", {}).values():
            for media in response.get("content", {}).values():
                if isinstance(media.get("schema"), dict):
                    media["schema"] = visit(media["schema"])


def _frame(node: JSON) -> JSON:
    """An object schema but its fields and docs; ``additionalProperties: false`` counts as absent
    (Retool's components forbid extras that the inline copies of the same answer allow)."""
    skip = (*_DOCS, "properties", "required")
    frame = {k: v for k, v in node.items() if k not in skip}
    if frame.get("additionalProperties") in (False, True):
        del frame["additionalProperties"]
    return frame


def _bare(node: JSON) -> JSON:
    """``node`` without documentation at any depth (data under example/default/enum kept)."""
    if isinstance(node, dict):
        return {k: (v if k in DATA_KEYS else _bare(v)) for k, v in node.items() if k not in _DOCS}
    if isinstance(node, list):
        return [_bare(v) for v in node]
    return node


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


def _schema_children(node: dict[str, Any], context: str) -> Iterator[tuple[Any, Any, str, str]]:
    """(container, key, child-context-name, place suffix) for each schema-valued child:
    ``container[key]`` is the child, so a caller can replace it in place."""
    for prop, child in (node.get("properties") or {}).items():
        yield node["properties"], prop, _titled(child) or context + pascal(prop), f".{prop}"
    for key, suffix, mark in (("items", "Item", "[]"), ("additionalProperties", "Value", "{}")):
        if isinstance(node.get(key), dict):
            yield node, key, _titled(node[key]) or context + suffix, mark
    for comb in ("anyOf", "oneOf", "allOf"):
        for i, child in enumerate(node.get(comb) or []):
            name = _titled(child) or _variant_name(child, i)  # a place by position is a last resort
            yield node[comb], i, _titled(child) or context + _variant_name(child, i), f"|{name}"


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


def _schema_roots(spec: JSON) -> Iterator[tuple[dict[str, Any], str, str, str]]:
    """(holder, key, context name, place) for every top-level schema: ``holder[key]`` is the
    schema; the place (``GET /folders/{} 409``, ``components/user``) survives releases.
    Component schemas come first; their holder is ``components.schemas``."""
    components = spec.get("components", {}).get("schemas", {})
    for name in components:
        yield components, name, pascal(name), f"components/{name}"
    for path, method, op in operations(spec):
        key = op_key(method, path)
        base = pascal(op.get("operationId") or f"{method} {path}")
        holders = [
            (param, base + pascal(param.get("name", "")), f"{key} ?{param.get('name', '')}")
            for param in op.get("parameters", [])
        ]
        holders += [
            (m, base + "Body", f"{key} body") for m in op.get("requestBody", {}).get("content", {}).values()
        ]
        for status, response in op.get("responses", {}).items():
            suffix = "Response" + (status if status != "200" else "")
            holders += [(m, base + suffix, f"{key} {status}") for m in response.get("content", {}).values()]
        for holder, context, place in holders:
            if isinstance(holder.get("schema"), dict):
                yield holder, "schema", context, place


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


def hoist_repeated(spec: JSON, fixes: JSON, ctx: Context | None = None) -> None:
    """Inline object schemas that occur more than once are moved once into ``components``; so
    is an inline schema whose ``title`` names a model that already exists.

    Inner schemas are hoisted before the schemas that contain them, so two copies of a parent
    become equal after their children are replaced. A hoisted schema keeps the name the surface
    lock gives any of the places it occurs in; a new one is named after its ``title``, an
    envelope after the component it wraps (``UserResponse``), anything else after the context of
    its first occurrence in document order. The reviewed ``schema_names`` table in fixes.yaml
    renames by that derived name and wins over the lock; a rename that matches nothing is
    reported in ``ctx.warnings``.

    The generator names an inline schema with a ``title`` after the title alone
    (``use_path_prefixes_for_title_model_names: false``), so a ``{"title": "Group", ...}`` that
    occurs once, beside the component ``group`` (or beside another ``Group`` of another shape),
    is refused: "Attempted to generate duplicate models with name 'Group'", and the operation
    dropped. Once the repeated schemas are hoisted, each such schema is hoisted too, under the
    same naming rule (``Group2``, or what fixes.yaml or the lock says), until no title clashes."""
    ctx = ctx or Context()
    hoister = _Hoister(spec, dict(fixes.get("schema_names", {}) or {}), ctx)
    hoister.run(lambda shape: hoister.counts[shape] >= 2)
    for _ in range(8):  # a hoisted title can free a clash only in an enclosing schema: few rounds
        clashing = _title_clashes(spec, hoister.taken)
        if not clashing:
            break
        hoister.run(clashing.__contains__)
    for stale in sorted(set(hoister.renames) - hoister.used_renames):
        ctx.warn(f"fixes.yaml schema_names: {stale} matches no hoisted schema of this release")


class _Hoister:
    """The state of :func:`hoist_repeated` across its rounds: the names taken and used."""

    def __init__(self, spec: JSON, renames: dict[str, str], ctx: Context) -> None:
        self.spec, self.renames, self.ctx = spec, renames, ctx
        self.components: dict[str, JSON] = spec["components"]["schemas"]
        self.used_renames: set[str] = set()
        self.taken = {pascal(n).lower() for n in self.components}
        self.counts: Counter[str] = Counter()
        self.places: defaultdict[str, list[str]] = defaultdict(list)

    def _survey(self) -> None:
        """How often each object schema occurs, and where (places survive releases)."""
        self.counts.clear()
        self.places.clear()

        def count(node: JSON) -> None:
            if isinstance(node, dict):
                if _is_object_schema(node):
                    self.counts[canonical(node)] += 1
                for key, value in node.items():
                    if key not in DATA_KEYS:
                        count(value)
            elif isinstance(node, list):
                for value in node:
                    count(value)

        def locate(node: JSON, place: str) -> None:
            if not isinstance(node, dict):
                return
            if _is_object_schema(node):
                self.places[canonical(node)].append(place)
            for container, key, _, suffix in _schema_children(node, ""):
                locate(container[key], place + suffix)

        for holder, key, _, place in _schema_roots(self.spec):
            count(holder[key])
            locate(holder[key], place)

    def run(self, wanted: Callable[[str], bool]) -> None:
        """Hoist every inline object schema whose canonical form (before its children are
        replaced) is ``wanted``."""
        self._survey()
        hoisted: dict[str, str] = {}  # canonical (after child replacement) -> component name
        new_components: dict[str, JSON] = {}
        components, ctx = self.components, self.ctx

        def visit(node: JSON, context: str, is_root: bool) -> JSON:
            if not isinstance(node, dict):
                return node
            original = canonical(node) if _is_object_schema(node) else None
            for container, key, child_context, _ in list(_schema_children(node, context)):
                container[key] = visit(container[key], child_context, False)
            if is_root or original is None or not wanted(original):
                return node
            shape = canonical(node)
            name = hoisted.get(shape)
            if name is None:
                name = self._name(_envelope_name(node, components) or context, self.places[original])
                hoisted[shape] = name
                ctx.hoisted[name] = sorted(set(self.places[original]))
                # the generator names a titled component after its title, not its key
                new_components[name] = {k: v for k, v in node.items() if k != "title"}
            else:
                ctx.hoisted[name] = sorted(set(ctx.hoisted[name]) | set(self.places[original]))
            return {"$ref": f"#/components/schemas/{name}"}

        for holder, key, context, _ in list(_schema_roots(self.spec)):
            holder[key] = visit(holder[key], context, holder is components)
        for name in sorted(new_components):
            components[name] = new_components[name]

    def _name(self, base: str, places: list[str]) -> str:
        derived, n = base, 2
        while derived.lower() in self.taken:  # "App" is taken by the component "app": App2
            derived, n = f"{base}{n}", n + 1
        locked = self.ctx.lock.model_for(places)
        if derived in self.renames:
            name = self.renames[derived]
            self.used_renames.add(derived)
        elif locked is not None and locked.lower() not in self.taken:
            name = locked
        else:
            name = derived
        if name.lower() in self.taken:
            raise SurfaceError(f"schema_names: {derived} -> {name} collides with an existing schema")
        self.taken.add(derived.lower())
        self.taken.add(name.lower())
        return name


def _title_clashes(spec: JSON, taken: set[str]) -> set[str]:
    """Canonical forms of the inline titled object schemas the generator would name after a
    model that exists (``taken``: lower-cased), or after another titled schema of another shape."""
    by_title: defaultdict[str, set[str]] = defaultdict(set)
    components = spec["components"]["schemas"]

    def visit(node: JSON, is_root: bool) -> None:
        if not isinstance(node, dict):
            return
        if not is_root and _is_object_schema(node) and _titled(node):
            by_title[_titled(node).lower()].add(canonical(node))
        for container, key, _, _ in _schema_children(node, ""):
            visit(container[key], False)

    for holder, key, _, _ in _schema_roots(spec):
        visit(holder[key], holder is components)
    return {
        shape for title, shapes in by_title.items() if title in taken or len(shapes) > 1 for shape in shapes
    }


PASSES: list[Callable[[JSON, JSON, Context], None]] = [
    path_item_params,
    colon_path_params,
    object_defaults,
    typeless_nullable,
    untyped_items,
    exclusive_unions,
    parameter_defaults,
    required_bodies,
    patterns,
    response_relaxations,
    integer_ids,
    path_param_types,
    surface_names,
    nullable_enums,
    component_refs,
    component_extras,
    hoist_repeated,
]


def normalize(pristine: JSON, fixes: JSON, ctx: Context | None = None) -> JSON:
    """The normalized spec; names come from ``ctx.lock`` where it has them."""
    ctx = ctx or Context()
    spec = copy.deepcopy(pristine)
    for pass_ in PASSES:
        pass_(spec, fixes, ctx)
    return spec
