"""JSON Patch (RFC 6902) for Retool's PATCH endpoints: a builder, a diff, and the endpoint rules.

Nine Retool operations take ``{"operations": [...]}``. Users, groups and folders accept
``add``/``remove``/``replace``; the others ``replace`` only. Which ops each endpoint allows and
which top-level fields its target has are read from the spec at generation time
(``PATCH_RULES``, handed over by the generated package: ``_tables.py``), so :func:`check` follows the spec.

Hand-written, on purpose: ``jsonpatch.make_patch`` emits ``move``/``copy`` operations, which
Retool rejects, compares ``1 == 1.0 == True`` as equal, and has no notion of endpoint rules.
``jsonpatch`` and ``jsonpointer`` stay the reference implementations in the tests (applying our
diffs, escaping our pointers). Escaping itself is four lines of RFC 6901 here rather than a
runtime dependency.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

from . import _parsing
from ._exceptions import PatchError

__all__ = ["JsonPatch", "PatchError", "check", "diff", "escape", "pointer", "to_json", "unescape"]

Segment = str | int
Path = str | Sequence[Segment]
Operation = dict[str, Any]
OPS = ("add", "remove", "replace")


def escape(segment: Segment) -> str:
    """One reference token (RFC 6901): ``~`` -> ``~0`` first, then ``/`` -> ``~1``."""
    return str(segment).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer(path: Path) -> str:
    """``("metadata", "team/a")`` -> ``"/metadata/team~1a"``; a string must already be a pointer."""
    if isinstance(path, str):
        if path and not path.startswith("/"):
            raise PatchError(
                f"a JSON pointer starts with '/' (or is '' for the whole document), got {path!r}"
            )
        return path
    if isinstance(path, Sequence) and all(isinstance(s, str | int) and not isinstance(s, bool) for s in path):
        return "".join("/" + escape(segment) for segment in path)
    raise PatchError(f"a path is a pointer string or a tuple of str/int segments, got {path!r}")


def segments(path: str) -> list[str]:
    """``"/metadata/team~1a"`` -> ``["metadata", "team/a"]``."""
    return [unescape(token) for token in pointer(path).split("/")[1:]]


def to_json(value: Any) -> Any:
    """A value as JSON (``_parsing.json_value``: generated models field by field under their
    JSON names, enums by value, dates ISO 8601, UUIDs as text); ``PatchError`` for anything
    JSON cannot carry."""
    try:
        return _parsing.json_value(value, strict=True)
    except TypeError as exc:
        raise PatchError(str(exc)) from None


class JsonPatch:
    """``JsonPatch().add(path, value).remove(path).replace(path, value)``: RFC 6902 operations.

    A path is a pointer (``"/metadata/team~1a"``) or a tuple of segments
    (``("metadata", "team/a")``), escaped for you. Values are converted with :func:`to_json`."""

    __slots__ = ("_operations",)

    def __init__(self, operations: Iterable[Mapping[str, Any]] = ()) -> None:
        self._operations: list[Operation] = []
        for op in operations:
            self._append(_validated(op))

    def add(self, path: Path, value: Any) -> JsonPatch:
        return self._append({"op": "add", "path": pointer(path), "value": to_json(value)})

    def remove(self, path: Path) -> JsonPatch:
        return self._append({"op": "remove", "path": pointer(path)})

    def replace(self, path: Path, value: Any) -> JsonPatch:
        return self._append({"op": "replace", "path": pointer(path), "value": to_json(value)})

    def _append(self, op: Operation) -> JsonPatch:
        self._operations.append(op)
        return self

    @property
    def operations(self) -> list[Operation]:
        """A copy of the operations as JSON-ready dicts."""
        return [dict(op) for op in self._operations]

    def body(self, **extra: Any) -> dict[str, Any]:
        """The request body Retool takes: ``{"operations": [...], **extra}``."""
        return {"operations": self.operations, **{k: to_json(v) for k, v in extra.items()}}

    def to_body(self, model: type[Any], **extra: Any) -> Any:
        """The generated body model (``UpdateUserBody``...) for one of the PATCH operations."""
        return model.from_dict(self.body(**extra))

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations)

    def __len__(self) -> int:
        return len(self._operations)

    def __bool__(self) -> bool:
        return bool(self._operations)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, JsonPatch):
            return self._operations == other._operations
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"JsonPatch({[_shown(op) for op in self._operations]!r})"


def _shown(op: Mapping[str, Any]) -> dict[str, Any]:
    """An operation as a message or repr shows it: a value set at a secret-looking path
    (``/password``), and anything under a secret-looking key inside a value, redacted."""
    from ._exceptions import REDACTED, SECRET_NAME, redacted_value

    path = op.get("path")
    out = {k: v for k, v in op.items() if k in ("op", "path")}
    if "value" in op:
        secret = isinstance(path, str) and bool(SECRET_NAME.search(path))
        out["value"] = REDACTED if secret else redacted_value(op["value"])
    return out


def _validated(op: Mapping[str, Any]) -> Operation:
    if not isinstance(op, Mapping) or "op" not in op or "path" not in op:
        got = f"a mapping with keys {sorted(map(str, op))}" if isinstance(op, Mapping) else type(op).__name__
        raise PatchError(f"an operation is a mapping with 'op' and 'path', got {got}")
    kind = op["op"]
    if kind not in OPS:
        raise PatchError(f"only add, remove and replace are supported, got op {kind!r}")
    out: Operation = {"op": kind, "path": pointer(op["path"])}
    if kind != "remove":
        if "value" not in op:
            raise PatchError(
                f"{kind} needs a 'value': the operation at {out['path']!r} has only {sorted(map(str, op))}"
            )
        out["value"] = to_json(op["value"])
    return out


# -- diff ---------------------------------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """JSON equality: ``1``, ``1.0`` and ``True`` are three different values."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def diff(
    before: Any, after: Any, *, arrays: Literal["replace", "elementwise"] = "replace"
) -> list[Operation]:
    """The fewest ``add``/``remove``/``replace`` operations turning ``before`` into ``after``.

    Never ``move``, ``copy`` or ``test``. Values compare by JSON type. Objects are descended
    into; a nested change is one operation at the deepest path that holds it, unless replacing
    the enclosing value is fewer operations (on a tie the finer path wins: a smaller payload).
    The top-level object is always descended into (Retool patches fields, not the document).
    Arrays are replaced whole unless ``arrays="elementwise"``."""
    if arrays not in ("replace", "elementwise"):
        raise PatchError(f"arrays must be 'replace' or 'elementwise', got {arrays!r}")
    a, b = to_json(before), to_json(after)
    if isinstance(a, dict) and isinstance(b, dict):
        return _diff_object(a, b, (), arrays == "elementwise")
    return _diff(a, b, (), arrays == "elementwise")


