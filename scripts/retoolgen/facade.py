"""The facade plan: what the generated ``retool.<tag>.<method>()`` namespaces look like.

Computed from the normalized spec at generation time; ``codeplan.py`` adds the Python types
(from the generator's own parse) to make the typed plan the templates print. Nothing here is
per operation by hand except the reviewed ``operations:`` entries in ``openapi/fixes.yaml``.

Method names come from a reviewed ``operations:`` entry in ``openapi/fixes.yaml``, else from
the surface lock (``openapi/surface.lock``, see ``surface.py``), else they are derived: the
operationId minus the tag's noun (plural or singular) minus prepositions left dangling at the
end: ``list_users`` on ``Users`` -> ``list``, ``add_users_to_group`` on ``Groups`` ->
``add_users``. A derived name that collides is settled by ``normalize.settle`` (PUT ->
``replace``, ...); only two *kept* names that collide stop the run.

An operation is *paginated* when its success body carries ``next_token`` and ``has_more``;
``page_size`` is then checked against its ``limit`` parameter's range from the spec.

A PATCH operation whose body is ``{"operations": [RFC 6902 ops]}`` gets *patch rules*: the op
names its body schema allows and the top-level fields of the model it returns.
"""

from __future__ import annotations

import ast
import keyword
import re
from pathlib import Path
from typing import Any

from .normalize import Context, NormalizeError, operations, reviewed_entries, settle, snake
from .surface import SurfaceError, op_key

JSON = Any

#: Words left dangling at the end of a name once the tag's noun is removed.
DANGLING = {"to", "from", "for", "of", "on", "in", "by", "with", "and", "a", "an", "the"}
#: Keyword-only arguments the facade adds to paginated methods.
PAGINATION_ARGS = ("page_size", "max_items", "start_token", "prefetch")
#: Attributes a namespace already has.
RESERVED_METHODS = {"with_raw_response"}
#: Builtins the generated annotations use; a method of the same name must come last in its class.
SHADOWING_BUILTINS = {"list", "dict", "set", "type", "str", "int", "float", "bool", "tuple"}


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def derive_method_name(operation_id: str, tag_attr: str) -> str:
    words = operation_id.split("_")
    tag_words = tag_attr.split("_")
    for form in (tag_words, [*tag_words[:-1], singular(tag_words[-1])]):
        n = len(form)
        for i in range(len(words) - n + 1):
            if words[i : i + n] == form:
                words = words[:i] + words[i + n :]
                break
        else:
            continue
        break
    while words and words[-1] in DANGLING:
        words.pop()
    return "_".join(words)


def resolve(spec: JSON, node: JSON) -> JSON:
    while isinstance(node, dict) and "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _json_body(spec: JSON, holder: JSON) -> JSON:
    schema = holder.get("content", {}).get("application/json", {}).get("schema")
    return resolve(spec, schema) if schema is not None else None


def success_bodies(spec: JSON, op: JSON) -> list[JSON]:
    bodies = []
    for code, response in sorted(op.get("responses", {}).items()):
        if code.startswith("2"):
            body = _json_body(spec, resolve(spec, response))
            if body is not None:
                bodies.append(body)
    return bodies


def _pagination(spec: JSON, op: JSON) -> dict[str, Any] | None:
    bodies = success_bodies(spec, op)
    if not bodies or not all({"next_token", "has_more"} <= set(b.get("properties", {})) for b in bodies):
        return None
    limit = next((p for p in op.get("parameters", []) if p.get("name") == "limit"), None)
    takes_token = any(p.get("name") == "next_token" for p in op.get("parameters", []))
    info: dict[str, Any] = {
        "limit": limit is not None,
        "limit_is_str": False,
        "range": [],
        "token": takes_token,
    }
    if limit is not None:
        schema = resolve(spec, limit.get("schema", {}))
        info["limit_is_str"] = schema.get("type") == "string"
        if "minimum" in schema and "maximum" in schema:
            info["range"] = [int(schema["minimum"]), int(schema["maximum"])]
    return info


