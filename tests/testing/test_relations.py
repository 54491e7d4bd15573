"""Relations admin scripts rely on: group members and group user invites (added, removed, shown
on the group), a user's groups, user attributes on users and invites, and a deleted user
leaving its groups. Through the SDK, in-process."""

from __future__ import annotations

from retool_api_client import NotFoundError
from retool_api_client.testing import FakeRetool

from .helpers import call


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
