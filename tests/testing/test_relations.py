"""Relations admin scripts rely on: group members and group user invites (added, removed, shown
on the group), a user's groups, user attributes on users and invites, and a deleted user
leaving its groups. Through the SDK, in-process. A membership is found from the spec's shapes,
whatever a release calls its routes' parameters."""

from __future__ import annotations

import copy
import json
from typing import Any

from retool_api_client import NotFoundError
from retool_api_client.testing import FakeRetool

from ..helpers import ROOT
from .helpers import auth, call, prepare, valid_request


async def test_members_added_and_removed_show_on_the_group_and_the_user() -> None:
    fake = FakeRetool(seed=1)
    async with fake.client() as retool:
        ada = await retool.users.create(email="ada@example.com", first_name="Ada", last_name="Lovelace")
        alan = await retool.users.create(email="alan@example.com", first_name="Alan", last_name="Turing")
        group = await retool.groups.create(name="Engineering")
        assert group.members == []
        after = await retool.groups.add_users(
            group.id,
            members=[{"id": ada.id, "is_group_admin": True}, {"id": alan.id, "is_group_admin": False}],
        )
        assert [(m.id, m.email, m.is_group_admin) for m in after.members] == [
            (ada.id, "ada@example.com", True),
            (alan.id, "alan@example.com", False),
        ]
        fetched = await retool.groups.get(group.id)
        assert [m.id for m in fetched.members] == [ada.id, alan.id]
        with_groups = await retool.users.get(ada.id, include_groups=True)
        assert [(g.id, g.name) for g in with_groups.groups] == [(group.id, "Engineering")]
        without = await retool.users.get(ada.id)
        assert not isinstance(without.groups, list)  # only with includeGroups=true
        await retool.groups.remove_user(group.id, ada.id)
        assert [m.id for m in (await retool.groups.get(group.id)).members] == [alan.id]
        try:
            await retool.groups.remove_user(group.id, ada.id)
        except NotFoundError as exc:
            assert "not in members" in exc.message
        else:
            raise AssertionError("removing a non-member should be a 404")


async def test_a_deleted_user_leaves_its_groups() -> None:
    fake = FakeRetool(seed=2).populate(users=10, groups=3)
    victim = max(
        fake.records("users"),
        key=lambda u: sum(u["id"] in [m["id"] for m in g["members"]] for g in fake.records("groups")),
    )
    assert any(victim["id"] in [m["id"] for m in g["members"]] for g in fake.records("groups"))
    async with fake.client() as retool:
        await retool.users.delete(victim["id"])
        for group in fake.records("groups"):
            assert victim["id"] not in [m["id"] for m in group["members"]]
            fetched = await retool.groups.get(group["id"])
            assert victim["id"] not in [m.id for m in fetched.members]


async def test_adding_an_unknown_user_is_404_and_changes_nothing() -> None:
    fake = FakeRetool(seed=3)
    async with fake.client() as retool:
        group = await retool.groups.create(name="Ops")
        try:
            await retool.groups.add_users(
                group.id, members=[{"id": "user_nobody99", "is_group_admin": False}]
            )
        except NotFoundError as exc:
            assert "user_nobody99" in exc.message
        else:
            raise AssertionError("expected a 404")
        assert (await retool.groups.get(group.id)).members == []


def test_group_user_invites_added_removed_and_shown() -> None:
    fake = FakeRetool(seed=4)
    invite = call(fake, "POST", "/user_invites", {"email": "grace@example.com"}).json()["data"]
    assert invite["invited_email"] == "grace@example.com"  # the body's email, on the invite
    group = call(fake, "POST", "/groups", {"name": "Support"}).json()["data"]
    added = call(fake, "POST", f"/groups/{group['id']}/user_invites", {"userInviteIds": [invite["id"]]})
    assert added.status == 200
    assert [i["id"] for i in added.json()["data"]["user_invites"]] == [invite["id"]]
    assert call(fake, "GET", f"/groups/{group['id']}").json()["data"]["user_invites"][0]["invited_email"] == (
        "grace@example.com"
    )
    removed = call(fake, "DELETE", f"/groups/{group['id']}/user_invites/{invite['id']}")
    assert 200 <= removed.status < 300
    assert call(fake, "GET", f"/groups/{group['id']}").json()["data"]["user_invites"] == []
    assert call(fake, "DELETE", f"/groups/{group['id']}/user_invites/{invite['id']}").status == 404


def test_group_members_replaced_by_put_and_patched_by_json_patch() -> None:
    fake = FakeRetool(seed=5).populate(users=3)
    a, b, c = (u["id"] for u in fake.records("users"))
    group = call(
        fake, "POST", "/groups", {"name": "Data", "members": [{"id": a, "is_group_admin": False}]}
    ).json()["data"]
    assert [m["id"] for m in group["members"]] == [a]
    patched = call(fake, "PATCH", f"/groups/{group['id']}", {"operations": [
        {"op": "add", "path": "/members/-", "value": {"id": b, "is_group_admin": True}},
    ]})  # fmt: skip
    assert patched.status == 200, patched.body
    assert [(m["id"], m["is_group_admin"]) for m in patched.json()["data"]["members"]] == [
        (a, False),
        (b, True),
    ]
    replaced = call(
        fake,
        "PUT",
        f"/groups/{group['id']}",
        {"name": "Data team", "members": [{"id": c, "is_group_admin": False}]},
    )
    assert replaced.status == 200, replaced.body
    assert replaced.json()["data"]["name"] == "Data team"
    assert [m["id"] for m in replaced.json()["data"]["members"]] == [c]


