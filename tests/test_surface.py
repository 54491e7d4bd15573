"""The public surface survives Retool releases: the lock, regeneration from the real 2.12.0 spec
and from synthetic next releases, one model per resource, and the user's changelog."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from retoolgen import facade, normalize, pipeline
from retoolgen.surface import Lock, Operation, diff, op_key, render_changes

from .helpers import ROOT, releases, samples
from .helpers.fakes import make_client, user_json
from .helpers.project import assert_survives, committed_outputs, copy_project, env, regenerate

SPEC_2_12 = ROOT / "tests" / "data" / "specs" / "retool-2.12.0.json"
LOCK = Lock.load(ROOT / "openapi" / "surface.lock")


def fixes() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "openapi" / "fixes.yaml").read_text()) or {}


def planned(spec: dict[str, Any]) -> tuple[dict[str, Any], normalize.Context]:
    """Normalize ``spec`` and plan its facade with the committed lock (no generation)."""
    ctx = normalize.Context(lock=LOCK)
    normalized = normalize.normalize(spec, fixes(), ctx)
    plan = facade.plan(normalized, fixes(), ctx)
    return {e["key"]: (oid, e["tag"], e["method"]) for oid, e in plan["ops"].items()}, ctx


def locked(key: str) -> tuple[str, str, str]:
    op = LOCK.operations[key]
    return op.operation_id, op.namespace, op.method


# -- the lock --------------------------------------------------------------------------------------


def test_lock_lists_every_operation_with_the_name_the_client_has() -> None:
    from retool_api_client import RetoolClient
    from retool_api_client.generated.api import ENDPOINTS, OPERATIONS

    spec = json.loads((ROOT / "openapi" / "normalized.json").read_text())
    keys = {op_key(m, p) for p, m, _ in normalize.operations(spec)}
    assert set(LOCK.operations) == keys
    retool = RetoolClient("https://acme.retool.com", "tok")
    for key, op in LOCK.operations.items():
        assert OPERATIONS[op.operation_id] == (op.namespace, op.method)
        assert callable(getattr(getattr(retool, op.namespace), op.method))
        assert op_key(*ENDPOINTS[op.operation_id].split(" ")) == key
    assert LOCK.api_version == spec["info"]["version"]


@pytest.mark.parametrize("source", ["2.12.0", "synthetic"])
def test_every_shared_operation_keeps_its_names(source: str) -> None:
    spec = json.loads(SPEC_2_12.read_text()) if source == "2.12.0" else releases.next_release().spec
    names, ctx = planned(spec)
    shared = names.keys() & LOCK.operations.keys()
    # nearly all of the smaller of the two releases is shared (whatever the pinned one added)
    assert len(shared) >= min(len(names), len(LOCK.operations)) - 3
    moved = {key: (locked(key), names[key]) for key in shared if names[key] != locked(key)}
    assert moved == {}
    assert not any("collides" in w for w in ctx.warnings if any(k in w for k in shared))


def test_new_operations_whose_names_collide_are_settled_by_the_http_method() -> None:
    release = releases.next_release()
    names, ctx = planned(release.spec)
    put, patch = (names[op_key(*k.split(" "))] for k in release.added)
    noun = release.noun
    assert put == (f"replace_{noun}", f"{noun}s", "replace")
    assert patch == (f"update_{noun}", f"{noun}s", "update")
    assert any(f"PUT /{noun}s/{{}}: derived operationId 'update_{noun}' collides" in w for w in ctx.warnings)


def test_a_renamed_tag_keeps_the_namespace() -> None:
    release = releases.next_release()
    old_tag, _ = release.renamed_tag
    names, _ = planned(release.spec)
    renamed = [
        op_key(m, p) for p, m, op in releases.ops(release.spec) if op.get("tags") == [f"{old_tag} Renamed"]
    ]
    assert renamed and all(names[key][1] == locked(key)[1] for key in renamed)


def test_a_fixes_entry_wins_over_the_lock() -> None:
    key = "GET /users/{}"
    entry = {"operations": {"GET /users/{userId}": {"method": "fetch", "reason": "deliberate"}}}
    ctx = normalize.Context(lock=LOCK)
    spec = normalize.normalize(releases.pinned(), {**fixes(), **entry}, ctx)
    plan = facade.plan(spec, {**fixes(), **entry}, ctx)
    assert {e["key"]: e["method"] for e in plan["ops"].values()}[key] == "fetch"


# -- one model per resource, ids typed alike ------------------------------------------------------


async def test_users_get_and_list_give_the_same_user() -> None:
    from retool_api_client.generated.models import User

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/users"):
            page = {
                "success": True,
                "data": [user_json()],
                "total_count": 1,
                "next_token": None,
                "has_more": False,
            }
            return httpx.Response(200, json=page)
        groups = [{"id": 7, "legacy_id": 7, "name": "Admins"}]
        return httpx.Response(200, json={"success": True, "data": user_json(groups=groups)})

    async with make_client(handler) as retool:
        listed = [u async for u in retool.users.list()]
        one = await retool.users.get("user_1", include_groups=True)
    assert type(one) is type(listed[0]) is User
    assert [g.id for g in one.groups] == [7] and not listed[0].groups


async def test_a_group_id_from_groups_get_goes_back_as_it_is() -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.path}")
        group = {**samples.sample({"$ref": "#/components/schemas/group"}), "id": 7}
        return httpx.Response(200, json={"success": True, "data": group})

    async with make_client(handler) as retool:
        group = await retool.groups.get("7")
        assert isinstance(group.id, int)
        await retool.groups.add_users(group.id, members=[{"id": "user_1", "is_group_admin": False}])
    assert sent == ["GET /api/v2/groups/7", "POST /api/v2/groups/7/members"]


def test_one_model_per_resource() -> None:
    """get, list, create, update and replace of a namespace give one model (the component)."""
    models: dict[str, set[str]] = {}
    for op in LOCK.operations.values():
        if op.method in ("get", "list", "create", "update", "replace"):
            model = re.sub(r"^(AsyncPaginator|list)\[(.*)\]$", r"\2", op.returns)
            models.setdefault(op.namespace, set()).add(model)
    assert {ns: m for ns, m in models.items() if len(m) > 1} == {}
    assert models["users"] == {"User"} and models["groups"] == {"Group"}


def test_every_facade_docstring_names_its_endpoint() -> None:
    from retool_api_client import RetoolClient
    from retool_api_client.generated.api import ENDPOINTS, OPERATIONS

    retool = RetoolClient("https://acme.retool.com", "tok")
    for operation_id, (namespace, method) in OPERATIONS.items():
        doc = getattr(getattr(retool, namespace), method).__doc__
        assert f"``{ENDPOINTS[operation_id]}``" in doc, operation_id


def test_generated_api_is_looked_up_by_endpoint_too() -> None:
    from retool_api_client.generated.api import BY_ENDPOINT, ENDPOINTS, OPERATIONS

    assert BY_ENDPOINT["GET /users/{userId}"] == "get_user"
    assert {BY_ENDPOINT[e] for e in ENDPOINTS.values()} == set(OPERATIONS)


def test_api_reference_lists_every_method_with_its_endpoint() -> None:
    from retool_api_client.generated.api import ENDPOINTS, OPERATIONS

    text = (ROOT / "docs" / "api.md").read_text()
    for operation_id, (namespace, method) in OPERATIONS.items():
        section = text.split(f"### retool.{namespace}.{method}\n", 1)[1].split("\n### ", 1)[0]
        assert f"`{ENDPOINTS[operation_id]}` (operationId `{operation_id}`)" in section
        assert f"retool.{namespace}.{method}(" in section and " -> " in section
    assert "retool.users.get(user_id: str, *, include_groups: bool | None = UNSET) -> User" in text


# -- regenerating a copy of the project -----------------------------------------------------------

# (regenerating from each real release we have: tests/test_release_corpus.py)


@pytest.mark.slow
def test_regenerating_to_a_synthetic_next_release_keeps_the_surface(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    release = releases.next_release()
    result = regenerate(root, releases.write(release.spec, tmp_path / "next.json"))
    assert result.returncode == 0, result.stderr
    pinned = LOCK.api_version
    changelog = (root / "openapi" / "changelog" / f"{pinned}_to_{release.version}.md").read_text()
    after = assert_survives(root, LOCK, changelog)
    for removed in release.removed:
        gone = LOCK.operations[op_key(*removed.split(" "))]
        assert f"BREAKING `{gone.call}()`: removed" in changelog
    noun = release.noun
    assert f"`retool.{noun}s.replace()`: added (PUT /{noun}s/{{}})" in changelog
    assert after.operations[f"PATCH /{noun}s/{{}}"].call == f"retool.{noun}s.update"
    assert f"value 'ADDED_IN_{release.version.replace('.', '_')}' added" in changelog
    assert f"BREAKING field {release.removed_field}: removed" in changelog
    assert f"BREAKING field {release.retyped}: retyped" in changelog
    assert (root / "openapi" / f"retool-{pinned}.json").exists()  # the old release stays pinned too
    assert json.loads((root / "openapi" / "spec.lock").read_text())["current"] == release.version
    meta = (root / "retool_api_client" / "generated" / "_meta.py").read_text()
    assert f'API_VERSION = "{release.version}"' in meta
    assert pipeline.check(pipeline.Layout(root), strict=False) == []  # the bumped tree is consistent
    # shapes Retool does not use yet work too: a header and an array parameter, a JSON array
    method = after.operations[op_key(*release.unusual.split(" "))].method
    code = f"""
