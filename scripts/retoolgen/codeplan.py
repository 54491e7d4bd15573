"""The typed plan of the generated API: every decision about a facade method, in Python.

``build(names, data)`` takes the naming plan (``facade.plan``: method names, pagination,
patch rules, deprecations, read from the spec) and openapi-python-client's own parse of the
normalized spec (``GeneratorData``: the Python types of parameters, bodies and answers), and
decides each method's signature, return type, body keywords, pagination and patch target.
The templates in ``templates/sdk/`` only print it; ``generator.SdkProject`` writes the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openapi_python_client import strings
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.openapi import Endpoint
from openapi_python_client.parser.properties import ModelProperty, NoneProperty, Property

from .loose import LoosePart

#: types a keyword takes as they are; others are widened (an enum also takes its text ...)
_PLAIN = {"str", "int", "float", "bool", "None", "datetime.datetime", "datetime.date"}
_JSON = "Mapping[str, Any]"
#: names a body-field keyword may not take (the method's own)
_TAKEN = {"body", "self", "fields", "patch"}
#: statuses that have no body; any other success the spec gives no schema is decoded JSON
_NO_CONTENT = {204, 205}
#: ``Operation.responses``' name for a body the spec does not describe (``_request.parse``)
_UNDESCRIBED = "json"


def code(prop: Property, *, no_optional: bool = False) -> str:
    return str(prop.get_type_string(no_optional=no_optional).as_unembedded_code())


def text(value: Any) -> str:
    """Spec text (openapi-python-client wraps it as ``UntrustedString``)."""
    return str(value.get_untrusted_value() if hasattr(value, "get_untrusted_value") else value)


@dataclass
class Param:
    """One argument: its Python name, the name sent, how the signature declares it, and the
    line the docstring gives it."""

    python: str
    sent: str
    declaration: str  #: "include_groups: bool | None | Unset = UNSET"
    doc: str


@dataclass
class Body:
    """The request body: how ``body=`` is typed, and its fields as keywords (JSON objects)."""

    kind: str  #: "json" or "multipart"
    annotation: str  #: ``body=``'s type (``| Unset`` added where it may be left out)
    required: bool
    model: str  #: the body model's class name ("" for a body that is not an object)
    doc_type: str
    fields: list[Param] = field(default_factory=list)
    required_fields: list[str] = field(default_factory=list)


@dataclass
class Fill:
    """The spec defaults of required fields, for the request pipeline to fill into a JSON body
    that leaves them out (``{"id": uid}`` as a ``GroupMemberRef`` gets ``is_group_admin``):
    this object's own ``defaults``, the fills of objects under its ``fields`` and of an array's
    ``items``, and for a union of objects told apart by a one-valued field (``provider:
    "Datadog"``), each branch's fill as ``(field, value, fill)``. Printed as
    ``_operation.Fill``; ``_request.build`` applies it."""

    defaults: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Fill] = field(default_factory=dict)
    items: Fill | None = None
    choices: list[tuple[str, Any, Fill]] = field(default_factory=list)

    @property
    def code(self) -> str:
        parts = [f"defaults={self.defaults!r}"] if self.defaults else []
        if self.fields:
            parts.append("fields={" + ", ".join(f"{k!r}: {v.code}" for k, v in self.fields.items()) + "}")
        if self.items is not None:
            parts.append(f"items={self.items.code}")
        if self.choices:
            parts.append(
                "choices=(" + "".join(f"({k!r}, {v!r}, {f.code}), " for k, v, f in self.choices) + ")"
            )
        return f"Fill({', '.join(parts)})"


@dataclass
class Pagination:
    item: str
    limit: str | None  #: the Python names of the ``limit`` and ``next_token`` parameters
    limit_as_text: bool
    size_range: tuple[int, int] | None
    token: str | None


@dataclass
class Patch:
    ops: list[str]
    fields: list[Param]  #: one keyword per top-level field of the target (a ``replace``)
    extra: list[Param]  #: the body's members besides ``operations``
    target: str
    field_names: list[str]  #: the target's fields, as the rules list them


@dataclass
class Method:
    """One facade method and the ``Operation`` it calls."""

    operation_id: str
    namespace: str
    name: str
    http: str
    verb: str
    path: str  #: with parameters under their Python names
    summary: str
    description: str
    deprecation: str
    path_params: list[Param]
    query: list[Param]
    headers: list[Param]
    body: Body | None
    returns: str
    unwrap: str
    envelope: str  #: what ``with_raw_response`` parses into
    responses: list[tuple[int, str | None]]  #: status -> "models.x:X" (None: no body)
    pagination: Pagination | None = None
    patch: Patch | None = None
    imports: list[str] = field(default_factory=list)
    fill: Fill | None = None  #: the body's spec defaults (see :class:`Fill`)
    #: part ("body", "parameter <name>", "response <status>") -> why it is typed loosely
    #: (``Mapping[str, Any]`` in, the decoded JSON out: see ``loose.py``)
    loose: dict[str, str] = field(default_factory=dict)

    @property
    def constant(self) -> str:
        return self.operation_id.upper()

    @property
    def returns_doc(self) -> str:
        """The docstring's ``Returns:``: the type, and what an ``Any`` is."""
        if self.returns == "Any":
            return "Any: the JSON Retool sent, decoded (the spec gives this answer no schema)"
        return self.returns

    @property
    def call(self) -> str:
        """How a caller writes it, path parameters by name: ``users.update(user_id)``."""
        return f"{self.namespace}.{self.name}({', '.join(p.python for p in self.path_params)})"

    @property
    def keyword_params(self) -> list[Param]:
        """Query and header parameters the caller gives (the paginator's own left out)."""
        own = {self.pagination.limit, self.pagination.token} if self.pagination else set()
        return [p for p in self.query + self.headers if p.python not in own]


