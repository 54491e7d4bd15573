"""Each normalization pass on a small spec, then the whole pass list on the pinned spec."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from retoolgen import normalize as n
from retoolgen.surface import Lock, Operation, SurfaceError

from .helpers import ROOT


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


def test_derived_operation_id_collisions_are_settled_by_the_http_method() -> None:
    s = spec(
        {
            "/groups/{id}": {
                "put": {"summary": "Update group", "responses": ok()},
                "patch": {"summary": "Update group", "responses": ok()},
            },
            "/a": {"post": {"summary": "Create a release artifact", "responses": ok()}},
            "/b": {"post": {"summary": "Create a release artifact", "responses": ok()}},
        }
    )
    ctx = n.Context()
    n.surface_names(s, {}, ctx)
    ids = {f"{m} {p}": op["operationId"] for p, m, op in n.operations(s)}
    assert ids == {
        "put /groups/{id}": "replace_group",
        "patch /groups/{id}": "update_group",
        "post /a": "create_release_artifact_a",
        "post /b": "create_release_artifact_b",
    }
    assert len(ctx.warnings) == 3 and all("collides" in w for w in ctx.warnings)


def test_reviewed_entry_names_an_operation_and_a_stale_one_is_reported() -> None:
    s = spec({"/a": {"post": {"summary": "Create a", "responses": ok()}}})
    ctx = n.Context()
    fixes = {
        "operations": {"POST /a": {"operation_id": "make_a", "reason": "r"}, "GET /gone": {"reason": "r"}}
    }
    n.surface_names(s, fixes, ctx)
    assert s["paths"]["/a"]["post"]["operationId"] == "make_a"
    assert ctx.warnings == ["fixes.yaml operations: GET /gone matches no operation of this release"]


def test_locked_names_win_over_summaries_and_tags_and_fixes_win_over_the_lock() -> None:
    s = spec(
        {
            "/users/{user_id}": {"get": {"summary": "Fetch one user", "tags": ["People"], "responses": ok()}},
            "/users": {"get": {"summary": "Enumerate people", "tags": ["People"], "responses": ok()}},
        }
    )
    s["tags"] = [{"name": "People", "description": "Users, renamed"}]
    lock = Lock(
        "1.0.0",
        {
            "GET /users/{}": Operation("get_user", "users", "get"),
            "GET /users": Operation("list_users", "users", "list"),
        },
    )
    ctx = n.Context(lock=lock)
    fixes = {"operations": {"GET /users": {"operation_id": "list_all_users", "reason": "deliberate"}}}
    n.surface_names(s, fixes, ctx)
    ops = {p: op for p, _, op in n.operations(s)}
    assert ops["/users/{user_id}"]["operationId"] == "get_user"  # the summary changed, the name did not
    assert ops["/users"]["operationId"] == "list_all_users"  # fixes.yaml wins
    assert ops["/users/{user_id}"]["tags"] == ops["/users"]["tags"] == ["Users"]  # the locked namespace
    assert {"name": "Users", "description": "Users, renamed"} in s["tags"]


def test_a_lock_naming_two_operations_alike_is_refused_naming_both() -> None:
    s = spec(
        {
            "/a": {"get": {"summary": "A", "responses": ok()}},
            "/b": {"get": {"summary": "B", "responses": ok()}},
        }
    )
    lock = Lock("1", {"GET /a": Operation("get_x", "x", "a"), "GET /b": Operation("get_x", "x", "b")})
    with pytest.raises(SurfaceError, match=r"GET /b: openapi/surface.lock names it 'get_x'.*GET /a"):
        n.surface_names(s, {}, n.Context(lock=lock))


def test_settle_tries_the_verb_then_the_path_then_a_number_whatever_the_order() -> None:
    put, patch = (
        ("k1", "update_group", "put", "/groups/{id}"),
        ("k2", "update_group", "patch", "/groups/{id}"),
    )
    assert (
        n.settle([put, patch], set())
        == n.settle([patch, put], set())
        == {"k1": "replace_group", "k2": "update_group"}
    )
    two_gets = [("k1", "get", "get", "/envs/{id}/variables"), ("k2", "get", "get", "/envs/{id}")]
    assert n.settle(two_gets, set()) == {"k1": "get_variables", "k2": "get_envs"}
    assert n.settle([("k1", "get", "get", "/v")], {"get", "get_v"}) == {"k1": "get_v_2"}
    assert n.settle([("k1", "list", "get", "/v")], set()) == {"k1": "list"}


def test_numeric_ids_are_integers_and_a_required_id_is_not_nullable() -> None:
    group = {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "number", "nullable": True},
            "legacy_id": {"type": "number"},
            "count": {"type": "number"},
        },
    }
    s = spec({}, {"group": group})
    n.integer_ids(s, {})
    assert group["properties"] == {
        "id": {"type": "integer"},
        "legacy_id": {"type": "integer"},
        "count": {"type": "number"},
    }


def test_path_ids_take_what_the_models_hold() -> None:
    numeric = {
        "name": "groupId",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": r"^\d+$"},
    }
    uuid = {"name": "appId", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
    s = spec({"/x/{groupId}/{appId}": {"get": {"parameters": [numeric, uuid], "responses": ok()}}})
    n.path_param_types(s, {})
    assert numeric["schema"] == {
        "anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": r"^\d+$"}]
    }
    assert uuid["schema"]["anyOf"][0] == {"type": "string", "format": "uuid"}


def test_a_component_plus_extras_is_that_component_with_optional_extras() -> None:
    user = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "email"],
        "properties": {"id": {"type": "string"}, "email": {"type": "string"}, "name": {"type": "string"}},
    }
    extended = copy.deepcopy(user)
    del extended["additionalProperties"]
    extended["properties"]["id"]["description"] = "docs do not count"
    extended["properties"]["groups"] = {"type": "array", "items": {"type": "string"}}
    other = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "email": {"type": "string"}, "x": {}},
    }
    s = spec(
        {"/u": {"get": {"responses": ok({"type": "object", "properties": {"data": extended, "o": other}})}}},
        {"user": user},
    )
    n.component_extras(s, {})
    body = s["paths"]["/u"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["properties"]["data"] == {"$ref": "#/components/schemas/user"}
    assert body["properties"]["o"] == other  # id retyped: not a user
    assert user["properties"]["groups"] == {"type": "array", "items": {"type": "string"}, "readOnly": True}
    assert user["required"] == ["id", "email"]


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


def test_hoist_rename_that_matches_nothing_is_reported() -> None:
    ctx = n.Context()
    n.hoist_repeated(spec({}), {"schema_names": {"Nope": "X"}}, ctx)
    assert ctx.warnings == ["fixes.yaml schema_names: Nope matches no hoisted schema of this release"]


def test_hoisted_model_keeps_its_locked_name_where_any_place_remains() -> None:
    item = {"type": "object", "properties": {"id": {"type": "string"}}}
    s = spec(
        {
            "/c": {
                "get": {
                    "operationId": "list_c",
                    "responses": ok({"type": "array", "items": copy.deepcopy(item)}),
                }
            },
            "/b": {
                "get": {
                    "operationId": "list_b",
                    "responses": ok({"type": "array", "items": copy.deepcopy(item)}),
                }
            },
        }
    )
    lock = Lock("1", {}, {"Thing": ["GET /a 200[]", "GET /b 200[]"]})
    ctx = n.Context(lock=lock)
    n.hoist_repeated(s, {}, ctx)
    assert s["components"]["schemas"]["Thing"] == item  # derived it would be ListCResponseItem
    assert ctx.hoisted == {"Thing": ["GET /b 200[]", "GET /c 200[]"]}


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


# ------------------------------------------------------------------ constructs the generator refuses


def body_op(operation_id: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "requestBody": {"content": {"application/json": {"schema": schema}}},
        "responses": ok(),
    }


def generator_refusals(s: dict[str, Any]) -> list[str]:
    """What openapi-python-client refuses in ``s`` (parsed as the pipeline parses it)."""
    from openapi_python_client.config import Config, ConfigFile, MetaType
    from openapi_python_client.parser import GeneratorData

    config = Config.from_sources(
        ConfigFile.load_from_path(ROOT / "generator-config.yaml"), MetaType.NONE, ROOT, "utf-8", True, ROOT
    )
    data = GeneratorData.from_dict(s, config=config)
    assert isinstance(data, GeneratorData)
    found = [e.detail or "" for c in data.endpoint_collections_by_tag.values() for e in c.parse_errors]
    return found + [e.detail or "" for e in data.errors]


def subject(kind: str, id_schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"type": {"type": "string", "enum": [kind]}, "id": id_schema},
        "required": ["type", "id"],
        **extra,
    }


def test_an_anyof_whose_members_a_field_tells_apart_is_a_oneof() -> None:
    group = subject("group", {"type": "integer"}, title="Group")
    user = subject("user", {"type": "string"})
    told_apart = {"anyOf": [group, {"$ref": "#/components/schemas/user"}], "description": "who"}
    loose = {"anyOf": [{"type": "object", "properties": {"a": {"type": "string"}}}, user]}
    same_value = {"anyOf": [subject("user", {"type": "string"}), subject("user", {"type": "integer"})]}
    optional = {"anyOf": [{**group, "required": ["id"]}, user]}
    nullable = {
        "anyOf": [
            group,
            {**user, "properties": {**user["properties"], "type": {"enum": ["u"], "nullable": True}}},
        ]
    }
    scalars = {"anyOf": [{"type": "integer"}, {"type": "string"}]}
    example = {"type": "object", "example": {"anyOf": [group, user]}, "properties": {}}
    props = {
        "s": told_apart,
        "l": loose,
        "v": same_value,
        "o": optional,
        "n": nullable,
        "k": scalars,
        "e": example,
    }
    s = spec({"/p": {"post": body_op("p", {"type": "object", "properties": props})}}, {"user": user})
    n.exclusive_unions(s, {})
    got = s["paths"]["/p"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    # in place of anyOf, same members, same neighbours
    assert got["s"] == {"oneOf": [group, {"$ref": "#/components/schemas/user"}], "description": "who"}
    assert list(got["s"]) == ["oneOf", "description"]
    # a member without the field, one value in two members, the field optional or nullable in one,
    # members that are not objects, and an example that looks like a union: left alone
    for name in ("l", "v", "o", "n", "k"):
        assert "anyOf" in got[name] and "oneOf" not in got[name], name
    assert got["e"]["example"] == {"anyOf": [group, user]}


def test_a_union_of_objects_with_typeless_or_nullable_only_members_is_read_by_the_generator() -> None:
    """The 2.4.0 PATCH /groups body: JSON Patch operations whose ``value`` is ``{nullable: true}``
    with no type; the same union, untitled, is a hoisted component elsewhere."""

    def operation(kind: str, title: str | None) -> dict[str, Any]:
        props: dict[str, Any] = {"op": {"type": "string", "enum": [kind]}, "path": {"type": "string"}}
        if kind != "remove":
            props["value"] = {"nullable": True, "description": "A JSON value"}
        return {
            "type": "object",
            "properties": props,
            "required": ["op", "path"],
            **({"title": title} if title else {}),
        }

    def body(titled: bool) -> dict[str, Any]:
        kinds = ("add", "remove", "replace")
        items = {"anyOf": [operation(k, f"{k.title()} Operation" if titled else None) for k in kinds]}
        return {"type": "object", "properties": {"operations": {"type": "array", "items": items}}}

    pristine = spec(
        {
            "/users/{id}": {"patch": body_op("update_user", body(False))},
            "/folders/{id}": {"patch": body_op("update_folder", body(False))},
            "/groups/{id}": {"patch": body_op("update_group", body(True))},
        }
    )
    for item in pristine["paths"].values():
        item["patch"]["parameters"] = [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
        ]
    lock = Lock("1", {}, {"ReplaceOperation": ["PATCH /users/{} body.operations[]|Replace"]})
    ctx = n.Context(lock=lock)
    normalized = n.normalize(pristine, {}, ctx)
    assert generator_refusals(normalized) == []
    # the untitled copies keep their locked name; the titled one of the same name is another model
    assert "ReplaceOperation" in normalized["components"]["schemas"]
    assert ctx.hoisted["ReplaceOperation2"] == ["PATCH /groups/{} body.operations[]|ReplaceOperation"]
    # without the titled schema hoisted, the generator refuses the operation
    unhoisted = n.normalize(pristine, {}, n.Context(lock=lock))
    unhoisted["components"]["schemas"].pop("ReplaceOperation2")
    items = unhoisted["paths"]["/groups/{id}"]["patch"]["requestBody"]["content"]["application/json"]
    items["schema"]["properties"]["operations"]["items"]["oneOf"][2] = operation(
        "replace", "Replace Operation"
    )
    assert [e for e in generator_refusals(unhoisted) if "Invalid property in union" in e]


def test_a_titled_schema_whose_title_a_component_has_is_hoisted_under_a_locked_name() -> None:
    """The permission subjects of a release where each occurs once: ``{"title": "Group"}`` beside
    the component ``group`` ("Attempted to generate duplicate models with name 'Group'")."""
    grant = {
        "type": "object",
        "properties": {"subject": {"oneOf": [subject("group", {"type": "integer"}, title="Group")]}},
    }
    revoke = copy.deepcopy(grant)
    revoke["properties"]["subject"]["oneOf"][0]["description"] = "revoked from"
    thing = subject("thing", {"type": "string"}, title="Thing")  # no model is named Thing: stays
    components = {
        "group": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    }
    pristine = spec(
        {
            "/grant": {"post": body_op("grant", grant)},
            "/revoke": {"post": body_op("revoke", revoke)},
            "/things": {"post": body_op("create_thing", {"type": "object", "properties": {"t": thing}})},
        },
        components,
    )
    assert [e for e in generator_refusals(pristine) if "Invalid property in union" in e]  # (Group)

    ctx = n.Context()
    first = n.normalize(pristine, {}, ctx)
    assert generator_refusals(first) == []
    schemas = first["components"]["schemas"]
    assert ctx.hoisted == {
        "Group2": ["POST /grant body.subject|Group"],
        "Group3": ["POST /revoke body.subject|Group"],
    }
    assert "title" not in schemas["Group2"] and schemas["Group3"]["description"] == "revoked from"
    assert (
        first["paths"]["/things"]["post"]["requestBody"]["content"]["application/json"]["schema"][
            "properties"
        ]["t"]
        == thing
    )

    # the lock keeps the names; fixes.yaml renames by the derived name
    lock = Lock("1", {}, {"RevokedGroup": ["POST /revoke body.subject|Group"]})
    again = n.normalize(pristine, {"schema_names": {"Group2": "GroupRef"}}, n.Context(lock=lock))
    assert {"GroupRef", "RevokedGroup"} <= set(again["components"]["schemas"])
    assert generator_refusals(again) == []


def test_two_titled_schemas_of_one_name_and_different_shapes_are_both_named_apart() -> None:
    one = {"title": "Item", "type": "object", "properties": {"a": {"type": "string"}}}
    two = {"title": "Item", "type": "object", "properties": {"b": {"type": "integer"}}}
    pristine = spec({"/a": {"post": body_op("a", {"type": "object", "properties": {"x": one, "y": two}})}})
    assert any('duplicate models with name "Item"' in e for e in generator_refusals(pristine))
    ctx = n.Context()
    normalized = n.normalize(pristine, {}, ctx)
    assert sorted(ctx.hoisted) == ["Item", "Item2"]
    assert generator_refusals(normalized) == []


def test_an_array_without_items_takes_any_items() -> None:
    s = spec(
        {
            "/a": {
                "post": body_op(
                    "a",
                    {
                        "type": "object",
                        "properties": {"ids": {"type": "array"}},
                        "example": {"type": "array"},
                    },
                )
            }
        },
        {"m": {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}}}}},
    )
    assert any("must have items" in e for e in generator_refusals(s))
    n.untyped_items(s, {})
    schema = s["paths"]["/a"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["ids"] == {"type": "array", "items": {}}
    assert schema["example"] == {"type": "array"}  # data, not a schema
    assert s["components"]["schemas"]["m"]["properties"]["tags"]["items"] == {"type": "string"}
    assert generator_refusals(s) == []


# ------------------------------------------------------------------ the pinned Retool spec


@pytest.fixture(scope="module")
def normalized() -> dict[str, Any]:
    return json.loads((ROOT / "openapi" / "normalized.json").read_text())


def test_pinned_spec_every_operation_has_unique_snake_case_id(normalized: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in n.operations(normalized)]
    assert len(ids) == len(set(ids)) > 0
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
