"""FakeRetool itself: fault injection, the request log, determinism, the clock, populate, and
the token kept out of sight."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from retool_api_client import APIConnectionError, InternalServerError, NotFoundError, RateLimitError
from retool_api_client.testing import FakeRetool

from .helpers import call


async def test_a_503_twice_is_retried_and_the_delays_recorded_not_waited() -> None:
    fake = FakeRetool(seed=1).populate(users=2)
    fault = fake.fail("GET", "/users", status=503, times=2)
    async with fake.client() as retool:
        page = await retool.users.list().first_page()
    assert len(page.items) == 2
    assert [r.status for r in fake.requests] == [503, 503, 200]
    assert len(fake.sleeps) == 2 and fault.hits == 2


async def test_a_429_with_retry_after_is_honoured_and_max_retries_gives_up() -> None:
    fake = FakeRetool(seed=2).populate(users=1)
    user = fake.records("users")[0]["id"]
    fake.fail("GET", "/users/{userId}", status=429, retry_after=3)
    async with fake.client() as retool:
        assert (await retool.users.get(user)).id == user
    assert fake.sleeps == [3.0]
    fake.fail("*", "*", status=429, times=None, retry_after=1)
    async with fake.client(max_retries=1) as retool:
        with pytest.raises(RateLimitError) as caught:
            await retool.users.get(user)
    assert caught.value.retry_after == 1
    fake.clear_faults()
    assert call(fake, "GET", f"/users/{user}").status == 200


async def test_a_reset_connection_on_a_post_is_not_retried_and_nothing_is_created() -> None:
    fake = FakeRetool(seed=3)
    fake.fail("POST", "/users", reset=True)
    async with fake.client() as retool:
        with pytest.raises(APIConnectionError):
            await retool.users.create(email="ada@example.com", first_name="Ada", last_name="L")
        assert fake.records("users") == []  # the fault comes before the fake applies anything
        created = await retool.users.create(email="ada@example.com", first_name="Ada", last_name="L")
    assert [r.status for r in fake.requests] == [None, 200]
    assert fake.requests[0].body == fake.requests[1].body  # logged even when the fault struck
    assert fake.requests[0].operation_id == "create_user"
    assert fake.records("users")[0]["id"] == created.id


async def test_a_fault_with_a_body_of_its_own() -> None:
    fake = FakeRetool(seed=4)
    fake.fail("GET", "/users", status=500, body={"success": False, "message": "database on fire"}, times=None)
    async with fake.client(max_retries=0) as retool:
        with pytest.raises(InternalServerError) as caught:
            await retool.users.list().first_page()
    assert caught.value.message == "database on fire"


async def test_respond_scripts_an_answer_the_spec_gives_no_schema_for() -> None:
    fake = FakeRetool(seed=0)
    grants = {"success": True, "data": [{"id": "grant_1", "role_id": "role_1"}]}
    async with fake.client() as retool:
        assert await retool.permissions.list_role_grants() is None  # nothing to make it up from
        scripted = fake.respond("GET", "/role_permissions/role_grants", grants)
        assert await retool.permissions.list_role_grants() == grants
        assert await retool.permissions.list_role_grants() == grants  # every time, by default
        once = fake.respond("GET", "/users/{userId}", {"success": True, "data": {}}, status=404, times=1)
        with pytest.raises(NotFoundError):
            await retool.users.get("user_1")
    assert (scripted.hits, once.hits) == (2, 1)


async def test_the_request_log_has_what_was_sent_without_the_token() -> None:
    fake = FakeRetool(seed=5)
    async with fake.client() as retool:
        created = await retool.users.create(email="ada@example.com", first_name="Ada", last_name="L")
        await retool.users.get(created.id, include_groups=True)
    post, get = fake.requests
    assert (post.method, post.path, post.operation_id, post.status) == ("POST", "/users", "create_user", 200)
    assert post.body == {"email": "ada@example.com", "first_name": "Ada", "last_name": "L"}
    assert (get.path, get.query, get.body) == (f"/users/{created.id}", {"includeGroups": ["true"]}, None)
    assert fake.token not in repr(fake.requests) and fake.token not in repr(fake)


async def test_the_token_is_in_no_repr_or_error() -> None:
    fake = FakeRetool(seed=6)
    async with fake.client() as retool:
        text = repr(retool) + repr(fake) + repr(retool.sending().headers[:0])
    with fake.serve() as base_url:
        pass
    answer = fake.handle("GET", "/api/v2/users", "", {"Authorization": "Bearer " + fake.token[:-1]})
    assert fake.token not in text + repr(fake.serve()) + base_url + answer.body.decode()


def scripted(fake: FakeRetool) -> list[bytes]:
    fake.populate(users=5, groups=2)
    out = [call(fake, "GET", "/users").body, call(fake, "GET", "/groups").body]
    out.append(
        call(fake, "POST", "/users", {"email": "a@example.com", "first_name": "A", "last_name": "B"}).body
    )
    out += [
        call(fake, "GET", "/organization/analytics_integrations").body,
        call(fake, "GET", "/organization/").body,
    ]
    return out


def test_the_same_seed_gives_the_same_answers_and_another_seed_others() -> None:
    first, again, other = (
        scripted(FakeRetool(seed=42)),
        scripted(FakeRetool(seed=42)),
        scripted(FakeRetool(seed=43)),
    )
    assert first == again
    assert all(a != b for a, b in zip(first, other, strict=True))
    assert FakeRetool(seed=42).token == FakeRetool(seed=42).token != FakeRetool(seed=43).token


def test_an_injected_clock_stamps_created_and_updated() -> None:
    moments = iter(
        [datetime(2030, 5, 1, 12, 0, tzinfo=UTC), datetime(2030, 5, 1, 13, 30, 15, 250000, tzinfo=UTC)]
    )
    now = next(moments)
    fake = FakeRetool(seed=7, clock=lambda: now)
    user = call(
        fake, "POST", "/users", {"email": "a@example.com", "first_name": "A", "last_name": "B"}
    ).json()["data"]
    assert user["created_at"] == "2030-05-01T12:00:00.000Z"
    now = next(moments)
    ops = {"operations": [{"op": "replace", "path": "/first_name", "value": "Ann"}]}
    group = call(fake, "POST", "/groups", {"name": "G"}).json()["data"]
    assert group["created_at"] == group["updated_at"] == "2030-05-01T13:30:15.250Z"
    updated = call(fake, "PATCH", f"/users/{user['id']}", ops).json()["data"]
    assert updated["created_at"] == "2030-05-01T12:00:00.000Z" and updated["first_name"] == "Ann"


def test_ids_follow_the_specs_formats() -> None:
    fake = FakeRetool(seed=8).populate(users=3, groups=3, spaces=1, folders=1, user_invites=2)
    assert all(u["id"].startswith("user_") and u["id"][5:].isalnum() for u in fake.records("users"))
    assert [g["id"] for g in fake.records("groups")] == [1, 2, 3]
    assert [g["legacy_id"] for g in fake.records("groups")] == [1, 2, 3]
    assert len(fake.records("spaces")[0]["id"]) == 36  # a UUID
    folder = fake.records("folders")[0]
    assert folder["id"].split("_")[0] == folder["folder_type"]  # the pattern's prefix follows the type
    assert folder["legacy_id"] == folder["id"]  # its schema has the id's pattern
    assert [i["id"] for i in fake.records("user_invites")] == [1, 2]


def test_populate_makes_realistic_unique_people_and_groups_with_members() -> None:
    fake = FakeRetool(seed=9).populate(users=200, groups=4)
    users = fake.records("users")
    emails = [u["email"] for u in users]
    assert len(set(emails)) == 200
    first = users[0]
    assert first["email"].startswith(f"{first['first_name'].lower()}.")
    assert sum(u["active"] for u in users) > 150
    groups = fake.records("groups")
    assert [g["name"] for g in groups] == ["Engineering", "Support", "Finance", "Sales"]
    assert all(g["members"] for g in groups)
    with pytest.raises(ValueError, match="no collection 'people'"):
        fake.populate(people=1)
    with pytest.raises(ValueError, match="count >= 0"):
        fake.populate(users=-1)


def test_the_package_does_not_import_the_fake() -> None:
    code = "import sys, retool_api_client; print('retool_api_client.testing' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_add_stores_a_record_as_given_and_returns_it() -> None:
    fake = FakeRetool(seed=10)
    ada = fake.add("users", {"email": "ada@example.com", "first_name": "Ada", "active": False})
    assert ada in fake.records("users") and ada["email"] == "ada@example.com" and ada["active"] is False
    assert ada["id"].startswith("user_") and ada["last_name"]  # the rest as populate makes it
    team = fake.add("groups", name="Engineering", members=[ada["id"]])
    assert [m["id"] for m in team["members"]] == [ada["id"]]
    fixed = fake.add(
        "users", id="user_fixed1", email="grace@example.com", created_at="2020-01-01T00:00:00.000Z"
    )
    assert fixed["id"] == "user_fixed1" and fixed["created_at"] == "2020-01-01T00:00:00.000Z"
    assert call(fake, "GET", "/users/user_fixed1").json()["data"]["email"] == "grace@example.com"
    own = fake.add("groups", {"id": 2, "name": "Two"})
    assert own["id"] == 2 and fake.add("groups", name="Three")["id"] == 3  # ids go round taken ones
    before = fake.records("users")
    for bad, match in (
        ({"nickname": "x"}, "'nickname' not a field of users"),
        ({"email": 5}, "email: 5 is not of type 'string'"),
        ({"id": "user_fixed1"}, "already has a record"),
        ({"id": "not an id"}, "id: 'not an id' does not match"),
        ({"groups": []}, "add it there"),
    ):
        with pytest.raises(ValueError, match=match):
            fake.add("users", bad)
    with pytest.raises(ValueError, match="user user_nobody not found"):
        fake.add("groups", name="X", members=["user_nobody"])
    with pytest.raises(ValueError, match="no collection 'people'"):
        fake.add("people", {})
    assert fake.records("users") == before  # nothing half-added


def test_handle_never_raises_and_takes_paths_as_fail_does() -> None:
    fake = FakeRetool(seed=11)
    headers = {"Authorization": f"Bearer {fake.token}"}
    body = {"email": "ada@example.com", "first_name": "Ada", "last_name": "L"}
    created = fake.handle("POST", "/users", "", headers, body)  # a dict body is sent as JSON
    assert created.status == 200, created.body
    user = created.json()["data"]["id"]
    for path in (f"/users/{user}", f"/api/v2/users/{user}", f"api/v2/users/{user}"):
        assert fake.handle("GET", path, "", headers).status == 200, path
    assert fake.handle("GET", "/users", {"email": "ada@example.com"}, headers).json()["total_count"] == 1
    assert fake.handle("GET", "/users?email=nobody@example.com", "", headers).json()["total_count"] == 0
    assert fake.handle("POST", "/users", "", headers, json.dumps(body)).status == 200  # text
    pairs = fake.handle("GET", "/users", [("email", "ada@example.com")], list(headers.items()))
    assert pairs.json()["total_count"] == 2  # (name, value) pairs for the query and the headers
    fake.fail("GET", "/api/v2/users/{userId}", status=418)  # the same convention for fail()
    assert fake.handle("GET", f"/users/{user}", "", headers).status == 418
    for weird in (
        ("GET", "/users", "", headers, object()),
        ("GET", "/users", "", {"Authorization": 5}, b""),
        ("GET", "/users", 5, 7, b""),
        (None, None, None, None, None),
        ("POST", "/users", "", headers, float("nan")),
        ("POST", "/users", "", headers, {"email": {1, 2}}),
    ):
        answer = fake.handle(*weird)  # type: ignore[arg-type]
        assert 400 <= answer.status < 500 and answer.json()["success"] is False, weird


def test_every_answer_has_a_request_id_the_log_keeps() -> None:
    fake = FakeRetool(seed=12)
    fake.fail("GET", "/groups", status=503)
    answers = [call(fake, "GET", "/users"), call(fake, "GET", "/nowhere"), call(fake, "GET", "/groups")]
    ids = [a.headers["x-request-id"] for a in answers]
    assert len(set(ids)) == 3 and all(len(i) == 36 for i in ids)
    assert [r.request_id for r in fake.requests] == ids
    again = FakeRetool(seed=12)
    again.fail("GET", "/groups", status=503)
    assert [call(again, "GET", p).headers["x-request-id"] for p in ("/users", "/nowhere", "/groups")] == ids
