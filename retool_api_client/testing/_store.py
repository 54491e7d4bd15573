"""The store: the records of each collection, the memberships between them, the singleton
documents, and how a new record gets its values.

A record's made-up values come from its own keys, ``(seed, collection, record number, field)``
(see ``_data``), never from a stream shared with other records or fields: the same seed gives
the same value for every field a Retool release did not change. ``created_at`` /
``updated_at`` come from the fake's clock, read once per record.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from . import _data
from ._answers import Refused
from ._data import Maker
from ._spec import Collection, Membership, Operation, Spec, object_schema, resolve

JSON = Any
#: fields a request cannot change: the server sets them
SERVER_FIELDS = ("id", "legacy_id", "created_at", "updated_at")


class Store:
    """Records by collection, memberships by parent record, singleton documents by path."""

    def __init__(self, spec: Spec, maker: Maker, seed: int, now: Callable[[], str]) -> None:
        self.spec, self.maker, self.seed, self.now = spec, maker, seed, now
        #: collection -> record id (as text) -> record
        self.records: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in spec.collections}
        #: collection -> record id -> membership field -> child id -> extras (``is_group_admin``)
        self.links: dict[str, dict[str, dict[str, dict[str, dict[str, Any]]]]] = {
            n: {} for n in spec.collections
        }
        #: records made so far, per collection: the next one's number (and numeric id)
        self.counters: dict[str, int] = dict.fromkeys(spec.collections, 0)
        #: singleton path -> its document (None once deleted); made up on first read
        self.singletons: dict[str, Any] = {}

    def key(self, *parts: object) -> str:
        """The key of one made-up value: this fake's seed and where the value goes."""
        return "/".join(str(p) for p in (self.seed, *parts))

    # -- finding ------------------------------------------------------------------------------

    def collection(self, name: str) -> Collection:
        try:
            return self.spec.collections[name]
        except KeyError:
            raise ValueError(
                f"no collection {name!r}; the spec has: {', '.join(self.spec.collections)}"
            ) from None

    def all(self, coll: Collection) -> list[dict[str, Any]]:
        return list(self.records[coll.name].values())

    def lookup(self, coll: Collection, value: Any) -> dict[str, Any] | None:
        """The record with this id, else the one with this ``name`` / ``display_name`` (Retool
        takes a resource's name where its id goes)."""
        record = self.records[coll.name].get(str(value))
        if record is None and isinstance(value, str):
            named = [
                r for r in self.records[coll.name].values() if value in (r.get("name"), r.get("display_name"))
            ]
            record = named[0] if len(named) == 1 else None
        return record

    def find(self, coll: Collection, op: Operation, value: Any) -> dict[str, Any]:
        record = self.lookup(coll, value)
        if record is None:
            raise Refused(op.error_status(404), f"{singular(coll.name)} {value} not found")
        return record

    def reverse(self, coll: Collection) -> dict[str, Membership]:
        """Fields of ``coll``'s records that list the parents it is a member of (a user's
        ``groups``): shown, never stored."""
        out = {}
        for other in self.spec.collections.values():
            for membership in other.memberships.values():
                if membership.child == coll.name and other.name in coll.record["properties"]:
                    out[other.name] = membership
        return out

    # -- making records -----------------------------------------------------------------------

    def new_record(self, coll: Collection, body: Any, missing: int = 404) -> dict[str, Any]:
        """A record as a create with ``body`` makes it (not stored yet): the body's fields over
        the create schema's defaults over empty or made-up values."""
        n = self.counters[coll.name] + 1
        record = self.defaults(coll, self.key(coll.name, n))
        create = coll.ops.get("create")
        shape = object_schema(self.spec.defs, create.body) if create and create.body else None
        defaults = {
            k: resolve(self.spec.defs, s).get("default")
            for k, s in (shape or {}).get("properties", {}).items()
        }
        self.overlay(coll, record, {k: v for k, v in defaults.items() if v is not None})
        self.overlay(coll, record, body, missing)
        self.counters[coll.name] = n  # only once nothing was refused: no gaps in numeric ids
        record["id"] = self.new_id(coll, record, n)
        props = coll.record["properties"]
        if "legacy_id" in props:
            for legacy in (n, str(n), record["id"]):  # a number, its text, else the id itself
                if self.maker.is_valid(props["legacy_id"], legacy):
                    record["legacy_id"] = legacy
                    break
        stamp = self.now()
        for key in ("created_at", "updated_at"):
            if key in props:
                record[key] = stamp
        return record

    def new_id(self, coll: Collection, record: dict[str, Any], n: int) -> Any:
        """An id in the spec's format: a count, a UUID, or a sample of the id's pattern; a
        pattern group of alternatives one of which is a value of the record follows it (a
        folder of ``folder_type`` "app" gets ``app_...``)."""
        schemas = [resolve(self.spec.defs, s) for s in coll.id_schemas]
        kinds = {
            k
            for s in schemas
            for k in (s.get("type") if isinstance(s.get("type"), list) else [s.get("type")])
        }
        numeric = bool(kinds & {"number", "integer"})
        if numeric or any(s.get("pattern") == r"^\d+$" for s in schemas):
            while str(n) in self.records[coll.name]:  # taken by a record added with its own id
                n = self.counters[coll.name] = n + 1
            return n if numeric else str(n)
        key = self.key(coll.name, n, "id")
        if not any(s.get("format") == "uuid" for s in schemas):
            values = {v for v in record.values() if isinstance(v, str)}
            for schema in schemas:
                if "pattern" not in schema:
                    continue
                pattern = schema["pattern"]
                for group in re.findall(r"\(([\w|]+)\)", pattern):
                    chosen = sorted(values & set(group.split("|")))
                    if chosen:
                        pattern = pattern.replace(f"({group})", re.escape(chosen[0]), 1)
                draws = _data.rng(key)
                for _ in range(50):
                    sample = _data.from_pattern(pattern, draws)
                    if sample is not None and sample not in self.records[coll.name]:
                        return sample
        for attempt in range(50):
            made = self.maker.string({"format": "uuid"}, f"{key}~{attempt}" if attempt else key)
            if made not in self.records[coll.name]:
                return made
        return made

    def defaults(self, coll: Collection, key: str, keep: dict[str, Any] | None = None) -> dict[str, Any]:
        """What a record is before a body is laid over it: empty (``[]``, ``null``) where the
        schema allows, else made up from ``key``; ``keep``: a record whose server fields stay."""
        props = coll.record["properties"]
        skip = coll.memberships.keys() | self.reverse(coll).keys()
        record: dict[str, Any] = {}
        for name, sub in props.items():
            if name in skip:
                continue
            kind = resolve(self.spec.defs, sub).get("type")
            is_array = kind == "array" or (isinstance(kind, list) and "array" in kind)
            if is_array and self.maker.is_valid(sub, []):
                record[name] = []
            elif name not in ("id", "name") and self.maker.is_valid(sub, None):
                record[name] = None
            else:
                record[name] = self.maker.valid(sub, f"{key}/{name}", name=name)
        if keep:
            record.update({k: v for k, v in keep.items() if k in ("id", "legacy_id", "created_at")})
        return record

    def overlay(self, coll: Collection, record: dict[str, Any], body: Any, missing: int = 404) -> None:
        """Copy the body's fields that are fields of the record (and fit them) onto it; a
        ``X_id`` naming a record of collection ``Xs`` sets the object field ``X`` to that record
        (a resource configuration's ``resource`` and ``environment``)."""
        if not isinstance(body, dict):
            return
        props = coll.record["properties"]
        for key, value in body.items():
            referred = self.spec.collections.get(key.removesuffix("_id") + "s")
            if key.endswith("_id") and key not in props and referred and key.removesuffix("_id") in props:
                found = self.lookup(referred, value)
                if found is None:
                    raise Refused(missing, f"{singular(referred.name)} {value} not found")
                field = key.removesuffix("_id")
                record[field] = self.project(props[field], found, key=self.key(referred.name, found["id"]))
                continue
            target = key
            if key not in props:
                alias = [p for p in props if p.endswith("_" + key)]  # email -> invited_email
                if len(alias) != 1:
                    continue
                target = alias[0]
            if target in SERVER_FIELDS or target in coll.memberships:
                continue
            if self.maker.is_valid(props[target], value):
                record[target] = copy.deepcopy(value)

    def put(self, coll: Collection, record: dict[str, Any]) -> None:
        self.records[coll.name][str(record["id"])] = record

    def set_links(self, coll: Collection, record: dict[str, Any], body: Any) -> None:
        """The memberships a create / PUT body lists (``members``) replace the record's."""
        if not isinstance(body, dict):
            return
        for name, membership in coll.memberships.items():
            if name in body:
                self.links[coll.name].setdefault(str(record["id"]), {})[name] = self.refs(
                    membership, body[name]
                )

    def refs(self, membership: Membership, items: Any) -> dict[str, dict[str, Any]]:
        """Membership entries (ids, or objects with an ``id`` and extras) as child id -> extras;
        a child that is not there is the add operation's 404 (400 if it documents none)."""
        refs: dict[str, dict[str, Any]] = {}
        for item in items if isinstance(items, list) else []:
            ref, extras = (
                (item.get("id"), {k: v for k, v in item.items() if k != "id"})
                if isinstance(item, dict)
                else (item, {})
            )
            key = str(int(ref)) if isinstance(ref, float) and ref.is_integer() else str(ref)
            if key not in self.records[membership.child]:
                op = membership.add
                status = op.error_status(404, 400) if op else 404
                raise Refused(status, f"{singular(membership.child)} {key} not found")
            refs[key] = extras
        return refs

    def remove(self, coll: Collection, record: dict[str, Any]) -> None:
        """Delete a record; a deleted user leaves its groups."""
        key = str(record["id"])
        del self.records[coll.name][key]
        self.links[coll.name].pop(key, None)
        for other in self.spec.collections.values():
            for membership in other.memberships.values():
                if membership.child == coll.name:
                    for links in self.links[other.name].values():
                        links.get(membership.field, {}).pop(key, None)

    def project(
        self, schema: JSON, record: dict[str, Any], extras: dict[str, Any] | None = None, *, key: str
    ) -> Any:
        """``record`` as ``schema`` shows it (a group's member, a configuration's resource): its
        fields the schema has, ``extras`` on top, required ones it lacks made up from ``key``."""
        shape = object_schema(self.spec.defs, schema)
        if shape is None:
            return copy.deepcopy(record)
        props = shape.get("properties", {})
        out = {k: copy.deepcopy(record[k]) for k in props if k in record}
        for k, v in (extras or {}).items():
            if k in props:
                out[k] = v
        for k in sorted(set(shape.get("required", [])) - out.keys()):
            is_flag = resolve(self.spec.defs, props[k]).get("type") == "boolean"
            out[k] = False if is_flag else self.maker.valid(props[k], f"{key}/{k}", name=k)
        return out

    # -- populate and add ---------------------------------------------------------------------

    def populate(self, coll: Collection, count: int) -> None:
        """``count`` new records with realistic values; groups get members from the people there."""
        for _ in range(count):
            n = self.counters[coll.name] + 1
            record = self.new_record(coll, self.seed_body(coll, n))
            self.put(coll, record)
            for membership in coll.memberships.values():
                self.seed_members(coll, record, membership, n)

    def seed_body(self, coll: Collection, n: int) -> dict[str, Any]:
        """The create body of the ``n``-th seeded record: a person's names and unique email, a
        group's name, references to records already there."""
        props = coll.record["properties"]
        body: dict[str, Any] = {}
        if {"first_name", "last_name"} <= props.keys():
            first = _data.rng(self.key(coll.name, n, "first_name")).choice(_data.FIRST_NAMES)
            last = _data.rng(self.key(coll.name, n, "last_name")).choice(_data.LAST_NAMES)
            body |= {"first_name": first, "last_name": last}
            emails = {str(r.get("email", "")).lower() for r in self.records[coll.name].values()}
            count = 0
            while _data.email_of(first, last, count) in emails:
                count += 1
            body["email"] = _data.email_of(first, last, count)
            body["active"] = _data.rng(self.key(coll.name, n, "active")).random() < 0.9
            body["metadata"] = {}
        create = coll.ops.get("create")
        fields = (
            (object_schema(self.spec.defs, create.body) or {}).get("properties", {})
            if create and create.body
            else {}
        )
        for key in fields:
            referred = self.records.get(key.removesuffix("_id") + "s")
            if key.endswith("_id") and referred:  # refer to a record there: resource_id, environment_id
                body[key] = _data.rng(self.key(coll.name, n, key)).choice(list(referred))
        if "name" in props and coll.memberships:
            taken = {r.get("name") for r in self.records[coll.name].values()}
            free = [g for g in _data.GROUP_NAMES if g not in taken]
            body["name"] = free[0] if free else f"Team {len(taken) + 1}"
        return body

    def seed_members(self, coll: Collection, record: dict[str, Any], membership: Membership, n: int) -> None:
        """A new group gets a random quarter (at most) of the people there as ``members``; other
        memberships (user invites) start empty, as pending invites to a new group would."""
        children = list(self.records[membership.child])
        if not children or membership.field != "members":
            return
        draws = _data.rng(self.key(coll.name, n, membership.field))
        count = draws.randint(1, max(1, len(children) // 4))
        links = self.links[coll.name].setdefault(str(record["id"]), {}).setdefault(membership.field, {})
        for child in draws.sample(children, min(count, len(children))):
            links[child] = {}

    def add(self, coll: Collection, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Store a record with exactly these ``fields`` (any field of the record, ``id`` and
        memberships too), the rest as :meth:`populate` makes them; a field that is not the
        record's, or a value that does not fit, is a ``ValueError`` naming it."""
        props = coll.record["properties"]
        where = f"add({coll.name!r}, ...)"
        shown = self.reverse(coll)
        unknown = [k for k in fields if k not in props or k in shown]
        if unknown:
            hint = "".join(
                f"; {k} is shown from the {shown[k].parent}' {shown[k].field}: add it there"
                for k in unknown
                if k in shown
            )
            raise ValueError(
                f"{where}: {', '.join(map(repr, unknown))} not a field of {coll.name}; fields: "
                f"{', '.join(k for k in props if k not in shown)}{hint}"
            )
        for name, value in fields.items():
            if name not in coll.memberships and not self.maker.is_valid(props[name], value):
                v = self.maker.validator(props[name])
                best = next(
                    iter(sorted(v.iter_errors(value), key=lambda e: len(list(e.absolute_path)))), None
                )
                raise ValueError(f"{where}: {name}: {best.message if best else 'does not fit the schema'}")
        if "id" in fields:
            ident = fields["id"]
            if str(ident) in self.records[coll.name]:
                raise ValueError(f"{where}: id: {coll.name} already has a record {ident!r}")
            if not all(self.maker.is_valid(s, ident) for s in coll.id_schemas):
                raise ValueError(f"{where}: id: {ident!r} is not an id of {coll.name}")
        try:
            links = {
                name: self.refs(m, fields[name]) for name, m in coll.memberships.items() if name in fields
            }
            n = self.counters[coll.name] + 1
            body = {k: v for k, v in self.seed_body(coll, n).items() if k not in fields}
            record = self.new_record(coll, body)
        except Refused as refused:
            raise ValueError(f"{where}: {refused.message}") from None
        for name, value in fields.items():
            if name not in coll.memberships:
                record[name] = copy.deepcopy(value)
        self.put(coll, record)
        for name, refs in links.items():
            self.links[coll.name].setdefault(str(record["id"]), {})[name] = refs
        return record


def singular(name: str) -> str:
    """``user_invites`` -> ``user invite``: a collection's record, in a message."""
    return name.removesuffix("s").replace("_", " ")
