"""``_facade.py``: what the generated facade hands its keywords to (a body given field by field,
a JSON Patch built from a patch and keywords) and the namespaces' base class. The generated
methods themselves are tested in ``test_facade.py``."""

from __future__ import annotations

from typing import Any

import pytest

from retool_api_client import ConfigurationError, JsonPatch, PatchError
from retool_api_client._facade import Resource, body, body_and_fields, diff_for, patch_body
from retool_api_client._types import UNSET

# -- a JSON body given field by field ------------------------------------------------------------


def test_fields_given_are_the_body_under_their_json_names_and_unset_ones_are_left_out() -> None:
    fields = {"email": "a@example.com", "firstName": "Ada", "active": UNSET}
    assert body("create_user", UNSET, fields, ("email",)) == {"email": "a@example.com", "firstName": "Ada"}


def test_a_whole_body_is_passed_on_as_given() -> None:
    given = {"email": "a@example.com"}
    assert body("create_user", given, {"email": UNSET}, ("email",)) is given


def test_nothing_given_is_no_body_unless_one_is_needed() -> None:
    assert body("update_it", UNSET, {"name": UNSET}) is UNSET
    assert body("create_it", UNSET, {"name": UNSET}, needed=True) == {}  # all its fields optional


def test_missing_required_fields_are_named_before_any_request() -> None:
    with pytest.raises(ConfigurationError, match=r"missing required fields 'first_name' and 'last_name'$"):
        body("create_user", UNSET, {"email": "a@example.com"}, ("email", "first_name", "last_name"))
    with pytest.raises(ConfigurationError, match=r"missing required field 'email'$"):
        body("create_user", UNSET, {"first_name": "A"}, ("email",))


def test_a_body_and_fields_together_are_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"not both \(got body= and \['email'\]\)"):
        body("create_user", {"email": "a@example.com"}, {"email": "b@example.com"})
    error = body_and_fields("update_user", {"active": False, "email": UNSET}, patch=[])
    assert "got body= and ['patch', 'active']" in str(error)


# -- JSON Patch ------------------------------------------------------------------------------------


def test_a_patch_and_field_keywords_make_one_checked_body() -> None:
    patch = JsonPatch().replace(("first_name",), "Ada")
    sent = patch_body("update_user", patch, {"active": False, "email": UNSET}, {})
    assert sent == {
        "operations": [
            {"op": "replace", "path": "/first_name", "value": "Ada"},
            {"op": "replace", "path": "/active", "value": False},
        ]
    }
    listed = patch_body("update_user", [{"op": "replace", "path": "/last_name", "value": "L"}], {}, {})
    assert listed == {"operations": [{"op": "replace", "path": "/last_name", "value": "L"}]}


def test_a_patch_the_endpoint_refuses_fails_before_any_request() -> None:
    with pytest.raises(PatchError, match="no operations to send"):
        patch_body("update_user", None, {"active": UNSET}, {})
    with pytest.raises(PatchError, match="is not a field of User"):
        patch_body("update_user", [{"op": "replace", "path": "/nope", "value": 1}], {}, {})


def test_a_mapping_of_fields_given_as_the_patch_is_shown_in_keyword_form() -> None:
    with pytest.raises(PatchError) as caught:
        patch_body("update_user", {"active": False, "colour": "red"}, {}, {}, call="users.update(user_id)")  # type: ignore[arg-type]
    message = str(caught.value)
    assert "pass them as keywords: users.update(user_id, active=False)" in message
    assert "(colour: not fields this method sets)" in message
    with pytest.raises(PatchError, match=r"organization\.update_settings\(two_factor_auth_required=True\)"):
        patch_body(
            "update_organization_settings",
            {"two_factor_auth_required": True},  # type: ignore[arg-type]
            {},
            {},
            call="organization.update_settings()",
        )


def test_a_single_operation_given_as_the_patch_is_asked_for_as_a_list() -> None:
    operation = {"op": "replace", "path": "/active", "value": False}
    with pytest.raises(PatchError, match=r"pass \[operation\], not the operation alone"):
        patch_body("update_user", operation, {}, {}, call="users.update(user_id)")  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [{"password": "hunter2"}, ["hunter2"], "hunter2" * 6])
def test_values_the_keyword_form_does_not_repeat(value: Any) -> None:
    with pytest.raises(PatchError) as caught:
        patch_body(
            "update_resource_configuration",
            {"options": value},
            {},
            {},
            call="resource_configurations.update(id)",
        )  # type: ignore[arg-type]
    assert "options=...)" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_a_short_text_under_a_secret_looking_name_is_not_repeated() -> None:
    with pytest.raises(PatchError) as caught:
        patch_body("update_user", {"api_key": "k-123"}, {}, {}, call="users.update(user_id)")  # type: ignore[arg-type]
    assert "k-123" not in str(caught.value)


def test_diff_for_checks_the_diff_against_the_endpoint() -> None:
    assert diff_for("update_user", {"active": True}, {"active": True}, "replace") == []
    assert diff_for("update_user", {"active": True}, {"active": False}, "replace") == [
        {"op": "replace", "path": "/active", "value": False}
    ]
    with pytest.raises(PatchError, match="is not a field of User"):
        diff_for("update_user", {"nope": 1}, {"nope": 2}, "replace")


# -- the namespaces' base ------------------------------------------------------------------------


class _Things(Resource):
    _name = "retool.things"

    async def get(self) -> None: ...

    def list(self) -> None: ...

    def _private(self) -> None: ...

    @property
    def with_raw_response(self) -> None:
        return None


def test_a_namespace_repr_names_it_and_lists_what_it_offers() -> None:
    assert repr(_Things()) == "<retool.things: get, list, with_raw_response>"

    class Unnamed(Resource):
        def go(self) -> None: ...

    assert repr(Unnamed()) == "<Unnamed: go>"
