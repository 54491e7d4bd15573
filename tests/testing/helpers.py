"""Shared helpers for the fake's tests: a valid request for any operation, and the check that
an answer fits the spec."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from retool_api_client.testing import Answer, FakeRetool
from retool_api_client.testing._data import Maker, validator
from retool_api_client.testing._spec import Operation


def auth(fake: FakeRetool) -> dict[str, str]:
    return {"Authorization": f"Bearer {fake.token}"}


def call(fake: FakeRetool, method: str, path: str, body: Any = None, **query: Any) -> Answer:
    """One request to ``fake.handle`` with a JSON body and query parameters."""
    raw = b"" if body is None else json.dumps(body).encode()
    text = urlencode({k: str(v).lower() if isinstance(v, bool) else v for k, v in query.items()})
    return fake.handle(method, fake.spec.root + path, text, auth(fake), raw)


def link_references(fake: FakeRetool, body: Any) -> Any:
    """Point a body's ``X_id`` fields at a stored record of collection ``Xs`` (populating it
    when empty): the fake refuses references to records it does not have."""
    if isinstance(body, dict):
        for key in list(body):
            name = key.removesuffix("_id") + "s"
            if key.endswith("_id") and name in fake.spec.collections:
                if not fake.records(name):
                    fake.populate(**{name: 1})
                body[key] = fake.records(name)[0]["id"]
    return body


def valid_request(fake: FakeRetool, op: Operation, seed: int = 0) -> tuple[str, str, bytes]:
    """(path, query, body) the operation accepts; path parameters of a collection name a stored
    record (``fake`` should be populated)."""
    maker, key = Maker(fake.spec.defs), f"{seed}:{op.operation_id}"
    role, target = fake._handlers.role(op)
    path = op.template
    for param in op.params:
        if param.where != "path":
            continue
        value = None
        named = [c for c in fake.spec.collections.values() if c.id_param == param.name]
        if role == "member_remove" and param.name == target.child_param:  # 2.12.0's {userSid}
            named = [fake.spec.collections[target.child]]
        # the collection the path is under, else the one whose id the parameter names (userId)
        owners = [c for c in named if op.template.startswith(c.item)] or (named if len(named) == 1 else [])
        for coll in owners:
            if fake._store.records[coll.name]:
                value = next(iter(fake._store.records[coll.name]))
                break
        if value is None:
            value = str(maker.valid(param.schema, f"{key}:{param.name}", name=param.name))
        path = path.replace("{" + param.name + "}", quote(str(value), safe=""))
    query = {
        p.name: maker.valid(p.schema, f"{key}:{p.name}", name=p.name)
        for p in op.params
        if p.where == "query" and p.required
    }
    body = (
        b""
        if op.body is None
        else json.dumps(link_references(fake, maker.valid(op.body, f"{key}:body", full=False))).encode()
    )
    return path, urlencode(query, doseq=True), body


def answer_problems(fake: FakeRetool, op: Operation, answer: Answer) -> list[str]:
    """Why ``answer`` does not fit what ``op`` documents (empty when it does)."""
    response = op.responses.get(answer.status)
    if response is None:
        return [f"status {answer.status} is not documented: {answer.body[:200]!r}"]
    if response.schema is None:
        return [] if not answer.body else [f"status {answer.status} documents no body"]
    v = validator(response.schema, fake.spec.defs)
    return [f"{list(e.absolute_path)}: {e.message[:160]}" for e in v.iter_errors(answer.json())][:5]


def prepare(fake: FakeRetool, op: Any, path: str, body: bytes) -> bytes:
    """Make the request's target exist: the attribute or member a DELETE removes, the record a
    PUT on a collection names in its body."""
    role, target = fake._handlers.role(op)
    if role == "attr_delete":
        name = path.rsplit("/", 1)[-1]
        parent = path.rsplit("/", 1)[0]
        answer = fake.handle(
            "POST", fake.spec.root + parent, "", auth(fake), json.dumps({"name": name, "value": "x"}).encode()
        )
        assert answer.status == 200, answer.body
    if role == "member_remove":
        child = path.rsplit("/", 1)[-1]
        add = target.add.template.replace(
            "{" + fake.spec.collections[target.parent].id_param + "}", path.split("/")[2]
        )
        field = next(iter((target.add.body or {}).get("properties", {})))
        items = [{"id": child, "is_group_admin": False}] if target.field == "members" else [int(child)]
        answer = fake.handle(
            "POST", fake.spec.root + add, "", auth(fake), json.dumps({field: items}).encode()
        )
        assert answer.status == 200, answer.body
    if role == "put_base":
        existing = next(iter(fake._store.records[target.name].values()))
        return json.dumps({**json.loads(body), "id": existing["id"]}).encode()
    return body
