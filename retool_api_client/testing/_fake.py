"""``FakeRetool``: an in-memory Retool organisation that answers as the spec says.

One synchronous entry point, :meth:`FakeRetool.handle`, takes a request (method, path, query,
headers, body bytes) and gives an :class:`Answer`; the in-process transport (``_transport``)
and the HTTP server (``_server``) both call it, under a lock, so the two ways in share state.
What is stateful is what ``_spec`` finds in the spec; every other operation answers with a
value made up for its schema from a seed (see ``docs/testing.md``).
"""

from __future__ import annotations

import base64
import copy
import hmac
import json
import random
import re
import threading
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

from . import _data
from ._spec import (
    PAGING,
    AttributeMap,
    Collection,
    Membership,
    Operation,
    Spec,
    build,
    object_schema,
    record_of,
    resolve,
    shipped,
)
from ._spec import payload as payload_of

if TYPE_CHECKING:
    from .. import RetoolClient
    from ._server import Serving

JSON = Any
_NO_BODY: Any = object()


@dataclass(frozen=True)
class Answer:
    """What the fake answers: a status, headers and a body (``reset``: drop the connection)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    reset: bool = False

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the fake received it (never its ``Authorization`` header)."""

    method: str
    path: str  # under the API root: "/users/user_1a2b"
    query: dict[str, list[str]]
    body: Any  # the parsed JSON body, or None
    operation_id: str | None
    status: int | None  # None when the connection was dropped


@dataclass
class Fault:
    """A failure :meth:`FakeRetool.fail` injects: ``times`` answers (None: every one)."""

    method: str
    path: str
    status: int = 503
    times: int | None = 1
    retry_after: float | None = None
    reset: bool = False
    body: Any = None
    hits: int = 0
    _regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        pattern = "".join(
            "[^/]+" if part.startswith("{") else ".*" if part == "*" else re.escape(part)
            for part in re.split(r"(\{[^}]*\}|\*)", self.path)
            if part
        )
        self._regex = re.compile(pattern.rstrip("/") + "/?")

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return self.method in ("*", method) and self._regex.fullmatch(path) is not None


