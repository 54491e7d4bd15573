"""Small runtime helpers the generated facade (``generated/api/<tag>/__init__.py``) calls for
what it takes besides plain parameters: a JSON body given field by field, and JSON Patch; and
:class:`Resource`, the base of every namespace (``retool.users``), whose repr lists its methods.

Kept out of the templates so the generated code stays readable and the logic is tested once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from ._exceptions import SECRET_NAME, ConfigurationError, PatchError
from ._tables import JSON_NAMES, PATCH_RULES
from ._types import UNSET, Unset
from .patch import JsonPatch, check, diff, to_json


class Resource:
    """A namespace of the facade (``retool.users``): ``repr()`` names it and lists what it
    offers, generated methods and hand-written helpers alike."""

    _name: ClassVar[str] = ""

    def __repr__(self) -> str:
        names = sorted(name for name in dir(type(self)) if not name.startswith("_"))
        return f"<{self._name or type(self).__name__}: {', '.join(names)}>"


def body(
    operation_id: str,
    given: Any,
    fields: Mapping[str, Any],
    required: Iterable[str] = (),
    *,
    needed: bool = False,
) -> Any:
    """The body of a call that takes a JSON object: ``body=`` as given (a model or a mapping),
    else the field keywords given, as a mapping keyed by JSON name (a field not given is not
    sent: no client-side defaults). UNSET when neither was given and the body is optional
    (``needed`` False); a missing ``required`` field, or body= and fields together, raise
    ``ConfigurationError`` before any request."""
    chosen = {k: v for k, v in fields.items() if not isinstance(v, Unset)}
    if not isinstance(given, Unset):
        if chosen:
            raise body_and_fields(operation_id, fields)
        return given
    if not chosen and not needed:
        return UNSET
    missing = [repr(name) for name in required if name not in chosen]
    if missing:
        names = ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]
        raise ConfigurationError(
            f"{operation_id}: pass body= or the body's fields as keywords; "
            f"missing required field{'s' if len(missing) > 1 else ''} {names}"
        )
    return chosen


def patch_body(
    operation_id: str,
    patch: JsonPatch | Iterable[Mapping[str, Any]] | None,
    fields: Mapping[str, Any],
    extra: Mapping[str, Any],
    *,
    call: str = "",
) -> dict[str, Any]:
    """The JSON body of a PATCH facade call: the caller's patch, then one ``replace`` per field
    keyword given (keyed by JSON name), checked against the endpoint's rules. ``call`` is how
    the method is called (``users.update(user_id)``), for the message when ``patch`` is a
    mapping: a single operation, or fields meant as keywords."""
    if isinstance(patch, Mapping):
        raise _mapping_for_patch(operation_id, patch, call)
    builder = JsonPatch(patch.operations if isinstance(patch, JsonPatch) else (patch or ()))
    for name, value in fields.items():
        if not isinstance(value, Unset):
            builder.replace((name,), value)
    ops = check(operation_id, builder)
    return {"operations": ops, **{k: to_json(v) for k, v in extra.items() if not isinstance(v, Unset)}}


def diff_for(operation_id: str, before: Any, after: Any, arrays: Any) -> list[dict[str, Any]]:
    """``diff(before, after)`` checked against the endpoint's rules (empty when equal)."""
    ops = diff(before, after, arrays=arrays)
    return check(operation_id, ops) if ops else []


def body_and_fields(operation_id: str, fields: Mapping[str, Any], patch: object = None) -> ConfigurationError:
    """body= given together with field keywords (or, on a PATCH method, a patch)."""
    given = ["patch"] if patch is not None else []
    given += sorted(k for k, v in fields.items() if not isinstance(v, Unset))
    return ConfigurationError(
        f"{operation_id}: pass either body= or field keywords, not both (got body= and {given})"
    )


def _mapping_for_patch(operation_id: str, given: Mapping[Any, Any], call: str) -> PatchError:
    """``users.update(uid, {"active": False})``: say how it is written instead. A value is
    shown only when it is a number, a boolean, None or text under a name that is not
    secret-looking."""
    if "op" in given and "path" in given:
        return PatchError(
            f"{operation_id}: a patch is a list of operations: pass [operation], not the operation alone"
        )
    rule = PATCH_RULES.get(operation_id)
    python = {sent: name for name, sent in JSON_NAMES.get(rule.target, {}).items()} if rule else {}
    known = [k for k in given if isinstance(k, str) and (rule is None or k in rule.fields)]
    keywords = ", ".join(f"{python.get(k, k)}={_shown(k, given[k])}" for k in known) or "field=value"
    head = (call[:-1] + (", " if not call.endswith("()") else "")) if call else f"{operation_id}(..., "
    other = [str(k) for k in given if k not in known]
    return PatchError(
        f"{operation_id}: a mapping is not a patch; to set fields, pass them as keywords: "
        f"{head}{keywords})"
        + (f" ({', '.join(other)}: not fields this method sets)" if other else "")
        + "; or pass a JsonPatch or a list of operations"
    )


def _shown(name: str, value: Any) -> str:
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, str) and not SECRET_NAME.search(name) and len(value) <= 40:
        return repr(value)
    return "..."
