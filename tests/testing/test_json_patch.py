"""The fake's RFC 6902 applier against the json-patch-tests peer suite (its add / remove /
replace records): the expected document, or an error where the suite expects one."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from retool_api_client.patch import same
from retool_api_client.testing._handlers import apply_one

from ..helpers import ROOT

SUITE = ROOT / "tests" / "data" / "json-patch-tests"


def records() -> list[Any]:
    out = []
    for name in ("tests.json", "spec_tests.json"):
        for i, record in enumerate(json.loads((SUITE / name).read_text())):
            ops = record.get("patch", [])
            if record.get("disabled") or any(op.get("op") not in ("add", "remove", "replace") for op in ops):
                continue  # move / copy / test: no Retool endpoint takes them
            out.append(pytest.param(record, id=f"{name}:{i}"))
    return out


def apply(doc: Any, ops: list[dict[str, Any]]) -> Any:
    """The fake applies patches to a record's fields; the suite's documents sit under one."""
    wrapper = {"doc": copy.deepcopy(doc)}
    for op in ops:
        if not isinstance(op.get("path"), str) or (op["op"] != "remove" and "value" not in op):
            raise ValueError(f"malformed operation {op}")  # the fake checks these before applying
        tokens = ["doc", *(t.replace("~1", "/").replace("~0", "~") for t in op["path"].split("/")[1:])]
        if op["path"] and not op["path"].startswith("/"):
            raise ValueError(f"not a pointer: {op['path']!r}")
        apply_one(wrapper, op["op"], tokens, copy.deepcopy(op.get("value")))
    return wrapper["doc"]


@pytest.mark.parametrize("record", records())
def test_peer_suite(record: dict[str, Any]) -> None:
    if "expected" in record:
        assert same(apply(record["doc"], record["patch"]), record["expected"])  # 1 != 1.0 != true
    else:
        assert "error" in record
        with pytest.raises((KeyError, IndexError, TypeError, ValueError)):
            apply(record["doc"], record["patch"])


def test_the_suite_is_there() -> None:
    assert len(records()) == 73
