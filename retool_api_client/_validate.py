"""Requests checked against the spec before they are sent.

Every generated endpoint function (so every facade method, and a paginator once when it is
created) checks its path parameters, query parameters and JSON body against the operation's
schemas from the normalized spec (``generated/request_schemas.json``, written by
``scripts/retoolgen/request_schemas.py``): types, required fields, unknown fields where the
spec forbids them, enum values, ranges, lengths, patterns, and the ``uuid`` / ``email``
formats. A request that does not fit raises :class:`RequestValidationError` naming every
field and rule it breaks, and nothing is sent. ``RetoolClient(validate_requests=False)`` turns
the check off (for a server newer than the spec it was generated from).

Validation is the ``jsonschema`` library's (Draft 2020-12); only the message formatting is
written here. ``jsonschema`` is imported on the first check (~80 ms), not with the package.
"""

from __future__ import annotations

import json
import uuid
from enum import Enum
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ._exceptions import RequestValidationError

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

__all__ = ["check", "check_call"]

_PARTS = ("path", "query", "body")


def check(
    client: Any, operation_id: str, request: dict[str, Any], path: dict[str, Any] | None = None
) -> None:
    """Raise :class:`RequestValidationError` if ``request`` (a generated ``_get_kwargs(...)``)
    or the raw ``path`` parameter values do not fit ``operation_id``'s schemas."""
    if not getattr(client, "validate_requests", True):
        return
    instance: dict[str, Any] = {}
    if path:
        instance["path"] = {name: _path_text(value) for name, value in path.items()}
    params = request.get("params")
    if params:
        instance["query"] = params
    if "json" in request:
        instance["body"] = request["json"]
    if not instance:
        return
    validator = _validator(operation_id)
    if validator is None or validator.is_valid(instance):
        return
    errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    names = _document()["operations"][operation_id].get("names", {})
    problems = [_problem(error, names) for error in errors]
    raise RequestValidationError(operation_id, problems)


def check_call(client: Any, operation_id: str, get_kwargs: Any, arguments: dict[str, Any]) -> None:
    """:func:`check` for the request ``get_kwargs(**arguments)`` would build: how a paginator
    checks its first page once, when it is created."""
    if not getattr(client, "validate_requests", True):
        return
    request = get_kwargs(**arguments)
    entry = _document()["operations"].get(operation_id, {})
    path_names = entry.get("path", {}).get("properties", {})
    check(client, operation_id, request, {k: v for k, v in arguments.items() if k in path_names})


def _path_text(value: Any) -> Any:
    # path parameters are sent as text; _parsing.path_segment already refused other types
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID | int) and not isinstance(value, bool):
        return str(value)
    return value


@cache
def _document() -> dict[str, Any]:
    text = resources.files("retool_api_client.generated").joinpath("request_schemas.json").read_text()
    doc: dict[str, Any] = json.loads(text)
    return doc


@cache
def _validator(operation_id: str) -> Validator | None:
    from jsonschema import Draft202012Validator

    doc = _document()
    entry = doc["operations"].get(operation_id)
    if entry is None:
        return None
    schema = {
        "$defs": doc["$defs"],
        "type": "object",
        "properties": {part: entry[part] for part in _PARTS if part in entry},
    }
    validator: Validator = Draft202012Validator(schema, format_checker=_formats())
    return validator


@cache
def _formats() -> Any:
    from jsonschema import FormatChecker

    # Only formats checked the same way on every machine (others depend on optional packages).
    return FormatChecker(formats=("uuid", "email"))


def _problem(error: ValidationError, names: dict[str, str]) -> str:
    from jsonschema.exceptions import best_match

    if error.context:  # anyOf / oneOf: the alternative that came closest says more
        error = best_match(error.context) or error
    where = _where(list(error.absolute_path), names)
    message = error.message
    text = repr(error.instance)
    if len(text) > 60:
        message = message.replace(text, text[:57] + "...", 1)
    return f"{where}: {message}" if where else message


def _where(path: list[Any], names: dict[str, str]) -> str:
    if not path:
        return ""
    part, rest = path[0], path[1:]
    out = "body" if part == "body" else ""
    if part in ("path", "query") and rest:
        out, rest = names.get(str(rest[0]), str(rest[0])), rest[1:]
    for step in rest:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or str(part)