@dataclass
class Namespace:
    attr: str
    title: str
    description: str
    helpers: str
    methods: list[Method]

    @property
    def cls(self) -> str:
        return strings.pascal_case(self.attr) + "Resource"

    @property
    def imports(self) -> list[str]:
        return sorted({line for m in self.methods for line in m.imports})


@dataclass
class Plan:
    namespaces: list[Namespace]
    json_names: dict[str, dict[str, str]]  #: model -> {Python attribute: JSON name}, where they differ

    @property
    def methods(self) -> list[Method]:
        return sorted((m for ns in self.namespaces for m in ns.methods), key=lambda m: m.operation_id)


def build(
    names: dict[str, Any],
    data: GeneratorData,
    order: Any,
    loose: dict[str, dict[str, LoosePart]] | None = None,
) -> Plan:
    """``names``: ``facade.plan(...)``; ``order``: ``facade.order_methods``; ``loose``: the
    parts the generator refused, by operationId (``loose.read``)."""
    loose = loose or {}
    models = {m.class_info.name: m for m in data.models}
    endpoints = {
        str(e.name): e
        for collection in data.endpoint_collections_by_tag.values()
        for e in collection.endpoints
    }
    namespaces = []
    for attr, tag in sorted(names["tags"].items()):
        methods = [
            _method(
                names["ops"][tag["methods"][name]],
                endpoints[tag["methods"][name]],
                models,
                loose.get(tag["methods"][name], {}),
            )
            for name in order(list(tag["methods"]))
        ]
        namespaces.append(Namespace(attr, tag["title"], tag["description"], tag["helpers"], methods))
    json_names = {}
    for m in sorted(data.models, key=lambda m: m.class_info.name):
        differ = {
            str(p.python_name): text(p.name)
            for p in m.required_properties + m.optional_properties
            if str(p.python_name) != text(p.name)
        }
        if differ:
            json_names[m.class_info.name] = differ
    return Plan(namespaces, json_names)


def _param(prop: Property) -> Param:
    declaration = str(prop.to_string().as_unembedded_code())
    if prop.template == "enum_property.py.jinja":  # an enum also takes its text
        declaration = f"{prop.python_name}: {code(prop, no_optional=True)} | str"
        declaration += "" if prop.required else " | Unset = UNSET"
    return Param(str(prop.python_name), text(prop.name), declaration, str(prop.to_docstring()))


