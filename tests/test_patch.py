"""JSON Patch: escaping, builder, diff (checked against jsonpatch), endpoint rules, and the nine
PATCH operations through the facade with bodies validated against the spec."""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import jsonpatch
import jsonpointer
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS30Validator

from retool_api_client import ConfigurationError, JsonPatch, PatchError, diff
from retool_api_client.generated.api import OPERATIONS, PATCH_RULES
from retool_api_client.generated.models import UpdateUserBody
from retool_api_client.patch import check, pointer, same, segments, to_json

from .helpers import samples
from .helpers.calls import SPEC_OPS, build_call
from .helpers.fakes import make_client

PEER_SUITE = Path(__file__).resolve().parent / "data" / "json-patch-tests"

# -- escaping (RFC 6901) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("metadata", "team/a"), "/metadata/team~1a"),
        (("a~b",), "/a~0b"),
        (("~1",), "/~01"),  # a key that looks like an escape is escaped itself
        (("~0",), "/~00"),
        (("/",), "/~1"),
        (("~/",), "/~0~1"),
        (("",), "/"),  # the empty key
        (("a", ""), "/a/"),
        (("", ""), "//"),
        (("items", 0), "/items/0"),
        ((), ""),  # the whole document
    ],
)
def test_escaping(parts: tuple[str | int, ...], expected: str) -> None:
    assert pointer(parts) == expected
    assert jsonpointer.JsonPointer.from_parts(list(parts)).path == expected  # the reference agrees
    assert segments(expected) == [str(p) for p in parts]


@given(st.lists(st.text(alphabet=st.sampled_from("ab~/01 "), max_size=6), max_size=4))
def test_escaping_round_trips_like_jsonpointer(parts: list[str]) -> None:
    path = pointer(parts)
    assert path == jsonpointer.JsonPointer.from_parts(parts).path
    assert segments(path) == parts


@pytest.mark.parametrize("bad", ["metadata/x", 3, ("a", None), ("a", True)])
def test_bad_paths_are_refused(bad: Any) -> None:
    with pytest.raises(PatchError, match="pointer"):
        JsonPatch().replace(bad, 1)


# -- builder ------------------------------------------------------------------------------------


def test_builder_chains_escapes_and_converts_values() -> None:
    class Color(__import__("enum").Enum):
        RED = "red"

    patch = (
        JsonPatch()
        .replace("/first_name", "Ada")
        .add(("metadata", "team/a"), {"when": dt.datetime(2024, 1, 2, tzinfo=dt.UTC), "c": Color.RED})
        .remove(("metadata", "~old"))
    )
    assert patch.operations == [
        {"op": "replace", "path": "/first_name", "value": "Ada"},
        {
            "op": "add",
            "path": "/metadata/team~1a",
            "value": {"when": "2024-01-02T00:00:00+00:00", "c": "red"},
        },
        {"op": "remove", "path": "/metadata/~0old"},
    ]
    assert len(patch) == 3 and bool(patch) and not JsonPatch()
    body = patch.to_body(UpdateUserBody)
    assert isinstance(body, UpdateUserBody)
    assert body.to_dict() == {"operations": patch.operations}
    assert JsonPatch(patch.operations) == patch


@pytest.mark.parametrize(
    ("op", "message"),
    [
        ({"op": "move", "from": "/a", "path": "/b"}, "only add, remove and replace"),
        ({"op": "replace", "path": "/a"}, "needs a 'value'"),
        ({"path": "/a"}, "'op' and 'path'"),
        ({"op": "add", "path": "a", "value": 1}, "starts with '/'"),
        ({"op": "add", "path": "/a", "value": object()}, "not a JSON value"),
    ],
)
def test_bad_operations_are_refused(op: dict[str, Any], message: str) -> None:
    with pytest.raises(PatchError, match=message):
        JsonPatch([op])


# -- diff -----------------------------------------------------------------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.text(alphabet=st.sampled_from("ab~/"), max_size=3)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet=st.sampled_from("ab~/"), max_size=2), children, max_size=4)
    ),
    max_leaves=12,
)


def apply(doc: Any, ops: list[dict[str, Any]]) -> Any:
    return jsonpatch.apply_patch(copy.deepcopy(doc), ops)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES, JSON_VALUES, st.sampled_from(["replace", "elementwise"]))