import asyncio, httpx, json
from retool_api_client import RetoolClient
seen = []
def answer(request):
    seen.append(request)
    return httpx.Response(200, json=[{{"id": "w1", "name": "W"}}])
async def main():
    async with RetoolClient("https://a.retool.com", "tok", transport=httpx.MockTransport(answer)) as r:
        found = await r.{noun}s.{method}(x_request_tag="t1", ids=["a", "b"])
    request = seen[0]
    print(json.dumps([[(type(w).__module__.split(".")[2], w.id) for w in found], request.headers["x-request-tag"], str(request.url.query, "ascii")]))
asyncio.run(main())
"""
    out = subprocess.run(
        [sys.executable, "-c", code], check=False, cwd=root, capture_output=True, text=True, env=env(root)
    )
    assert out.returncode == 0, out.stderr
    # the array's items parsed into the model its schema became
    assert json.loads(out.stdout) == [[["models", "w1"]], "t1", "ids=a&ids=b"]


def test_a_lock_that_cannot_be_settled_names_both_and_changes_nothing(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    lock_path = root / "openapi" / "surface.lock"
    text = lock_path.read_text()
    first, second = sorted(LOCK.operations)[:2]
    bad = text.replace(
        f"  {second}:\n    operation_id: {LOCK.operations[second].operation_id}\n",
        f"  {second}:\n    operation_id: {LOCK.operations[first].operation_id}\n",
    )
    assert bad != text
    lock_path.write_text(bad)
    before = committed_outputs(root)
    result = regenerate(root, SPEC_2_12)
    assert result.returncode == 2
    message = result.stderr.strip()
    assert message.count("\n") == 0 and second in message and first in message
    assert repr(LOCK.operations[first].operation_id) in message
    assert committed_outputs(root) == before
    assert json.loads((root / "openapi" / "spec.lock").read_text())["current"] == LOCK.api_version


def test_strict_makes_a_stale_fixes_entry_fatal(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    with (root / "openapi" / "fixes.yaml").open("a") as f:
        f.write("\n")
    text = (root / "openapi" / "fixes.yaml").read_text()
    text = text.replace("operations:\n", "operations:\n  GET /no/such/path: {method: x, reason: stale}\n", 1)
    (root / "openapi" / "fixes.yaml").write_text(text)
    with pytest.raises(pipeline.PipelineError, match="GET /no/such/path matches no operation"):
        pipeline.check(pipeline.Layout(root), strict=True)
    assert pipeline.check(pipeline.Layout(root)) == []  # reported, not fatal


# -- the user's changelog ------------------------------------------------------------------------


def op(operation_id: str, call: str, params: list[str], returns: str) -> Operation:
    namespace, method = call.split(".")
    return Operation(operation_id, namespace, method, params, returns)


def test_the_changelog_says_what_changed_as_the_user_calls_it() -> None:
    before = Lock("1", {
        "GET /users/{}": op("get_user", "users.get", ["user_id: str", "*", "include_groups: bool = UNSET"], "User"),
        "GET /users": op("list_users", "users.list", ["*", "email: str = UNSET"], "AsyncPaginator[User]"),
        "DELETE /users/{}": op("delete_user", "users.delete", ["user_id: str"], "None"),
        "POST /groups": op("create_group", "groups.create", ["*", "name: str = UNSET"], "Group"),
    })  # fmt: skip
    after = Lock("2", {
        "GET /users/{}": op("get_user", "users.fetch", ["user_id: str"], "UserWithGroups"),
        "GET /users": op("list_users", "people.list", ["*", "email: str = UNSET", "name: str = UNSET"], "AsyncPaginator[User]"),
        "POST /groups": op("create_group", "groups.create", ["*", "name: str = UNSET", "kind: str"], "Group"),
        "GET /spaces": op("list_spaces", "spaces.list", [], "list[Space]"),
    })  # fmt: skip
    lines = render_changes(diff(before, after))
    assert lines[0] == "8 changes to the methods you call, 6 breaking."
    assert set(lines[2:-1]) == {
        "- BREAKING `retool.users.get()`: renamed to retool.users.fetch() (GET /users/{})",
        "- BREAKING `retool.users.fetch()`: returns UserWithGroups instead of User",
        "- BREAKING `retool.users.fetch()`: argument include_groups removed",
        "- BREAKING `retool.users.list()`: moved and renamed to retool.people.list() (GET /users)",
        "- `retool.people.list()`: new argument name: str",
        "- BREAKING `retool.users.delete()`: removed: Retool no longer has DELETE /users/{}",
        "- BREAKING `retool.groups.create()`: new required argument kind: str",
        "- `retool.spaces.list()`: added (GET /spaces)",
    }
    assert render_changes([]) == ["No change to the methods you call.", ""]


def test_the_changelog_names_a_helper_whose_generated_methods_a_release_lacks(tmp_path: Path) -> None:
    from retoolgen.surface import Method, helper_breaks

    (tmp_path / "users.py").write_text(
        """
