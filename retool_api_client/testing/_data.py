"""Values valid for a JSON Schema, made up deterministically from a text key.

Each value is made from its own key (``"1/users/3/first_name"``: the seed, where the value
goes, the field), never from a stream shared with other values: a field a Retool release did
not change keeps its value when the release adds, removes or retypes other fields. Hand-written
because the libraries that do this (hypothesis-jsonschema, Faker) are test-time tools with
their own dependency trees, draw from one shared stream, and the fake ships in the package; what
the spec uses is small: objects, arrays, enums, ``anyOf``/``oneOf``/``allOf``, the
``uuid``/``email``/``date-time``/``uri`` formats and a handful of simple patterns (sampled by
:func:`from_pattern`). A made-up value is checked with ``jsonschema`` and made again (from
another key) on a miss, so what the fake answers validates even where a branch of a ``oneOf``
would also match another.
"""

from __future__ import annotations

import random
import re
import string
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

JSON = Any
FIRST_NAMES = (
    "Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Edsger", "Barbara", "Dennis", "Frances",
    "Ken", "Radia", "Tim", "Hedy", "Donald", "Sophie", "John", "Annie", "Niklaus", "Karen", "Guido",
    "Evelyn", "Brian", "Jean", "Bjarne", "Mary", "Leslie", "Shafi", "Vint", "Joan",
)  # fmt: skip
LAST_NAMES = (
    "Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "Dijkstra", "Liskov", "Ritchie",
    "Allen", "Thompson", "Perlman", "Berners-Lee", "Lamarr", "Knuth", "Wilson", "McCarthy", "Easley",
    "Wirth", "Jones", "van Rossum", "Boyd", "Kernighan", "Bartik", "Stroustrup", "Keller", "Lamport",
    "Goldwasser", "Cerf", "Clarke",
)  # fmt: skip
WORDS = (
    "alpha", "billing", "north", "ledger", "orbit", "harbor", "signal", "atlas", "ember", "summit",
    "delta", "prism", "cobalt", "maple", "quartz", "falcon", "meadow", "vector", "lumen", "nimbus",
)  # fmt: skip
GROUP_NAMES = (
    "Engineering", "Support", "Finance", "Sales", "Operations", "Design", "Marketing", "Security",
    "Data", "Legal", "People", "Product",
)  # fmt: skip
#: made-up date-times fall in the 90 days before this moment (the default clock's start)
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
#: validators kept per schema object; past this many the cache starts again
_MAX_VALIDATORS = 4096


def email_of(first: str, last: str, n: int = 0) -> str:
    local = f"{first}.{last}".lower().replace(" ", "").replace("-", "")
    return f"{local}{n or ''}@example.com"


def rng(key: str) -> random.Random:
    """The random source of one value: the same key gives the same draws on every run."""
    return random.Random(key)


