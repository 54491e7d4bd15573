"""The one request pipeline (``_request.py``): building a request from an ``Operation`` and the
caller's typed input, and reading the answer."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

import attrs
import pytest

from retool_api_client import APIResponseValidationError, NotFoundError
from retool_api_client._operation import Fill, Operation, Pages
from retool_api_client._parsing import OpenStrEnum, json_value
from retool_api_client._request import build, parse, result
from retool_api_client._tables import JSON_NAMES
from retool_api_client._types import UNSET, Unset
from retool_api_client.generated.api import OPERATIONS, operation

from .helpers import samples
from .helpers.calls import build_call
from .helpers.fakes import answer

OP = Operation(
    "do_thing",
    "POST",
    "/things/{thing_id}/parts/{part}",
    ("thing_id", "part"),
    query=(("include_all", "includeAll"), ("since", "since"), ("kind", "kind"), ("ids", "ids")),
    headers=(("trace_id", "X-Trace-Id"), ("dry_run", "X-Dry-Run")),
    body="json",
    responses={200: None},
)


class Kind(enum.Enum):
    BIG = "big"


def test_a_call_is_built_from_the_operation_and_python_names() -> None:
    built = build(
        OP,
        ("thing 1", 7),
        {
            "include_all": True,
            "since": dt.date(2026, 1, 2),
            "kind": Kind.BIG,
            "ids": [uuid.UUID(int=1), "b"],
            "trace_id": "abc",
            "dry_run": False,
        },
        {"name": "x", "when": dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)},
    )
    assert built == {
        "method": "POST",
        "url": "/things/thing%201/parts/7",
        "params": {
            "includeAll": True,
            "since": "2026-01-02",
            "kind": "big",
            "ids": ["00000000-0000-0000-0000-000000000001", "b"],
        },
        "json": {"name": "x", "when": "2026-01-02T03:04:00+00:00"},
        "headers": {"X-Trace-Id": "abc", "X-Dry-Run": "false", "Content-Type": "application/json"},
    }


def test_unset_and_none_are_not_sent_and_no_body_means_no_content_type() -> None:
    built = build(OP, ("a", "b"), {"include_all": UNSET, "since": None, "trace_id": None})
    assert built == {"method": "POST", "url": "/things/a/parts/b"}


@pytest.mark.parametrize(
    ("op", "path", "params", "body", "message"),
    [
        (OP, ("a",), None, UNSET, "takes 2 path parameters, got 1"),
        (OP, ("a", "b"), {"includeAll": True}, UNSET, r"takes no parameters \['includeAll'\]"),
        (Operation("get_it", "GET", "/it"), (), None, {"x": 1}, "get_it takes no body"),
    ],
)
def test_arguments_an_operation_does_not_take_are_refused(
    op: Operation, path: tuple[Any, ...], params: dict[str, Any] | None, body: Any, message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        build(op, path, params, body)


@attrs.define
class Thing:
    type_: str
    count: int | Unset = UNSET
    parts: list[Any] | Unset = UNSET
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)


def test_a_model_is_written_under_its_json_names_without_to_dict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(JSON_NAMES, "Thing", {"type_": "type"})
    thing = Thing(type_="a", parts=[Thing(type_="b", count=2)])
    thing.additional_properties["extra"] = Kind.BIG
    # UNSET fields are left out; a plain value where the model declares another type is passed
    # on for the request check to name (no AttributeError from a to_dict())
    assert json_value(thing) == {"extra": "big", "type": "a", "parts": [{"type": "b", "count": 2}]}
    assert json_value(Thing(type_=Kind.BIG, count="many")) == {"type": "big", "count": "many"}  # type: ignore[arg-type]


def test_an_enum_value_parsed_from_the_server_stays_itself() -> None:
    class Status(OpenStrEnum):
        OK = "ok"

    new = Status("added_later")
    assert json_value({"status": new})["status"] is new


def _models_of(value: Any) -> list[Any]:
    if attrs.has(type(value)):
        return [value, *(m for f in attrs.fields(type(value)) for m in _models_of(getattr(value, f.name)))]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _models_of(v)]
    if isinstance(value, dict):
        return [m for v in value.values() for m in _models_of(v)]
    return []


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_json_value_writes_every_model_as_its_to_dict_does(operation_id: str) -> None:
    """For every request body and success answer of the spec, as models: the pipeline's JSON
    equals what the generated ``to_dict()`` gives, renamed fields (``type_``) included."""
    call = build_call(operation_id)
    op = operation(operation_id)
    found = _models_of(call["kwargs"].get("body")) if op.body == "json" else []
    ref = op.responses.get(call["status"])
    if ref is not None:
        response = answer(call["status"], json=call["answer"])
        found += _models_of(parse(op, response))
    for model in found:
        if hasattr(model, "to_dict"):
            assert json_value(model) == model.to_dict(), type(model).__name__


def test_the_renamed_fields_are_covered() -> None:
    assert JSON_NAMES["Resource"] == {"type_": "type"}


# -- spec defaults filled in -------------------------------------------------------------------

FILLING = Operation(
    "fill_it",
    "POST",
    "/it",
    body="json",
    fill=Fill(
        defaults={"mode": "fast"},
        fields={
            "members": Fill(items=Fill(defaults={"is_admin": False, "tags": []})),
            "config": Fill(
                choices=(("provider", "Datadog", Fill(defaults={"site": "US1"})),),
            ),
        },
    ),
)


def test_required_fields_left_out_get_their_spec_default_and_given_ones_stay() -> None:
    members: list[dict[str, Any]] = [{"id": "user_1"}, {"id": "user_2", "is_admin": True}]
    body = {"members": members, "config": {"provider": "Datadog", "api_key": "k"}}
    built = build(FILLING, (), None, body)
    assert built["json"] == {
        "mode": "fast",
        "members": [
            {"id": "user_1", "is_admin": False, "tags": []},
            {"id": "user_2", "is_admin": True, "tags": []},
        ],
        "config": {"provider": "Datadog", "api_key": "k", "site": "US1"},
    }
    # the caller's own values are not touched, and no two bodies share a default's list
    assert members == [{"id": "user_1"}, {"id": "user_2", "is_admin": True}]
    first, second = built["json"]["members"]
    assert first["tags"] is not second["tags"]


def test_defaults_are_filled_only_where_the_value_has_that_shape() -> None:
    # another union branch, and values of the wrong kind, are left for the request check to name
    sentry = {"config": {"provider": "Sentry", "dsn": "d"}, "members": "user_1", "mode": None}
    assert build(FILLING, (), None, sentry)["json"] == sentry
    assert build(FILLING, (), None, ["not", "an", "object"])["json"] == ["not", "an", "object"]
    assert build(FILLING, (), None, {"members": [5, None]})["json"] == {"mode": "fast", "members": [5, None]}


def test_a_model_item_and_a_mapping_item_are_sent_alike() -> None:
    from retool_api_client.generated.models import GroupMemberRef

    op = operation("add_users_to_group")
    by_model = build(op, ("7",), None, {"members": [GroupMemberRef(id="user_1")]})
    by_mapping = build(op, ("7",), None, {"members": [{"id": "user_1"}]})
    assert by_model["json"] == by_mapping["json"] == {"members": [{"id": "user_1", "is_group_admin": False}]}


# -- reading the answer ------------------------------------------------------------------------


def _answer(status: int, content: bytes = b"", **kw: Any) -> Any:
    return answer(status, content, url="https://x/y", **kw)


def test_a_documented_error_carries_its_model() -> None:
    op = operation("get_folder")
    body = samples.sample(samples.spec()["paths"]["/folders/{folderId}"]["get"]["responses"]["404"]
                          ["content"]["application/json"]["schema"])  # fmt: skip
    with pytest.raises(NotFoundError) as caught:
        parse(op, _answer(404, json=body))
    assert type(caught.value.parsed).__name__ == "ErrorResponse"


def test_undocumented_statuses_and_bad_bodies_are_typed_errors() -> None:
    op = operation("get_user")
    with pytest.raises(NotFoundError) as caught:
        parse(op, _answer(404, b"{}"))  # not documented for get_user: no model, still typed
    assert caught.value.parsed is None
    with pytest.raises(APIResponseValidationError, match="status 202 is not documented"):
        parse(op, _answer(202, b"{}"))
    with pytest.raises(APIResponseValidationError, match="not valid JSON"):
        parse(op, _answer(200, b"{nope"))
    with pytest.raises(APIResponseValidationError):
        parse(op, _answer(200, b'{"success": true, "data": {"id": 5}}'))


def test_a_json_array_answer_parses_item_by_item() -> None:
    op = Operation("list_it", "GET", "/it", responses={200: "list:models.user_ref:UserRef"})
    parsed = parse(op, _answer(200, json=[{"type": "user", "id": "user_1"}]))
    assert [type(p).__name__ for p in parsed] == ["UserRef"]
    with pytest.raises(APIResponseValidationError, match="expected a JSON array"):
        parse(op, _answer(200, json={"id": "user_1"}))
    with pytest.raises(APIResponseValidationError):
        parse(op, _answer(200, json=[{"type": "user", "id": 5}]))


def test_a_bodiless_success_parses_to_none() -> None:
    assert parse(operation("delete_user"), _answer(204)) is None


def test_a_success_the_spec_gives_no_schema_is_the_json_sent() -> None:
    op = operation("list_role_grants")
    assert op.responses[200] == "json"
    sent = {"success": True, "data": [{"id": "grant_1", "role_id": 3}], "anything": None}
    assert result(op, parse(op, _answer(200, json=sent))) == sent
    assert parse(op, _answer(200, json=[1, "two"])) == [1, "two"]
    assert parse(op, _answer(200)) is None  # nothing sent: nothing to decode
    with pytest.raises(APIResponseValidationError, match="not valid JSON"):
        parse(op, _answer(200, b"<html>"))


def test_unwrap_data_for_operations_mixing_envelopes_and_plain_bodies() -> None:
    class Envelope:
        def __init__(self, data: Any) -> None:
            self.data = data

    mixed = Operation("mixed_op", "GET", "/x", unwrap="mixed")
    assert result(mixed, Envelope([1])) == [1]
    plain = object()
    assert result(mixed, plain) is plain
    unset = Envelope(UNSET)
    assert result(mixed, unset) is unset
    assert result(mixed, None) is None  # a bodiless success among them


def test_pages_say_how_a_list_operation_pages() -> None:
    assert operation("list_users").pages == Pages("limit", False, (1, 100), "next_token")
    assert operation("get_user").pages is None
