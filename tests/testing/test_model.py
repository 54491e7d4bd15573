"""The fake against a model: random sequences of create / update / delete / list on users and
group membership, checked against a plain dict after every step (hypothesis state machine)."""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from retool_api_client.testing import FakeRetool

from .helpers import call

NAMES = st.sampled_from(["Ada", "Grace", "Alan", "Edsger", "Barbara"])


class UsersAndGroups(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fake = FakeRetool(seed=3)
        self.users: dict[str, dict[str, Any]] = {}  # id -> the fields we set
        self.group = call(self.fake, "POST", "/groups", {"name": "Team"}).json()["data"]["id"]
        self.members: list[str] = []
        self.n = 0

    @rule(first=NAMES)
    def create(self, first: str) -> None:
        self.n += 1
        body = {"email": f"{first.lower()}{self.n}@example.com", "first_name": first, "last_name": "X"}
        answer = call(self.fake, "POST", "/users", body)
        assert answer.status == 200
        user = answer.json()["data"]
        assert user["id"] not in self.users
        self.users[user["id"]] = {"email": body["email"], "first_name": first, "active": True}

    @precondition(lambda self: self.users)
    @rule(data=st.data(), first=NAMES, active=st.booleans())
    def update(self, data: st.DataObject, first: str, active: bool) -> None:
        user = data.draw(st.sampled_from(sorted(self.users)))
        ops = [
            {"op": "replace", "path": "/first_name", "value": first},
            {"op": "replace", "path": "/active", "value": active},
        ]
        assert call(self.fake, "PATCH", f"/users/{user}", {"operations": ops}).status == 200
        self.users[user] |= {"first_name": first, "active": active}

    @precondition(lambda self: self.users)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        user = data.draw(st.sampled_from(sorted(self.users)))
        assert call(self.fake, "DELETE", f"/users/{user}").status == 204
        del self.users[user]
        if user in self.members:
            self.members.remove(user)
        assert call(self.fake, "GET", f"/users/{user}").status == 404

    @precondition(lambda self: self.users)
    @rule(data=st.data())
    def join(self, data: st.DataObject) -> None:
        user = data.draw(st.sampled_from(sorted(self.users)))
        body = {"members": [{"id": user, "is_group_admin": False}]}
        assert call(self.fake, "POST", f"/groups/{self.group}/members", body).status == 200
        if user not in self.members:
            self.members.append(user)

    @precondition(lambda self: self.members)
    @rule(data=st.data())
    def leave(self, data: st.DataObject) -> None:
        user = data.draw(st.sampled_from(self.members))
        assert call(self.fake, "DELETE", f"/groups/{self.group}/members/{user}").status == 200
        self.members.remove(user)

    @invariant()
    def pages_list_exactly_the_model(self) -> None:
        seen: list[dict[str, Any]] = []
        token = None
        while True:
            query: dict[str, Any] = {"limit": 3, **({"next_token": token} if token else {})}
            page = call(self.fake, "GET", "/users", **query).json()
            assert page["total_count"] == len(self.users)
            seen += page["data"]
            if not page["has_more"]:
                break
            token = page["next_token"]
        assert {u["id"]: {k: u[k] for k in ("email", "first_name", "active")} for u in seen} == self.users
        assert [u["id"] for u in seen] == list(self.users)  # creation order

    @invariant()
    def the_group_lists_exactly_its_members(self) -> None:
        group = call(self.fake, "GET", f"/groups/{self.group}").json()["data"]
        assert [m["id"] for m in group["members"]] == self.members


TestUsersAndGroups = UsersAndGroups.TestCase
TestUsersAndGroups.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)
