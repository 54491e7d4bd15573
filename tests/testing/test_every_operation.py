"""Every operation of the spec, answered by the fake, fits the spec's response schema."""

from __future__ import annotations

import json
from typing import Any

import pytest

from retool_api_client.testing import FakeRetool
from retool_api_client.testing._spec import resolve

from ..helpers import ROOT
from .helpers import answer_problems, auth, prepare, valid_request

FAKE = FakeRetool(seed=3)
FAKE.populate(**dict.fromkeys(FAKE.collections, 3))


# DELETEs last, so what they remove is still there for the others
OPERATIONS = sorted(FAKE.spec.operations, key=lambda op: op.method == "DELETE")


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.operation_id for op in OPERATIONS])
def test_answer_fits_the_spec(op: Any) -> None:
    path, query, body = valid_request(FAKE, op)
    body = prepare(FAKE, op, path, body)
    answer = FAKE.handle(op.method, FAKE.spec.root + path, query, auth(FAKE), body)
    assert 200 <= answer.status < 300, (answer.status, answer.body[:300])
    assert answer_problems(FAKE, op, answer) == []


def test_every_operation_is_covered() -> None:
    from retool_api_client.generated.api import OPERATIONS as GENERATED

    assert {op.operation_id for op in FAKE.spec.operations} == set(GENERATED)


def test_another_release_loads_and_every_answer_fits_its_spec() -> None:
    """The real 2.12.0 spec, as published (not normalized): the fake finds its collections and
    answers every operation as that spec says."""
    raw = json.loads((ROOT / "tests" / "data" / "specs" / "retool-2.12.0.json").read_text())
    fake = FakeRetool(seed=1, spec=raw)
    assert {"users", "groups", "folders", "spaces", "user_invites"} <= set(fake.collections)
    assert fake.spec.root == "/api/v2"  # its server URL is relative
    fake.populate(**dict.fromkeys(fake.collections, 2))
    operations = sorted(fake.spec.operations, key=lambda op: op.method == "DELETE")
    assert len(operations) > 100
    for op in operations:
        path, query, body = valid_request(fake, op)
        body = prepare(fake, op, path, body)
        answer = fake.handle(op.method, fake.spec.root + path, query, auth(fake), body)
        assert 200 <= answer.status < 300, (op.method, path, answer.body[:300])
        assert answer_problems(fake, op, answer) == [], (op.method, path)


BODIED = [
    op for op in OPERATIONS if op.body is not None and resolve(FAKE.spec.defs, op.body).get("type") != "array"
]


@pytest.mark.parametrize("op", BODIED, ids=[op.operation_id for op in BODIED])
def test_a_body_of_the_wrong_type_gets_the_documented_error(op: Any) -> None:
    path, query, _ = valid_request(FAKE, op)
    answer = FAKE.handle(op.method, FAKE.spec.root + path, query, auth(FAKE), b"[]")
    documented = [s for s in (400, 422) if s in op.responses]
    assert answer.status == (documented[0] if documented else 400), answer.body
    assert answer.json()["success"] is False
    if documented:
        assert answer_problems(FAKE, op, answer) == []


BY_ID = [
    (op, coll)
    for op in OPERATIONS
    for coll in FAKE.spec.collections.values()
    if op.template.startswith(coll.item) and "{" + coll.id_param + "}" in op.template
]


@pytest.mark.parametrize(("op", "coll"), BY_ID, ids=[f"{op.operation_id}-{coll.name}" for op, coll in BY_ID])
def test_an_unknown_id_gets_a_404_in_the_documented_shape(op: Any, coll: Any) -> None:
    fake = FakeRetool(seed=21)
    fake.populate(**{coll.name: 1})
    path, query, body = valid_request(fake, op)
    known = str(fake.records(coll.name)[0]["id"])
    fake._store.records[coll.name].clear()  # the id keeps its format but names nothing now
    assert known in path
    answer = fake.handle(op.method, fake.spec.root + path, query, auth(fake), body)
    assert answer.status == 404, answer.body
    assert answer.json() == {"success": False, "message": answer.json()["message"]}
    if 404 in op.responses and op.responses[404].schema is not None:  # (a few document no body)
        assert answer_problems(fake, op, answer) == []