class VirtualClock:
    """The default clock: starts at ``start`` and moves one second each time it is read."""

    def __init__(self, start: datetime = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class _Refused(Exception):
    """A request the fake turns down: becomes a Retool-shaped error answer."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Answer:
    """Retool's error body: ``{"success": false, "message": ...}``."""
    body = json.dumps({"success": False, "message": message}).encode()
    return Answer(status, {"Content-Type": "application/json", **(headers or {})}, body)


def _json_answer(status: int, body: Any) -> Answer:
    if body is _NO_BODY:
        return Answer(status)
    return Answer(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


class FakeRetool:
    """An in-memory, stateful Retool organisation driven by the spec the SDK was generated from.

    Args:
        seed: makes ids, tokens, made-up answers and :meth:`populate` repeatable.
        clock: returns the current time (a timezone-aware ``datetime``) for ``created_at`` /
            ``updated_at``; default: a virtual clock ticking a second per read.
        spec: an OpenAPI document (dict) to use instead of the one shipped in the package.
        token: the Bearer token to accept (default: one made from the seed).

    ``fake.token`` is the Bearer token it accepts; ``fake.requests`` lists what it received.
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        clock: Callable[[], datetime] | None = None,
        spec: Mapping[str, Any] | None = None,
        token: str | None = None,
    ) -> None:
        self.seed = seed
        self.spec: Spec = shipped() if spec is None else build(dict(spec))
        self.clock: Callable[[], datetime] = clock or VirtualClock()
        self.token = token or f"retool_fake_{random.Random(f'{seed}:token').getrandbits(96):024x}"
        self.requests: list[ReceivedRequest] = []
        #: delays the SDK's retries asked for on :meth:`client` (which never waits for real)
        self.sleeps: list[float] = []
        self._rng = random.Random(seed)
        self._maker = _data.Maker(self.spec.defs, self._rng, self.now)
        self._records: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in self.spec.collections}
        #: collection -> record id -> membership field -> child id -> extras (``is_group_admin``)
        self._links: dict[str, dict[str, dict[str, dict[str, dict[str, Any]]]]] = {
            n: {} for n in self.spec.collections
        }
        self._counters: dict[str, int] = dict.fromkeys(self.spec.collections, 0)
        self._singletons: dict[str, dict[str, Any] | None] = {}
        self._faults: list[Fault] = []
        self._lock = threading.RLock()
        self._routes = sorted(
            self.spec.by_template.items(),
            key=lambda item: -max(op.literal_segments for op in item[1].values()),
        )
        self._roles = self._dispatch_table()
        self._virtual_time = 0.0

    def __repr__(self) -> str:
        counts = ", ".join(f"{n}={len(r)}" for n, r in self._records.items() if r)
        return f"FakeRetool(seed={self.seed}, {counts or 'empty'})"

    # -- public helpers --------------------------------------------------------------------

    def now(self) -> str:
        """The clock's time as Retool writes it (``2026-01-05T09:00:01.000Z``)."""
        moment = self.clock().astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    @property
    def collections(self) -> list[str]:
        """The stateful collections found in the spec (``users``, ``groups``...)."""
        return list(self.spec.collections)

    def behaviour(self) -> dict[str, str]:
        """``"METHOD /path (operationId)"`` -> what the fake does for it: ``users: list``,
        ``groups members: add``, ``stored document``... or ``made up from the schema``."""
        words = {
            "list": "list", "create": "create", "get": "get", "update": "update", "replace": "replace",
            "delete": "delete", "put_base": "replace (id in the body)", "member_add": "add",
            "member_remove": "remove", "attr_set": "set", "attr_delete": "delete",
        }  # fmt: skip
        out = {}
        for op in self.spec.operations:
            role, target = self._roles.get(id(op), ("generated", None))
            if isinstance(target, Collection):
                what = f"{target.name}: {words[role]}"
            elif isinstance(target, Membership):
                what = f"{target.parent} {target.field}: {words[role]}"
            elif isinstance(target, AttributeMap):
                what = f"{target.parent} attributes ({target.field}): {words[role]}"
            elif role == "singleton":
                what = "stored document"
            else:
                what = "made up from the schema"
            out[f"{op.method} {op.template} ({op.operation_id})"] = what
        return out

    def records(self, collection: str) -> list[dict[str, Any]]:
        """Copies of the stored records of ``collection``, as the list operation shows them."""
        coll = self._collection(collection)
        with self._lock:
            return [
                self._render(coll, r, coll.ops.get("list") or coll.ops.get("get")) for r in self._all(coll)
            ]

    def fail(
        self,
        method: str,
        path: str,
        *,
        status: int = 503,
        times: int | None = 1,
        retry_after: float | None = None,
        reset: bool = False,
        body: Any = None,
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status`` (or drop the connection
        with ``reset=True``). ``path`` is under the API root and may use ``{param}`` or ``*``
        (``"/users/{userId}"``, ``"*"``); ``method`` may be ``"*"``. ``retry_after`` sends a
        ``Retry-After`` header (seconds)."""
        fault = Fault(
            method.upper(), path.removeprefix(self.spec.root) or "/", status, times, retry_after, reset, body
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def client(self, **options: Any) -> RetoolClient:
        """A ``RetoolClient`` wired to this fake in-process (no sockets). Retries do not wait:
        their delays go to ``fake.sleeps``. ``options`` go to ``RetoolClient``."""
        from ._transport import client

        return client(self, **options)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Serving:
        """Serve this fake over HTTP: ``async with fake.serve() as base_url`` (or ``with``);
        ``base_url`` is the API root, ``http://127.0.0.1:PORT/api/v2``."""
        from ._server import Serving

        return Serving(self, host, port)

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self._virtual_time += seconds

    def _monotonic(self) -> float:
        return self._virtual_time

    # -- populate --------------------------------------------------------------------------

    def populate(self, **counts: int) -> FakeRetool:
        """Add ``count`` records to each named collection (``populate(users=300, groups=6)``),
        with realistic names and emails; groups get members from the users already there."""
        for name, count in counts.items():
            coll = self._collection(name)
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"populate({name}=...) takes a count >= 0, got {count!r}")
            with self._lock:
                for _ in range(count):
                    record = self._new_record(coll, self._seed_body(coll))
                    self._store(coll, record)
                    for membership in coll.memberships.values():
                        self._seed_members(coll, record, membership)
        return self

    def _seed_body(self, coll: Collection) -> dict[str, Any]:
        rng, props = self._rng, coll.record["properties"]
        body: dict[str, Any] = {}
        if {"first_name", "last_name"} <= props.keys():
            first, last = rng.choice(_data.FIRST_NAMES), rng.choice(_data.LAST_NAMES)
            body |= {"first_name": first, "last_name": last}
            emails = {str(r.get("email", "")).lower() for r in self._records[coll.name].values()}
            n = 0
            while _data.email_of(first, last, n) in emails:
                n += 1
            body["email"] = _data.email_of(first, last, n)
            body["active"] = rng.random() < 0.9
            body["metadata"] = {}
        create = coll.ops.get("create")
        for key in (
            (object_schema(self.spec.defs, create.body) or {}).get("properties", {})
            if create and create.body
            else ()
        ):
            referred = self._records.get(key.removesuffix("_id") + "s")
            if key.endswith("_id") and referred:  # refer to a record there: resource_id, environment_id
                body[key] = self._rng.choice(list(referred))
        if "name" in props and coll.memberships:
            taken = {r.get("name") for r in self._records[coll.name].values()}
            free = [g for g in _data.GROUP_NAMES if g not in taken]
            body["name"] = free[0] if free else f"Team {len(taken) + 1}"
        return body

    def _seed_members(self, coll: Collection, record: dict[str, Any], membership: Membership) -> None:
        """A new group gets a random quarter (at most) of the people there as ``members``; other
        memberships (user invites) start empty, as pending invites to a new group would."""
        children = list(self._records[membership.child])
        if not children or membership.field != "members":
            return
        count = self._rng.randint(1, max(1, len(children) // 4))
        links = self._links[coll.name].setdefault(str(record["id"]), {}).setdefault(membership.field, {})
        for child in self._rng.sample(children, min(count, len(children))):
            links[child] = {}

    # -- the entry point -------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: str = "",
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Answer:
        """Answer one request. ``path`` is the URL path (``/api/v2/users``), ``query`` the raw
        query string. Never raises: a request it cannot take gets a 4xx in Retool's shape."""
        method = method.upper()
        lowered = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
        params = parse_qs(query, keep_blank_values=True) if query else {}
        relative = path.removeprefix(self.spec.root) or "/"
        with self._lock:
            try:
                answer = self._answer(method, path, params, lowered, body)
            except _Refused as refused:
                answer = error(refused.status, refused.message, refused.headers)
            except Exception as exc:  # a bug in the fake: say so rather than crash the caller
                answer = error(500, f"FakeRetool internal error ({type(exc).__name__}); please report it")
            try:
                operation_id: str | None = self._route(method, relative)[0].operation_id
            except _Refused:
                operation_id = None
            self.requests.append(
                ReceivedRequest(
                    method,
                    relative,
                    params,
                    _loose_json(body),
                    operation_id,
                    None if answer.reset else answer.status,
                )
            )
            return answer

    def _answer(
        self, method: str, path: str, params: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> Answer:
        root = self.spec.root
        if root and not (path == root or path.startswith(root + "/")):
            raise _Refused(404, f"Not found: the API lives under {root}")
        relative = path.removeprefix(root) or "/"
        for fault in self._faults:
            if fault.matches(method, relative):
                fault.hits += 1
                if fault.reset:
                    return Answer(0, reset=True)
                extra = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
                if fault.body is not None:
                    headers = {"Content-Type": "application/json", **extra}
                    return Answer(fault.status, headers, json.dumps(fault.body).encode())
                return error(fault.status, _reason(fault.status), extra)
        supplied = headers.get("authorization", "")
        if not hmac.compare_digest(supplied.encode(), f"Bearer {self.token}".encode()):
            raise _Refused(401, "Unauthorized: a valid API token is required (Authorization: Bearer ...)")
        op, path_values = self._route(method, relative)
        values = self._check_path(op, path_values)
        query = self._check_query(op, params)
        parsed = self._check_body(op, body)
        return self._dispatch(op, values, query, None if parsed is _NO_BODY else parsed)

    # -- routing and request checks --------------------------------------------------------

    def _route(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        allowed: list[str] = []
        for _template, methods in self._routes:
            sample = next(iter(methods.values()))
            m = sample.regex.fullmatch(path)
            if m is None:
                continue
            if method not in methods:
                allowed = allowed or sorted(methods)
                continue
            op = methods[method]
            names = [p.strip("{}") for p in re.findall(r"\{[^}]+\}", op.template)]
            return op, {n: unquote(v) for n, v in zip(names, m.groups(), strict=True)}
        if allowed:
            raise _Refused(405, f"Method {method} not allowed here; allowed: {', '.join(allowed)}",
                           {"Allow": ", ".join(allowed)})  # fmt: skip
        raise _Refused(404, f"Not found: no operation at {path}")

    def _invalid(self, op: Operation, where: tuple[Any, ...], schema: JSON, instance: Any) -> str | None:
        if self._maker.is_valid(schema, instance):
            return None
        from .._validate import _hidden_under, _problem

        v = _data.validator(schema, self.spec.defs)
        errors = sorted(v.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
        return "; ".join(_problem(e, where, {}, _hidden_under(instance, e)) for e in errors[:5])

    def _refuse_invalid(self, op: Operation, problems: list[str]) -> None:
        if problems:
            raise _Refused(op.error_status(400, 422), "; ".join(problems))

    def _check_path(self, op: Operation, values: dict[str, str]) -> dict[str, Any]:
        problems = []
        for p in op.params:
            if p.where == "path" and p.name in values:
                coerced = _coerce(values[p.name], p.schema, self.spec.defs)
                problem = self._invalid(op, ("path", p.name), p.schema, coerced)
                if problem:
                    problems.append(problem)
        self._refuse_invalid(op, problems)
        return values

    def _check_query(self, op: Operation, params: dict[str, list[str]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        problems = []
        for p in op.params:
            if p.where != "query":
                continue
            if p.name not in params:
                if p.required:
                    problems.append(f"{p.name}: a required query parameter is missing")
                continue
            raw = params[p.name]
            schema = resolve(self.spec.defs, p.schema)
            if schema.get("type") == "array":
                texts = [t for item in raw for t in item.split(",")] if raw else []
                value: Any = [_coerce(t, schema.get("items", {}), self.spec.defs) for t in texts]
            else:
                value = _coerce(raw[-1], p.schema, self.spec.defs)
            problem = self._invalid(op, ("query", p.name), p.schema, value)
            if problem:
                problems.append(problem)
            out[p.name] = value
        self._refuse_invalid(op, problems)
        return out

    def _check_body(self, op: Operation, body: bytes) -> Any:
        if op.body is None:
            return _NO_BODY
        if not body.strip():
            if op.body_required:
                raise _Refused(op.error_status(400, 422), "body: a JSON body is required")
            return _NO_BODY
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            raise _Refused(400, "body: not valid JSON") from None
        try:
            problem = self._invalid(op, ("body",), op.body, parsed)
        except RecursionError:
            raise _Refused(400, "body: nested too deeply") from None
        self._refuse_invalid(op, [problem] if problem else [])
        return parsed

    # -- dispatch --------------------------------------------------------------------------

    def _dispatch_table(self) -> dict[int, tuple[str, Any]]:
        roles: dict[int, tuple[str, Any]] = {}
        for coll in self.spec.collections.values():
            for role, op in coll.ops.items():
                roles[id(op)] = (role, coll)
            for membership in coll.memberships.values():
                if membership.add:
                    roles[id(membership.add)] = ("member_add", membership)
                if membership.remove:
                    roles[id(membership.remove)] = ("member_remove", membership)
        for attributes in self.spec.attributes:
            roles[id(attributes.set)] = ("attr_set", attributes)
            if attributes.delete:
                roles[id(attributes.delete)] = ("attr_delete", attributes)
        for path, ops in self.spec.singletons.items():
            for op in ops:
                roles[id(op)] = ("singleton", path)
        return roles

    def _dispatch(self, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        role, target = self._roles.get(id(op), ("generated", None))
        for coll in self.spec.collections.values():  # under a record that is not there: 404
            if op.template.startswith(coll.item + "/") and coll.id_param in path:
                self._find(coll, op, path[coll.id_param])
        if isinstance(target, Collection):
            handler = getattr(self, f"_{role}")
            answer: Answer = handler(target, op, path, query, body)
            return answer
        if role in ("member_add", "member_remove"):
            return self._membership(role, target, op, path, body)
        if role in ("attr_set", "attr_delete"):
            return self._attribute(role, target, op, path, body)
        if role == "singleton":
            return self._singleton(target, op, body)
        return self._generated(op)

    # -- collections -----------------------------------------------------------------------

    def _collection(self, name: str) -> Collection:
        try:
            return self.spec.collections[name]
        except KeyError:
            raise ValueError(
                f"no collection {name!r}; the spec has: {', '.join(self.spec.collections)}"
            ) from None

    def _all(self, coll: Collection) -> list[dict[str, Any]]:
        return list(self._records[coll.name].values())

    def _lookup(self, coll: Collection, value: Any) -> dict[str, Any] | None:
        """The record with this id, else the one with this ``name`` / ``display_name`` (Retool
        takes a resource's name where its id goes)."""
        record = self._records[coll.name].get(str(value))
        if record is None and isinstance(value, str):
            named = [
                r
                for r in self._records[coll.name].values()
                if value in (r.get("name"), r.get("display_name"))
            ]
            record = named[0] if len(named) == 1 else None
        return record

    def _find(self, coll: Collection, op: Operation, value: Any) -> dict[str, Any]:
        record = self._lookup(coll, value)
        if record is None:
            singular = coll.name.removesuffix("s").replace("_", " ")
            raise _Refused(op.error_status(404), f"{singular} {value} not found")
        return record

    def _new_id(self, coll: Collection, record: dict[str, Any]) -> Any:
        """An id in the spec's format: a count, a UUID, or a sample of the id's pattern; a
        pattern group of alternatives one of which is a value of the record follows it (a
        folder of ``folder_type`` "app" gets ``app_...``)."""
        self._counters[coll.name] += 1
        n = self._counters[coll.name]
        schemas = [resolve(self.spec.defs, s) for s in coll.id_schemas]
        kinds = {
            k
            for s in schemas
            for k in (s.get("type") if isinstance(s.get("type"), list) else [s.get("type")])
        }
        if kinds & {"number", "integer"}:
            return n
        if any(s.get("pattern") == r"^\d+$" for s in schemas):
            return str(n)
        if any(s.get("format") == "uuid" for s in schemas):
            return self._maker.string({"format": "uuid"})
        values = {v for v in record.values() if isinstance(v, str)}
        for schema in schemas:
            if "pattern" in schema:
                pattern = schema["pattern"]
                for group in re.findall(r"\(([\w|]+)\)", pattern):
                    chosen = sorted(values & set(group.split("|")))
                    if chosen:
                        pattern = pattern.replace(f"({group})", re.escape(chosen[0]), 1)
                for _ in range(50):
                    sample = _data.from_pattern(pattern, self._rng)
                    if sample is not None and sample not in self._records[coll.name]:
                        return sample
        return self._maker.string({"format": "uuid"})

    def _reverse(self, coll: Collection) -> dict[str, Membership]:
        """Fields of ``coll``'s records that list the parents it is a member of (a user's
        ``groups``): shown, never stored."""
        out = {}
        for other in self.spec.collections.values():
            for membership in other.memberships.values():
                if membership.child == coll.name and other.name in coll.record["properties"]:
                    out[other.name] = membership
        return out

    def _defaults(self, coll: Collection, keep: dict[str, Any] | None = None) -> dict[str, Any]:
        props = coll.record["properties"]
        skip = coll.memberships.keys() | self._reverse(coll).keys()
        record: dict[str, Any] = {}
        for name, sub in props.items():
            if name in skip:
                continue
            schema = resolve(self.spec.defs, sub)
            kind = schema.get("type")
            # what a new record is not given is empty where the schema allows: no list, null
            is_array = kind == "array" or (isinstance(kind, list) and "array" in kind)
            if is_array and self._maker.is_valid(sub, []):
                record[name] = []
                continue
            if name not in ("id", "name") and self._maker.is_valid(sub, None):
                record[name] = None
                continue
            record[name] = self._maker.valid(sub, name=name)
        if keep:
            record.update({k: v for k, v in keep.items() if k in ("id", "legacy_id", "created_at")})
        return record

    def _overlay(self, coll: Collection, record: dict[str, Any], body: Any, missing: int = 404) -> None:
        """Copy the body's fields that are fields of the record (and fit them) onto it; a
        ``X_id`` naming a record of collection ``Xs`` sets the object field ``X`` to that record
        (a resource configuration's ``resource`` and ``environment``)."""
        if not isinstance(body, dict):
            return
        props = coll.record["properties"]
        for key, value in body.items():
            referred = self.spec.collections.get(key.removesuffix("_id") + "s")
            if key.endswith("_id") and key not in props and referred and key.removesuffix("_id") in props:
                found = self._lookup(referred, value)
                if found is None:
                    raise _Refused(missing, f"{referred.name.removesuffix('s')} {value} not found")
                record[key.removesuffix("_id")] = self._project(props[key.removesuffix("_id")], found)
                continue
            target = key
            if key not in props:
                alias = [p for p in props if p.endswith("_" + key)]  # email -> invited_email
                if len(alias) != 1:
                    continue
                target = alias[0]
            if target in ("id", "legacy_id", "created_at", "updated_at") or target in coll.memberships:
                continue
            if self._maker.is_valid(props[target], value):
                record[target] = copy.deepcopy(value)

    def _new_record(self, coll: Collection, body: Any, missing: int = 404) -> dict[str, Any]:
        record = self._defaults(coll)
        create = coll.ops.get("create")
        shape = object_schema(self.spec.defs, create.body) if create and create.body else None
        defaults = {
            k: resolve(self.spec.defs, s).get("default")
            for k, s in (shape or {}).get("properties", {}).items()
        }
        self._overlay(coll, record, {k: v for k, v in defaults.items() if v is not None})
        self._overlay(coll, record, body, missing)
        record["id"] = self._new_id(coll, record)
        props = coll.record["properties"]
        if "legacy_id" in props:
            n = self._counters[coll.name]
            for legacy in (n, str(n), record["id"]):  # a number, its text, else the id itself
                if self._maker.is_valid(props["legacy_id"], legacy):
                    record["legacy_id"] = legacy
                    break
        stamp = self.now()
        for key in ("created_at", "updated_at"):
            if key in props:
                record[key] = stamp
        return record

    def _store(self, coll: Collection, record: dict[str, Any]) -> None:
        self._records[coll.name][str(record["id"])] = record

    def _set_links(self, coll: Collection, record: dict[str, Any], body: Any) -> None:
        """The memberships a create / PUT body lists (``members``) replace the record's."""
        if not isinstance(body, dict):
            return
        for name, membership in coll.memberships.items():
            if name in body:
                self._links[coll.name].setdefault(str(record["id"]), {})[name] = self._refs(
                    membership, body[name]
                )

    def _refs(self, membership: Membership, items: Any) -> dict[str, dict[str, Any]]:
        refs: dict[str, dict[str, Any]] = {}
        for item in items if isinstance(items, list) else []:
            ref, extras = (
                (item.get("id"), {k: v for k, v in item.items() if k != "id"})
                if isinstance(item, dict)
                else (item, {})
            )
            key = str(int(ref)) if isinstance(ref, float) and ref.is_integer() else str(ref)
            if key not in self._records[membership.child]:
                singular = membership.child.removesuffix("s").replace("_", " ")
                op = membership.add
                raise _Refused(op.error_status(404, 400) if op else 404, f"{singular} {key} not found")
            refs[key] = extras
        return refs

    def _render(
        self,
        coll: Collection,
        record: dict[str, Any],
        op: Operation | None,
        query: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        schema = (record_of(self.spec.defs, op.success()) if op else None) or coll.record
        props, required = schema.get("properties", {}), set(schema.get("required", []))
        out = {k: copy.deepcopy(record[k]) for k in props if k in record}
        links = self._links[coll.name].get(str(record["id"]), {})
        for name, membership in coll.memberships.items():
            if name in props:
                out[name] = self._entries(membership, links.get(name, {}))
        for name, membership in self._reverse(coll).items():
            if name not in props:
                continue
            flag = any(
                v is True and name in k.lower() for k, v in (query or {}).items()
            )  # includeGroups=true
            if flag or name in required:
                parents = self._records[membership.parent]
                entry = resolve(self.spec.defs, props[name]).get("items", {})
                out[name] = [
                    self._project(entry, parent)
                    for pid, parent in parents.items()
                    if str(record["id"])
                    in self._links[membership.parent].get(pid, {}).get(membership.field, {})
                ]
        for name in required - out.keys():
            out[name] = self._maker.valid(props[name], name=name)
        return out

    def _entries(self, membership: Membership, refs: dict[str, dict[str, Any]]) -> list[Any]:
        children = self._records[membership.child]
        return [
            self._project(membership.entry, children[key], extras)
            for key, extras in refs.items()
            if key in children
        ]

    def _project(self, schema: JSON, record: dict[str, Any], extras: dict[str, Any] | None = None) -> Any:
        shape = object_schema(self.spec.defs, schema)
        if shape is None:
            return copy.deepcopy(record)
        props = shape.get("properties", {})
        out = {k: copy.deepcopy(record[k]) for k in props if k in record}
        for k, v in (extras or {}).items():
            if k in props:
                out[k] = v
        for k in set(shape.get("required", [])) - out.keys():
            default = resolve(self.spec.defs, props[k])
            out[k] = False if default.get("type") == "boolean" else self._maker.valid(props[k], name=k)
        return out

    def _envelope(self, op: Operation, data: Any, page: dict[str, Any] | None = None) -> Answer:
        response = op.success()
        if response.schema is None:
            return Answer(response.status)
        _, wrapped = payload_of(self.spec.defs, response)
        if not wrapped:
            return _json_answer(response.status, data)
        body_schema = object_schema(self.spec.defs, response.schema) or {}
        body: dict[str, Any] = {}
        required = set(body_schema.get("required", []))
        for key, sub in body_schema.get("properties", {}).items():
            if key == "data":
                body[key] = data
            elif key == "success":
                body[key] = True
            elif page is not None and key in page:
                body[key] = page[key]
            elif key in required:
                body[key] = self._maker.valid(sub, name=key)
        return _json_answer(response.status, body)

    def _list(
        self, coll: Collection, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any
    ) -> Answer:
        records = self._all(coll)
        filters = {k: v for k, v in query.items() if k not in PAGING}
        for name, value in filters.items():
            test = self._filter(coll, name, value)
            if test is not None:
                records = [r for r in records if test(r)]
        total = len(records)
        limit, token = query.get("limit"), query.get("next_token")
        next_token, more = None, False
        if op.query("next_token") is not None and (isinstance(limit, int) or token is not None):
            digest = zlib.crc32(json.dumps(filters, sort_keys=True, default=str).encode())
            start = 0 if token is None else _decode_cursor(token, digest)
            size = limit if isinstance(limit, int) else total
            records = records[start : start + size]
            more = start + size < total
            next_token = _encode_cursor(start + size, digest) if more else None
        data = [self._render(coll, r, op, query) for r in records]
        return self._envelope(op, data, {"total_count": total, "next_token": next_token, "has_more": more})

    def _filter(self, coll: Collection, name: str, value: Any) -> Callable[[dict[str, Any]], bool] | None:
        props = coll.record["properties"]
        singular = coll.name.removesuffix("s")
        field_name, contains, inner = name, False, ""
        if name.endswith("_contains"):
            field_name, contains = name.removesuffix("_contains"), True
        elif name not in props and name.startswith(singular + "_"):
            field_name = name.removeprefix(singular + "_")  # resource_type -> type on resources
        elif name not in props and "_" in name:
            outer, _, rest = name.partition("_")  # resource_id -> resource.id on configurations
            shape = object_schema(self.spec.defs, props.get(outer, {})) or {}
            if rest in shape.get("properties", {}):
                field_name, inner = outer, rest
        if field_name not in props or isinstance(value, list | dict):
            return None  # not a field of the records: not filtered by the fake (see the docs)

        def test(record: dict[str, Any]) -> bool:
            have = record.get(field_name)
            if inner:
                have = have.get(inner) if isinstance(have, dict) else None
            if isinstance(value, str) and isinstance(have, str):
                return value.lower() in have.lower() if contains else have.lower() == value.lower()
            return bool(have == value)

        return test

    def _create(
        self, coll: Collection, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any
    ) -> Answer:
        record = self._new_record(coll, body, op.error_status(404, 400))
        self._set_links(coll, record, body)
        self._store(coll, record)
        return self._envelope(op, self._render(coll, record, op, query))

    def _get(
        self, coll: Collection, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any
    ) -> Answer:
        record = self._find(coll, op, path[coll.id_param])
        return self._envelope(op, self._render(coll, record, op, query))

    def _replace(
        self, coll: Collection, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any
    ) -> Answer:
        old = self._find(coll, op, path[coll.id_param])
        return self._replace_record(coll, op, old, body, query)

    def _put_base(
        self, coll: Collection, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any
    ) -> Answer:
        ref = body.get("id") if isinstance(body, dict) else None
        if ref is None:
            raise _Refused(op.error_status(400, 422), "body.id: the record to replace is required")
        key = str(int(ref)) if isinstance(ref, float) and ref.is_integer() else str(ref)
        return self._replace_record(coll, op, self._find(coll, op, key), body, query)

    def _replace_record(
        self, coll: Collection, op: Operation, old: dict[str, Any], body: Any, query: dict[str, Any]
    ) -> Answer:
        record = self._defaults(coll, keep=old)
        self._overlay(coll, record, body, op.error_status(404, 400))
        if "updated_at" in coll.record["properties"]:
            record["updated_at"] = self.now()
        self._set_links(coll, record, body)
        self._store(coll, record)
        return self._envelope(op, self._render(coll, record, op, query))

    def _update(
        self, coll: Collection, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any
    ) -> Answer:
        record = self._find(coll, op, path[coll.id_param])
        operations = body.get("operations") if isinstance(body, dict) else None
        if (
            isinstance(operations, list)
            and op.body
            and "operations" in (object_schema(self.spec.defs, op.body) or {}).get("properties", {})
        ):
            document = self._render(coll, record, None)
            changed = self._apply_patch(op, document, operations, set(coll.record["properties"]))
        else:
            document = copy.deepcopy(record)
            self._overlay(coll, document, body, op.error_status(404, 400))
            changed = set(body) if isinstance(body, dict) else set()
        problems = []
        for name in changed:
            if name in coll.memberships:
                items = document.get(name)
                self._links[coll.name].setdefault(str(record["id"]), {})[name] = self._refs(
                    coll.memberships[name], items if isinstance(items, list) else []
                )
                continue
            if name not in document:
                continue  # removed: a field the record may lack
            problem = self._invalid(
                op, ("body", "operations", f"/{name}"), coll.record["properties"][name], document[name]
            )
            if problem:
                problems.append(problem)
        self._refuse_invalid(op, problems)
        for name in changed - coll.memberships.keys():
            if name in document:
                record[name] = document[name]
            else:
                record.pop(name, None)
        if "updated_at" in coll.record["properties"]:
            record["updated_at"] = self.now()
        return self._envelope(op, self._render(coll, record, op, query))

    def _apply_patch(
        self, op: Operation, document: dict[str, Any], operations: list[Any], fields: set[str]
    ) -> set[str]:
        """Apply RFC 6902 operations in place under the endpoint's rules; the top-level fields
        they touched. The endpoint's ops are the ``op`` enums of its body schema."""
        allowed = _patch_ops(self.spec.defs, op.body)
        status = op.error_status(400, 422)
        changed: set[str] = set()
        for index, operation in enumerate(operations):
            where = f"body.operations[{index}]"
            if not isinstance(operation, dict):
                raise _Refused(status, f"{where}: an operation is an object")
            kind, pointer = operation.get("op"), operation.get("path")
            if kind not in allowed:
                raise _Refused(
                    status,
                    f"{where}: op {kind!r} is not accepted here; accepted: {', '.join(sorted(allowed))}",
                )
            if kind not in ("add", "remove", "replace"):
                raise _Refused(status, f"{where}: op {kind!r} is not supported by FakeRetool")
            if not isinstance(pointer, str) or not pointer.startswith("/"):
                raise _Refused(status, f"{where}.path: a JSON pointer starting with '/' is required")
            tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
            if tokens[0] not in fields:
                raise _Refused(
                    status, f"{where}.path: {pointer!r} is not a field; fields: {', '.join(sorted(fields))}"
                )
            if tokens[0] in ("id", "legacy_id", "created_at", "updated_at"):
                raise _Refused(status, f"{where}.path: {tokens[0]} cannot be changed")
            if kind != "remove" and "value" not in operation:
                raise _Refused(status, f"{where}: {kind} needs a value")
            try:
                _apply_one(document, kind, tokens, copy.deepcopy(operation.get("value")))
            except (KeyError, IndexError, TypeError, ValueError) as exc:
                raise _Refused(status, f"{where}: cannot {kind} {pointer!r}: {exc}") from None
            changed.add(tokens[0])
        return changed

    def _delete(
        self, coll: Collection, op: Operation, path: dict[str, str], query: dict[str, Any], body: Any
    ) -> Answer:
        record = self._find(coll, op, path[coll.id_param])
        key = str(record["id"])
        del self._records[coll.name][key]
        self._links[coll.name].pop(key, None)
        for other in self.spec.collections.values():  # a deleted user leaves its groups
            for membership in other.memberships.values():
                if membership.child == coll.name:
                    for links in self._links[other.name].values():
                        links.get(membership.field, {}).pop(key, None)
        return self._envelope(op, self._render(coll, record, op, query))

    # -- relations -------------------------------------------------------------------------

    def _membership(
        self, role: str, membership: Membership, op: Operation, path: dict[str, str], body: Any
    ) -> Answer:
        parent = self.spec.collections[membership.parent]
        record = self._find(parent, op, path[parent.id_param])
        links = self._links[parent.name].setdefault(str(record["id"]), {}).setdefault(membership.field, {})
        if role == "member_add":
            items = (
                next((v for v in body.values() if isinstance(v, list)), []) if isinstance(body, dict) else []
            )
            links.update(self._refs(membership, items))
        else:
            child = self.spec.collections[membership.child]
            key = path[child.id_param]
            if key not in links:
                what = child.name.removesuffix("s").replace("_", " ")
                owner = f"{parent.name.removesuffix('s')} {record['id']}"
                raise _Refused(op.error_status(404), f"{what} {key} is not in {membership.field} of {owner}")
            del links[key]
        return self._envelope(op, self._render(parent, record, op))

    def _attribute(
        self, role: str, attributes: AttributeMap, op: Operation, path: dict[str, str], body: Any
    ) -> Answer:
        parent = self.spec.collections[attributes.parent]
        record = self._find(parent, op, path[parent.id_param])
        values = record.get(attributes.field)
        if not isinstance(values, dict):
            values = record[attributes.field] = {}
        if role == "attr_set":
            values[body["name"]] = body["value"]
        else:
            name = next(v for k, v in path.items() if k != parent.id_param)
            if name not in values:
                raise _Refused(op.error_status(404), f"attribute {name!r} not found")
            del values[name]
        data_schema, _ = payload_of(self.spec.defs, op.success())
        return self._envelope(op, self._project(data_schema, record))

    # -- singletons and the rest -----------------------------------------------------------

    def _singleton(self, path: str, op: Operation, body: Any) -> Answer:
        get = self.spec.by_template[path]["GET"]
        schema, _ = payload_of(self.spec.defs, get.success())
        if path not in self._singletons:
            maker = self._seeded(get)
            self._singletons[path] = maker.valid(schema) if schema is not None else {}
        document = self._singletons[path]
        if op.method == "DELETE":
            self._singletons[path] = None
            return self._envelope(op, {} if document is None else document)
        if op.method == "GET":
            if document is None:
                raise _Refused(get.error_status(404), "not configured")
            return self._answer_document(op, document)
        if op.method == "PATCH" and isinstance(body, dict) and isinstance(body.get("operations"), list):
            new = copy.deepcopy(document) if isinstance(document, dict) else {}
            fields = set((object_schema(self.spec.defs, schema) or {}).get("properties", {}))
            self._apply_patch(op, new, body["operations"], fields)
            if schema is not None and not self._maker.is_valid(schema, new):
                problem = self._invalid(op, ("body",), schema, new) or "body: does not fit the document"
                raise _Refused(op.error_status(400, 422), problem)
        else:
            new = self._written(schema, document, body)
        self._singletons[path] = new
        return self._answer_document(op, new)

    def _written(self, schema: JSON, document: Any, body: Any) -> Any:
        """The document a PUT / POST leaves: the body (unwrapped from a lone ``data`` /
        ``config`` / ``settings`` member), else the old document with the body's fields, when
        either fits the GET's schema; else the body as sent (answers then fall back to
        made-up values where it does not fit)."""
        candidate = body
        if isinstance(body, dict) and len(body) == 1:
            ((key, inner),) = body.items()
            fields = (object_schema(self.spec.defs, schema) or {}).get("properties", {}) if schema else {}
            if isinstance(inner, dict) and key not in fields:
                candidate = inner
        if schema is None or self._maker.is_valid(schema, candidate):
            return copy.deepcopy(candidate)
        if isinstance(document, dict) and isinstance(candidate, dict):
            merged = {**copy.deepcopy(document), **copy.deepcopy(candidate)}
            if self._maker.is_valid(schema, merged):
                return merged
        return copy.deepcopy(candidate)

    def _answer_document(self, op: Operation, document: Any) -> Answer:
        schema, _ = payload_of(self.spec.defs, op.success())
        if schema is None:
            return self._envelope(op, None)
        data = document if self._maker.is_valid(schema, document) else self._seeded(op).valid(schema)
        return self._envelope(op, data)

    def _seeded(self, op: Operation) -> _data.Maker:
        rng = random.Random(f"{self.seed}:{op.method} {op.template}")
        return _data.Maker(self.spec.defs, rng, self.now)

    def _generated(self, op: Operation) -> Answer:
        response = op.success()
        if response.schema is None:
            return Answer(response.status)
        return _json_answer(response.status, self._seeded(op).valid(response.schema))


# -- helpers ------------------------------------------------------------------------------------


def _loose_json(body: bytes) -> Any:
    """The body as JSON for the request log; None when it is empty or not JSON."""
    try:
        return json.loads(body) if body.strip() else None
    except (ValueError, RecursionError):
        return None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"status {status}"


def _coerce(text: str, schema: JSON, defs: dict[str, JSON]) -> Any:
    """A path or query parameter's text as the JSON value its schema types it as."""
    schema = resolve(defs, schema)
    kinds: list[Any] = []
    for branch in [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]:
        kind = resolve(defs, branch).get("type")
        kinds += kind if isinstance(kind, list) else [kind]
    if "integer" in kinds and re.fullmatch(r"-?\d+", text):
        return int(text)
    if "number" in kinds and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text):
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    if "boolean" in kinds and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if "null" in kinds and text in ("", "null"):
        return None
    return text


def _encode_cursor(offset: int, digest: int) -> str:
    raw = json.dumps({"o": offset, "q": digest}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(token: str, digest: int) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = data["o"]
        if not isinstance(offset, int) or offset < 0 or data["q"] != digest:
            raise ValueError(token)
    except (ValueError, KeyError, TypeError):
        raise _Refused(400, "next_token: not a cursor this list gave for this query") from None
    return offset


def _patch_ops(defs: dict[str, JSON], body: JSON) -> set[str]:
    shape = object_schema(defs, body) or {}
    items = resolve(defs, shape.get("properties", {}).get("operations", {})).get("items", {})
    ops: set[str] = set()
    for variant in resolve(defs, items).get("anyOf", resolve(defs, items).get("oneOf", [items])):
        shape = object_schema(defs, variant) or {}
        ops.update(resolve(defs, shape.get("properties", {}).get("op", {})).get("enum", []))
    return ops


def _apply_one(document: Any, kind: str, tokens: list[str], value: Any) -> None:
    """One RFC 6902 ``add`` / ``remove`` / ``replace`` at ``tokens`` inside ``document``."""
    parent = document
    for token in tokens[:-1]:
        parent = parent[int(token)] if isinstance(parent, list) else parent[token]
    last = tokens[-1]
    if isinstance(parent, list):
        if kind == "add":
            index = len(parent) if last == "-" else _index(last, len(parent) + 1)
            parent.insert(index, value)
        elif kind == "remove":
            del parent[_index(last, len(parent))]
        else:
            parent[_index(last, len(parent))] = value
    elif isinstance(parent, dict):
        if kind != "add" and last not in parent:
            raise KeyError(f"no member {last!r}")
        if kind == "remove":
            del parent[last]
        else:
            parent[last] = value
    else:
        raise TypeError("the path goes through a value that is neither an object nor an array")


def _index(token: str, size: int) -> int:
    if not re.fullmatch(r"0|[1-9]\d*", token) or int(token) >= size:
        raise IndexError(f"no index {token}")
    return int(token)