def test_diff_applied_by_jsonpatch_gives_exactly_after(a: Any, b: Any, arrays: Any) -> None:
    ops = diff(a, b, arrays=arrays)
    assert {op["op"] for op in ops} <= {"add", "remove", "replace"}
    assert same(apply(a, ops), b)
    assert (ops == []) == same(a, b)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=3), JSON_VALUES, max_size=5), JSON_VALUES)
def test_diff_of_one_field_change_is_one_operation_on_that_field(doc: dict[str, Any], value: Any) -> None:
    after = {**doc, "f": value}
    ops = diff(doc, after)
    if same(doc.get("f", object()), value):
        assert ops == []
    else:
        assert len(ops) == 1 and segments(ops[0]["path"])[0] == "f"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ({"n": 1}, {"n": 1.0}, [{"op": "replace", "path": "/n", "value": 1.0}]),
        ({"n": 1}, {"n": True}, [{"op": "replace", "path": "/n", "value": True}]),
        ({"n": 0}, {"n": False}, [{"op": "replace", "path": "/n", "value": False}]),
        ({"m": {"a": 1, "b": 2}}, {"m": {"a": 1, "b": 3}}, [{"op": "replace", "path": "/m/b", "value": 3}]),
        # two changes below /m: replacing /m is one operation, fewer than two
        ({"m": {"a": 1, "b": 2}}, {"m": {"a": 0, "b": 3}}, [{"op": "replace", "path": "/m", "value": {"a": 0, "b": 3}}]),
        ({"a": 1, "b": 2}, {"a": 0, "b": 3}, [  # the top level is never replaced whole
            {"op": "replace", "path": "/a", "value": 0},
            {"op": "replace", "path": "/b", "value": 3},
        ]),
        ({"x": 1}, {}, [{"op": "remove", "path": "/x"}]),
        ({}, {"a/b": None}, [{"op": "add", "path": "/a~1b", "value": None}]),
        ({"l": [1, 2, 3]}, {"l": [1, 2, 4]}, [{"op": "replace", "path": "/l", "value": [1, 2, 4]}]),
        ({"t": "x"}, {"t": "x"}, []),
    ],
)  # fmt: skip
def test_diff_examples(a: Any, b: Any, expected: list[dict[str, Any]]) -> None:
    ops = diff(a, b)
    assert ops == expected
    assert all(same(x, y) for x, y in zip(ops, expected, strict=True))  # 1.0 stays a float


def test_elementwise_arrays() -> None:
    assert diff({"l": [1, 2, 3]}, {"l": [1, 9, 3]}, arrays="elementwise") == [
        {"op": "replace", "path": "/l/1", "value": 9}
    ]
    assert diff({"l": [1]}, {"l": [1, 2]}, arrays="elementwise") == [
        {"op": "add", "path": "/l/1", "value": 2}
    ]
    assert diff({"l": [1, 2]}, {"l": [1]}, arrays="elementwise") == [{"op": "remove", "path": "/l/1"}]
    with pytest.raises(PatchError, match="arrays must be"):
        diff({}, {}, arrays="sideways")  # type: ignore[arg-type]


def test_diff_accepts_models() -> None:
    before = UpdateUserBody.from_dict({"operations": []})
    after = UpdateUserBody.from_dict({"operations": [{"op": "remove", "path": "/a"}]})
    assert diff(before, after) == [
        {"op": "replace", "path": "/operations", "value": [{"op": "remove", "path": "/a"}]}
    ]
    assert diff(before, after, arrays="elementwise") == [
        {"op": "add", "path": "/operations/0", "value": {"op": "remove", "path": "/a"}}
    ]
    assert to_json(after) == {"operations": [{"op": "remove", "path": "/a"}]}


# -- the peer suite (github.com/json-patch/json-patch-tests) ---------------------------------------


def peer_records(builder_ops_only: bool = False) -> list[Any]:
    """Records with an expected document (the others test error handling of an applier)."""
    records = []
    for name in ("tests.json", "spec_tests.json"):
        for i, record in enumerate(json.loads((PEER_SUITE / name).read_text())):
            if record.get("disabled") or "expected" not in record:
                continue
            if builder_ops_only and any(
                op["op"] not in ("add", "remove", "replace") for op in record["patch"]
            ):
                continue  # move/copy/test: the builder does not make them
            records.append(pytest.param(record, id=f"{name}:{i}"))
    return records


@pytest.mark.parametrize("record", peer_records())
def test_peer_suite_diff_reaches_each_expected_document(record: dict[str, Any]) -> None:
    for arrays in ("replace", "elementwise"):
        ops = diff(record["doc"], record["expected"], arrays=arrays)  # type: ignore[arg-type]
        assert {op["op"] for op in ops} <= {"add", "remove", "replace"}
        assert same(apply(record["doc"], ops), record["expected"])


