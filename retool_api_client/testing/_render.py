"""Rendering and paging: a stored record as an operation's answer shows it, Retool's
``{success, data, ...}`` envelope, pages with opaque cursors, and made-up answers.

Paging follows the operation, never the answer's schema alone: an answer says ``has_more``
with a ``next_token`` only when the operation takes a ``next_token`` and was asked for a page
(``limit``); a cursor is bound to the query that made it. An operation that cannot page always
answers ``has_more: false``. Made-up answers (for operations that keep no state) page the same
way over a made-up list, so an SDK can walk every one of them.
"""

from __future__ import annotations

import base64
import copy
import json
import zlib
from typing import Any

from ._answers import Answer, Refused, json_answer
from ._data import Maker
from ._spec import PAGING, Collection, Membership, Operation, Spec, object_schema, payload, record_of, resolve
from ._store import Store

JSON = Any
#: the envelope's paging fields, as an operation that cannot page (or is on its last page) has them
LAST_PAGE = {"has_more": False, "next_token": None}


class Renderer:
    """Turns stored records and made-up values into answers."""

    def __init__(self, spec: Spec, store: Store, maker: Maker) -> None:
        self.spec, self.store, self.maker = spec, store, maker
        #: operation -> its made-up success payload (the same request gets the same answer)
        self._made_up: dict[str, Any] = {}

    # -- records ------------------------------------------------------------------------------

    def render(
        self,
        coll: Collection,
        record: dict[str, Any],
        op: Operation | None,
        query: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``record`` as ``op``'s answer shows it (``op`` None: as the collection's records are):
        its memberships from the live child records, a user's ``groups`` when asked for."""
        schema = (record_of(self.spec.defs, op.success()) if op else None) or coll.record
        props, required = schema.get("properties", {}), set(schema.get("required", []))
        out = {k: copy.deepcopy(record[k]) for k in props if k in record}
        links = self.store.links[coll.name].get(str(record["id"]), {})
        for name, membership in coll.memberships.items():
            if name in props:
                out[name] = self.entries(membership, links.get(name, {}))
        for name, membership in self.store.reverse(coll).items():
            if name not in props:
                continue
            asked = any(v is True and name in k.lower() for k, v in (query or {}).items())  # includeGroups
            if asked or name in required:
                parents = self.store.records[membership.parent]
                entry = resolve(self.spec.defs, props[name]).get("items", {})
                out[name] = [
                    self.store.project(entry, parent, key=self.store.key(membership.parent, pid))
                    for pid, parent in parents.items()
                    if str(record["id"])
                    in self.store.links[membership.parent].get(pid, {}).get(membership.field, {})
                ]
        for name in sorted(required - out.keys()):
            key = self.store.key(coll.name, record["id"], name)
            out[name] = self.maker.valid(props[name], key, name=name)
        return out

    def entries(self, membership: Membership, refs: dict[str, dict[str, Any]]) -> list[Any]:
        children = self.store.records[membership.child]
        return [
            self.store.project(
                membership.entry, children[key], extras, key=self.store.key(membership.child, key)
            )
            for key, extras in refs.items()
            if key in children
        ]

    # -- answers ------------------------------------------------------------------------------

    def envelope(self, op: Operation, data: Any, page: dict[str, Any] | None = None) -> Answer:
        """``data`` as ``op``'s success answer: in Retool's envelope when the answer has one,
        with the paging fields of ``page`` (else those of a last page) and every other required
        field made up."""
        response = op.success()
        if response.schema is None:
            return Answer(response.status)
        _, wrapped = payload(self.spec.defs, response)
        if not wrapped:
            return json_answer(response.status, data)
        shape = object_schema(self.spec.defs, response.schema) or {}
        paging = {**LAST_PAGE, **(page or {})}
        if "total_count" not in paging and isinstance(data, list):
            paging["total_count"] = len(data)
        body: dict[str, Any] = {}
        required = set(shape.get("required", []))
        for key, sub in shape.get("properties", {}).items():
            if key == "data":
                body[key] = data
            elif key == "success":
                body[key] = True
            elif key in paging and (key in required or paging[key] is not None):
                value = paging[key]
                if self.maker.is_valid(sub, value):
                    body[key] = value
                elif key in required:  # a cursor that may not be null: empty means "no more"
                    body[key] = (
                        "" if key == "next_token" else self.maker.valid(sub, self._key(op, key), name=key)
                    )
            elif key in required:
                body[key] = self.maker.valid(sub, self._key(op, key), name=key)
        return json_answer(response.status, body)

    def page(
        self, op: Operation, items: list[Any], query: dict[str, Any], filters: dict[str, Any]
    ) -> tuple[list[Any], dict[str, Any]]:
        """The page of ``items`` the query asks for, and the envelope's paging fields: pages
        with a cursor only for an operation that takes ``next_token``; ``limit`` alone cuts."""
        total = len(items)
        limit, token = query.get("limit"), query.get("next_token")
        paging: dict[str, Any] = {"total_count": total, **LAST_PAGE}
        if op.query("next_token") is not None and (isinstance(limit, int) or token is not None):
            digest = zlib.crc32(json.dumps(filters, sort_keys=True, default=str).encode())
            start = 0 if token is None else decode_cursor(token, digest)
            size = limit if isinstance(limit, int) and limit > 0 else total
            items = items[start : start + size]
            if start + size < total:
                paging |= {"has_more": True, "next_token": encode_cursor(start + size, digest)}
        elif isinstance(limit, int) and limit > 0:
            items = items[:limit]
        return items, paging

    def made_up(self, op: Operation, query: dict[str, Any]) -> Answer:
        """An answer made up for ``op``'s success schema from the seed and the operation alone;
        a list pages like a stored one."""
        response = op.success()
        if response.schema is None:
            return Answer(response.status)
        data_schema, wrapped = payload(self.spec.defs, response)
        if not wrapped:
            return json_answer(response.status, self._payload(op, response.schema))
        array = resolve(self.spec.defs, data_schema)
        if isinstance(array, dict) and array.get("type") == "array":
            items = self._payload(op, array, many=True)
            filters = {k: v for k, v in query.items() if k not in PAGING}
            shown, paging = self.page(op, items, query, filters)
            return self.envelope(op, copy.deepcopy(shown), paging)
        return self.envelope(op, self._payload(op, data_schema))

    def document(self, op: Operation, document: Any) -> Answer:
        """A stored document as ``op`` answers it: as it is when it fits the answer's schema,
        else made up."""
        schema, _ = payload(self.spec.defs, op.success())
        if schema is None:
            return self.envelope(op, None)
        data = document if self.maker.is_valid(schema, document) else self._payload(op, schema)
        return self.envelope(op, data)

    def _payload(self, op: Operation, schema: JSON, *, many: bool = False) -> Any:
        cached = self._made_up.get(op.operation_id)
        if cached is None:
            key = self._key(op, "data")
            if many:  # one to five items, each made on its own
                items = schema.get("items", {})
                count = self.maker.count(schema, key, -1)
                cached = [self.maker.valid(items, f"{key}[{i}]") for i in range(count)]
            else:
                cached = self.maker.valid(schema, key)
            self._made_up[op.operation_id] = cached
        return copy.deepcopy(cached)

    def _key(self, op: Operation, part: str) -> str:
        return self.store.key(f"{op.method} {op.template}", part)


def encode_cursor(offset: int, digest: int) -> str:
    raw = json.dumps({"o": offset, "q": digest}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, digest: int) -> int:
    """The offset a cursor of this query carries; a 400 for one the fake did not give for it."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = data["o"]
        if not isinstance(offset, int) or offset < 0 or data["q"] != digest:
            raise ValueError(token)
    except (ValueError, KeyError, TypeError):
        raise Refused(400, "next_token: not a cursor this list gave for this query") from None
    return offset