def _diff(a: Any, b: Any, path: tuple[Segment, ...], elementwise: bool) -> list[Operation]:
    if same(a, b):
        return []
    whole = [{"op": "replace", "path": pointer(path), "value": b}]
    if isinstance(a, dict) and isinstance(b, dict):
        finer = _diff_object(a, b, path, elementwise)
    elif elementwise and isinstance(a, list) and isinstance(b, list):
        finer = _diff_array(a, b, path, elementwise)
    else:
        return whole
    return finer if len(finer) <= len(whole) else whole


def _diff_object(
    a: dict[str, Any], b: dict[str, Any], path: tuple[Segment, ...], ew: bool
) -> list[Operation]:
    ops: list[Operation] = []
    for key, old in a.items():
        if key not in b:
            ops.append({"op": "remove", "path": pointer((*path, key))})
        else:
            ops.extend(_diff(old, b[key], (*path, key), ew))
    for key, new in b.items():
        if key not in a:
            ops.append({"op": "add", "path": pointer((*path, key)), "value": new})
    return ops


def _diff_array(a: list[Any], b: list[Any], path: tuple[Segment, ...], ew: bool) -> list[Operation]:
    ops: list[Operation] = []
    for index in range(min(len(a), len(b))):
        ops.extend(_diff(a[index], b[index], (*path, index), ew))
    for index in range(len(a), len(b)):
        ops.append({"op": "add", "path": pointer((*path, index)), "value": b[index]})
    for index in range(len(a) - 1, len(b) - 1, -1):  # from the end, so indexes stay valid
        ops.append({"op": "remove", "path": pointer((*path, index))})
    return ops


# -- endpoint rules -------------------------------------------------------------------------------


def rules() -> Mapping[str, Any]:
    from ._tables import PATCH_RULES

    return PATCH_RULES


def check(operation_id: str, operations: Iterable[Mapping[str, Any]] | JsonPatch) -> list[Operation]:
    """Validate operations for one of the nine PATCH operations; return them JSON-ready.

    Raises :class:`PatchError` (a ``ValueError``) naming the endpoint and what it allows, before
    any request: an op the endpoint does not take, or a path whose first segment is not a field
    of the model the endpoint updates."""
    table = rules()
    if operation_id not in table:
        raise PatchError(f"{operation_id} takes no JSON Patch; the ones that do: {sorted(table)}")
    rule = table[operation_id]
    ops = operations.operations if isinstance(operations, JsonPatch) else [_validated(o) for o in operations]
    if not ops:
        raise PatchError(f"{rule.endpoint}: no operations to send")
    for op in ops:
        if op["op"] not in rule.ops:
            raise PatchError(
                f"{rule.endpoint} does not accept {op['op']!r} operations; it accepts: {', '.join(rule.ops)}"
            )
        first = segments(op["path"])[:1]
        if not first or first[0] not in rule.fields:
            raise PatchError(
                f"{rule.endpoint}: path {op['path']!r} is not a field of {rule.target}; "
                f"fields: {', '.join(rule.fields)}"
            )
    return ops