@pytest.mark.parametrize("record", peer_records(builder_ops_only=True))
def test_peer_suite_patches_rebuilt_with_the_builder_are_identical(record: dict[str, Any]) -> None:
    rebuilt = JsonPatch()
    for op in record["patch"]:
        parts = tuple(segments(op["path"]))  # parse and re-escape every pointer
        if op["op"] == "remove":
            rebuilt.remove(parts)
        else:
            getattr(rebuilt, op["op"])(parts, op["value"])
    assert rebuilt.operations == [
        {k: v for k, v in op.items() if k in ("op", "path", "value")} for op in record["patch"]
    ]
    assert same(apply(record["doc"], rebuilt.operations), record["expected"])


def test_peer_suite_is_there() -> None:
    assert len(peer_records()) == 74 and len(peer_records(builder_ops_only=True)) == 54


# -- endpoint rules, from the spec ------------------------------------------------------------------

REPLACE_ONLY = {
    "update_organization_user_attribute",
    "approve_or_deny_access_request",
    "update_resource",
    "update_resource_configuration",
    "update_environment",
    "update_organization_settings",
}
ADD_REMOVE_REPLACE = {"update_user", "update_group", "update_folder"}


def test_rules_cover_the_nine_patch_operations() -> None:
    assert set(PATCH_RULES) == REPLACE_ONLY | ADD_REMOVE_REPLACE
    for name in REPLACE_ONLY:
        assert PATCH_RULES[name].ops == ("replace",)
    for name in ADD_REMOVE_REPLACE:
        assert {"add", "remove", "replace"} <= set(PATCH_RULES[name].ops)
    assert "first_name" in PATCH_RULES["update_user"].fields
    assert "status" in PATCH_RULES["approve_or_deny_access_request"].fields


@pytest.mark.parametrize("operation_id", sorted(REPLACE_ONLY))
def test_replace_only_endpoints_refuse_add_and_remove(operation_id: str) -> None:
    rule = PATCH_RULES[operation_id]
    field = rule.fields[0]
    for op in ({"op": "add", "path": f"/{field}", "value": 1}, {"op": "remove", "path": f"/{field}"}):
        with pytest.raises(PatchError) as caught:
            check(operation_id, [op])
        assert rule.endpoint in str(caught.value) and "accepts: replace" in str(caught.value)
    with pytest.raises(PatchError, match="is not a field of") as caught:
        check(operation_id, [{"op": "replace", "path": "/no_such_field", "value": 1}])
    assert rule.endpoint in str(caught.value) and field in str(caught.value)
    assert check(operation_id, JsonPatch().replace((field, "deep/er"), 1)) == [
        {"op": "replace", "path": f"/{field}/deep~1er", "value": 1}
    ]


def test_rules_refuse_empty_patches_and_other_operations() -> None:
    with pytest.raises(PatchError, match="no operations"):
        check("update_user", [])
    with pytest.raises(PatchError, match="takes no JSON Patch"):
        check("get_user", [{"op": "replace", "path": "/a", "value": 1}])
    with pytest.raises(PatchError, match="path '' is not a field"):
        check("update_user", [{"op": "replace", "path": "", "value": {}}])


# -- the nine operations through the client, bodies checked against the spec -------------------------


def request_schema(operation_id: str) -> dict[str, Any]:
    _, _, op = SPEC_OPS[operation_id]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    return {**schema, "components": samples.spec()["components"]}


def valid_value(operation_id: str, field: str) -> Any:
    """A value for ``field`` that fits the model the endpoint answers with."""
    call = build_call(operation_id)
    return call["answer"]["data"][field]


class Recorder:
    def __init__(self, operation_id: str) -> None:
        self.call = build_call(operation_id)
        self.bodies: list[Any] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        return httpx.Response(self.call["status"], json=self.call["answer"])


def changed(operation_id: str, field: str, value: Any) -> Any:
    """A different value of the same kind (the request check refuses one of another kind)."""
    from retool_api_client._validate import _document

    schema = _document()["operations"][operation_id]["patch_fields"].get(field, {})
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None and v != value)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return "changed"


