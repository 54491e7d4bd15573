"""What openapi-python-client refuses, read before the plan; the refused parts typed loosely.

openapi-python-client does not stop on a schema it cannot read: it drops the whole operation
("Endpoint will not be generated") or one of its answers ("response will be omitted"), and
reports it as a warning after the fact. :func:`read` parses the normalized spec, and for every
operation the generator dropped or cut short, replaces the refused part *in the generator's
copy only* with a schema it always reads (``{}``: any JSON) and parses again, until nothing
more is refused:

- a request body: the method takes ``Mapping[str, Any]`` (``Any`` for a body that is not an
  object), with no field keywords;
- a parameter: the method takes ``Any`` for it (``str`` in a header, where the generator
  takes nothing else);
- an answer: the method returns the decoded JSON (``Any``) for that status.

The rest of the operation, and every other operation, stays typed. The normalized spec itself
is not changed, so the request check (``request_schemas.json``) and the fake Retool still apply
the spec's own schema to the loose part. Each loose part is recorded with the generator's words
(:class:`LoosePart`) for the plan to mark (``codeplan.Method.loose``) and the pipeline to
report (a ``warning:`` line, the changelog, fatal with ``--strict``).

The order is the generator's: it reads an operation's parameters, then its answers (a refused
answer is left out, the operation kept), then its body (a refused body drops the operation). A
dropped operation whose error is about a parameter has that parameter loosened (the one whose
schema the error carries; all of them if none matches), otherwise its body; each round loosens
what the next error names, and an operation still dropped after a few rounds has every part
loosened. An operation dropped even then (a path the generator cannot template) is left out of
the SDK, with a warning. A document refused as a whole is
:class:`GeneratorFailed`: one line quoting the generator.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from openapi_python_client.config import Config
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.errors import GeneratorError

from .normalize import _is_object_schema, operations
from .surface import op_key

JSON = Any
MAPPING = "Mapping[str, Any]"
#: At most this many parses: the first, one per loosening step (the last but one loosens all
#: of each operation still dropped), one to confirm.
ROUNDS = 6
#: openapi-python-client formats some names with their repr (``UntrustedString object at 0x..``).
_REPR = re.compile(r"\s*<openapi_python_client\.[\w.]+ object at 0x[0-9a-f]+>")
#: a Python set the generator prints (``{<class 'int'>, <class 'str'>}``): its order is the hash seed's
_SET = re.compile(r"\{(<class '[\w.]+'>(?:, <class '[\w.]+'>)+)\}")


def _stable(text: str) -> str:
    """The generator's words on one line, the same on every run: no object reprs (their
    addresses move), and the members of a set it prints in sorted order (theirs moves with
    ``PYTHONHASHSEED``), so warnings and the changelog regenerate byte for byte."""
    text = _REPR.sub("", " ".join(text.split()))
    return _SET.sub(lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", text)


class GeneratorFailed(Exception):
    """openapi-python-client refused the document as a whole; the message is one line."""


@dataclass(frozen=True)
class LoosePart:
    """One part of an operation typed loosely: why, and the Python type it takes or gives."""

    reason: str
    annotation: str = "Any"


@dataclass
class Report:
    """The generator's parse of the document with every refused part loosened."""

    data: GeneratorData
    #: operationId -> {part: LoosePart}; a part is ``body``, ``parameter <name>``,
    #: ``response <status>``
    loose: dict[str, dict[str, LoosePart]] = field(default_factory=dict)
    #: operationId -> why it is not generated at all
    dropped: dict[str, str] = field(default_factory=dict)
    #: what the generator refused outside any operation ("a component schema: ...")
    notes: list[str] = field(default_factory=list)


def read(spec: JSON, config: Config) -> Report:
    """Parse the normalized ``spec`` as the generator does, loosening what it refuses."""
    loose: dict[str, dict[str, LoosePart]] = {}
    ops = {op["operationId"]: op for _, _, op in operations(spec)}
    for attempt in range(ROUNDS):
        data = GeneratorData.from_dict(loosened(spec, loose), config=config)
        if isinstance(data, GeneratorError):
            raise GeneratorFailed(f"openapi-python-client refused the document: {one_line(data)}")
        refused = _refused(data, spec)
        if attempt == ROUNDS - 1 or not _loosen(refused, loose, ops, everything=attempt >= ROUNDS - 2):
            break
    assert isinstance(data, GeneratorData)  # a refusal of the whole document raised above
    dropped = {oid: reason for oid, (wanted, reason) in refused.items() if wanted[0] == _DROPPED}
    loose = {oid: parts for oid, parts in loose.items() if parts and oid not in dropped}
    return Report(data, loose, dropped, [f"a component schema: {one_line(e)}" for e in data.errors])


def _loosen(
    refused: dict[str, tuple[list[str], str]],
    loose: dict[str, dict[str, LoosePart]],
    ops: dict[str, JSON],
    *,
    everything: bool,
) -> bool:
    """Add the parts ``refused`` asks for to ``loose`` (``everything``: all of each operation
    still dropped); whether any was new."""
    added = False
    for operation_id, (wanted, reason) in refused.items():
        op, had = ops[operation_id], loose.setdefault(operation_id, {})
        parts = [p for p in wanted[1:] if p not in had]
        if wanted[0] == _DROPPED and (everything or not parts):
            parts = _all_parts(op)
        for part in parts:
            if part not in had:
                had[part] = LoosePart(reason, _annotation(op, part))
                added = True
    return added