def keyword_types(prop: Property) -> list[str]:
    """The types a field keyword takes: the field's own where a caller passes exactly that;
    enums and UUIDs also as text; a nested model also as a mapping; an array as a sequence of
    what its items take (of text: a list or tuple, so that a string is not taken for a
    sequence of characters); unions member by member; ``Any`` for anything else."""
    own = code(prop, no_optional=True)
    if prop.template == "union_property.py.jinja":
        return [t for inner in prop.inner_properties for t in keyword_types(inner)]  # type: ignore[attr-defined]
    if own in _PLAIN:
        return [own]
    if prop.template == "enum_property.py.jinja":
        return [own, "str"]
    if prop.template == "uuid_property.py.jinja":
        return ["UUID", "str"]
    if prop.template == "model_property.py.jinja":
        return [own, _JSON]
    if prop.template == "list_property.py.jinja":
        item = _union(keyword_types(prop.inner_property))  # type: ignore[attr-defined]
        return (
            [f"Sequence[{item}]"] if item not in ("str", "Any") else [f"list[{item}]", f"tuple[{item}, ...]"]
        )
    return ["Any"]


def _members(annotation: str) -> list[str]:
    """The members of a union written as text, brackets respected."""
    members, depth, start = [], 0, 0
    for i, char in enumerate(annotation):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth == 0 and annotation.startswith(" | ", i):
            members.append(annotation[start:i])
            start = i + 3
    return [*members, annotation[start:]]


def _union(types: list[str]) -> str:
    """``types`` as one annotation: each member once, mappings and None last; ``Any`` alone."""
    members = list(dict.fromkeys(m for t in types for m in _members(t)))
    if "Any" in members:
        return "Any"
    rest = [m for m in members if m not in ("None", _JSON)]
    return " | ".join(rest + [m for m in (_JSON, "None") if m in members])


def keyword_type(prop: Property) -> str:
    """A field keyword's annotation: :func:`keyword_types` as one union, ``| Unset``."""
    joined = _union(keyword_types(prop))
    return joined if joined == "Any" else joined + " | Unset"


def _field(prop: Property) -> Param:
    return Param(
        str(prop.python_name), text(prop.name), f"{prop.python_name}: {keyword_type(prop)} = UNSET", ""
    )


def _data_prop(prop: Property) -> Property | None:
    if not isinstance(prop, ModelProperty):
        return None
    return next(
        (p for p in prop.required_properties + prop.optional_properties if p.python_name == "data"), None
    )


def _imports(props: list[Property]) -> set[str]:
    lines: set[str] = set()
    for prop in props:
        for line in list(prop.get_imports(prefix="...")) + list(prop.get_lazy_imports(prefix="...")):
            if "from typing" not in line and "...types import" not in line:
                lines.add(line)
    return lines


def _model_ref(prop: Property) -> str:
    info = prop.class_info  # type: ignore[attr-defined]
    return f"models.{info.module_name}:{info.name}"