def timestamp(moment: datetime) -> str:
    """A moment as Retool writes it (``2026-01-05T09:00:01.000Z``)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@cache
def format_checker() -> Any:
    from jsonschema import FormatChecker

    return FormatChecker(formats=("uuid", "email"))  # as the SDK's request check (_validate.py)


def validator(schema: JSON, defs: dict[str, JSON]) -> Validator:
    from jsonschema import Draft202012Validator

    v: Validator = Draft202012Validator({**schema, "$defs": defs}, format_checker=format_checker())
    return v


class Maker:
    """Makes values for schemas whose ``$ref`` s point into ``defs``, and checks them."""

    def __init__(self, defs: dict[str, JSON]) -> None:
        self.defs = defs
        #: id(schema) -> (the schema, kept so its id stays its own; its validator)
        self._validators: dict[int, tuple[JSON, Validator]] = {}

    def validator(self, schema: JSON) -> Validator:
        entry = self._validators.get(id(schema))
        if entry is None or entry[0] is not schema:
            if len(self._validators) >= _MAX_VALIDATORS:
                self._validators.clear()
            entry = self._validators[id(schema)] = (schema, validator(schema, self.defs))
        return entry[1]

    def is_valid(self, schema: JSON, value: Any) -> bool:
        return bool(self.validator(schema).is_valid(value))

    def valid(self, schema: JSON, key: str, *, full: bool = True, name: str = "") -> Any:
        """A value valid for ``schema`` made from ``key`` (tries a few other keys; the last try
        if none fits)."""
        value = None
        for attempt in range(12):
            value = self.value(
                schema, key if attempt == 0 else f"{key}~{attempt}", full=full and attempt < 6, name=name
            )
            if self.is_valid(schema, value):
                return value
        return value

    def value(self, schema: JSON, key: str, *, full: bool = True, name: str = "", depth: int = 0) -> Any:
        if not isinstance(schema, dict):
            return None
        if "$ref" in schema:
            target = self.defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
            return self.value(target, key, full=full, name=name, depth=depth + 1)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            choices = [v for v in schema["enum"] if v is not None] or schema["enum"]
            return rng(key).choice(choices)
        for combinator in ("anyOf", "oneOf"):
            if combinator in schema:
                branches = [b for b in schema[combinator] if b != {"type": "null"}] or schema[combinator]
                branch = rng(key + "|branch").choice(branches)
                return self.value(branch, key, full=full, name=name, depth=depth + 1)
        if "allOf" in schema:
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            for ref in schema["allOf"]:
                part = self._resolve(ref)
                merged.setdefault("properties", {}).update(part.get("properties", {}))
                merged["required"] = [*merged.get("required", []), *part.get("required", [])]
                for k, v in part.items():
                    if k not in ("properties", "required"):
                        merged.setdefault(k, v)
            return self.value(merged, key, full=full, name=name, depth=depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"] or ["null"]
            kind = kinds[0]
        if kind is None:
            kind = "object" if "properties" in schema else "string"
        if kind == "object":
            required = set(schema.get("required", []))
            out = {}
            for prop, sub in schema.get("properties", {}).items():
                if prop in required or (full and depth < 5):
                    out[prop] = self.value(sub, f"{key}.{prop}", full=full, name=prop, depth=depth + 1)
            return out
        if kind == "array":
            count = self.count(schema, key, 1 if full and depth < 4 else 0)
            items = schema.get("items", {})
            return [
                self.value(items, f"{key}[{i}]", full=full, name=name, depth=depth + 1) for i in range(count)
            ]
        if kind == "string":
            return self.string(schema, key, name)
        if kind in ("integer", "number"):
            low = schema.get("minimum", 1)
            high = schema.get("maximum", max(low, 1) + 999)
            if "exclusiveMinimum" in schema:
                low = schema["exclusiveMinimum"] + 1
            return rng(key).randint(int(low), max(int(low), int(high)))
        if kind == "boolean":
            return rng(key).random() < 0.5
        return None

    def count(self, schema: JSON, key: str, wanted: int) -> int:
        """How many items an array of ``schema`` gets: ``wanted``, within its ``minItems`` /
        ``maxItems`` (``wanted < 0``: a seeded number from 1 to 5)."""
        if wanted < 0:
            wanted = rng(key + "|count").randint(1, 5)
        low, high = int(schema.get("minItems", 0)), schema.get("maxItems")
        wanted = max(low, wanted)
        return wanted if high is None else min(wanted, int(high))

    def _resolve(self, schema: JSON) -> JSON:
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
        return schema

    def string(self, schema: JSON, key: str, name: str = "") -> str:
        r = rng(key)
        fmt = schema.get("format")
        if fmt == "uuid":
            return str(uuid.UUID(int=r.getrandbits(128), version=4))
        if fmt == "email":
            return email_of(r.choice(FIRST_NAMES), r.choice(LAST_NAMES), r.randint(1, 99))
        if fmt in ("date-time", "date"):
            made = timestamp(EPOCH - timedelta(seconds=r.randrange(90 * 86400)))
            return made if fmt == "date-time" else made[:10]
        if fmt == "uri" or name.endswith("url") or name.endswith("_link"):
            return f"https://example.com/{r.choice(WORDS)}"
        if "pattern" in schema:
            sample = from_pattern(schema["pattern"], r)
            if sample is not None:
                return sample
        low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
        if name in ("first_name", "firstName"):
            text = r.choice(FIRST_NAMES)
        elif name in ("last_name", "lastName"):
            text = r.choice(LAST_NAMES)
        elif "color" in name:
            text = f"#{r.randrange(1 << 24):06x}"
        elif name in ("domain", "host") or name.endswith("_domain"):
            text = f"{r.choice(WORDS)}.example.com"
        elif name in ("name", "label", "display_name", "displayName", "title"):
            text = f"{r.choice(WORDS)}-{r.choice(WORDS)}"
        elif name == "description":
            text = f"The {r.choice(WORDS)} {r.choice(WORDS)}."
        else:
            text = r.choice(WORDS)
        if len(text) < low:
            text += "x" * (low - len(text))
        return text if high is None else text[: int(high)]


# -- patterns ---------------------------------------------------------------------------------

_CLASSES = {"d": string.digits, "w": string.ascii_lowercase + string.digits + "_", "s": " "}
Node = tuple[Any, ...]


def from_pattern(pattern: str, rng: random.Random) -> str | None:
    """A string ``re.search`` finds ``pattern`` in, for the simple patterns of the spec (literals,
    classes, groups with ``|``, ``? * + {m,n}``, anchors); None for anything else."""
    try:
        nodes, end = _sequence(pattern, 0)
    except (IndexError, ValueError):
        return None
    if end != len(pattern):
        return None
    text = _emit(nodes, rng)
    return text if re.search(pattern, text) else None


def _sequence(p: str, i: int) -> tuple[list[Node], int]:
    alternatives: list[list[Node]] = [[]]
    while i < len(p) and p[i] != ")":
        c = p[i]
        if c == "|":
            alternatives.append([])
            i += 1
            continue
        if c in "^$":
            i += 1
            continue
        if c == "(":
            j = i + 1
            if p.startswith("?:", j):
                j += 2
            inner, j = _sequence(p, j)
            if p[j] != ")":
                raise ValueError(p)
            atom: Node = ("group", inner)
            i = j + 1
        elif c == "[":
            j = p.index("]", i + 1)
            atom = ("set", _charset(p[i + 1 : j]))
            i = j + 1
        elif c == "\\":
            e = p[i + 1]
            atom = ("set", _CLASSES[e]) if e in _CLASSES else ("lit", e)
            i += 2
        elif c == ".":
            atom = ("set", string.ascii_lowercase)
            i += 1
        elif c in "*+?{":
            raise ValueError(p)
        else:
            atom = ("lit", c)
            i += 1
        low, high, i = _quantifier(p, i)
        alternatives[-1].append(("rep", atom, low, high))
    if len(alternatives) == 1:
        return alternatives[0], i
    return [("alt", alternatives)], i


def _quantifier(p: str, i: int) -> tuple[int, int, int]:
    if i < len(p) and p[i] in "*+?":
        low, high = {"*": (0, 8), "+": (6, 12), "?": (0, 1)}[p[i]]
        return low, high, i + 1
    if i < len(p) and p[i] == "{":
        j = p.index("}", i)
        parts = p[i + 1 : j].split(",")
        low = int(parts[0])
        high = int(parts[1]) if len(parts) > 1 and parts[1] else (low + 6 if len(parts) > 1 else low)
        return low, high, j + 1
    return 1, 1, i


def _charset(body: str) -> str:
    if body.startswith("^"):
        raise ValueError(body)
    chars: list[str] = []
    i = 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            chars.extend(_CLASSES.get(body[i + 1], body[i + 1]))
            i += 2
        elif i + 2 < len(body) and body[i + 1] == "-":
            chars.extend(chr(c) for c in range(ord(body[i]), ord(body[i + 2]) + 1))
            i += 3
        else:
            chars.append(body[i])
            i += 1
    if not chars:
        raise ValueError(body)
    return "".join(chars)


def _emit(nodes: list[Node], rng: random.Random) -> str:
    out = []
    for node in nodes:
        if node[0] == "alt":
            out.append(_emit(rng.choice(node[1]), rng))
        elif node[0] == "rep":
            _, atom, low, high = node
            for _ in range(rng.randint(low, high)):
                out.append(_emit([atom], rng))
        elif node[0] == "group":
            out.append(_emit(node[1], rng))
        elif node[0] == "set":
            out.append(rng.choice(node[1]))
        else:
            out.append(node[1])
    return "".join(out)