def loosened(spec: JSON, loose: dict[str, dict[str, LoosePart]]) -> JSON:
    """The generator's copy of ``spec``: each loose part's schema replaced by one it reads."""
    if not loose:
        return spec
    spec = copy.deepcopy(spec)
    for _, _, op in operations(spec):
        parts = loose.get(op["operationId"], {})
        for part in parts:
            kind, _, name = part.partition(" ")
            if kind == "body":
                for media in op.get("requestBody", {}).get("content", {}).values():
                    media["schema"] = {}
            elif kind == "parameter":
                for param in op.get("parameters", []):
                    if param.get("name") == name:
                        # the generator takes ``Any`` anywhere but in a header
                        param["schema"] = {"type": "string"} if param.get("in") == "header" else {}
            elif kind == "response":
                for media in op.get("responses", {}).get(name, {}).get("content", {}).values():
                    media["schema"] = {}
    return spec


def one_line(error: GeneratorError) -> str:
    """The generator's words for ``error`` on one line, without its object reprs."""
    text = (error.header or "").strip().rstrip(":")
    if error.detail:
        text += f": {error.detail}"
    return _stable(text)


def _annotation(op: JSON, part: str) -> str:
    """``Mapping[str, Any]`` for a JSON object body, ``str`` for a header, else ``Any``."""
    if part.startswith("parameter "):
        name = part.removeprefix("parameter ")
        header = any(p.get("name") == name and p.get("in") == "header" for p in op.get("parameters", []))
        return "str" if header else "Any"
    if part != "body":
        return "Any"
    schemas = [m.get("schema") for m in op.get("requestBody", {}).get("content", {}).values()]
    return MAPPING if schemas and all(_is_object_like(s) for s in schemas) else "Any"


def _is_object_like(schema: JSON) -> bool:
    return isinstance(schema, dict) and (
        "$ref" in schema or schema.get("type") == "object" or _is_object_schema(schema)
    )


#: The first item of what :func:`_refused` wants loosened in an operation the generator dropped
#: (the rest: its first guess); for one it kept without an answer, ``_CUT``.
_DROPPED, _CUT = "dropped", "cut"


def _refused(data: GeneratorData, spec: JSON) -> dict[str, tuple[list[str], str]]:
    """operationId -> ([_DROPPED or _CUT, parts to loosen...], the generator's words) for
    every operation the generator dropped or generated without one of its answers."""
    by_key = {op_key(method, path): op for path, method, op in operations(spec)}
    ops = {op["operationId"]: op for op in by_key.values()}
    errors: dict[str, list[str]] = {}
    schemas: dict[str, list[Any]] = {}  # the schemas the errors point at
    for collection in data.endpoint_collections_by_tag.values():
        for error in collection.parse_errors:
            found = re.match(r"WARNING parsing (\w+) (\S+) within", error.header or "")
            op = by_key.get(op_key(found[1], found[2])) if found else None
            if op is not None:
                detail = _stable(error.detail or "")
                errors.setdefault(op["operationId"], []).append(detail)
                schemas.setdefault(op["operationId"], []).append(getattr(error, "data", None))
    out: dict[str, tuple[list[str], str]] = {}
    missing = set(ops)
    for collection in data.endpoint_collections_by_tag.values():
        for endpoint in collection.endpoints:
            operation_id = str(endpoint.name)
            missing.discard(operation_id)
            if operation_id not in ops:
                continue
            kept = {str(r.status_code.pattern) for r in endpoint.responses.patterns}
            if endpoint.responses.default is not None:
                kept.add("default")
            cut = [f"response {s}" for s in ops[operation_id].get("responses", {}) if str(s) not in kept]
            if cut:
                out[operation_id] = ([_CUT, *cut], _words(errors.get(operation_id), "answer left out"))
    for operation_id in sorted(missing):
        words = _words(errors.get(operation_id), "operation left out")
        guess = _first_guess(ops[operation_id], words, schemas.get(operation_id, []))
        out[operation_id] = ([_DROPPED, *guess], words)
    return out


def _words(errors: list[str] | None, otherwise: str) -> str:
    return "openapi-python-client: " + ("; ".join(dict.fromkeys(errors)) if errors else otherwise)


#: Words of the generator's errors about a parameter (``Endpoint.add_parameters``).
_PARAMETER_WORDS = ("parameter", "is not allowed in", "Parameters MUST NOT")


def _first_guess(op: JSON, words: str, refused: list[Any]) -> list[str]:
    """The part of a dropped operation to loosen first: when the error is about a parameter
    (they are read first), the one whose schema the error carries (else all of them); else
    its body (the other part whose refusal drops an operation)."""
    params = [p for p in op.get("parameters", []) if "name" in p]
    body = ["body"] if op.get("requestBody") else []
    if not any(w in words for w in _PARAMETER_WORDS) and body:
        return body
    named = [p for p in params if any(_same_schema(p.get("schema"), schema) for schema in refused)]
    return [f"parameter {p['name']}" for p in (named or params)] or _all_parts(op)


def _same_schema(schema: JSON, refused: Any) -> bool:
    """Whether ``refused`` (the generator's parse of a schema, from an error) is ``schema``."""
    if refused is None or not isinstance(schema, dict):
        return False
    try:
        return bool(type(refused).model_validate(schema) == refused)
    except ValueError:  # (pydantic's ValidationError): not a schema of that kind
        return False


def _all_parts(op: JSON) -> list[str]:
    parts = ["body"] if op.get("requestBody") else []
    parts += [f"parameter {p['name']}" for p in op.get("parameters", []) if "name" in p]
    return parts + [f"response {s}" for s in op.get("responses", {})]
