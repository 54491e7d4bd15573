"""Runtime support that the generated models call while parsing responses.

Kept in the overlay (not in the generated tree) so the behaviour is reviewed code with its own
tests; the templates in ``templates/`` only emit calls to it.

* :class:`OpenStrEnum` keeps an enum value this SDK version does not know (Retool adds resource
  types every release) instead of raising ``ValueError``. No library does this for ``StrEnum``;
  it is the ``_missing_`` hook the standard library provides for exactly this.
* :func:`model_error` turns whatever a generated ``from_dict`` tripped on (``KeyError`` for a
  missing field, ``TypeError``/``ValueError`` for a wrong type) into one
  :class:`APIResponseValidationError` naming the model and the field.
* ``expect_*`` check JSON primitives, which the generator assigns without looking.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from enum import Enum, EnumType, StrEnum
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import attrs

from ._exceptions import (
    SECRET_NAME,
    APIResponseValidationError,
    APIStatusError,
    ConfigurationError,
    RateLimitError,
    describe_json,
    status_error_class,
)
from ._retry_policy import retry_after_seconds
from ._tables import JSON_NAMES
from ._types import Unset

if TYPE_CHECKING:
    from ._message import Answer

__all__ = [
    "OpenStrEnum",
    "expect_bool",
    "expect_float",
    "expect_int",
    "expect_one_of",
    "expect_str",
    "model_error",
    "response_error",
    "status_error",
    "undocumented_status",
]

_E = TypeVar("_E", bound="OpenStrEnum")


#: each open enum's values -> members, known and unknown alike: the SDK's own table, so a lookup
#: needs nothing of ``enum``'s internals
_MEMBERS: dict[EnumType, dict[str, Any]] = {}


def _members(cls: EnumType) -> dict[str, Any]:
    table = _MEMBERS.get(cls)
    if table is None:
        members: dict[str, Enum] = dict(cls.__members__)
        table = _MEMBERS[cls] = {m.value: m for m in members.values()}
    return table


class _OpenEnumType(EnumType):
    """``Member(value)`` for a value seen before in one dict lookup: ``EnumType.__call__`` and
    ``Enum.__new__`` take ~1 us per field parsed. Anything else takes Enum's own way."""

    def __call__(cls, value: Any, *args: Any, **kwargs: Any) -> Any:
        if not args and not kwargs:
            table = _MEMBERS.get(cls) or _members(cls)
            try:
                member = table.get(value)
            except TypeError:  # unhashable: Enum's way says what is wrong
                member = None
            if member is not None:
                return member
        return super().__call__(value, *args, **kwargs)


class OpenStrEnum(StrEnum, metaclass=_OpenEnumType):
    """A ``StrEnum`` that accepts values it has not seen.

    ``Status("NEW_IN_4_1")`` returns a pseudo-member whose ``.value`` is the string received,
    ``is_known`` is False and which compares equal to that string. It is cached, so the same
    unknown value is the same object each time. ``to_dict()`` sends it back unchanged."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        table = _members(cls)
        member = table.get(value)
        if member is None:
            member = str.__new__(cls, value)
            member._name_ = f"UNKNOWN[{value}]"  # enum's documented member attributes
            member._value_ = value
            member = table.setdefault(value, member)
        return member

    @property
    def is_known(self) -> bool:
        """False for a value that this SDK version's spec did not list."""
        return self._name_ in type(self).__members__

    def __str__(self) -> str:
        return str(self.value)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise APIResponseValidationError(f"the number {text[:40]} is too large for a float")
    return value


def _no_constant(name: str) -> Any:
    raise APIResponseValidationError(f"{name} is not a JSON number")


#: ``json.loads`` takes ``Infinity``/``NaN`` and turns ``1e400`` into ``inf``; an answer with
#: those would fail later with ``OverflowError`` (``int(inf)``) or be sent back as invalid JSON.
_DECODER = json.JSONDecoder(parse_float=_finite_float, parse_constant=_no_constant)


def decode_json(content: bytes | str) -> Any:
    """An answer's body as JSON, strictly: numbers finite, no ``NaN``/``Infinity``, and nesting
    too deep for the decoder an ``APIResponseValidationError`` rather than a ``RecursionError``.
    Invalid JSON raises ``json.JSONDecodeError`` as ``json.loads`` does (both are ValueErrors).

    An answer's ``.json()`` is this (``_message.Answer``), so ``_request.parse`` uses it too."""
    if isinstance(content, str):
        text = content
    elif content[:1] == b"{" and content[1:2] != b"\x00":  # UTF-8, as json.detect_encoding would say
        text = content.decode("utf-8", "surrogatepass")
    else:
        text = content.decode(json.detect_encoding(content), "surrogatepass")
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise APIResponseValidationError("the body is nested too deeply to decode") from None