def patch_rules(spec: JSON, op: JSON) -> dict[str, Any] | None:
    body = _json_body(spec, resolve(spec, op.get("requestBody", {})))
    items = (body or {}).get("properties", {}).get("operations", {}).get("items")
    if items is None:
        return None
    ops: set[str] = set()
    for variant in items.get("anyOf", items.get("oneOf", [items])):
        ops.update(resolve(spec, variant).get("properties", {}).get("op", {}).get("enum", []))
    fields: set[str] = set()
    for success in success_bodies(spec, op):
        data = resolve(spec, success.get("properties", {}).get("data", {}))
        fields.update(k for k, v in data.get("properties", {}).items() if not v.get("readOnly"))
    extra = sorted(k for k in body.get("properties", {}) if k != "operations")
    return {"ops": sorted(ops), "fields": sorted(fields), "extra": extra}


def plan(
    spec: JSON,
    fixes: JSON,
    ctx: Context | None = None,
    helpers: dict[str, tuple[str, set[str]]] | None = None,
) -> dict[str, Any]:
    """``{"tags": {tag_attr: {...}}, "ops": {operation_id: {...}}}`` for the templates.

    ``helpers`` maps a namespace to the hand-written class mixed into it and its method names
    (:func:`find_helpers`): the class becomes the namespace's base, and its names are taken."""
    ctx = ctx or Context()
    helpers = helpers or {}
    reviewed = reviewed_entries(fixes, spec)
    descriptions = {t["name"]: t.get("description", "") for t in spec.get("tags", [])}
    tags: dict[str, Any] = {}
    ops: dict[str, Any] = {}
    fresh: list[tuple[str, str, str, JSON]] = []
    for path, method, op in operations(spec):
        key = op_key(method, path)
        op.setdefault("tags", ["default"])
        tag = op["tags"][0]
        attr = snake(tag)
        mixin = helpers.get(attr, ("", set()))[0]
        tags.setdefault(
            attr,
            {
                "attr": attr,
                "title": tag,
                "description": descriptions.get(tag, ""),
                "methods": {},
                "helpers": mixin,
            },
        )
        locked = ctx.lock.operations.get(key)
        name = reviewed.get(key, {}).get("method") or (locked.method if locked else None)
        if name is None:
            fresh.append((key, method, path, op))
            continue
        where = "openapi/fixes.yaml" if reviewed.get(key, {}).get("method") else "openapi/surface.lock"
        if not name.isidentifier() or keyword.iskeyword(name) or name in RESERVED_METHODS:
            raise SurfaceError(f"{key}: {where} names it retool.{attr}.{name}, which Python cannot call")
        if name in tags[attr]["methods"]:
            raise SurfaceError(
                f"{key}: {where} names it retool.{attr}.{name}, which is already "
                f"{tags[attr]['methods'][name]}; give one of them another name in openapi/fixes.yaml"
            )
        _add(tags[attr], ops, name, op, key=key, method=method, path=path, spec=spec)
    by_tag: dict[str, list[tuple[str, str, str, str]]] = {}
    fresh_ops = {key: op for key, _, _, op in fresh}
    for key, method, path, op in fresh:
        derived = derive_method_name(op["operationId"], snake(op["tags"][0])) or op["operationId"]
        if keyword.iskeyword(derived) or not derived.isidentifier():
            derived += "_"
        by_tag.setdefault(snake(op["tags"][0]), []).append((key, derived, method, path))
    for attr, wanted in by_tag.items():
        names = settle(
            wanted, set(tags[attr]["methods"]) | RESERVED_METHODS | helpers.get(attr, ("", set()))[1]
        )
        for key, derived, method, path in wanted:
            if names[key] != derived:
                ctx.warn(f"{key}: derived method {attr}.{derived} collides; named {attr}.{names[key]}")
            op = fresh_ops[key]
            _add(tags[attr], ops, names[key], op, key=key, method=method, path=path, spec=spec)
    for attr, (mixin, names) in sorted(helpers.items()):
        clash = sorted(names & set(tags.get(attr, {}).get("methods", {})))
        if clash:
            raise SurfaceError(
                f"retool_api_client/helpers/{attr}.py: {mixin} defines {clash}, generated methods"
            )
    for _, _, op in operations(spec):
        if op.get("deprecated"):
            ops[op["operationId"]]["deprecation"] = _deprecation(op, ops)
    for operation_id, entry in ops.items():
        if "patch" in entry:
            methods = tags[entry["tag"]]["methods"]
            if entry["method"] + "_from" in methods:
                raise NormalizeError(f"retool.{entry['tag']}.{entry['method']}_from is taken; rename one")
            clash = {"patch", "body", "before", "after", "arrays"} & set(entry["patch"]["fields"])
            if clash:
                raise NormalizeError(f"{operation_id}: fields {sorted(clash)} collide with facade arguments")
    return {"tags": tags, "ops": ops}