@pytest.mark.parametrize("operation_id", sorted(PATCH_RULES))
async def test_each_patch_operation_sends_a_spec_valid_body(operation_id: str) -> None:
    rule = PATCH_RULES[operation_id]
    field = next(f for f in rule.fields if f not in ("id", "legacy_id"))
    value = valid_value(operation_id, field)
    recorder = Recorder(operation_id)
    namespace, method = OPERATIONS[operation_id]
    async with make_client(recorder) as retool:
        resource = getattr(retool, namespace)
        result = await getattr(resource, method)(*recorder.call["args"], JsonPatch().replace((field,), value))
        assert result is not None
        # the same through the field keyword and through update_from
        assert field in inspect.signature(getattr(resource, method)).parameters
        await getattr(resource, method)(*recorder.call["args"], **{field: value})
        before = recorder.call["answer"]["data"]
        after = {
            **before,
            field: value if not same(before[field], value) else changed(operation_id, field, value),
        }
        await getattr(resource, f"{method}_from")(*recorder.call["args"], before, after)
        assert await getattr(resource, f"{method}_from")(*recorder.call["args"], before, before) is None
    assert len(recorder.bodies) == 3  # nothing sent for the empty diff
    validator = OAS30Validator(request_schema(operation_id))
    for body in recorder.bodies:
        validator.validate(body)
    assert (
        recorder.bodies[0]
        == recorder.bodies[1]
        == {"operations": [{"op": "replace", "path": f"/{field}", "value": value}]}
    )
    assert recorder.bodies[2]["operations"] == diff(before, after)


async def test_users_update_with_fields_builder_and_list() -> None:
    recorder = Recorder("update_user")
    async with make_client(recorder) as retool:
        await retool.users.update("user_1", first_name="Ada", metadata={"team/a": True})
        await retool.users.update("user_1", [{"op": "remove", "path": "/metadata/old"}], active=False)
        with pytest.raises(PatchError, match="only add, remove and replace"):
            await retool.users.update("user_1", [{"op": "move", "from": "/a", "path": "/b"}])
        with pytest.raises(PatchError, match="not a field of"):
            await retool.users.update("user_1", JsonPatch().replace("/nickname", "A"))
        with pytest.raises(ConfigurationError, match="either body= or"):
            await retool.users.update(
                "user_1", body=UpdateUserBody.from_dict({"operations": []}), first_name="A"
            )
        with pytest.raises(PatchError, match="no operations"):
            await retool.users.update("user_1")
    assert recorder.bodies == [
        {
            "operations": [
                {"op": "replace", "path": "/first_name", "value": "Ada"},
                {"op": "replace", "path": "/metadata", "value": {"team/a": True}},
            ]
        },
        {
            "operations": [
                {"op": "remove", "path": "/metadata/old"},
                {"op": "replace", "path": "/active", "value": False},
            ]
        },
    ]  # the refused calls sent nothing


async def test_field_keywords_take_uuids_enum_text_lists_and_models_as_json() -> None:
    recorder = Recorder("update_group")
    app = uuid.UUID("12345678-1234-5678-1234-567812345678")
    async with make_client(recorder) as retool:
        await retool.groups.update(
            *recorder.call["args"],
            landing_page_app_id=app,
            universal_app_access="use",
            members=({"id": "user_1", "is_group_admin": True},),
        )
    assert recorder.bodies == [
        {
            "operations": [
                {"op": "replace", "path": "/members", "value": [{"id": "user_1", "is_group_admin": True}]},
                {"op": "replace", "path": "/universal_app_access", "value": "use"},
                {"op": "replace", "path": "/landing_page_app_id", "value": str(app)},
            ]
        }
    ]
    OAS30Validator(request_schema("update_group")).validate(recorder.bodies[0])


async def test_body_level_extras_are_sent_next_to_the_operations() -> None:
    recorder = Recorder("update_organization_user_attribute")
    async with make_client(recorder) as retool:
        await retool.user_attributes.update(*recorder.call["args"], label="Team", update_existing=True)
    assert recorder.bodies == [
        {"operations": [{"op": "replace", "path": "/label", "value": "Team"}], "update_existing": True}
    ]
    OAS30Validator(request_schema("update_organization_user_attribute")).validate(recorder.bodies[0])


async def test_offboarding_example_from_the_readme() -> None:
    recorder = Recorder("update_user")
    async with make_client(recorder) as retool:
        await retool.users.update("user_1", JsonPatch().replace("/active", False).replace("/metadata", {}))
    assert recorder.bodies == [
        {
            "operations": [
                {"op": "replace", "path": "/active", "value": False},
                {"op": "replace", "path": "/metadata", "value": {}},
            ]
        }
    ]
