"""Hand-written helpers mixed into the generated namespaces (retool_api_client/helpers/)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import yaml
from retoolgen import facade, normalize
from retoolgen.surface import Lock

from retool_api_client import ConfigurationError
from retool_api_client.generated.models import User
from retool_api_client.helpers.users import UsersHelpers

from .helpers import ROOT, releases
from .helpers.fakes import make_client, user_json


def page(*emails: str) -> dict[str, Any]:
    data = [user_json(id=f"user_{i}", email=e) for i, e in enumerate(emails)]
    return {"success": True, "data": data, "total_count": len(data), "next_token": None, "has_more": False}


async def test_find_by_email_returns_only_an_exact_match_whatever_the_case() -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(200, json=page("ada@example.com.au", "Ada@Example.com"))

    async with make_client(handler) as retool:
        found = await retool.users.find_by_email("ada@example.com")
        missing = await retool.users.find_by_email("grace@example.com")
    assert isinstance(found, User) and found.id == "user_1"
    assert missing is None
    assert sent[0] == "https://acme.retool.com/api/v2/users?email=ada%40example.com"


@pytest.mark.parametrize("email", ["", "no-at-sign", " ada@example.com", None, 5])
async def test_find_by_email_refuses_a_wrong_email_before_any_request(email: Any) -> None:
    sent: list[httpx.Request] = []
    async with make_client(lambda r: sent.append(r) or httpx.Response(500)) as retool:
        with pytest.raises(ConfigurationError, match="email must be an address"):
            await retool.users.find_by_email(email)
    assert sent == []


async def test_deactivate_replaces_active_with_false_and_returns_the_user() -> None:
    bodies: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append((request.method, request.url.path, json.loads(request.content)))
        return httpx.Response(200, json={"success": True, "data": user_json(active=False)})

    async with make_client(handler) as retool:
        user = await retool.users.deactivate("user_1")
    assert user.active is False
    assert bodies == [
        (
            "PATCH",
            "/api/v2/users/user_1",
            {"operations": [{"op": "replace", "path": "/active", "value": False}]},
        )
    ]


def test_helpers_are_the_namespace_base_and_in_the_api_reference() -> None:
    from retool_api_client import RetoolClient

    assert isinstance(RetoolClient("https://acme.retool.com", "tok").users, UsersHelpers)
    text = (ROOT / "docs" / "api.md").read_text()
    assert "retool.users.find_by_email(email: str) -> User | None" in text


def fixes() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "openapi" / "fixes.yaml").read_text())


def test_a_helper_may_not_shadow_a_generated_method() -> None:
    spec = json.loads((ROOT / "openapi" / "normalized.json").read_text())
    ctx = normalize.Context(lock=Lock.load(ROOT / "openapi" / "surface.lock"))  # users.list is kept
    with pytest.raises(facade.SurfaceError, match=r"helpers/users.py: UsersHelpers defines \['list'\]"):
        facade.plan(spec, fixes(), ctx, helpers={"users": ("UsersHelpers", {"list", "find_by_email"})})


def test_a_new_operation_never_takes_a_helpers_name() -> None:
    release = releases.next_release()
    ctx = normalize.Context()
    spec = normalize.normalize(release.spec, fixes(), ctx)
    noun = release.noun
    plan = facade.plan(spec, fixes(), ctx, helpers={f"{noun}s": (f"{noun.title()}sHelpers", {"update"})})
    methods = plan["tags"][f"{noun}s"]["methods"]
    assert "update" not in methods
    assert {f"replace_{noun}", f"update_{noun}"} <= set(methods.values())  # both added, named