def find_helpers(folder: Path) -> dict[str, tuple[str, set[str]]]:
    """Hand-written mixins in ``retool_api_client/helpers/``: ``users.py`` defining
    ``UsersHelpers`` -> ``{"users": ("UsersHelpers", {its public method names})}`` (read, not
    imported)."""
    found: dict[str, tuple[str, set[str]]] = {}
    for module in sorted(folder.glob("*.py")):
        wanted = "".join(w.title() for w in module.stem.split("_")) + "Helpers"
        for node in ast.parse(module.read_text()).body:
            if isinstance(node, ast.ClassDef) and node.name == wanted:
                names = {
                    f.name
                    for f in node.body
                    if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and not f.name.startswith("_")
                }
                found[module.stem] = (wanted, names)
    return found


def _add(
    tag_plan: dict[str, Any],
    ops: dict[str, Any],
    name: str,
    op: JSON,
    *,
    key: str,
    method: str,
    path: str,
    spec: JSON,
) -> None:
    operation_id = op["operationId"]
    tag_plan["methods"][name] = operation_id
    pagination = _pagination(spec, op)
    tag_plan["paginated"] = tag_plan.get("paginated", False) or pagination is not None
    if pagination is not None:
        clash = {snake(p["name"]) for p in op.get("parameters", [])} & set(PAGINATION_ARGS)
        if clash:
            raise NormalizeError(f"{operation_id} has parameters {sorted(clash)} the paginator uses")
    ops[operation_id] = {
        "tag": tag_plan["attr"],
        "method": name,
        "key": key,
        "http": f"{method.upper()} {path}",
        "paginated": pagination is not None,
        "pagination": pagination or {},
        "deprecated": bool(op.get("deprecated")),
    }
    rules = patch_rules(spec, op) if method == "patch" else None
    if rules is not None:
        ops[operation_id]["patch"] = rules


#: How Retool names the replacement of a deprecated endpoint in its description.
_REPLACEMENT = re.compile(r"Use the (GET|POST|PUT|PATCH|DELETE) (/\S+) endpoint instead")


def _deprecation(op: JSON, ops: dict[str, Any]) -> str:
    """The warning for a deprecated operation, naming the facade method that replaces it when
    the description points at exactly one operation (Retool writes its path without the tag's
    prefix: "Use the PUT /manifests/{manifestName}/{elementUuid} endpoint instead")."""
    text = f"Retool deprecated {ops[op['operationId']]['http']}"
    found = _REPLACEMENT.search(op.get("description") or "")
    if found is None:
        return text
    verb, tail = found.groups()
    matches = [o for o in ops.values() if o["http"].startswith(verb + " ") and o["http"].endswith(tail)]
    if len(matches) == 1:
        return f"{text}; use retool.{matches[0]['tag']}.{matches[0]['method']}() instead"
    return f"{text}; use {verb} {tail} instead"


def order_methods(names: list[str]) -> list[str]:
    """Alphabetical, but names that shadow a builtin used in annotations (``list``) go last:
    inside a class body a later annotation ``list[X]`` would otherwise mean the method."""
    if sum(n in SHADOWING_BUILTINS for n in names) > 1:
        raise NormalizeError(f"two methods of one namespace are named after builtins: {sorted(names)}")
    return sorted(names, key=lambda n: (n in SHADOWING_BUILTINS, n))
