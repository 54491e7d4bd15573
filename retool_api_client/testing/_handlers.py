"""The handlers: what each stateful operation does to the store, and the rest made up.

Every operation has a role found in the spec (``_spec``): a collection's list / create / get /
update / replace / delete, a membership's add / remove, an attribute map's set / delete, a
singleton document, or ``generated`` (an answer made up for its schema). :meth:`Handlers.dispatch`
runs the role's handler on a request the router has already checked.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from ._answers import NO_BODY, Answer, Refused
from ._data import Maker
from ._render import Renderer
from ._routes import Router
from ._spec import PAGING, AttributeMap, Collection, Membership, Operation, Spec, object_schema, payload
from ._store import SERVER_FIELDS, Store, singular

JSON = Any
#: how each role reads in ``fake.behaviour()`` and docs/fake-operations.md
WORDS = {
    "list": "list", "create": "create", "get": "get", "update": "update", "replace": "replace",
    "delete": "delete", "put_base": "replace (id in the body)", "member_add": "add",
    "member_remove": "remove", "attr_set": "set", "attr_delete": "delete",
}  # fmt: skip


class Handlers:
    """The operations' handlers over one store."""

    def __init__(self, spec: Spec, store: Store, renderer: Renderer, router: Router, maker: Maker) -> None:
        self.spec, self.store, self.renderer, self.router, self.maker = spec, store, renderer, router, maker
        self.roles = _roles(spec)

    def role(self, op: Operation) -> tuple[str, Any]:
        """``(role, what it acts on)``: ``("list", <users>)``, ``("generated", None)``..."""
        return self.roles.get(id(op), ("generated", None))

    def behaviour(self) -> dict[str, str]:
        """``"METHOD /path (operationId)"`` -> what the fake does for it."""
        out = {}
        for op in self.spec.operations:
            role, target = self.role(op)
            if isinstance(target, Collection):
                what = f"{target.name}: {WORDS[role]}"
            elif isinstance(target, Membership):
                what = f"{target.parent} {target.field}: {WORDS[role]}"
            elif isinstance(target, AttributeMap):
                what = f"{target.parent} attributes ({target.field}): {WORDS[role]}"
            elif role == "singleton":
                what = "stored document"
            elif op.success().schema is None:
                what = "no schema in the spec: an empty answer (`fake.respond()` scripts one)"
            else:
                what = "made up from the schema"
            out[f"{op.method} {op.template} ({op.operation_id})"] = what
        return out

    def dispatch(self, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        role, target = self.role(op)
        for coll in self.spec.collections.values():  # under a record that is not there: 404
            if op.template.startswith(coll.item + "/") and coll.id_param in path:
                self.store.find(coll, op, path[coll.id_param])
        body = None if body is NO_BODY else body
        if isinstance(target, Collection):
            handler: Callable[..., Answer] = getattr(self, f"_{role}")
            return handler(target, op, path, query, body)
        if role in ("member_add", "member_remove"):
            return self._membership(role, target, op, path, body)
        if role in ("attr_set", "attr_delete"):
            return self._attribute(role, target, op, path, body)
        if role == "singleton":
            return self._singleton(target, op, body)
        return self.renderer.made_up(op, query)

    # -- collections --------------------------------------------------------------------------

    def _answer(
        self, coll: Collection, op: Operation, record: dict[str, Any], query: dict[str, Any]
    ) -> Answer:
        return self.renderer.envelope(op, self.renderer.render(coll, record, op, query))

    def _list(
        self, coll: Collection, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any
    ) -> Answer:
        records = self.store.all(coll)
        filters = {k: v for k, v in query.items() if k not in PAGING}
        for name, value in filters.items():
            test = self.filter(coll, name, value)
            if test is not None:
                records = [r for r in records if test(r)]
        shown, paging = self.renderer.page(op, records, query, filters)
        data = [self.renderer.render(coll, r, op, query) for r in shown]
        return self.renderer.envelope(op, data, paging)

    def filter(self, coll: Collection, name: str, value: Any) -> Callable[[dict[str, Any]], bool] | None:
        """The test a list's query parameter ``name`` applies to records, or None when it names
        no field of them (accepted and ignored)."""
        props = coll.record["properties"]
        prefix = coll.name.removesuffix("s") + "_"
        field_name, contains, inner = name, False, ""
        if name.endswith("_contains"):
            field_name, contains = name.removesuffix("_contains"), True
        elif name not in props and name.startswith(prefix):
            field_name = name.removeprefix(prefix)  # resource_type -> type on resources
        elif name not in props and "_" in name:
            outer, _, rest = name.partition("_")  # resource_id -> resource.id on configurations
            shape = object_schema(self.spec.defs, props.get(outer, {})) or {}
            if rest in shape.get("properties", {}):
                field_name, inner = outer, rest
        if field_name not in props or isinstance(value, list | dict):
            return None

        def test(record: dict[str, Any]) -> bool:
            have = record.get(field_name)
            if inner:
                have = have.get(inner) if isinstance(have, dict) else None
            if isinstance(value, str) and isinstance(have, str):
                return value.lower() in have.lower() if contains else have.lower() == value.lower()
            return bool(have == value)

        return test

    def _create(
        self, coll: Collection, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any
    ) -> Answer:
        record = self.store.new_record(coll, body, op.error_status(404, 400))
        self.store.set_links(coll, record, body)
        self.store.put(coll, record)
        return self._answer(coll, op, record, query)

    def _get(
        self, coll: Collection, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any
    ) -> Answer:
        return self._answer(coll, op, self.store.find(coll, op, path[coll.id_param]), query)

    def _replace(
        self, coll: Collection, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any
    ) -> Answer:
        return self._replace_record(coll, op, self.store.find(coll, op, path[coll.id_param]), body, query)

    def _put_base(
        self, coll: Collection, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any
    ) -> Answer:
        ref = body.get("id") if isinstance(body, dict) else None
        if ref is None:
            raise Refused(op.error_status(400, 422), "body.id: the record to replace is required")
        key = str(int(ref)) if isinstance(ref, float) and ref.is_integer() else str(ref)
        return self._replace_record(coll, op, self.store.find(coll, op, key), body, query)

    def _replace_record(
        self, coll: Collection, op: Operation, old: dict[str, Any], body: Any, query: dict[str, Any]
    ) -> Answer:
        record = self.store.defaults(coll, self.store.key(coll.name, old["id"], "replaced"), keep=old)
        self.store.overlay(coll, record, body, op.error_status(404, 400))
        if "updated_at" in coll.record["properties"]:
            record["updated_at"] = self.store.now()
        self.store.set_links(coll, record, body)
        self.store.put(coll, record)
        return self._answer(coll, op, record, query)

    def _update(
        self, coll: Collection, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any
    ) -> Answer:
        record = self.store.find(coll, op, path[coll.id_param])
        operations = body.get("operations") if isinstance(body, dict) else None
        takes_patch = op.body and "operations" in (object_schema(self.spec.defs, op.body) or {}).get(
            "properties", {}
        )
        if isinstance(operations, list) and takes_patch:
            document = self.renderer.render(coll, record, None)
            changed = self.apply_patch(op, document, operations, set(coll.record["properties"]))
        else:
            document = copy.deepcopy(record)
            self.store.overlay(coll, document, body, op.error_status(404, 400))
            changed = {k for k in document if document[k] != record.get(k)}
        problems = []
        for name in changed:
            if name in coll.memberships:
                items = document.get(name)
                self.store.links[coll.name].setdefault(str(record["id"]), {})[name] = self.store.refs(
                    coll.memberships[name], items if isinstance(items, list) else []
                )
                continue
            if name not in document:
                continue  # removed: a field the record may lack
            where = ("body", "operations", f"/{name}")
            found = self.router.invalid(where, coll.record["properties"][name], document[name])
            if found:
                problems.append(found)
        self.router.refuse(op, problems)
        for name in changed - coll.memberships.keys():
            if name in document:
                record[name] = document[name]
            else:
                record.pop(name, None)
        if "updated_at" in coll.record["properties"]:
            record["updated_at"] = self.store.now()
        return self._answer(coll, op, record, query)

    def _delete(
        self, coll: Collection, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any
    ) -> Answer:
        record = self.store.find(coll, op, path[coll.id_param])
        answer = self._answer(coll, op, record, query)
        self.store.remove(coll, record)
        return answer

    def apply_patch(
        self, op: Operation, document: dict[str, Any], operations: list[Any], fields: set[str]
    ) -> set[str]:
        """Apply RFC 6902 operations in place under the endpoint's rules; the top-level fields
        they touched. The endpoint's ops are the ``op`` enums of its body schema."""
        allowed = patch_ops(self.spec, op.body)
        status = op.error_status(400, 422)
        changed: set[str] = set()
        for index, operation in enumerate(operations):
            where = f"body.operations[{index}]"
            if not isinstance(operation, dict):
                raise Refused(status, f"{where}: an operation is an object")
            kind, pointer = operation.get("op"), operation.get("path")
            if kind not in allowed:
                accepted = ", ".join(sorted(allowed))
                raise Refused(status, f"{where}: op {kind!r} is not accepted here; accepted: {accepted}")
            if kind not in ("add", "remove", "replace"):
                raise Refused(status, f"{where}: op {kind!r} is not supported by FakeRetool")
            if not isinstance(pointer, str) or not pointer.startswith("/"):
                raise Refused(status, f"{where}.path: a JSON pointer starting with '/' is required")
            tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
            if tokens[0] not in fields:
                raise Refused(
                    status, f"{where}.path: {pointer!r} is not a field; fields: {', '.join(sorted(fields))}"
                )
            if tokens[0] in SERVER_FIELDS:
                raise Refused(status, f"{where}.path: {tokens[0]} cannot be changed")
            if kind != "remove" and "value" not in operation:
                raise Refused(status, f"{where}: {kind} needs a value")
            try:
                apply_one(document, kind, tokens, copy.deepcopy(operation.get("value")))
            except (KeyError, IndexError, TypeError, ValueError) as exc:
                raise Refused(status, f"{where}: cannot {kind} {pointer!r}: {exc}") from None
            changed.add(tokens[0])
        return changed

    # -- relations ----------------------------------------------------------------------------

    def _membership(
        self, role: str, membership: Membership, op: Operation, path: dict[str, str], body: Any
    ) -> Answer:
        parent = self.spec.collections[membership.parent]
        record = self.store.find(parent, op, path[parent.id_param])
        links = (
            self.store.links[parent.name].setdefault(str(record["id"]), {}).setdefault(membership.field, {})
        )
        if role == "member_add":
            items = (
                next((v for v in body.values() if isinstance(v, list)), []) if isinstance(body, dict) else []
            )
            links.update(self.store.refs(membership, items))
        else:
            child = self.spec.collections[membership.child]
            key = path[membership.child_param or child.id_param]
            if key not in links:
                owner = f"{singular(parent.name)} {record['id']}"
                message = f"{singular(child.name)} {key} is not in {membership.field} of {owner}"
                raise Refused(op.error_status(404), message)
            del links[key]
        return self.renderer.envelope(op, self.renderer.render(parent, record, op))

    def _attribute(
        self, role: str, attributes: AttributeMap, op: Operation, path: dict[str, str], body: Any
    ) -> Answer:
        parent = self.spec.collections[attributes.parent]
        record = self.store.find(parent, op, path[parent.id_param])
        values = record.get(attributes.field)
        if not isinstance(values, dict):
            values = record[attributes.field] = {}
        if role == "attr_set":
            if not isinstance(body, dict) or not isinstance(body.get("name"), str) or "value" not in body:
                raise Refused(op.error_status(400, 422), "body: an attribute's name and value are required")
            values[body["name"]] = body["value"]
        else:
            name = next(v for k, v in path.items() if k != parent.id_param)
            if name not in values:
                raise Refused(op.error_status(404), f"attribute {name!r} not found")
            del values[name]
        data_schema, _ = payload(self.spec.defs, op.success())
        return self.renderer.envelope(
            op, self.store.project(data_schema, record, key=self.store.key(parent.name, record["id"]))
        )

    # -- singletons ---------------------------------------------------------------------------

    def _singleton(self, path: str, op: Operation, body: Any) -> Answer:
        get = self.spec.by_template[path]["GET"]
        schema, _ = payload(self.spec.defs, get.success())
        if path not in self.store.singletons:
            made = self.maker.valid(schema, self.store.key("singleton", path)) if schema is not None else {}
            self.store.singletons[path] = made
        document = self.store.singletons[path]
        if op.method == "DELETE":
            self.store.singletons[path] = None
            return self.renderer.envelope(op, {} if document is None else document)
        if op.method == "GET":
            if document is None:
                raise Refused(get.error_status(404), "not configured")
            return self.renderer.document(op, document)
        if op.method == "PATCH" and isinstance(body, dict) and isinstance(body.get("operations"), list):
            new = copy.deepcopy(document) if isinstance(document, dict) else {}
            fields = set((object_schema(self.spec.defs, schema) or {}).get("properties", {}))
            self.apply_patch(op, new, body["operations"], fields)
            if schema is not None and not self.maker.is_valid(schema, new):
                problem = self.router.invalid(("body",), schema, new) or "body: does not fit the document"
                raise Refused(op.error_status(400, 422), problem)
        else:
            new = self._written(schema, document, body)
        self.store.singletons[path] = new
        return self.renderer.document(op, new)

    def _written(self, schema: JSON, document: Any, body: Any) -> Any:
        """The document a PUT / POST leaves: the body (unwrapped from a lone ``data`` /
        ``config`` / ``settings`` member), else the old document with the body's fields, when
        either fits the GET's schema; else the body as sent (answers then fall back to
        made-up values where it does not fit)."""
        candidate = body
        if isinstance(body, dict) and len(body) == 1:
            ((key, inner),) = body.items()
            fields = (object_schema(self.spec.defs, schema) or {}).get("properties", {}) if schema else {}
            if isinstance(inner, dict) and key not in fields:
                candidate = inner
        if schema is None or self.maker.is_valid(schema, candidate):
            return copy.deepcopy(candidate)
        if isinstance(document, dict) and isinstance(candidate, dict):
            merged = {**copy.deepcopy(document), **copy.deepcopy(candidate)}
            if self.maker.is_valid(schema, merged):
                return merged
        return copy.deepcopy(candidate)


def _roles(spec: Spec) -> dict[int, tuple[str, Any]]:
    roles: dict[int, tuple[str, Any]] = {}
    for coll in spec.collections.values():
        for role, op in coll.ops.items():
            roles[id(op)] = (role, coll)
        for membership in coll.memberships.values():
            if membership.add:
                roles[id(membership.add)] = ("member_add", membership)
            if membership.remove:
                roles[id(membership.remove)] = ("member_remove", membership)
    for attributes in spec.attributes:
        roles[id(attributes.set)] = ("attr_set", attributes)
        if attributes.delete:
            roles[id(attributes.delete)] = ("attr_delete", attributes)
    for path, ops in spec.singletons.items():
        for op in ops:
            roles[id(op)] = ("singleton", path)
    return roles


def patch_ops(spec: Spec, body: JSON) -> set[str]:
    """The JSON Patch ``op`` values an endpoint's body schema allows."""
    defs = spec.defs
    shape = object_schema(defs, body) or {}
    items = _resolve(defs, shape.get("properties", {}).get("operations", {})).get("items", {})
    ops: set[str] = set()
    for variant in _resolve(defs, items).get("anyOf", _resolve(defs, items).get("oneOf", [items])):
        part = object_schema(defs, variant) or {}
        ops.update(_resolve(defs, part.get("properties", {}).get("op", {})).get("enum", []))
    return ops


def _resolve(defs: dict[str, JSON], schema: JSON) -> JSON:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema if isinstance(schema, dict) else {}


def apply_one(document: Any, kind: str, tokens: list[str], value: Any) -> None:
    """One RFC 6902 ``add`` / ``remove`` / ``replace`` at ``tokens`` inside ``document``."""
    parent = document
    for token in tokens[:-1]:
        parent = parent[int(token)] if isinstance(parent, list) else parent[token]
    last = tokens[-1]
    if isinstance(parent, list):
        if kind == "add":
            index = len(parent) if last == "-" else _index(last, len(parent) + 1)
            parent.insert(index, value)
        elif kind == "remove":
            del parent[_index(last, len(parent))]
        else:
            parent[_index(last, len(parent))] = value
    elif isinstance(parent, dict):
        if kind != "add" and last not in parent:
            raise KeyError(f"no member {last!r}")
        if kind == "remove":
            del parent[last]
        else:
            parent[last] = value
    else:
        raise TypeError("the path goes through a value that is neither an object nor an array")


def _index(token: str, size: int) -> int:
    if not re.fullmatch(r"0|[1-9]\d*", token) or int(token) >= size:
        raise IndexError(f"no index {token}")
    return int(token)