def _method(
    op: dict[str, Any],
    endpoint: Endpoint,
    models: dict[str, ModelProperty],
    given: dict[str, LoosePart] | None = None,
) -> Method:
    loose = dict(given or {})
    used: list[Property] = list(
        endpoint.path_parameters + endpoint.query_parameters + endpoint.header_parameters
    )
    if endpoint.cookie_parameters:
        raise ValueError(f"{endpoint.name}: cookie parameters are not supported")
    path = text(endpoint.path)
    for p in endpoint.path_parameters:
        path = path.replace("{" + text(p.name) + "}", "{" + str(p.python_name) + "}")
    # ---- the answer: the return type and how to reach it
    types: list[str] = []
    kinds: list[str] = []
    items: list[str] = []
    envelopes: list[str] = []
    responses: list[tuple[int, str | None]] = []
    for response in endpoint.responses.patterns:
        low, high = response.status_code.range
        if low != high:
            raise ValueError(f"{endpoint.name}: status ranges ({low}-{high}) are not supported")
        has_body = response.source["attribute"] != "None"
        is_model = has_body and hasattr(response.prop, "class_info")
        if low >= 400:  # its model, if any, is the typed error's ``parsed``
            responses.append((low, _model_ref(response.prop) if is_model else None))
            continue
        inner = getattr(response.prop, "inner_property", None)
        if is_model:
            ref: str | None = _model_ref(response.prop)
        elif has_body and inner is not None and hasattr(inner, "class_info"):
            ref = "list:" + _model_ref(inner)  # a JSON array of one model
        elif has_body:
            why = f"a {low} answer that is neither an object nor an array of objects"
            loose.setdefault(f"response {low}", LoosePart(why))
            ref = _UNDESCRIBED  # the decoded JSON
        else:
            ref = None if low in _NO_CONTENT else _UNDESCRIBED
        responses.append((low, ref))
        used.append(response.prop)
        envelope = code(response.prop) if has_body else ("Any" if ref else "None")
        if envelope not in envelopes:
            envelopes.append(envelope)
        data = _data_prop(response.prop) if has_body else None
        if ref == _UNDESCRIBED:  # no schema or no model for it: the JSON as sent
            kind, returned = "whole", "Any"
        elif not has_body:
            kind, returned = "none", "None"
        elif data is not None:
            used.append(data)
            kind, returned = "data", code(data)
            inner = getattr(data, "inner_property", None)
            items.append(code(inner) if inner is not None else code(data))
        else:
            kind, returned = "whole", code(response.prop)
        kinds.append(kind)
        if returned not in types:
            types.append(returned)
    unique_kinds = list(dict.fromkeys(kinds))
    unwrap = unique_kinds[0] if len(unique_kinds) == 1 else "mixed"
    if "Any" in types:  # one success without a schema: the others' types say nothing more
        types, envelopes = ["Any"], ["Any"]
    # ---- the body
    body = None
    if len(endpoint.bodies) > 1:
        raise ValueError(f"{endpoint.name}: more than one body type is not supported")
    if endpoint.bodies:
        only = endpoint.bodies[0]
        prop = only.prop
        used.append(prop)
        is_object = only.body_type == "json" and hasattr(prop, "class_info")
        annotation = code(prop, no_optional=True) + (f" | {_JSON}" if is_object else "")
        if "body" in loose:  # what the generator refused: any JSON object
            annotation = loose["body"].annotation
        body = Body(
            kind="multipart" if only.body_type == "files" else "json",
            annotation=annotation,
            required=bool(prop.required),
            model=prop.class_info.name if hasattr(prop, "class_info") else "",  # type: ignore[attr-defined]
            doc_type=annotation if "body" in loose else code(prop),
        )
        if only.body_type not in ("json", "files"):
            raise ValueError(f"{endpoint.name}: {only.body_type} bodies are not supported")
        if is_object and "patch" not in op and not op["paginated"]:
            taken = {str(p.python_name) for p in endpoint.path_parameters + endpoint.query_parameters}
            taken |= {str(p.python_name) for p in endpoint.header_parameters} | _TAKEN
            model = models[prop.class_info.name]  # type: ignore[attr-defined]
            for f in model.required_properties + model.optional_properties:
                if str(f.python_name) not in taken:
                    body.fields.append(_field(f))
                    used.append(f)
                    if f in model.required_properties and not _has_default(f):
                        body.required_fields.append(text(f.name))
    method = Method(
        operation_id=str(endpoint.name),
        namespace=op["tag"],
        name=op["method"],
        http=op["http"],
        verb=op["http"].split(" ")[0],
        path=path,
        summary=text(endpoint.summary or ""),
        description=text(endpoint.description or ""),
        deprecation=op.get("deprecation", "") if op["deprecated"] else "",
        path_params=[_param(p) for p in endpoint.path_parameters],
        query=[_param(p) for p in endpoint.query_parameters],
        headers=[_param(p) for p in endpoint.header_parameters],
        body=body,
        returns=" | ".join(types) or "None",
        unwrap=unwrap,
        envelope=" | ".join(envelopes) or "None",
        responses=responses,
        fill=_fill(endpoint.bodies[0].prop, models) if body and body.kind == "json" else None,
    )
    if op["paginated"] and items:  # (a loose answer has no typed items: the first page's JSON)
        p = op["pagination"]
        python = {q.sent: q.python for q in method.query}
        method.pagination = Pagination(
            item=" | ".join(dict.fromkeys(items)),
            limit=python["limit"] if p["limit"] else None,
            limit_as_text=p["limit_is_str"],
            size_range=tuple(p["range"]) if p["range"] else None,  # type: ignore[arg-type]
            token=python["next_token"] if p["token"] else None,
        )
    if "patch" in op and _data_prop(_success(endpoint)) is not None:  # (not with a loose answer)
        target_name = _data_prop(_success(endpoint)).class_info.name  # type: ignore[union-attr]
        target = models[target_name]
        # one keyword per field the rules let a patch set (read-only ones are refused anyway)
        allowed = set(op["patch"]["fields"]) - {text(p.name) for p in endpoint.path_parameters}
        fields = [
            f for f in target.required_properties + target.optional_properties if text(f.name) in allowed
        ]
        used += fields
        body_model = models[body.model] if body and body.model else None  # type: ignore[union-attr]
        extra = [
            Param(
                str(f.python_name),
                text(f.name),
                f"{f.python_name}: {code(f, no_optional=True)} | Unset = UNSET",
                "",
            )
            for name in op["patch"]["extra"]
            for f in (body_model.required_properties + body_model.optional_properties if body_model else [])
            if str(f.python_name) == name
        ]
        method.patch = Patch(
            ops=list(op["patch"]["ops"]),
            fields=[_field(f) for f in fields],
            extra=extra,
            target=target_name,
            field_names=list(op["patch"]["fields"]),
        )
    method.imports = sorted(_imports(used))
    method.loose = {part: why.reason for part, why in loose.items()}
    if method.loose:
        note = "; ".join(f"{part}: {why}" for part, why in method.loose.items())
        method.description = f"{method.description}\n\nTyped loosely by the generator ({note}).".strip()
    return method


