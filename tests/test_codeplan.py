"""``scripts/retoolgen/codeplan.py``: the typed plan's decisions on small specs, through
openapi-python-client's own parse (the generated package is tested in test_facade.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData
from retoolgen import codeplan, facade  # tests/conftest.py puts scripts/ on the path

from .helpers import ROOT


def obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def method(
    body: dict[str, Any], schemas: dict[str, Any], tmp_path: Path, **responses: Any
) -> codeplan.Method:
    """The plan of ``POST /things`` taking ``body``, answering ``responses`` (default: 201 with
    no content)."""
    spec = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1.0.0"},
        "tags": [{"name": "Things"}],
        "components": {"schemas": schemas},
        "paths": {
            "/things": {
                "post": {
                    "tags": ["Things"],
                    "operationId": "create_thing",
                    "summary": "Create a thing",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                    "responses": {k: {"description": k} for k in responses} or {"201": {"description": "ok"}},
                }
            }
        },
    }
    dest = tmp_path / "pkg"
    config = Config.from_sources(
        ConfigFile.load_from_path(ROOT / "generator-config.yaml"), MetaType.NONE, dest, "utf-8", True,
        output_path=dest,
    )  # fmt: skip
    data = GeneratorData.from_dict(spec, config=config)
    assert isinstance(data, GeneratorData), data
    (only,) = codeplan.build(facade.plan(spec, {}), data, facade.order_methods).methods
    return only


SCHEMAS = {
    "Member": obj(
        ["id", "admin"],
        id={"type": "string"},
        admin={"type": "boolean", "default": False},
        role={"type": "string", "default": "viewer"},  # optional: the server's default, not sent
    ),
    "Dog": obj(
        ["kind", "size"], kind={"type": "string", "enum": ["dog"]}, size={"type": "string", "default": "m"}
    ),
    "Cat": obj(
        ["kind", "lives"], kind={"type": "string", "enum": ["cat"]}, lives={"type": "integer", "default": 9}
    ),
    "Node": obj(["flag"], flag={"type": "boolean", "default": True}, child=ref("Node")),
}


def test_array_keywords_are_typed_from_their_items(tmp_path: Path) -> None:
    body = obj(
        ["members"],
        members={"type": "array", "items": ref("Member")},
        ids={"type": "array", "items": {"type": "integer"}},
        names={"type": "array", "items": {"type": "string"}},
        uuids={"type": "array", "items": {"type": "string", "format": "uuid"}},
        anything={"type": "array", "items": {}},
        grid={"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
    )
    declared = {p.python: p.declaration for p in method(body, SCHEMAS, tmp_path).body.fields}  # type: ignore[union-attr]
    assert declared == {
        "members": "members: Sequence[Member | Mapping[str, Any]] | Unset = UNSET",
        "ids": "ids: Sequence[int] | Unset = UNSET",
        "names": "names: list[str] | tuple[str, ...] | Unset = UNSET",  # a lone str is no list
        "uuids": "uuids: Sequence[UUID | str] | Unset = UNSET",
        "anything": "anything: list[Any] | tuple[Any, ...] | Unset = UNSET",  # the spec says nothing
        "grid": "grid: Sequence[Sequence[float]] | Unset = UNSET",
    }


def test_required_fields_with_a_spec_default_are_filled_wherever_they_are(tmp_path: Path) -> None:
    body = obj(
        ["members", "mode"],
        mode={"type": "string", "default": "fast"},
        members={"type": "array", "items": ref("Member")},
        pet={"oneOf": [ref("Dog"), ref("Cat")]},
        tree=ref("Node"),
    )
    planned = method(body, SCHEMAS, tmp_path)
    assert planned.fill is not None
    assert planned.fill.code == (
        "Fill(defaults={'mode': 'fast'}, fields={"
        "'members': Fill(items=Fill(defaults={'admin': False})), "
        "'pet': Fill(choices=(('kind', 'dog', Fill(defaults={'size': 'm'})), ('kind', 'cat', Fill(defaults={'lives': 9})), )), "
        "'tree': Fill(defaults={'flag': True})})"
    )
    # filled, so not demanded of the caller
    assert planned.body is not None and planned.body.required_fields == ["members"]


@pytest.mark.parametrize(
    "branches",
    [
        [ref("Dog"), ref("Dog2")],  # two branches named alike: which one is meant is unknown
        [ref("Dog"), ref("Untagged")],  # a branch with defaults that no value can name
    ],
)
def test_a_union_whose_branch_a_value_cannot_name_is_not_filled(branches: Any, tmp_path: Path) -> None:
    schemas = {
        **SCHEMAS,
        "Dog2": obj(
            ["kind", "bark"],
            kind={"type": "string", "enum": ["dog"]},
            bark={"type": "boolean", "default": True},
        ),
        "Untagged": obj(["legs"], legs={"type": "integer", "default": 4}),
    }
    assert method(obj([], pet={"anyOf": branches}), schemas, tmp_path).fill is None


def test_no_defaults_no_fill(tmp_path: Path) -> None:
    assert method(obj(["name"], name={"type": "string"}), {}, tmp_path).fill is None


def test_a_success_without_a_schema_is_returned_decoded_and_a_204_is_none(tmp_path: Path) -> None:
    planned = method(obj([], name={"type": "string"}), {}, tmp_path, **{"200": None, "204": None})
    assert planned.responses == [(200, "json"), (204, None)]
    assert (planned.returns, planned.envelope) == ("Any", "Any")
    assert "the JSON Retool sent" in planned.returns_doc
    assert method(obj([], name={"type": "string"}), {}, tmp_path / "b", **{"204": None}).returns == "None"


@pytest.mark.parametrize(
    ("text", "members"),
    [
        ("str", ["str"]),
        ("Sequence[A | Mapping[str, Any]] | None", ["Sequence[A | Mapping[str, Any]]", "None"]),
        ("dict[str, list[int | str]] | B", ["dict[str, list[int | str]]", "B"]),
    ],
)
def test_unions_written_as_text_split_at_the_top_level_only(text: str, members: list[str]) -> None:
    assert codeplan._members(text) == members


def test_a_union_puts_mappings_and_none_last_and_any_alone() -> None:
    assert codeplan._union(["None | A", "Mapping[str, Any]", "B", "A"]) == "A | B | Mapping[str, Any] | None"
    assert codeplan._union(["A", "Any"]) == "Any"


def test_the_call_a_message_shows(tmp_path: Path) -> None:
    assert method(obj([], name={"type": "string"}), {}, tmp_path).call == "things.create()"