async def test_user_attributes_on_users_and_on_invites() -> None:
    fake = FakeRetool(seed=6)
    async with fake.client() as retool:
        user = await retool.users.create(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    set_ = call(fake, "POST", f"/users/{user.id}/user_attributes", {"name": "team", "value": "analytics"})
    assert set_.status == 200 and set_.json()["data"]["metadata"] == {"team": "analytics"}
    assert call(fake, "GET", f"/users/{user.id}").json()["data"]["metadata"] == {"team": "analytics"}
    gone = call(fake, "DELETE", f"/users/{user.id}/user_attributes/team")
    assert gone.status == 200 and gone.json()["data"]["metadata"] == {}
    assert call(fake, "DELETE", f"/users/{user.id}/user_attributes/team").status == 404

    invite = call(fake, "POST", "/user_invites", {"email": "grace@example.com"}).json()["data"]
    on_invite = call(
        fake, "POST", f"/user_invites/{invite['id']}/user_attributes", {"name": "team", "value": "ops"}
    )
    assert on_invite.status == 200 and on_invite.json()["data"]["metadata"] == {"team": "ops"}
    assert call(fake, "GET", f"/user_invites/{invite['id']}").json()["data"]["metadata"] == {"team": "ops"}
    assert (
        call(fake, "POST", "/users/user_missing1/user_attributes", {"name": "a", "value": "b"}).status == 404
    )


def test_singletons_are_stored_documents() -> None:
    fake = FakeRetool(seed=7)
    first = call(fake, "GET", "/organization/").json()["data"]
    assert call(fake, "GET", "/organization/").json()["data"] == first  # the same document
    field = next(k for k, v in first.items() if isinstance(v, str) and k != "id")
    patched = call(
        fake,
        "PATCH",
        "/organization/",
        {"operations": [{"op": "replace", "path": f"/{field}", "value": "Acme"}]},
    )
    assert patched.status == 200, patched.body
    assert call(fake, "GET", "/organization/").json()["data"][field] == "Acme"

    settings = call(fake, "GET", "/source_control/settings").json()["data"]
    flag = next(k for k, v in settings.items() if isinstance(v, bool))
    put = call(fake, "PUT", "/source_control/settings", {"settings": {flag: not settings[flag]}})
    assert put.status == 200, put.body
    assert call(fake, "GET", "/source_control/settings").json()["data"][flag] is (not settings[flag])

    assert call(fake, "GET", "/sso/config").status == 200
    assert 200 <= call(fake, "DELETE", "/sso/config").status < 300
    assert call(fake, "GET", "/sso/config").status == 404


def test_a_resource_configuration_refers_to_its_resource_and_environment() -> None:
    fake = FakeRetool(seed=8).populate(resources=2, environments=1)
    resource, environment = fake.records("resources")[1], fake.records("environments")[0]
    body = {"resource_id": resource["id"], "environment_id": environment["id"], "options": {}}
    created = call(fake, "POST", "/resource_configurations", body)
    assert created.status == 200, created.body
    data = created.json()["data"]
    assert data["resource"]["id"] == resource["id"] and data["resource"]["type"] == resource["type"]
    assert data["environment"]["name"] == environment["name"]
    by_name = call(
        fake, "POST", "/resource_configurations", {**body, "resource_id": resource["display_name"]}
    )
    assert by_name.json()["data"]["resource"]["id"] == resource["id"]  # a resource's name works too
    listed = call(fake, "GET", "/resource_configurations", resource_id=resource["id"]).json()
    assert [c["id"] for c in listed["data"]] == [data["id"], by_name.json()["data"]["id"]]
    missing = call(fake, "POST", "/resource_configurations", {**body, "resource_id": "no-such-resource"})
    assert missing.status == 404 and "no-such-resource" in missing.json()["message"]


def renamed_child_routes(raw: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """``raw`` with every membership's remove route naming its child ``{childRef}`` (2.12.0
    names the user ``{userSid}`` where 3.373.0 says ``{userId}``), and how many were renamed."""
    fake = FakeRetool(spec=raw)
    renamed = copy.deepcopy(raw)
    count = 0
    for coll in fake.spec.collections.values():
        for membership in coll.memberships.values():
            if membership.remove is None or membership.child_param is None:
                continue
            old = "{" + membership.child_param + "}"
            item = renamed["paths"].pop(membership.remove.template)
            for op in [item, *(v for v in item.values() if isinstance(v, dict))]:
                for param in op.get("parameters", []) if isinstance(op, dict) else []:
                    if param.get("in") == "path" and param.get("name") == membership.child_param:
                        param["name"] = "childRef"
            renamed["paths"][membership.remove.template.replace(old, "{childRef}")] = item
            count += 1
    return renamed, count


def listed(fake: FakeRetool, collection: str, field: str, parent_id: str) -> list[str]:
    """The ids a record's membership field lists."""
    (parent,) = [r for r in fake.records(collection) if str(r["id"]) == parent_id]
    return [str(e["id"] if isinstance(e, dict) else e) for e in parent[field]]


def test_a_membership_is_found_whatever_its_remove_route_calls_the_child() -> None:
    raw = json.loads((ROOT / "retool_api_client" / "generated" / "openapi.json").read_text())
    renamed, count = renamed_child_routes(raw)
    assert count >= 1  # the spec has memberships with a remove route
    shapes = [
        {
            (c.name, f, m.child)
            for c in FakeRetool(spec=r).spec.collections.values()
            for f, m in c.memberships.items()
        }
        for r in (raw, renamed)
    ]
    assert shapes[0] == shapes[1]
    fake = FakeRetool(seed=8, spec=renamed)
    fake.populate(**dict.fromkeys(fake.collections, 2))
    for coll in fake.spec.collections.values():
        for membership in coll.memberships.values():
            if membership.remove is None:
                continue
            assert membership.child_param == "childRef"
            path, query, body = valid_request(fake, membership.remove)
            prepare(fake, membership.remove, path, body)  # the child is in the parent's field now
            parent_id, child_id = path.split("/")[2], path.rsplit("/", 1)[-1]
            assert child_id in listed(fake, coll.name, membership.field, parent_id)
            answer = fake.handle("DELETE", fake.spec.root + path, query, auth(fake))
            assert 200 <= answer.status < 300, answer.body
            assert child_id not in listed(fake, coll.name, membership.field, parent_id)
            assert fake.handle("DELETE", fake.spec.root + path, query, auth(fake)).status == 404


def tiny_spec(robot_pattern: str) -> dict[str, Any]:
    """A made-up API: users, robots and groups whose ``members`` are users, removed through
    ``DELETE /groups/{groupId}/members/{sid}`` (a name no collection's id parameter has)."""

    def ident(pattern: str) -> dict[str, Any]:
        return {"type": "string", "pattern": pattern}

    def record(id_schema: dict[str, Any], **more: Any) -> dict[str, Any]:
        return {"type": "object", "properties": {"id": id_schema, "name": {"type": "string"}, **more}}

    def answer(schema: dict[str, Any]) -> dict[str, Any]:
        body = {"type": "object", "properties": {"data": schema}}
        return {"200": {"description": "ok", "content": {"application/json": {"schema": body}}}}

    def param(name: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "in": "path", "required": True, "schema": schema}

    user_id, robot_id, group_id = ident("user_([a-z0-9]+)"), ident(robot_pattern), {"type": "integer"}
    member = {"type": "object", "properties": {"id": user_id}, "required": ["id"]}
    group = record(group_id, members={"type": "array", "items": member})
    add_body = {"type": "object", "properties": {"members": {"type": "array", "items": member}}}
    paths: dict[str, Any] = {
        "/groups/{groupId}/members": {
            "post": {
                "parameters": [param("groupId", group_id)],
                "requestBody": {"content": {"application/json": {"schema": add_body}}},
                "responses": answer(group),
            }
        },
        "/groups/{groupId}/members/{sid}": {
            "delete": {
                "parameters": [param("groupId", group_id), param("sid", user_id)],
                "responses": answer(group),
            }
        },
    }
    for name, schema in (("users", record(user_id)), ("robots", record(robot_id)), ("groups", group)):
        id_param = name[:-1] + "Id"
        paths[f"/{name}"] = {"get": {"responses": answer({"type": "array", "items": schema})}}
        paths[f"/{name}/{{{id_param}}}"] = {
            "get": {"parameters": [param(id_param, schema["properties"]["id"])], "responses": answer(schema)}
        }
    return {"openapi": "3.0.3", "info": {"title": "tiny", "version": "1"}, "paths": paths}


def test_a_membership_child_is_the_only_collection_whose_ids_look_like_the_entries() -> None:
    fake = FakeRetool(seed=9, spec=tiny_spec("robot_([a-z0-9]+)"))
    members = fake.spec.collections["groups"].memberships["members"]
    assert (members.child, members.child_param) == ("users", "sid")
    user = fake.add("users", {"name": "Ada"})
    group = fake.add("groups", {"name": "Ops", "members": [{"id": user["id"]}]})
    assert call(fake, "DELETE", f"/groups/{group['id']}/members/{user['id']}").status == 200
    assert fake.records("groups")[0]["members"] == []
    # robots' ids look like users': which one the entries list cannot be told, so no membership
    ambiguous = FakeRetool(spec=tiny_spec("user_([a-z0-9]+)"))
    assert ambiguous.spec.collections["groups"].memberships == {}
