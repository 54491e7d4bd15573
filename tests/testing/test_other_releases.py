"""A fake of another Retool release: built from its document (a path or a dict), serving that
document at ``GET {root}/spec`` as an instance does, in-process and over HTTP, so the SDK can be
run against "a server speaking a different release" (the drift report's test bed)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from retool_api_client import AsyncPaginator, NotFoundError
from retool_api_client.testing import FakeRetool

from ..helpers import ROOT, releases
from ..helpers.calls import build_call
from .helpers import auth

OLD = ROOT / "tests" / "data" / "specs" / "retool-2.12.0.json"


def test_the_fake_serves_the_document_it_was_built_from() -> None:
    shipped = json.loads((ROOT / "retool_api_client" / "generated" / "openapi.json").read_text())
    fake = FakeRetool()
    answer = fake.handle("GET", "/api/v2/spec")  # no token needed, as for an instance's docs
    assert answer.status == 200 and answer.headers["Content-Type"] == "application/json"
    assert answer.json() == shipped
    assert fake.handle("GET", "/spec", "", auth(fake)).body == answer.body
    assert fake.requests[-1].operation_id is None and fake.requests[-1].path == "/spec"
    assert fake.handle("POST", "/spec", "", auth(fake)).status in (404, 405)  # only a GET


def test_a_fake_of_another_release_from_its_path_or_its_document() -> None:
    from_path = FakeRetool(seed=1, spec=OLD)
    from_str = FakeRetool(seed=1, spec=str(OLD))
    from_dict = FakeRetool(seed=1, spec=json.loads(OLD.read_text()))
    assert from_path.spec.version == from_str.spec.version == from_dict.spec.version == "2.12.0"
    assert from_path.handle("GET", "/spec").json() == json.loads(OLD.read_text())
    release = releases.next_release()
    fake = FakeRetool(seed=1, spec=release.spec)
    assert fake.handle("GET", "/spec").json()["info"]["version"] == release.version
    added = release.added[0].split(" ", 1)[1]
    assert any(op.template == added for op in fake.spec.operations)


async def test_the_sdk_against_a_fake_serving_an_older_release() -> None:
    fake = FakeRetool(seed=2, spec=OLD).populate(users=3)
    older = {(op.method, op.template) for op in fake.spec.operations}
    newer = [  # a GET this SDK has and 2.12.0 lacks
        op
        for op in FakeRetool().spec.operations
        if op.method == "GET" and (op.method, op.template) not in older
    ]
    assert newer
    call = build_call(newer[0].operation_id)
    async with fake.serve() as base_url:
        async with httpx.AsyncClient() as http:
            served = (await http.get(f"{base_url}/spec")).json()
        assert served["info"]["version"] == "2.12.0" and newer[0].template not in served["paths"]
        async with fake.client(max_retries=0) as retool:
            page = await retool.users.list().first_page()
            assert len(page.items) == 3  # an operation both releases have works
            with pytest.raises(NotFoundError) as caught:  # one 2.12.0 lacks: the server says so
                result = getattr(getattr(retool, call["namespace"]), call["name"])(
                    *call["args"], **call["kwargs"]
                )
                await (result.first_page() if isinstance(result, AsyncPaginator) else result)
    assert "no operation" in caught.value.message


def test_a_bad_document_is_a_value_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        FakeRetool(spec=tmp_path / "missing.json")
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(ValueError, match="not a JSON document"):
        FakeRetool(spec=tmp_path / "broken.json")
    for document in (
        {"swagger": "2.0", "paths": {}},
        {"openapi": "3.0.0"},
        {"openapi": "3.0.0", "paths": {}, "x": {1}},
    ):
        with pytest.raises(ValueError, match="spec:"):
            FakeRetool(spec=document)
