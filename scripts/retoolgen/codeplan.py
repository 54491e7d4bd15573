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
from openapi_python_client.parser.properties import ModelProperty, Property

from .loose import LoosePart

#: types a keyword takes as they are; others are widened (an enum also takes its text ...)
_PLAIN = {"str", "int", "float", "bool", "None", "datetime.datetime", "datetime.date"}
_JSON = "Mapping[str, Any]"
#: names a body-field keyword may not take (the method's own)
_TAKEN = {"body", "self", "fields", "patch"}


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
    #: part ("body", "parameter <name>", "response <status>") -> why it is typed loosely
    #: (``Mapping[str, Any]`` in, the decoded JSON out: see ``loose.py``)
    loose: dict[str, str] = field(default_factory=dict)

    @property
    def constant(self) -> str:
        return self.operation_id.upper()

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
    enums and UUIDs also as text; a nested model also as a mapping; lists as list or tuple;
    unions member by member; ``Any`` for anything else."""
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
        return ["list[Any]", "tuple[Any, ...]"]
    return ["Any"]


def keyword_type(prop: Property) -> str:
    """A field keyword's annotation: :func:`keyword_types`, mappings and None last, ``| Unset``."""
    members = list(dict.fromkeys(" | ".join(keyword_types(prop)).split(" | ")))
    if "Any" in members:
        return "Any"
    rest = [m for m in members if m not in ("None", _JSON)]
    return " | ".join(rest + [m for m in (_JSON, "None") if m in members] + ["Unset"])


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
            ref = "json"  # the decoded JSON
        else:
            ref = None
        responses.append((low, ref))
        used.append(response.prop)
        envelope = code(response.prop) if has_body else "None"
        if envelope not in envelopes:
            envelopes.append(envelope)
        data = _data_prop(response.prop) if has_body else None
        if not has_body:
            kind, returned = "none", "None"
        elif ref == "json":
            kind, returned = "whole", "Any"
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
                    if f in model.required_properties:
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
