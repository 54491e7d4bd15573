"""Small runtime helpers the generated facade (``generated/api/<tag>/__init__.py``) calls.

Kept out of the templates so the generated code stays readable and the logic is tested once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from ._exceptions import ConfigurationError
from ._pagination import PaginationError
from ._types import UNSET, Unset
from .patch import JsonPatch, check, diff, to_json


def no_next_page(operation: str) -> PaginationError:
    """The server said ``has_more`` with a cursor, but this operation takes no ``next_token``."""
    return PaginationError(
        f"{operation} answered has_more with a next_token, but the operation takes no next_token "
        "parameter, so the next page cannot be requested; the items so far were all yielded"
    )


def unwrap_data(envelope: Any) -> Any:
    """``envelope.data`` when the success body is Retool's envelope, else the body itself."""
    data = getattr(envelope, "data", None)
    return envelope if data is None or isinstance(data, Unset) else data


def patch_body(
    operation_id: str,
    patch: JsonPatch | Iterable[Mapping[str, Any]] | None,
    fields: Mapping[str, Any],
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    """The JSON body of a PATCH facade call: the caller's patch, then one ``replace`` per field
    keyword given (keyed by JSON name), checked against the endpoint's rules."""
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


M = TypeVar("M")


def any_given(fields: Mapping[str, Any]) -> bool:
    return any(not isinstance(v, Unset) for v in fields.values())


def optional_body(model: type[M], operation_id: str, fields: Mapping[str, Any]) -> M | Unset:
    """The body built from field keywords; UNSET (no body) when none was given."""
    if not any_given(fields):
        return UNSET
    return required_body(model, operation_id, fields)


def required_body(model: type[M], operation_id: str, fields: Mapping[str, Any]) -> M:
    """The body built from field keywords; a missing required field fails before any request."""
    given = {k: v for k, v in fields.items() if not isinstance(v, Unset)}
    try:
        body = model(**given)
    except TypeError as exc:  # attrs: "__init__() missing 1 required keyword-only argument: 'email'"
        detail = str(exc).split(") ", 1)[-1]
        raise ConfigurationError(
            f"{operation_id}: pass body= or the body's fields as keywords; {detail}"
        ) from None
    for name in fields.keys() - given.keys():
        setattr(body, name, UNSET)  # a field not given is not sent (no client-side defaults)
    return body


def body_and_fields(operation_id: str, fields: Mapping[str, Any], patch: object = None) -> ConfigurationError:
    """body= given together with field keywords (or, on a PATCH method, a patch)."""
    given = ["patch"] if patch is not None else []
    given += sorted(k for k, v in fields.items() if not isinstance(v, Unset))
    return ConfigurationError(
        f"{operation_id}: pass either body= or field keywords, not both (got body= and {given})"
    )
