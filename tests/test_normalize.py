"""Each normalization pass on a small spec, then the whole pass list on the pinned spec."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from retoolgen import normalize as n

from .conftest import ROOT


def spec(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": schemas or {}},
    }


def ok(schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"description": "ok"}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}  # type: ignore[assignment]
    return {"200": body}


def test_colon_path_param_becomes_declared_parameter_in_place() -> None:
    s = spec({"/a": {"get": {"responses": ok()}}, "/t/:tokenId": {"get": {"responses": ok()}}, "/z": {}})
    n.colon_path_params(s, {})
    assert list(s["paths"]) == ["/a", "/t/{tokenId}", "/z"]
    params = s["paths"]["/t/{tokenId}"]["get"]["parameters"]
    assert params == [{"name": "tokenId", "in": "path", "required": True, "schema": {"type": "string"}}]


def test_colon_path_param_keeps_an_existing_declaration() -> None:
    declared = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    s = spec({"/t/:id": {"get": {"parameters": [declared], "responses": ok()}}})
    n.colon_path_params(s, {})
    assert s["paths"]["/t/{id}"]["get"]["parameters"] == [declared]


def test_object_default_dropped_only_for_empty_object_defaults() -> None:
    meta = {"type": "object", "additionalProperties": {}, "default": {}, "nullable": True}
    keep = {"type": "string", "default": ""}
    s = spec({}, {"m": {"type": "object", "properties": {"meta": meta, "k": keep}}})
    n.object_defaults(s, {})
    props = s["components"]["schemas"]["m"]["properties"]
    assert "default" not in props["meta"] and props["meta"]["nullable"] is True
    assert props["k"]["default"] == ""


def test_query_parameter_defaults_move_to_the_description() -> None:
    s = {
        "openapi": "3.0.3",
        "paths": {
            "/u": {
                "get": {
                    "parameters": [
                        {
                            "name": "g",
                            "in": "query",
                            "schema": {"type": "boolean", "default": False},
                            "description": "Groups.",
                        },
                        {"name": "h", "in": "query", "schema": {"type": "integer", "default": 5}},
                        {"name": "k", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {},
                }
            }
        },
    }
    n.parameter_defaults(s, {})
    g, h, k = s["paths"]["/u"]["get"]["parameters"]
    assert g == {
        "name": "g",
        "in": "query",
        "schema": {"type": "boolean"},
        "description": "Groups. Server default: `false`.",
    }
    assert h["description"] == "Server default: `5`." and "default" not in h["schema"]
    assert k == {"name": "k", "in": "query", "schema": {"type": "string"}}


def test_bodies_with_required_fields_are_required() -> None:
    def op(schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {
            "requestBody": {"content": {"application/json": {"schema": schema}}, **extra},
            "responses": {},
        }

    s = {
        "openapi": "3.0.3",
        "paths": {
            "/a": {
                "post": op({"type": "object", "required": ["x"], "properties": {"x": {"type": "string"}}})
            },
            "/b": {"post": op({"$ref": "#/components/schemas/B"})},
            "/c": {"post": op({"type": "object", "properties": {"x": {"type": "string"}}})},
            "/d": {"post": op({"type": "object", "required": ["x"]}, required=False)},
        },
        "components": {"schemas": {"B": {"type": "object", "required": ["y"]}}},
    }
    n.required_bodies(s, {})
    bodies = {p: item["post"]["requestBody"].get("required") for p, item in s["paths"].items()}
    assert bodies == {"/a": True, "/b": True, "/c": None, "/d": False}


def test_nullable_enums_become_named_components_referenced_as_nullable() -> None:
    s = spec(
        {},
        {
            "m": {
                "type": "object",
                "properties": {
                    "t": {"type": "string", "nullable": True, "enum": ["a", "b"], "description": "T."},
                    "u": {"type": "string", "enum": ["a"]},
                    "v": {"type": "string", "nullable": True, "enum": ["a", None]},
                    "w": {"type": "string", "nullable": True, "enum": ["a", "b"]},
                },
            }
        },
    )
    n.nullable_enums(s, {})
    schemas = s["components"]["schemas"]
    props = schemas["m"]["properties"]
    assert schemas["MT"] == {"type": "string", "enum": ["a", "b"]}
    assert props["t"] == {
        "nullable": True,
        "description": "T.",
        "allOf": [{"$ref": "#/components/schemas/MT"}],
    }
    assert props["w"] == {"nullable": True, "allOf": [{"$ref": "#/components/schemas/MT"}]}  # shared
    assert props["u"] == {"type": "string", "enum": ["a"]}
    assert props["v"]["enum"] == ["a", None]


def test_typeless_nullable_becomes_any_but_typed_nullable_stays() -> None:
    s = spec(
        {},
        {
            "m": {
                "type": "object",
                "properties": {
                    "v": {"nullable": True, "description": "A JSON value"},
                    "s": {"type": "string", "nullable": True},
                    "u": {"nullable": True, "anyOf": [{"type": "string"}]},
                },
                "additionalProperties": {"nullable": True},
            }
        },
    )
    n.typeless_nullable(s, {})
    m = s["components"]["schemas"]["m"]
    assert m["properties"]["v"] == {"description": "A JSON value"}
    assert m["properties"]["s"] == {"type": "string", "nullable": True}
    assert m["properties"]["u"]["nullable"] is True  # a composite keeps its meaning
    assert m["additionalProperties"] == {}


def test_patterns_replaced_from_fixes_table() -> None:
    s = spec(
        {}, {"m": {"type": "string", "pattern": "^[a-z0-9\\_]+$"}, "k": {"type": "string", "pattern": "^x$"}}
    )
    n.patterns(s, {"patterns": [{"from": "^[a-z0-9\\_]+$", "to": "^[a-z0-9_]+$", "reason": "r"}]})
    assert s["components"]["schemas"]["m"]["pattern"] == "^[a-z0-9_]+$"
    assert s["components"]["schemas"]["k"]["pattern"] == "^x$"


def test_response_relaxations_touch_responses_not_requests() -> None:
    obj = {"type": "object", "properties": {"id": {"type": "string"}, "folder_id": {"type": "string"}}}
    request = dict(copy.deepcopy(obj), required=["id", "folder_id"])
    response = dict(copy.deepcopy(obj), required=["id", "folder_id"])
    s = spec(
        {
            "/x": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": request}}},
                    "responses": ok(response),
                }
            }
        },
        {
            "only": {
                "type": "object",
                "properties": {"folder_id": {"type": "string"}},
                "required": ["folder_id"],
            }
        },
    )
    n.response_relaxations(s, {"response_relaxations": [{"field": "folder_id", "reason": "r"}]})
    op = s["paths"]["/x"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"]["required"] == ["id", "folder_id"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["required"] == ["id"]
    assert "required" not in s["components"]["schemas"]["only"]


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("List users", "list_users"),
        ("Get a user", "get_user"),
        ("Reset a user's two-factor authentication", "reset_users_two_factor_authentication"),
        ("Create or update a user attribute", "create_or_update_user_attribute"),
    ],
)
def test_operation_id_from_summary(summary: str, expected: str) -> None:
    assert n.snake_from_summary(summary) == expected


def test_operation_id_collision_needs_an_override() -> None:
    s = spec(
        {
            "/a": {"post": {"summary": "Create a release artifact", "responses": ok()}},
            "/b": {"post": {"summary": "Create a release artifact", "responses": ok()}},
        }
    )
    with pytest.raises(n.NormalizeError, match=r"create_release_artifact.*add an override"):
        n.operation_ids(copy.deepcopy(s), {})
    n.operation_ids(s, {"operation_ids": {"POST /b": {"name": "create_b", "reason": "r"}}})
    assert [s["paths"][p]["post"]["operationId"] for p in ("/a", "/b")] == [
        "create_release_artifact",
        "create_b",
    ]


def test_stale_operation_id_override_is_an_error() -> None:
    s = spec({"/a": {"get": {"summary": "List as", "responses": ok()}}})
    with pytest.raises(n.NormalizeError, match="unknown operations"):
        n.operation_ids(s, {"operation_ids": {"GET /gone": {"name": "x", "reason": "r"}}})


def test_component_refs_replace_equal_inline_schemas_only() -> None:
    user = {"type": "object", "properties": {"id": {"type": "string"}}}
    other = {"type": "object", "properties": {"id": {"type": "integer"}}}
    s = spec(
        {
            "/u": {
                "get": {
                    "responses": ok(
                        {"type": "object", "properties": {"data": copy.deepcopy(user), "o": other}}
                    )
                }
            }
        },
        {"user": user},
    )
    n.component_refs(s, {})
    props = s["paths"]["/u"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
    assert props["data"] == {"$ref": "#/components/schemas/user"}
    assert props["o"] == other
    assert s["components"]["schemas"]["user"] == user  # a component never refs itself


def test_component_refs_ignore_an_objects_own_description_but_not_its_structure() -> None:
    user = {"type": "object", "description": "A user.", "properties": {"id": {"type": "string"}}}
    created = copy.deepcopy(user) | {"description": "The created user", "title": "Created"}
    renamed = {
        "type": "object",
        "description": "A user.",
        "properties": {"id": {"type": "string", "description": "x"}},
    }
    text = {"type": "string", "description": "an email"}
    s = spec(
        {
            "/u": {
                "post": {
                    "responses": ok({"type": "object", "properties": {"a": created, "b": renamed, "c": text}})
                }
            }
        },
        {"user": user, "email": {"type": "string"}},
    )
    n.component_refs(s, {})
    props = s["paths"]["/u"]["post"]["responses"]["200"]["content"]["application/json"]["schema"][
        "properties"
    ]
    assert props["a"] == {"$ref": "#/components/schemas/user"}
    assert props["b"] == renamed  # a property's own description is structure: kept apart
    assert props["c"] == text  # only objects are matched loosely; a described string is not "email"


def test_shared_envelopes_are_named_after_the_component_they_wrap() -> None:
    envelope = {
        "type": "object",
        "properties": {"success": {"type": "boolean"}, "data": {"$ref": "#/components/schemas/user"}},
    }
    s = spec(
        {
            "/u": {"post": {"operationId": "create_user", "responses": ok(copy.deepcopy(envelope))}},
            "/u/{id}": {"get": {"operationId": "get_user", "responses": ok(copy.deepcopy(envelope))}},
        },
        {"user": {"type": "object", "properties": {"id": {"type": "string"}}}},
    )
    n.hoist_repeated(s, {})
    assert s["components"]["schemas"]["UserResponse"] == envelope
    assert "CreateUserResponse" not in s["components"]["schemas"]


def test_hoist_repeated_is_bottom_up_named_and_renamable() -> None:
    item = {"type": "object", "properties": {"id": {"type": "string"}}}
    parent = {"type": "object", "properties": {"member": item}}
    s = spec(
        {
            "/a": {"get": {"operationId": "list_a", "responses": ok(copy.deepcopy(parent))}},
            "/b": {"get": {"operationId": "list_b", "responses": ok(copy.deepcopy(parent))}},
        }
    )
    n.hoist_repeated(s, {"schema_names": {"ListAResponseMember": "Member"}})
    schemas = s["components"]["schemas"]
    assert schemas["Member"] == item
    assert schemas["ListAResponse"] == {
        "type": "object",
        "properties": {"member": {"$ref": "#/components/schemas/Member"}},
    }
    for path in ("/a", "/b"):
        ref = s["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ref == {"$ref": "#/components/schemas/ListAResponse"}


def test_hoist_rename_that_matches_nothing_is_an_error() -> None:
    with pytest.raises(n.NormalizeError, match="match no hoisted schema"):
        n.hoist_repeated(spec({}), {"schema_names": {"Nope": "X"}})


def test_hoisted_titled_schema_takes_its_title_as_name_and_drops_it() -> None:
    titled = {"title": "Replace Operation", "type": "object", "properties": {"op": {"type": "string"}}}
    body = {"type": "object", "properties": {"operations": {"type": "array", "items": titled}}}
    s = spec(
        {
            "/a": {
                "patch": {
                    "operationId": "a",
                    "requestBody": {"content": {"application/json": {"schema": copy.deepcopy(body)}}},
                    "responses": ok(),
                }
            },
            "/b": {
                "patch": {
                    "operationId": "b",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "operations": {"type": "array", "items": copy.deepcopy(titled)},
                                        "x": {"type": "string"},
                                    },
                                }
                            }
                        }
                    },
                    "responses": ok(),
                }
            },
        }
    )
    n.hoist_repeated(s, {})
    assert "title" not in s["components"]["schemas"]["ReplaceOperation"]


# ------------------------------------------------------------------ the pinned Retool spec


@pytest.fixture(scope="module")
def normalized() -> dict[str, Any]:
    return json.loads((ROOT / "openapi" / "normalized.json").read_text())


def test_pinned_spec_every_operation_has_unique_snake_case_id(normalized: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in n.operations(normalized)]
    assert len(ids) == 146 == len(set(ids))
    assert all(i == i.lower() and " " not in i for i in ids)
    assert {
        "list_users",
        "get_user",
        "create_app_release",
        "create_element_release",
        "reset_user_two_factor",
    } <= set(ids)


def test_pinned_spec_has_no_colon_paths_typeless_nullables_or_bad_patterns(
    normalized: dict[str, Any],
) -> None:
    text = json.dumps(normalized)
    assert "/:" not in "".join(normalized["paths"])
    assert "/access_tokens/{accessTokenId}" in normalized["paths"]
    assert '"default": {}' not in text
    assert "\\\\_" not in text
    found: list[str] = []
    n.walk(
        normalized,
        lambda node: (
            found.append("x")
            if node.get("nullable") is True and "type" not in node and not n._is_composite(node)
            else None
        ),
    )
    assert found == []


def test_pinned_spec_uses_component_models(normalized: dict[str, Any]) -> None:
    schema = normalized["paths"]["/users"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["properties"]["data"]["items"] == {"$ref": "#/components/schemas/user"}
    names = set(normalized["components"]["schemas"])
    assert {"user", "group", "folder", "resource", "resourceConfiguration", "ErrorResponse"} <= names
    # the copies Retool inlines with their own description ("The created user") are refs too
    for path, method in [("/users", "post"), ("/users/{userId}", "patch"), ("/groups/{groupId}", "get")]:
        schema = normalized["paths"][path][method]["responses"]["200"]["content"]["application/json"][
            "schema"
        ]
        envelope = normalized["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
        assert envelope["properties"]["data"]["$ref"].rpartition("/")[2] in ("user", "group")


def test_normalization_is_deterministic() -> None:
    import yaml
    from retoolgen.pull import pinned_spec_path

    pristine = json.loads(pinned_spec_path(ROOT / "openapi").read_text())
    fixes = yaml.safe_load((ROOT / "openapi" / "fixes.yaml").read_text())
    first = n.normalize(pristine, fixes)
    assert n.normalize(pristine, fixes) == first
    assert pristine["info"]["version"] == first["info"]["version"]  # the pristine input is not mutated
    assert "/access_tokens/:accessTokenId" in pristine["paths"]