from typing import Protocol

class _Users(Protocol):
    def list(self, *, email: str = ...) -> object: ...
    async def update(self, user_id: str, *, active: bool = ...) -> object: ...
    async def log_out(self, user_id: str) -> None: ...

class UsersHelpers:
    async def find_by_email(self: _Users, email: str) -> object:
        return self.list(email=email)

    async def deactivate(self: _Users, user_id: str) -> object:
        await self.log_out(user_id)
        return await self.update(user_id, active=False)

    def unrelated(self, x: int) -> int:
        return x
"""
    )
    facade = {
        "users": {
            "list": Method("list", ["*", "first_name: str | Unset = UNSET"], "AsyncPaginator[User]", ""),
            "update": Method("update", ["user_id: str", "*", "active: bool | Unset = UNSET"], "User", ""),
            "find_by_email": Method("find_by_email", ["email: str"], "User | None", "", helper=True),
        }
    }
    lines = [c.line() for c in helper_breaks(facade, tmp_path, "2.4.0")]
    assert lines == [
        "- BREAKING `retool.users.find_by_email()`: calls retool.users.list(email=...), which Retool API 2.4.0 does not take",
        "- BREAKING `retool.users.deactivate()`: calls retool.users.log_out(), which Retool API 2.4.0 lacks",
    ]
    facade["users"]["list"].params.append("email: str | Unset = UNSET")
    facade["users"]["log_out"] = Method("log_out", ["user_id: str"], "None", "")
    assert helper_breaks(facade, tmp_path, "3.0.0") == []
