"""Tolerant parsing of generated models: unknown enum values, extra fields, relaxed fields, and
one typed error naming model and field for anything else."""

from __future__ import annotations

from typing import Any

import pytest

from retool_api_client._exceptions import APIResponseValidationError
from retool_api_client.generated.models import AccessRequest, AccessRequestStatus, App, Resource, User

from .helpers import samples
from .helpers.fakes import answer


def user_json(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "user_1",
        "legacy_id": 1,
        "email": "ada@example.com",
        "active": True,
        "created_at": "2024-01-01T00:00:00Z",
        "last_active": None,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "metadata": {},
        "is_admin": False,
        "user_type": "default",
        "two_factor_auth_enabled": False,
    }
    data.update(overrides)
    return data


def test_valid_user_parses() -> None:
    user = User.from_dict(user_json())
    assert user.email == "ada@example.com" and user.first_name == "Ada"


def test_unknown_enum_value_is_kept_and_readable() -> None:
    user = User.from_dict(user_json(user_type="robot"))
    assert user.user_type.value == "robot"
    assert user.user_type == "robot"
    assert not user.user_type.is_known
    assert user.to_dict()["user_type"] == "robot"
    known = User.from_dict(user_json()).user_type
    assert known.is_known


def test_unknown_enum_value_is_cached_as_one_pseudo_member() -> None:
    assert AccessRequestStatus("EXPIRED") is AccessRequestStatus("EXPIRED")
    assert AccessRequestStatus("APPROVED") is AccessRequestStatus.APPROVED


def test_extra_field_parses_and_is_kept() -> None:
    request = AccessRequest.from_dict(
        {
            "id": 1,
            "status": "PENDING",
            "legacy_id": 1,
            "requesting_email": "a@b.c",
            "updated_by_id": None,
            "created_at": "2024-01-01T00:00:00+00:00",
            "updated_at": "2024-01-01T00:00:00+00:00",
            "new_in_4_0": {"x": 1},
        }
    )
    assert request["new_in_4_0"] == {"x": 1}
    assert request.to_dict()["new_in_4_0"] == {"x": 1}


@pytest.mark.parametrize(
    ("model", "component", "field"), [(App, "app", "folder_id"), (Resource, "resource", "folder_id")]
)
def test_relaxed_response_fields_parse_as_unset(model: Any, component: str, field: str) -> None:
    from retool_api_client.generated.types import Unset

    payload = samples.component(component, optional=True)
    assert field in payload
    del payload[field]
    parsed = model.from_dict(payload)
    assert isinstance(getattr(parsed, field), Unset)


def test_missing_required_field_names_model_and_field() -> None:
    data = user_json()
    del data["email"]
    with pytest.raises(APIResponseValidationError) as info:
        User.from_dict(data)
    assert info.value.model == "User" and info.value.field == "email"
    assert "User.email" in str(info.value) and "missing" in str(info.value)
    assert isinstance(info.value.__cause__, KeyError)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("email", 5, "expected a string"),
        ("active", "yes", "expected a boolean"),
        ("legacy_id", "one", "expected an integer"),
        ("created_at", "not a date", "ValueError"),
        ("user_type", 7, "ValueError"),
        # a nullable union is checked like any other field, not cast
        ("last_active", 12345, "expected datetime.datetime | None, got int 12345"),
        ("last_active", {"at": "2024-01-01"}, "expected datetime.datetime | None, got dict"),
    ],
)
def test_wrong_type_names_model_and_field(field: str, value: object, expected: str) -> None:
    with pytest.raises(APIResponseValidationError) as info:
        User.from_dict(user_json(**{field: value}))
    assert (info.value.model, info.value.field) == ("User", field)
    assert expected in str(info.value)


def test_not_an_object_is_a_validation_error() -> None:
    with pytest.raises(APIResponseValidationError, match="expected a JSON object"):
        User.from_dict(["not", "a", "dict"])  # type: ignore[arg-type]


def test_nested_failure_reports_the_path_from_the_outer_model() -> None:
    from retool_api_client.generated.models import ListUsersResponse200

    bad = user_json()
    del bad["id"]
    with pytest.raises(APIResponseValidationError) as info:
        ListUsersResponse200.from_dict(
            {
                "success": True,
                "data": [user_json(), bad],
                "total_count": 2,
                "next_token": None,
                "has_more": False,
            }
        )
    err = info.value
    assert err.root_model == "ListUsersResponse200" and err.model == "User" and err.field == "id"
    assert err.path == ("data", "id")


def test_resource_with_unknown_type_parses() -> None:
    resource = Resource.from_dict(samples.component("resource", optional=True) | {"type": "quantum_db"})
    assert resource.type_.value == "quantum_db" and not resource.type_.is_known


def test_nullable_primitive_accepts_null_and_rejects_wrong_type() -> None:
    base = samples.component("access_request", optional=True)
    assert AccessRequest.from_dict(base | {"updated_by_id": None}).updated_by_id is None
    assert AccessRequest.from_dict(base | {"updated_by_id": "user_9"}).updated_by_id == "user_9"
    with pytest.raises(APIResponseValidationError) as info:
        AccessRequest.from_dict(base | {"updated_by_id": 17})
    assert (info.value.model, info.value.field) == ("AccessRequest", "updated_by_id")
    assert "expected a string, got int 17" in str(info.value)


def test_problem_json_error_message_carries_detail_and_validation_messages() -> None:
    from retool_api_client._parsing import status_error

    problem = {
        "type": "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY",
        "title": "Invalid request",
        "status": 422,
        "detail": "Your request is not valid",
        "validation": [{"message": "Request body property email must be string"}, "junk"],
    }
    error = status_error(answer(422, json=problem, method="POST"))
    assert error.message == "Your request is not valid: Request body property email must be string"
    titled = status_error(answer(422, json={"title": "Invalid request"}, method="POST"))
    assert titled.message == "Invalid request"
    retool = status_error(
        answer(422, json={"success": False, "message": "nope", "detail": "x"}, method="POST")
    )
    assert retool.message == "nope"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'{"n": 1e400}', "too large for a float"),
        (b'{"n": -1e999}', "too large for a float"),
        (b'{"n": Infinity}', "Infinity is not a JSON number"),
        (b'{"n": NaN}', "NaN is not a JSON number"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_decode_json_refuses_what_json_loads_lets_through_or_crashes_on(body: bytes, why: str) -> None:
    from retool_api_client._parsing import decode_json

    with pytest.raises(APIResponseValidationError, match=why):
        decode_json(body)


def test_decode_json_reads_what_json_loads_reads() -> None:
    import json

    from retool_api_client._parsing import decode_json

    for body in (b'{"a": [1, 2.5, -0.0, 1e300, "\\u00e9", null, true]}', '"x"'.encode("utf-16"), b"[]"):
        assert decode_json(body) == json.loads(body)


def test_a_wrong_value_under_a_secret_looking_field_is_not_repeated() -> None:
    from retool_api_client._parsing import expect_str, model_error

    try:
        expect_str(987654321)
    except TypeError as exc:
        inner = model_error("SsoConfig", "client_secret", exc)
    outer = model_error("Organization", "sso", inner)
    for error in (inner, outer):
        assert "987654321" not in str(error) and "expected a string, got a value not shown here" in str(error)
    assert outer.path == ("sso", "client_secret")
    try:
        expect_str(987654321)
    except TypeError as exc:
        assert "987654321" in str(model_error("User", "first_name", exc))  # other fields say what came