def model_error(model: str, field: str, exc: BaseException) -> APIResponseValidationError:
    """The one error a generated ``from_dict`` raises, whatever went wrong inside it. Under a
    secret-looking field (``client_secret``, ``password``) the value is not repeated."""
    secret = bool(field) and SECRET_NAME.search(field) is not None
    if isinstance(exc, APIResponseValidationError):
        if secret and " got " in exc.reason:
            exc = APIResponseValidationError(
                exc.reason.split(" got ", 1)[0] + " got a value not shown here",
                model=exc.model,
                field=exc.field,
                path=exc.path,
                root_model=exc.root_model,
            )
        return exc.within(model, field or None)
    if secret and not isinstance(exc, KeyError):
        text = str(exc)
        shown = (
            text.split(" got ", 1)[0] + " got a value not shown here"
            if " got " in text
            else "a value not shown here"
        )
        return APIResponseValidationError(f"{type(exc).__name__}: {shown}", model=model, field=field)
    if isinstance(exc, KeyError) and field and exc.args and exc.args[0] == field:
        reason = "required field is missing"
    elif not field:
        reason = f"expected a JSON object ({type(exc).__name__}: {exc})"
    else:
        reason = f"{type(exc).__name__}: {exc}"
    return APIResponseValidationError(reason, model=model, field=field or None)


def response_error(response: Answer, exc: BaseException) -> APIResponseValidationError:
    """What ``_request.parse`` raises when the body does not parse or fit its model."""
    if isinstance(exc, APIResponseValidationError):
        return exc.with_response(response)
    if isinstance(exc, json.JSONDecodeError):
        return APIResponseValidationError(
            f"body is not valid JSON ({exc}); starts with {response.text[:80]!r}", response=response
        )
    return APIResponseValidationError(f"{type(exc).__name__}: {exc}", response=response)


def status_error(response: Answer, parse: Callable[[Any], object] | None = None) -> APIStatusError:
    """The typed error for a response with status >= 400; never raises while building it.

    ``body`` is the JSON body (or text when it is not JSON); ``parsed`` the documented error
    model when the body fits it, else ``None``. The message is Retool's ``message`` field when
    present, else a problem+json ``detail`` with its validation messages, else the reason."""
    body: Any
    try:
        body = decode_json(response.content) if response.content else None
    except ValueError:  # not JSON, too deep or with a non-finite number: kept as text
        body = response.text
    message = _message_of(body) or response.reason_phrase or f"HTTP {response.status_code}"
    parsed: object = None
    if parse is not None and isinstance(body, dict):
        try:
            parsed = parse(body)
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
            parsed = None
    cls = status_error_class(response.status_code)
    error: APIStatusError
    if cls is RateLimitError:
        error = RateLimitError(
            message, response=response, body=body, retry_after=retry_after_seconds(response.headers)
        )
    else:
        error = cls(message, response=response, body=body)
    error.parsed = parsed
    return error


def _message_of(body: Any) -> str | None:
    """Retool's ``message``; else an RFC 7807 problem's ``detail`` (or ``title``) followed by
    its ``validation`` messages (what a gateway or Prism answers)."""
    if not isinstance(body, dict):
        return None
    message = body.get("message")
    if isinstance(message, str) and message:
        return message
    detail = body.get("detail") or body.get("title")
    if not isinstance(detail, str) or not detail:
        return None
    checks = body.get("validation")
    notes = (
        [v["message"] for v in checks if isinstance(v, dict) and isinstance(v.get("message"), str)]
        if (isinstance(checks, list))
        else []
    )
    return detail + (": " + "; ".join(notes) if notes else "")


def undocumented_status(response: Answer) -> APIResponseValidationError:
    """A status the spec does not document for this operation (errors >= 400 never get here
    through ``RetoolClient``: they raise ``APIStatusError`` first)."""
    return APIResponseValidationError(
        f"status {response.status_code} is not documented for this operation", response=response
    )


def _wrong_type(expected: str, value: object) -> TypeError:
    return TypeError(f"expected {expected}, got {describe_json(value)}")


def expect_str(value: Any) -> Any:
    if type(value) is str or not _present(value):
        return value
    raise _wrong_type("a string", value)


def expect_bool(value: Any) -> Any:
    if type(value) is bool or not _present(value):
        return value
    raise _wrong_type("a boolean", value)


def expect_int(value: Any) -> Any:
    if type(value) is int or not _present(value):
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise _wrong_type("an integer", value)


def expect_float(value: Any) -> Any:
    if type(value) in (float, int) or not _present(value):
        return value
    raise _wrong_type("a number", value)


_KIND_NAMES = {"str": "a string", "int": "an integer", "float": "a number", "bool": "a boolean"}
_KIND_CHECKS = {"str": expect_str, "int": expect_int, "float": expect_float, "bool": expect_bool}


def no_variant(value: Any, expected: str) -> TypeError:
    """For a union none of whose variants parsed ``value`` (``datetime | None`` given ``12345``)."""
    return _wrong_type(expected, value)


def expect_one_of(value: Any, *kinds: str) -> Any:
    """For a union of JSON primitives (``None | str`` after the null check): the value must be
    one of ``kinds``."""
    for kind in kinds:
        try:
            return _KIND_CHECKS[kind](value)
        except TypeError:
            continue
    raise _wrong_type(" or ".join(_KIND_NAMES[k] for k in kinds), value)


