"""Requests checked against the spec before they are sent.

The request pipeline (``_request.request``, so every facade method, and a paginator once when
it is created) checks what it built from the caller's typed input (``_request.build``: path
values as given, query values and the JSON body through ``_parsing.json_value``, which passes
a value of the wrong type on unchanged) against the operation's schemas from the normalized
spec (``generated/request_schemas.json``, written by ``scripts/retoolgen/request_schemas.py``):
types, required fields, unknown fields where the spec forbids them, enum values, ranges,
lengths, patterns, and the ``uuid`` / ``email`` formats. A request that does not fit raises
:class:`RequestValidationError` naming every field and rule it breaks, and nothing is sent.
Each problem is named as the caller wrote it: a parameter or body field keyword by its Python
name (``default_group_ids[0]``, with the field sent, ``defaultGroupIds``, where it differs), a
JSON Patch value by the field it sets; the rest of the body as ``body...``.
An enum value parsed from the server that this SDK's spec does not list passes, so what was
parsed can be sent back. ``RetoolClient(validate_requests=False)`` turns the check off (for a
server newer than the spec it was generated from).

The verdict is ``jsonschema-rs``'s (compiled: a body check costs a few times ``json.dumps`` of
the body, where ``jsonschema`` took ~35x); the messages are ``jsonschema``'s (Draft 2020-12),
built only for a request that fails; a test holds the two to the same verdicts. Written here:
the message formatting, and one shortcut: a path parameter whose schema is a plain string rule
(type, pattern, ``uuid``/``email`` format, enum, length: all but one in the spec) is tested
with a small predicate first (~0.5 us). ``jsonschema`` is imported on the first failure, not
with the package.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, NamedTuple

from . import _tables
from ._exceptions import RequestValidationError
from ._parsing import OpenStrEnum, path_text
from .patch import unescape

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

__all__ = ["check"]

_NO_BODY: Any = object()


class _Validators(NamedTuple):
    path: dict[str, tuple[Callable[[Any], bool], _Checker]]  # per parameter: (quick test, full)
    query: _Checker | None
    body: _Checker | None
    patch_fields: dict[str, _Checker]  # JSON Patch endpoints: top-level field -> its values


def check(
    client: Any,
    operation_id: str,
    request: dict[str, Any],
    path: Iterable[tuple[str, Any]] = (),
    body_fields: Iterable[tuple[str, str]] = (),
) -> None:
    """Raise :class:`RequestValidationError` if ``request`` (from ``_request.build``)
    or the raw ``path`` parameter values (name-value pairs) do not fit ``operation_id``'s
    schemas. ``body_fields`` pairs the body fields the method takes as keywords, by Python
    name, with their JSON names (``Operation.body_fields``): problems are named by the keyword.

    A value that contains itself or is nested deeper than Python can walk raises
    ``ConfigurationError`` (nothing is sent), even with ``validate_requests=False``."""
    try:
        _check(client, operation_id, request, path, body_fields)
    except RecursionError:
        from ._parsing import too_deep

        raise too_deep() from None


def _check(
    client: Any,
    operation_id: str,
    request: dict[str, Any],
    path: Iterable[tuple[str, Any]],
    body_fields: Iterable[tuple[str, str]],
) -> None:
    if not getattr(client, "validate_requests", True):
        if "json" in request:  # httpx's json.dumps would raise a bare ValueError / RecursionError
            _depth_ok(request["json"])
        return
    validators = _validators(operation_id)
    if validators is None:
        return
    failed: list[tuple[tuple[Any, ...], _Checker, Any]] = []
    for name, value in path:
        rule = validators.path.get(name)
        if rule is not None:
            quick, validator = rule
            text = path_text(name, value)  # already accepted by _request.build (path_segment)
            if not quick(text):
                failed.append((("path", name), validator, text))
    body = request.get("json", _NO_BODY)
    unencodable = [] if body is _NO_BODY else list(_not_json(body, ("body",)))  # first: depth
    params = request.get("params")
    if params and validators.query is not None and not validators.query.is_valid(params):
        failed.append((("query",), validators.query, params))
    if body is not _NO_BODY and validators.body is not None and not validators.body.is_valid(body):
        failed.append((("body",), validators.body, body))
    elif validators.patch_fields and isinstance(body, dict):
        failed += _patch_values(validators.patch_fields, body.get("operations"))
    if not failed and not unencodable:
        return
    names = _document()["operations"][operation_id].get("names", {})
    keywords = {sent: python for python, sent in body_fields}
    problems = []
    for prefix, validator, instance in failed:
        errors = sorted(
            (e for e in validator.iter_errors(instance) if not _from_server(e)),
            key=lambda e: [str(p) for p in e.absolute_path],
        )
        problems += [
            _problem(
                error, prefix, names, _hidden_under(instance, error), _secret_fields(), keywords=keywords
            )
            for error in errors
        ]
    for where, message in unencodable:
        problem = f"{_where(list(where), names, keywords)}: {message}"
        if problem not in problems:
            problems.append(problem)
    if problems:
        raise RequestValidationError(operation_id, problems)


def _from_server(error: Any) -> bool:
    """An enum value this SDK's spec does not list, that a model parsed from the server holds
    (``user.user_type`` after Retool added a type): what was parsed can be sent back. A string
    typed by the caller is still checked; only the parsed member (``OpenStrEnum``) passes."""
    return isinstance(error.instance, OpenStrEnum) and not error.instance.is_known


def _depth_ok(value: Any, depth: int = 0) -> None:
    """Raise RecursionError for a value nested past what the JSON encoder can take."""
    if depth > _MAX_DEPTH:
        raise RecursionError
    if isinstance(value, dict):
        for item in value.values():
            _depth_ok(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            _depth_ok(item, depth + 1)


#: Deeper request values are refused (jsonschema and json.dumps recurse once or more a level).
_MAX_DEPTH = 200


def _not_json(value: Any, where: tuple[Any, ...], depth: int = 0) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Values JSON cannot carry, where free-form fields (``metadata: {}``) let the schema pass
    them (``json.dumps`` would fail later with a bare TypeError / ValueError): each one's path
    below ``where`` and what is wrong with it."""
    if value is None or isinstance(value, str | bool | int):
        return
    if depth > _MAX_DEPTH:
        raise RecursionError
    if isinstance(value, float):
        if not math.isfinite(value):
            yield where, f"{value!r} is not a JSON number"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _not_json(item, (*where, key), depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _not_json(item, (*where, index), depth + 1)
    else:
        yield where, f"a {type(value).__name__} is not a JSON value"


@cache
def _document() -> dict[str, Any]:
    text = resources.files(_tables.data_package()).joinpath("request_schemas.json").read_text()
    doc: dict[str, Any] = json.loads(text)
    return doc


class _Checker:
    """One schema: the verdict from jsonschema-rs (compiled, ~0.2x ``json.dumps`` of a body, where
    jsonschema took ~30x), the message from jsonschema, built only when a request fails. Both
    read the same document with the same two formats (``_FORMATS``); a test holds their
    verdicts equal."""

    def __init__(self, schema: dict[str, Any]) -> None:
        import jsonschema_rs

        self.schema = schema
        # formats other than _FORMATS pass, as jsonschema leaves them unchecked (uri, date-time...)
        formats = {name: _anything for name in _format_names(schema)} | _FORMATS
        self._fast = jsonschema_rs.validator_for(schema, validate_formats=True, formats=formats)
        self._full: Validator | None = None

    def is_valid(self, instance: Any) -> bool:
        try:
            return bool(self._fast.is_valid(instance))
        except (ValueError, TypeError, OverflowError):  # a value JSON cannot hold: let jsonschema say
            return self.full.is_valid(instance)

    @property
    def full(self) -> Validator:
        if self._full is None:
            from jsonschema import Draft202012Validator

            self._full = Draft202012Validator(self.schema, format_checker=_formats())
        return self._full

    def iter_errors(self, instance: Any) -> Iterator[ValidationError]:
        return self.full.iter_errors(instance)


@cache
def _validators(operation_id: str) -> _Validators | None:
    doc = _document()
    entry = doc["operations"].get(operation_id)
    if entry is None:
        return None

    def build(schema: dict[str, Any] | None) -> _Checker | None:
        return None if schema is None else _Checker({**schema, "$defs": doc["$defs"]})

    path = {}
    for name, schema in entry.get("path", {}).get("properties", {}).items():
        validator = build(schema)
        assert validator is not None
        path[name] = (string_rule(schema) or validator.is_valid, validator)
    fields = {name: build(schema) for name, schema in entry.get("patch_fields", {}).items()}
    return _Validators(
        path=path,
        query=build(entry.get("query")),
        body=build(entry.get("body")),
        patch_fields={name: v for name, v in fields.items() if v is not None},
    )


def _patch_values(
    fields: dict[str, _Checker], operations: Any
) -> list[tuple[tuple[Any, ...], _Checker, Any]]:
    """The ``add``/``replace`` operations whose value does not fit the top-level field they set."""
    failed: list[tuple[tuple[Any, ...], _Checker, Any]] = []
    for index, op in enumerate(operations if isinstance(operations, list) else ()):
        if not isinstance(op, dict) or op.get("op") not in ("add", "replace"):
            continue
        path = op.get("path")
        segments = path.split("/") if isinstance(path, str) else []
        if len(segments) != 2 or segments[0]:
            continue  # nested paths are not checked
        validator = fields.get(unescape(segments[1]))
        if validator is not None and not validator.is_valid(op.get("value")):
            failed.append((("patch", index, op["op"], path), validator, op.get("value")))
    return failed


#: The keywords :func:`string_rule` knows; a schema with any other is left to jsonschema.
_STRING_KEYWORDS = frozenset({"type", "pattern", "format", "enum", "minLength", "maxLength"})
_UUID_DASHES = (8, 13, 18, 23)


def string_rule(schema: dict[str, Any]) -> Callable[[Any], bool] | None:
    """A quick test equal to jsonschema's verdict for a plain string schema, else None."""
    if (
        not _STRING_KEYWORDS.issuperset(schema)
        or schema.get("type") != "string"
        or schema.get("format", "email") not in ("uuid", "email")
        or not all(isinstance(v, str) for v in schema.get("enum", ()))
    ):
        return None
    search = re.compile(schema["pattern"]).search if "pattern" in schema else None
    kind = schema.get("format")
    allowed = frozenset(schema["enum"]) if "enum" in schema else None
    low, high = schema.get("minLength", 0), schema.get("maxLength")

    def quick(value: Any) -> bool:
        if not isinstance(value, str) or len(value) < low or (high is not None and len(value) > high):
            return False
        if allowed is not None and value not in allowed:
            return False
        if search is not None and search(value) is None:
            return False
        if kind == "email":
            return "@" in value
        if kind == "uuid":  # as jsonschema's own check
            try:
                uuid.UUID(value)
            except ValueError:
                return False
            return all(value[i] == "-" for i in _UUID_DASHES)
        return True

    return quick


@cache
def _formats() -> Any:
    from jsonschema import FormatChecker

    # Only formats checked the same way on every machine (others depend on optional packages).
    return FormatChecker(formats=("uuid", "email"))


def _is_email(value: str) -> bool:
    return "@" in value  # jsonschema's own email check


def _is_uuid(value: str) -> bool:  # jsonschema's own uuid check
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return all(value[i] == "-" for i in _UUID_DASHES)


#: the formats jsonschema-rs checks, written as jsonschema checks them (its built-in ones differ)
_FORMATS: dict[str, Callable[[str], bool]] = {"email": _is_email, "uuid": _is_uuid}


def _anything(value: str) -> bool:
    return True


def _format_names(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["format"]} if isinstance(node.get("format"), str) else set()
        for value in node.values():
            found |= _format_names(value)
        return found
    if isinstance(node, list):
        return set().union(*map(_format_names, node)) if node else set()
    return set()


def _hidden_under(instance: Any, error: ValidationError) -> bool:
    """Whether the value sits in an object marked secret (``{"secret": true, "values": [...]}``:
    a configuration variable's values) on the way from ``instance`` to the error."""
    node = instance
    for step in error.absolute_path:
        if isinstance(node, dict) and any(v is True and _SECRET_NAME.search(str(k)) for k, v in node.items()):
            return True
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return False
    return False


def describe(error: ValidationError, where: tuple[Any, ...], instance: Any) -> str:
    """One problem of ``instance`` (what ``where`` names: ``("body",)``, ``("query",)``...) in
    the request check's words, by the names sent (``body.defaultGroupIds[1]: ...``), secrets not
    shown: for whoever checks a request against the spec on the server's side (the fake Retool)."""
    return _problem(error, where, {}, _hidden_under(instance, error))


def _problem(
    error: ValidationError,
    prefix: tuple[Any, ...],
    names: dict[str, str],
    hidden: bool = False,
    secret_fields: frozenset[str] = frozenset(),
    *,
    keywords: dict[str, str] | None = None,
) -> str:
    from jsonschema.exceptions import best_match

    if error.context:  # anyOf / oneOf: the alternative that came closest says more
        branches = error.validator_value if isinstance(error.validator_value, list) else []
        not_null = [e for e in error.context if branches[int(e.schema_path[0])] != {"type": "null"}]
        # a nullable value (anyOf: [X, null]) is reported by X's rule, not "valid under none"
        error = best_match(not_null if 0 < len(not_null) < len(error.context) else [error])
    path = [*prefix, *error.absolute_path]
    where = _where(path, names, keywords or {})
    message = error.message
    text = repr(error.instance)

    def secret(name: object) -> bool:
        return isinstance(name, str) and (bool(_SECRET_NAME.search(name)) or name in secret_fields)

    if hidden or any(secret(step) for step in path) or _spec_secret(error.schema):
        message = message.replace(text, f"<a {type(error.instance).__name__}, not shown>", 1)
    else:
        # a parent object (``options: {..., "password": ...}``) is shown with its secrets out
        secrets: list[str] = []
        shown = repr(_redacted(error.instance, secret, secrets))
        message = message.replace(text, shown[:57] + "..." if len(shown) > 60 else shown, 1)
        if any(value in message for value in secrets):  # a message that repeats one elsewhere
            message = f"<a {type(error.instance).__name__}, not shown> fails its {error.validator!r} rule"
    return f"{where}: {message}" if where else message


def _spec_secret(schema: Any) -> bool:
    """The spec's own hints that a value is secret: ``writeOnly`` or ``format: password``."""
    return isinstance(schema, dict) and (
        schema.get("writeOnly") is True or schema.get("format") == "password"
    )


def _redacted(value: Any, secret: Callable[[object], bool], found: list[str], depth: int = 0) -> Any:
    """``value`` with every value under a secret-looking key, at any depth, and everything in
    an object marked ``secret: true``, replaced by ``[redacted]``; ``found`` collects their
    texts (to check the message repeats none of them)."""
    if depth > _MAX_DEPTH:
        return "..."
    if isinstance(value, dict):
        marked = any(v is True and secret(k) for k, v in value.items())
        out = {}
        for key, item in value.items():
            if (marked and item is not True) or (secret(key) and item is not None):
                found += [t for t in _texts(item) if len(t) >= 3]
                out[key] = REDACTED
            else:
                out[key] = _redacted(item, secret, found, depth + 1)
        return out
    if isinstance(value, list | tuple):
        return [_redacted(item, secret, found, depth + 1) for item in value]
    return value


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


REDACTED = "[redacted]"


@cache
def _secret_fields() -> frozenset[str]:
    """Property names the spec marks ``writeOnly`` or ``format: password`` anywhere."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, schema in (node.get("properties") or {}).items():
                if _spec_secret(schema):
                    names.add(name)
            for item in node.values():
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(_document())
    return frozenset(names)


#: Fields whose values a message does not repeat (passwords, client secrets, keys, tokens).
_SECRET_NAME = re.compile(r"pass|secret|token|key|credential|private", re.IGNORECASE)


def _where(path: list[Any], names: dict[str, str], keywords: dict[str, str]) -> str:
    """Where a problem is, as the caller wrote it: a parameter by its Python name; a body field
    the method takes as a keyword by that keyword, with the JSON name sent where it differs
    (``default_group_ids[0] (body field defaultGroupIds)``); a JSON Patch value by the field
    it sets (``active (patch operation 0: replace /active)``); else the body path."""
    if not path:
        return ""
    part, rest = path[0], path[1:]
    out, note = ("body" if part == "body" else ""), ""
    if part == "patch":  # the value of operation ``index``, ``op`` of the top-level field at ``pointer``
        index, op, pointer, *rest = rest
        out, note = unescape(pointer.split("/")[1]), f" (patch operation {index}: {op} {pointer})"
    if part in ("path", "query") and rest:
        out, rest = names.get(str(rest[0]), str(rest[0])), rest[1:]
    elif part == "body" and rest and isinstance(rest[0], str) and rest[0] in keywords:
        out, sent, rest = keywords[rest[0]], rest[0], rest[1:]
        note = f" (body field {sent})" if sent != out else ""
    for step in rest:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return (out or str(part)) + note
