"""What the fake knows about Retool, read from the spec the SDK was generated from.

``generated/openapi.json`` (shipped in the package) is read once, or another release's document
is given (:func:`load`); from it come the routes, the request and response schemas (as JSON
Schema 2020-12), and the stateful shapes:

* a **collection**: ``/X`` (list and/or create) with ``/X/{id}`` (get / update / replace /
  delete) whose answers carry records with an ``id``;
* a **membership**: ``POST /X/{id}/Y`` with ``DELETE /X/{id}/Y/{childId}`` where ``Y`` is an
  array field of X's records listing another collection's records (group members, group user
  invites): the collection whose id parameter ``childId`` is or whose name ``Y`` is, else the
  only one whose ids have the shape (type and pattern, format or enum) of ``childId`` or of the
  entries' ``id`` (2.12.0 calls the user ``{userSid}``, 3.373.0 ``{userId}``);
* an **attribute map**: ``POST /X/{id}/Y`` taking ``{name, value}`` with
  ``DELETE /X/{id}/Y/{name}``, answering with one object field of X's records (user attributes
  in ``metadata``, on users and on invites);
* a **singleton**: a path without parameters that has a GET and a write and no ``/{id}``
  below it (organization settings, SSO config, source control config...).

Nothing here names a 3.373.0 path, so a spec of another release loads too (with whatever of
these shapes it has). The OpenAPI 3.0 -> JSON Schema conversion is the one the pipeline uses
too (``retool_api_client._openapi``); the fake converts response schemas as well, which
``generated/request_schemas.json`` does not carry.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from .. import _openapi

JSON = Any
METHODS = ("get", "post", "put", "patch", "delete")
#: Query parameters that page a list rather than filter it.
PAGING = frozenset({"limit", "next_token", "page_size", "starting_after", "ending_before"})


def to_json_schema(node: JSON) -> JSON:
    """One OpenAPI 3.0 schema as JSON Schema 2020-12, ``default`` kept: the fake fills in what a
    create body leaves out."""
    return _openapi.to_json_schema(node, keep=_KEEP)


_KEEP = frozenset({"default"})


@dataclass
class Param:
    name: str
    where: str  # "path" | "query"
    schema: JSON
    required: bool


@dataclass
class Response:
    status: int
    schema: JSON | None  # JSON Schema of the JSON body, None when the answer has none


@dataclass
class Operation:
    operation_id: str
    method: str  # upper case
    template: str  # "/users/{userId}"
    params: list[Param]
    body: JSON | None  # JSON Schema of a JSON body
    body_required: bool
    responses: dict[int, Response]
    regex: re.Pattern[str] = field(repr=False)
    literal_segments: int = 0

    def success(self) -> Response:
        """The first documented 2xx answer (every operation in the spec has one)."""
        for status in sorted(self.responses):
            if 200 <= status < 300:
                return self.responses[status]
        return Response(200, None)

    def error_status(self, *preferred: int) -> int:
        """The first of ``preferred`` this operation documents, else the first of them."""
        for status in preferred:
            if status in self.responses:
                return status
        return preferred[0]

    def query(self, name: str) -> Param | None:
        return next((p for p in self.params if p.where == "query" and p.name == name), None)


@dataclass
class Collection:
    name: str  # "users", "observability_config"
    base: str  # "/users"
    item: str  # "/users/{userId}"
    id_param: str  # "userId"
    id_schemas: list[JSON]  # the record's id property and the path parameter's schema
    record: JSON  # JSON Schema of a stored record (list / get / create answers' properties)
    ops: dict[str, Operation]  # "list", "create", "get", "update", "replace", "delete", "put_base"
    memberships: dict[str, Membership] = field(default_factory=dict)  # record field -> membership


@dataclass
class Membership:
    parent: str  # collection name ("groups")
    field: str  # array field of the parent's records ("members")
    child: str  # collection name ("users")
    entry: JSON  # JSON Schema of one entry as the parent shows it
    add: Operation | None = None
    remove: Operation | None = None
    child_param: str | None = None  # the remove route's parameter naming the child ("userId")


@dataclass
class AttributeMap:
    parent: str  # collection name
    field: str  # the parent's object field holding the attributes ("metadata")
    set: Operation
    delete: Operation | None = None


@dataclass
class Spec:
    raw: JSON
    defs: dict[str, JSON]
    root: str  # "/api/v2"
    operations: list[Operation]
    collections: dict[str, Collection]
    attributes: list[AttributeMap]
    singletons: dict[str, list[Operation]]  # path -> its operations
    by_template: dict[str, dict[str, Operation]]  # template -> METHOD -> operation

    @cached_property
    def document(self) -> bytes:
        """The OpenAPI document as JSON, what ``GET {root}/spec`` answers (made once)."""
        return json.dumps(self.raw).encode()

    @property
    def version(self) -> str:
        return str((self.raw.get("info") or {}).get("version", ""))

    def collection_of(self, op: Operation) -> Collection | None:
        for coll in self.collections.values():
            if op.template in (coll.base, coll.item):
                return coll
        return None


def resolve(defs: dict[str, JSON], schema: JSON) -> JSON:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def object_schema(defs: dict[str, JSON], schema: JSON) -> JSON | None:
    """``schema`` as an object schema with properties (refs, ``allOf`` and nullable unwrapped)."""
    schema = resolve(defs, schema)
    if not isinstance(schema, dict):
        return None
    if "properties" in schema:
        return schema
    if "allOf" in schema:
        props: dict[str, Any] = {}
        required: list[str] = []
        for part in schema["allOf"]:
            sub = object_schema(defs, part)
            if sub is None:
                return None
            props.update(sub.get("properties", {}))
            required += sub.get("required", [])
        return {"type": "object", "properties": props, "required": required}
    for key in ("anyOf", "oneOf"):
        branches = [b for b in schema.get(key, []) if resolve(defs, b) != {"type": "null"}]
        if len(branches) == 1:
            return object_schema(defs, branches[0])
    return None


def payload(defs: dict[str, JSON], response: Response | None) -> tuple[JSON | None, bool]:
    """The schema of what an answer carries and whether it sits in ``data`` (``{success, data}``)."""
    if response is None or response.schema is None:
        return None, False
    body = object_schema(defs, response.schema)
    if body is not None and "data" in body.get("properties", {}):
        return body["properties"]["data"], True
    return response.schema, False


def record_of(defs: dict[str, JSON], response: Response | None) -> JSON | None:
    """The record schema an answer carries (one, or the items of a list), if it has an ``id``."""
    data, _ = payload(defs, response)
    data = resolve(defs, data)
    if isinstance(data, dict) and data.get("type") == "array":
        data = data.get("items")
    record = object_schema(defs, data) if data is not None else None
    return record if record is not None and "id" in record.get("properties", {}) else None


def _operations(raw: JSON) -> list[Operation]:
    ops = []
    for template, item in raw.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            params = []
            for declared in [*shared, *op.get("parameters", [])]:
                p = resolve_param(raw, declared)
                if p.get("in") in ("path", "query"):
                    params.append(
                        Param(
                            p["name"], p["in"], to_json_schema(p.get("schema", {})), bool(p.get("required"))
                        )
                    )
            request = op.get("requestBody", {})
            content = request.get("content", {})
            body = (
                content.get("application/json", {}).get("schema") if "application/json" in content else None
            )
            responses = {}
            for code, answer in op.get("responses", {}).items():
                if not str(code).isdigit():
                    continue
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                responses[int(code)] = Response(int(code), None if schema is None else to_json_schema(schema))
            pattern = "".join(
                "([^/]+)" if seg.startswith("{") else re.escape(seg)
                for seg in re.split(r"(\{[^}]+\})", template)
                if seg
            )
            ops.append(
                Operation(
                    operation_id=op.get("operationId") or f"{method}_{template}",
                    method=method.upper(),
                    template=template,
                    params=params,
                    body=None if body is None else to_json_schema(body),
                    body_required=bool(request.get("required")),
                    responses=responses,
                    regex=re.compile(pattern.rstrip("/") + "/?"),
                    literal_segments=sum(1 for s in template.split("/") if s and not s.startswith("{")),
                )
            )
    return ops


def resolve_param(raw: JSON, param: JSON) -> JSON:
    ref = param.get("$ref") if isinstance(param, dict) else None
    if isinstance(ref, str):
        return dict(raw.get("components", {}).get("parameters", {}).get(ref.rsplit("/", 1)[-1], {}))
    return dict(param)


def _name(base: str) -> str:
    parts = [p for p in base.split("/") if p]
    return parts[-1] if parts[-1].endswith("s") else "_".join(parts)


def _collections(
    defs: dict[str, JSON], by_template: dict[str, dict[str, Operation]]
) -> dict[str, Collection]:
    found: dict[str, Collection] = {}
    for template, methods in by_template.items():
        m = re.fullmatch(r"((?:/[^/{}]+)+)/\{([^}]+)\}", template)
        if not m or m.group(1) not in by_template:
            continue
        base, id_param = m.group(1), m.group(2)
        base_ops = by_template[base]
        roles = {
            "list": base_ops.get("GET"),
            "create": base_ops.get("POST"),
            "put_base": base_ops.get("PUT"),
            "get": methods.get("GET"),
            "update": methods.get("PATCH"),
            "replace": methods.get("PUT"),
            "delete": methods.get("DELETE"),
        }
        ops = {role: op for role, op in roles.items() if op is not None}
        records = [record_of(defs, ops[r].success()) for r in ("list", "get", "create", "update") if r in ops]
        shapes = [r for r in records if r is not None]
        if not shapes:
            continue  # no record with an id in any answer: nothing to keep
        if "list" in ops and records[0] is None:
            del ops["list"]  # a GET on the base that is not a list of these records
        if "create" in ops and record_of(defs, ops["create"].success()) is None:
            del ops["create"]
        props: dict[str, Any] = {}
        for shape in shapes:
            for name, sub in shape.get("properties", {}).items():
                props.setdefault(name, sub)
        record = {
            "type": "object",
            "properties": props,
            "required": sorted(set(shapes[0].get("required", []))),
        }
        path_param = next((p for o in ops.values() for p in o.params if p.name == id_param), None)
        id_schemas = [props["id"], *([path_param.schema] if path_param else [])]
        name = _name(base)
        found[name] = Collection(name, base, template, id_param, id_schemas, record, ops)
    return found


def _relations(
    defs: dict[str, JSON], by_template: dict[str, dict[str, Operation]], collections: dict[str, Collection]
) -> list[AttributeMap]:
    attributes = []
    for parent in collections.values():
        for template, methods in by_template.items():
            m = re.fullmatch(re.escape(parent.item) + r"/([^/{}]+)", template)
            if not m or "POST" not in methods:
                continue
            sub, add = m.group(1), methods["POST"]
            child_ops = [
                (mm.group(1), ms)
                for t, ms in by_template.items()
                if (mm := re.fullmatch(re.escape(template) + r"/\{([^}]+)\}", t))
            ]
            child_param, child_methods = child_ops[0] if child_ops else (None, {})
            remove = child_methods.get("DELETE")
            field_schema = resolve(defs, parent.record["properties"].get(sub, {}))
            if field_schema.get("type") == "array":
                entry = field_schema.get("items", {})
                param_schemas = [
                    p.schema for o in child_methods.values() for p in o.params if p.name == child_param
                ]
                ids = [*param_schemas[:1], *_entry_ids(defs, entry)]
                child = _child(defs, collections, parent, (child_param, sub), ids)
                if child is not None:
                    parent.memberships[sub] = Membership(
                        parent.name, sub, child.name, entry, add, remove, child_param if remove else None
                    )
                    continue
            body = object_schema(defs, add.body) if add.body else None
            answer = object_schema(defs, payload(defs, add.success())[0] or {})
            if body is None or answer is None or not {"name", "value"} <= body.get("properties", {}).keys():
                continue
            shared = [k for k in answer.get("properties", {}) if k in parent.record["properties"]]
            if len(shared) == 1:
                attributes.append(AttributeMap(parent.name, shared[0], add, remove))
    return attributes


def _child(
    defs: dict[str, JSON],
    collections: dict[str, Collection],
    parent: Collection,
    names: tuple[str | None, str],
    ids: list[JSON],
) -> Collection | None:
    """The collection a membership's entries are records of. ``names`` are the child route's
    parameter and the parent's field: the collection whose id parameter or name one of them is
    (``{userInviteId}``, ``user_invites``), else the only one whose ids have the shape of one of
    ``ids`` (that parameter's schema, the entries' ``id``): a release may name them otherwise."""
    others = [c for c in collections.values() if c is not parent]
    param, field = names
    for found in ([c for c in others if c.id_param == param], [c for c in others if c.name == field]):
        if len(found) == 1:
            return found[0]
    wanted = [shape for shape in (_id_shape(defs, s) for s in ids) if shape is not None]
    alike = [c for c in others if any(_id_shape(defs, s) in wanted for s in c.id_schemas)]
    return alike[0] if len(alike) == 1 else None


def _entry_ids(defs: dict[str, JSON], entry: JSON) -> list[JSON]:
    """The id schema of a membership entry: its ``id`` property, or the entry itself (a list of
    ids)."""
    shape = object_schema(defs, entry)
    if shape is not None:
        return [shape["properties"]["id"]] if "id" in shape.get("properties", {}) else []
    return [entry]


def _id_shape(defs: dict[str, JSON], schema: JSON) -> tuple[Any, ...] | None:
    """What tells one collection's ids from another's: the type with its pattern, format or
    enum (nullable unwrapped, descriptions and examples ignored); None for a bare type, which
    many collections share."""
    schema = resolve(defs, schema)
    if not isinstance(schema, dict):
        return None
    branches = [
        b for b in schema.get("anyOf") or schema.get("oneOf") or [] if resolve(defs, b) != {"type": "null"}
    ]
    if len(branches) == 1:
        return _id_shape(defs, branches[0])
    kind = schema.get("type")
    kinds = tuple(sorted(str(k) for k in kind if k != "null")) if isinstance(kind, list) else (str(kind),)
    marks = tuple(
        (k, json.dumps(schema[k], sort_keys=True)) for k in ("pattern", "format", "enum") if k in schema
    )
    return (kinds, marks) if marks else None


def _singletons(
    by_template: dict[str, dict[str, Operation]], collections: dict[str, Collection]
) -> dict[str, list[Operation]]:
    bases = {c.base for c in collections.values()}
    out = {}
    for template, methods in by_template.items():
        if "{" in template or template in bases or "GET" not in methods or len(methods) < 2:
            continue
        if any(t.startswith(template.rstrip("/") + "/{") for t in by_template):
            continue
        out[template] = list(methods.values())
    return out


def build(raw: JSON) -> Spec:
    defs = {name: to_json_schema(s) for name, s in raw.get("components", {}).get("schemas", {}).items()}
    operations = _operations(raw)
    by_template: dict[str, dict[str, Operation]] = {}
    for op in operations:
        by_template.setdefault(op.template, {})[op.method] = op
    collections = _collections(defs, by_template)
    attributes = _relations(defs, by_template, collections)
    singletons = _singletons(by_template, collections)
    servers = raw.get("servers") or [{}]
    root = re.sub(r"^[a-z]+://[^/]+", "", str(servers[0].get("url", ""))).rstrip("/")
    if not root.startswith("/"):
        root = "/api/v2"  # a relative server URL ("./"): where the SDK puts the API root
    return Spec(raw, defs, root, operations, collections, attributes, singletons, by_template)


@cache
def shipped() -> Spec:
    """The spec this package was generated from."""
    text = resources.files("retool_api_client.generated").joinpath("openapi.json").read_text()
    return build(json.loads(text))


def load(source: Mapping[str, Any] | str | os.PathLike[str] | None) -> Spec:
    """The spec a fake is driven by: the shipped one (None), an OpenAPI document as a dict, or
    the path of one in JSON (another Retool release's ``/api/v2/spec``). A bad document is a
    ``ValueError`` naming what is wrong."""
    if source is None:
        return shipped()
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValueError(f"spec: cannot read {str(path)!r}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise ValueError(f"spec: {str(path)!r} is not a JSON document: {exc}") from None
        where = repr(str(path))
    elif isinstance(source, Mapping):
        try:  # a copy the caller cannot change under the fake, and JSON (it is served as such)
            raw = json.loads(json.dumps(source))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"spec: the document is not JSON: {exc}") from None
        where = "the document"
    else:
        raise ValueError(f"spec: an OpenAPI document (a dict) or its path, got {type(source).__name__}")
    if (
        not isinstance(raw, dict)
        or not str(raw.get("openapi", "")).startswith("3")
        or not isinstance(raw.get("paths"), dict)
    ):
        raise ValueError(f"spec: {where} is not an OpenAPI 3 document (an 'openapi: 3.x' with 'paths')")
    return build(raw)