def _present(value: object) -> bool:
    """UNSET (an optional field that was absent) passes every check."""
    return not isinstance(value, Unset)


def path_text(name: str, value: object) -> str:
    """A path parameter as the text it is sent as: a string, a string enum's value, a UUID or
    an integer; anything else raises ConfigurationError naming the parameter."""
    if type(value) is str:  # most ids
        return value
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, str | uuid.UUID) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value)
    raise ConfigurationError(f"{name} must be a string, got {type(value).__name__} {value!r}")


_PLAIN_ID = re.compile(r"[A-Za-z0-9_~-]+")  # what quote(safe="") leaves as it is, but dots


def path_segment(name: str, value: object) -> str:
    """A path parameter, checked and percent-encoded before any request is built.

    An empty or missing id would silently change the URL (``GET /users/`` lists users instead
    of fetching one), so it is refused here with the parameter's name. ``.`` and ``..`` are
    sent with their dots encoded: as they are, URL normalization would remove them, so that
    ``delete_user(group_id, "..")`` became ``DELETE /groups/{group_id}``."""
    if type(value) is str and _PLAIN_ID.fullmatch(value):  # most ids: nothing to check or encode
        return value
    text = path_text(name, value)
    if not text.strip():
        raise ConfigurationError(f"{name} must not be empty, got {value!r}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ConfigurationError(
            f"{name} is not valid text: it holds a lone surrogate ({exc.object[exc.start]!r} at {exc.start})"
        ) from None
    if text in (".", ".."):
        return text.replace(".", "%2E")
    return quote(text, safe="")


def too_deep() -> ConfigurationError:
    """A request value that contains itself, or is nested deeper than Python can walk."""
    return ConfigurationError(
        "a request value is nested too deeply, or contains itself, to be sent as JSON; nothing was sent"
    )


def json_value(value: Any, strict: bool = False) -> Any:
    """A request value as JSON: generated models field by field (under their JSON names,
    ``_tables.JSON_NAMES``; UNSET fields left out), enums by value, dates in ISO 8601, UUIDs
    as text, mappings and lists element by element.

    Total over the caller's typed input: a plain ``"mobile"`` for an enum field or a dict for
    a model field is sent as it is, and anything else is returned unchanged for the request
    check (``_validate.py``) to name; with ``strict``, it raises ``TypeError`` instead. An
    ``OpenStrEnum`` parsed from the server stays that object (a ``str``), so the check knows
    it for what the server sent."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Enum):
        return json_value(value.value, strict)
    if isinstance(value, datetime.date):  # datetime.datetime too
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    try:
        if attrs.has(type(value)):
            return _model_json(value, strict)
        if isinstance(value, Mapping):
            return {str(k): json_value(v, strict) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [json_value(v, strict) for v in value]
    except RecursionError:
        raise too_deep() from None
    if strict:
        kind = "UNSET" if isinstance(value, Unset) else type(value).__name__
        raise TypeError(f"{kind} is not a JSON value")
    return value


def _model_json(value: Any, strict: bool) -> dict[str, Any]:
    """A generated model as its JSON object: ``additional_properties`` first, then each field
    that is not UNSET (as the generated ``to_dict()`` orders them)."""
    names = JSON_NAMES.get(type(value).__name__, {})
    out: dict[str, Any] = {}
    extra = getattr(value, "additional_properties", None)
    if isinstance(extra, Mapping):
        out.update((str(k), json_value(v, strict)) for k, v in extra.items())
    for field in attrs.fields(type(value)):
        if field.name != "additional_properties":
            item = getattr(value, field.name)
            if not isinstance(item, Unset):
                out[names.get(field.name, field.name)] = json_value(item, strict)
    return out


def multipart_body(body: Any) -> Any:
    """``body.to_multipart()`` for a generated multipart model, or a ConfigurationError naming
    the field whose value is not of its declared type (the generated method would fail with
    ``AttributeError`` on a plain ``"major"`` for an enum or ``bytes`` for a ``File``)."""
    to_multipart = getattr(body, "to_multipart", None)
    if not callable(to_multipart):
        raise ConfigurationError(f"body must be the operation's multipart model, got {type(body).__name__}")
    try:
        return to_multipart()
    except (AttributeError, TypeError, ValueError) as exc:
        hints = typing.get_type_hints(type(body))
        wrong = [
            f"body.{name}: expected {_type_text(hints[name])}, got {type(value).__name__}"
            for name, value in attrs.asdict(body, recurse=False).items()
            if name in hints and not _is_instance(value, hints[name])
        ]
        raise ConfigurationError("; ".join(wrong) or f"the multipart body cannot be encoded: {exc}") from None


def _is_instance(value: Any, hint: Any) -> bool:
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    return any(isinstance(value, typing.get_origin(o) or o) for o in options if o is not Any)


def _type_text(hint: Any) -> str:
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    return " or ".join(getattr(o, "__name__", str(o)) for o in options if o is not Unset)