def _success(endpoint: Endpoint) -> Property:
    return next(r.prop for r in endpoint.responses.patterns if r.status_code.range[0] == 200)


def _has_default(prop: Property) -> bool:
    """A spec default the request pipeline fills in (a const's value is not a default)."""
    return prop.default is not None and prop.template != "const_property.py.jinja"


def _fill(
    prop: Property, models: dict[str, ModelProperty], seen: frozenset[str] = frozenset()
) -> Fill | None:
    """Where a JSON body of ``prop``'s schema gets spec defaults (see :class:`Fill`), or None."""
    if isinstance(prop, ModelProperty):
        name = prop.class_info.name
        if name in seen:
            return None
        model = models.get(name, prop)
        found = Fill()
        for p in model.required_properties or []:
            if _has_default(p):
                found.defaults[text(p.name)] = p.default.raw_value  # type: ignore[union-attr]
        for p in (model.required_properties or []) + (model.optional_properties or []):
            below = _fill(p, models, seen | {name})
            if below is not None:
                found.fields[text(p.name)] = below
        return found if found.defaults or found.fields else None
    if prop.template == "list_property.py.jinja":
        below = _fill(prop.inner_property, models, seen)  # type: ignore[attr-defined]
        return Fill(items=below) if below is not None else None
    if prop.template != "union_property.py.jinja":
        return None
    branches = [p for p in prop.inner_properties if not isinstance(p, NoneProperty)]  # type: ignore[attr-defined]
    if len(branches) == 1:  # a nullable one
        return _fill(branches[0], models, seen)
    choices: list[tuple[str, Any, Fill]] = []
    for branch in branches:
        below = _fill(branch, models, seen)
        if below is None:
            continue
        tag = _tag(branch, models)
        if tag is None or any(c[:2] == tag for c in choices):
            return None  # a value cannot say which branch it is: nothing is filled
        choices.append((*tag, below))
    return Fill(choices=choices) if choices else None


def _tag(prop: Property, models: dict[str, ModelProperty]) -> tuple[str, Any] | None:
    """The required one-valued enum field that names a union's object branch
    (``("provider", "Datadog")``), or None."""
    if not isinstance(prop, ModelProperty):
        return None
    for p in models.get(prop.class_info.name, prop).required_properties or []:
        values = list(getattr(p, "values", {}).values()) if p.template == "enum_property.py.jinja" else []
        if len(values) == 1:
            return text(p.name), values[0]
    return None
