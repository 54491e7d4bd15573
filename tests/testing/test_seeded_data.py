"""Seeded data survives a Retool release: on a synthetic next release (a field removed, one
retyped, fields and an enum value added, operations added and removed),
``FakeRetool(seed=1).populate(...)`` gives the same value for every field the release did not
change, so a user's test that reads a seeded record keeps passing after a bump."""

from __future__ import annotations

import json
from typing import Any

import pytest

from retool_api_client.testing import FakeRetool

from ..helpers import ROOT, releases

#: what the issue measured on: 20 users and 3 groups; every other collection gets 3 records
COUNTS = {"users": 20, "groups": 3}


def expanded(defs: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    """``schema`` with its ``$ref`` s replaced by what they name: two releases' schemas of a
    field compare equal exactly when the field did not change."""
    if depth > 12:
        return "..."
    if isinstance(schema, dict):
        if "$ref" in schema:
            return expanded(defs, defs.get(schema["$ref"].rsplit("/", 1)[-1], {}), depth + 1)
        return {k: expanded(defs, v, depth + 1) for k, v in schema.items()}
    if isinstance(schema, list):
        return [expanded(defs, v, depth + 1) for v in schema]
    return schema


def seeded(spec: dict[str, Any], names: list[str]) -> FakeRetool:
    fake = FakeRetool(seed=1, spec=spec)
    fake.populate(**{name: COUNTS.get(name, 3) for name in names})
    return fake


BASES = {
    "pinned": releases.pinned,  # the pristine document the SDK was generated from
    "normalized": lambda: json.loads((ROOT / "openapi" / "normalized.json").read_text()),  # as shipped
}


@pytest.mark.parametrize("base", sorted(BASES))
@pytest.mark.parametrize("retype", [True, False], ids=["retyped", "not-retyped"])
def test_every_field_a_release_did_not_change_keeps_its_seeded_value(base: str, retype: bool) -> None:
    spec = BASES[base]()
    release = releases.next_release(spec, retype=retype)
    names = [n for n in FakeRetool(spec=spec).collections if n in FakeRetool(spec=release.spec).collections]
    before, after = seeded(spec, names), seeded(release.spec, names)
    kept, moved, changed = 0, [], set()
    for name in names:
        old = before.spec.collections[name].record["properties"]
        new = after.spec.collections[name].record["properties"]
        for a, b in zip(before.records(name), after.records(name), strict=True):
            for field, value in a.items():
                if field not in b or expanded(before.spec.defs, old[field]) != expanded(
                    after.spec.defs, new[field]
                ):
                    changed.add(f"{name}.{field}")
                    continue
                if b[field] == value:
                    kept += 1
                else:
                    moved.append(f"{name}[{a['id']!r}].{field}: {value!r} -> {b[field]!r}")
    assert moved == []
    assert (
        kept > 500
    )  # every record of every collection both releases have (234 of them in 20 users, 3 groups)
    removed = release.removed_field.split(".")[-1]
    assert any(c.endswith(f".{removed}") for c in changed)  # the release did touch the records


def test_a_users_seeded_record_reads_the_same_after_the_release() -> None:
    """What the issue saw: the same seeded users, with the same ids, emails, names and ``active``."""
    release = releases.next_release(retype=False)
    fields = ("id", "email", "first_name", "last_name", "active", "created_at")
    before = [
        {k: u[k] for k in fields}
        for u in FakeRetool(seed=1, spec=releases.pinned()).populate(**COUNTS).records("users")
    ]
    after = [
        {k: u[k] for k in fields}
        for u in FakeRetool(seed=1, spec=release.spec).populate(**COUNTS).records("users")
    ]
    assert before == after and len(before) == 20
    assert len({u["email"] for u in before}) == 20
