"""Requests are checked against the spec before they are sent (retool_api_client/_validate.py)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import warnings
from collections.abc import Iterator
from functools import cache
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from openapi_schema_validator import OAS30Validator
from retoolgen import request_schemas

from retool_api_client import AsyncPaginator, ConfigurationError, RequestValidationError, RetoolClient
from retool_api_client._pagination import paginate
from retool_api_client._validate import _document
from retool_api_client.generated.api import OPERATIONS
from retool_api_client.generated.api.users import LIST_USERS
from retool_api_client.generated.models import CreateUserBody, CreateUserBodyUserType

from .helpers import ROOT, samples
from .helpers.calls import answering, build_call
from .helpers.fakes import make_client, user_json

FORMATS = FormatChecker(formats=("uuid", "email"))
WRONG_VALUES: tuple[Any, ...] = (None, 5, 2.5, "x", "", True, [], {}, ["x"], {"zz": 1})


#: what the spec allows for a user's type (the messages quote it)
USER_TYPES = samples.resolve(samples.spec()["components"]["schemas"]["user"]["properties"]["user_type"])[
    "enum"
]


def spec_ops() -> Iterator[tuple[str, dict[str, Any]]]:
    for item in samples.spec()["paths"].values():
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                yield item[method]["operationId"], item[method]


def null_for_typeless_nullable(node: Any) -> Any:
    """The spec as the generator reads it. ``{"nullable": true, "allOf": [{"$ref": enum}]}`` (how
    the normalizer marks a nullable enum) admits null for openapi-python-client (the field is
    typed ``Enum | None``), while OpenAPI 3.0.3 lets ``nullable`` act only beside ``type``. The
    request check follows the generated types, so the reference is given that reading too."""
    if isinstance(node, list):
        return [null_for_typeless_nullable(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: null_for_typeless_nullable(v) for k, v in node.items()}
    if out.get("nullable") is True and "type" not in out:
        rest = {k: v for k, v in out.items() if k != "nullable"}
        return {"anyOf": [rest, {"type": "string", "nullable": True, "enum": [None]}]}
    return out


@cache
def reference_components() -> dict[str, Any]:
    return null_for_typeless_nullable(samples.spec()["components"])  # type: ignore[no-any-return]


def with_components(schema: dict[str, Any]) -> dict[str, Any]:
    return {**null_for_typeless_nullable(schema), "components": reference_components()}


def mutations(value: Any, depth: int = 0) -> Iterator[Any]:
    """``value`` changed in one place: every member replaced by each wrong value, removed, or
    joined by an unknown member; every array item likewise."""
    yield from WRONG_VALUES
    if depth > 4:
        return
    if isinstance(value, dict):
        yield {**value, "zz_unknown": 1}
        for key in value:
            yield {k: v for k, v in value.items() if k != key}
            for changed in mutations(value[key], depth + 1):
                yield {**value, key: changed}
    elif isinstance(value, list) and value:
        for changed in mutations(value[0], depth + 1):
            yield [changed, *value[1:]]


def ours(operation_id: str, part: str) -> Draft202012Validator:
    doc = _document()
    return Draft202012Validator(
        {**doc["operations"][operation_id][part], "$defs": doc["$defs"]}, format_checker=FORMATS
    )


def agree(
    operation_id: str, part: str, reference: dict[str, Any], instances: Iterator[Any]
) -> tuple[int, int]:
    mine, theirs = ours(operation_id, part), OAS30Validator(reference, format_checker=FORMATS)
    counts = [0, 0]
    for instance in instances:
        verdict = theirs.is_valid(instance)
        assert mine.is_valid(instance) == verdict, (operation_id, part, instance)
        counts[verdict] += 1
    return counts[0], counts[1]


def test_body_schemas_mean_what_the_spec_means() -> None:
    """The OpenAPI 3.0 -> JSON Schema conversion against openapi-schema-validator reading the
    spec itself, on a valid body of every operation and thousands of one-place changes of it."""
    invalid = valid = bodies = 0
    for operation_id, op in spec_ops():
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            continue
        bodies += 1
        schema = content["application/json"]["schema"]
        full = samples.sample(schema, optional=True)
        minimal = samples.sample(schema)
        bad, good = agree(
            operation_id,
            "body",
            with_components(schema),
            iter([full, minimal, *mutations(full), *mutations(minimal)]),
        )
        assert good >= 1, operation_id  # the spec's own sample passes
        invalid, valid = invalid + bad, valid + good
    assert bodies == sum(
        "application/json" in op.get("requestBody", {}).get("content", {}) for _, op in spec_ops()
    )
    assert invalid > 5000 and valid > 500, (invalid, valid)  # both verdicts are exercised


def as_text(schema: dict[str, Any]) -> dict[str, Any]:
    """A path id typed ``int | str`` or ``UUID | str`` is checked as the string it is sent as:
    the spec's own string rule (the pristine spec has only that)."""
    rules = [b for b in schema.get("anyOf", []) if b.get("type") == "string" and b != {"type": "string"}]
    widened = any(b.get("type") != "string" or b == {"type": "string"} for b in schema.get("anyOf", []))
    return rules[0] if rules and widened else schema


def test_parameter_schemas_mean_what_the_spec_means() -> None:
    checked = 0
    for operation_id, op in spec_ops():
        for where in ("path", "query"):
            params = [p for p in op.get("parameters", []) if p["in"] == where]
            if not params:
                continue
            key = (
                (lambda p: _document()["operations"][operation_id].get("names", {}).get(p["name"], p["name"]))
                if where == "path"
                else (lambda p: p["name"])
            )
            reference = with_components(
                {
                    "type": "object",
                    "properties": {
                        key(p): as_text(p["schema"]) if where == "path" else p["schema"] for p in params
                    },
                    "required": [key(p) for p in params if p.get("required")] or None,
                }
            )
            if reference["required"] is None:
                del reference["required"]
            sample = {key(p): samples.sample(p["schema"]) for p in params}
            agree(operation_id, where, reference, iter([sample, *mutations(sample)]))
            checked += 1
    assert checked == sum(
        any(p["in"] == w for p in op.get("parameters", [])) for _, op in spec_ops() for w in ("path", "query")
    )


def test_the_specs_own_request_examples_pass_the_check() -> None:
    """No false alarms on what the spec itself shows: every example on a parameter or body
    schema (ids, emails, patterns; 43 in 3.373.0) fits that schema as the check reads it."""
    to_json_schema = request_schemas.to_json_schema
    defs = _document()["$defs"]
    found: list[tuple[str, Any]] = []

    def collect(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if "example" in node:
                found.append((where, node))
            for key, value in node.items():
                collect(value, f"{where}.{key}")
        elif isinstance(node, list):
            for value in node:
                collect(value, where)

    for operation_id, op in spec_ops():
        collect({"parameters": op.get("parameters", []), "body": op.get("requestBody", {})}, operation_id)
    assert found  # how many: tests/test_pinned_release.py
    for where, node in found:
        validator = Draft202012Validator({**to_json_schema(node), "$defs": defs}, format_checker=FORMATS)
        assert validator.is_valid(node["example"]), (where, node)


class Recorder:
    def __init__(self, status: int = 200, answer: Any = None) -> None:
        self.sent: list[httpx.Request] = []
        self.status, self.answer = status, answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return httpx.Response(self.status, json=self.answer if self.answer is not None else {"success": True})

    @property
    def bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in self.sent]


USER = samples.component("user", optional=True)


async def test_wrong_arguments_fail_before_any_request_naming_the_field_and_rule() -> None:
    recorder = Recorder()
    async with make_client(recorder) as retool:
        cases: list[tuple[Any, list[str]]] = [
            (
                lambda: retool.users.create(email=123, first_name="A", last_name="B"),
                ["email: 123 is not of type 'string'"],
            ),
            (
                lambda: retool.users.create(email="a@b.c", first_name="", last_name="B"),
                ["first_name: '' should be non-empty"],
            ),
            (
                lambda: retool.users.create(email="a@b.c", first_name="A", last_name="B", user_type="boss"),
                [f"user_type: 'boss' is not one of {USER_TYPES}"],
            ),
            (
                lambda: retool.users.create(email="no-at-sign", first_name=None, last_name="B", active="yes"),
                [
                    "active: 'yes' is not of type 'boolean'",
                    "email: 'no-at-sign' is not a 'email'",
                    "first_name: None is not of type 'string'",
                ],
            ),
            (
                lambda: retool.users.create(
                    body={"email": "a@b.c", "first_name": "A", "last_name": "B", "x": 1}
                ),
                ["body: Additional properties are not allowed ('x' was unexpected)"],
            ),
            (lambda: retool.users.create(body=[1]), ["body: [1] is not of type 'object'"]),
            (lambda: retool.users.get("42"), ["user_id: '42' does not match 'user_([a-z0-9]+)'"]),
            (
                lambda: retool.users.get("user_1", include_groups="yes"),
                ["include_groups: 'yes' is not of type 'boolean', 'null'"],
            ),
            (lambda: retool.groups.get("seven"), ["group_id: 'seven' does not match '^\\\\d+$'"]),
            (lambda: retool.apps.get("not-a-uuid"), ["app_id: 'not-a-uuid' is not a 'uuid'"]),
        ]
        for call, problems in cases:
            with pytest.raises(RequestValidationError) as caught:
                await call()
            assert caught.value.problems == problems
            assert isinstance(caught.value, ConfigurationError) and isinstance(caught.value, ValueError)
            assert str(caught.value).startswith(f"{caught.value.operation}: request not sent: ")
    assert recorder.sent == []


async def test_plain_values_for_enum_and_model_fields_are_sent_as_json() -> None:
    recorder = Recorder(answer={"success": True, "data": USER})
    async with make_client(recorder) as retool:
        await retool.users.create(
            email="a@b.c", first_name="A", last_name="B", user_type="mobile", metadata={"team": "x"}
        )
        await retool.users.create(
            email="a@b.c", first_name="A", last_name="B", user_type=CreateUserBodyUserType.EMBED
        )
        await retool.users.create(
            body={
                "email": "a@b.c",
                "first_name": "A",
                "last_name": "B",
                "user_type": CreateUserBodyUserType.MOBILE,
            }
        )
        await retool.users.create(body=CreateUserBody(email="a@b.c", first_name="A", last_name="B"))
    assert recorder.bodies == [
        {
            "email": "a@b.c",
            "first_name": "A",
            "last_name": "B",
            "user_type": "mobile",
            "metadata": {"team": "x"},
        },
        {"email": "a@b.c", "first_name": "A", "last_name": "B", "user_type": "embed"},
        {"email": "a@b.c", "first_name": "A", "last_name": "B", "user_type": "mobile"},
        {"email": "a@b.c", "first_name": "A", "last_name": "B", **create_user_defaults()},
    ]  # (a model built by hand carries the spec's defaults)


def create_user_defaults() -> dict[str, Any]:
    """The defaults the spec in use gives the fields of the users' create body (3.373.0's
    ``user_type`` has one, 2.12.0's not), at least one of them."""
    (op,) = [
        op for item in samples.spec()["paths"].values() for op in item.values()
        if isinstance(op, dict) and OPERATIONS.get(op.get("operationId", "")) == ("users", "create")
    ]  # fmt: skip
    body = samples.resolve(op["requestBody"]["content"]["application/json"]["schema"])
    fields = {name: samples.resolve(schema) for name, schema in body["properties"].items()}
    defaults = {name: schema["default"] for name, schema in fields.items() if "default" in schema}
    assert defaults, "the create body has no field with a default: choose another model"
    return defaults


async def test_nested_problems_name_their_path_and_long_values_are_cut() -> None:
    async with make_client(Recorder()) as retool:
        with pytest.raises(RequestValidationError) as caught:
            await retool.groups.add_users(
                "7", members=[{"id": "user_1", "is_group_admin": "yes"}, {"id": 5, "is_group_admin": False}]
            )
        assert caught.value.problems == [
            "members[0].is_group_admin: 'yes' is not of type 'boolean'",
            "members[1].id: 5 is not of type 'string'",
        ]
        with pytest.raises(RequestValidationError) as caught:
            await retool.users.create(email="a" * 500, first_name=["b" * 500], last_name="B")
    problems = caught.value.problems
    assert problems[0].startswith("email: 'aaaa") and len(problems[0]) < 140
    assert problems[1].startswith("first_name: ['bbb") and "... is not of type 'string'" in problems[1]


async def test_many_problems_are_counted_not_all_printed() -> None:
    error = RequestValidationError("op", [f"f{i}: bad" for i in range(14)])
    assert (
        str(error) == "op: request not sent: " + "; ".join(f"f{i}: bad" for i in range(10)) + "; and 4 more"
    )
    assert len(error.problems) == 14


async def test_the_check_can_be_turned_off_and_with_options_keeps_or_changes_it() -> None:
    recorder = Recorder(status=422, answer={"success": False, "message": "email: expected string"})
    async with make_client(recorder, validate_requests=False) as retool:
        with pytest.raises(Exception, match="expected string"):
            await retool.users.create(email=123, first_name="A", last_name="B")
        assert len(recorder.sent) == 1 and recorder.bodies[0]["email"] == 123
        assert retool.with_options(timeout=5).validate_requests is False
        strict = retool.with_options(validate_requests=True)
        with pytest.raises(RequestValidationError):
            await strict.users.create(email=123, first_name="A", last_name="B")
    assert len(recorder.sent) == 1
    async with make_client(recorder, validate_requests=False) as retool:
        with pytest.raises(ConfigurationError, match="the request cannot be encoded: Out of range float"):
            await retool.users.create(
                email="a@b.c", first_name="A", last_name="B", metadata={"x": float("nan")}
            )
    assert len(recorder.sent) == 1
    with pytest.raises(ConfigurationError, match="validate_requests must be True or False"):
        RetoolClient("https://a.retool.com", "tok", validate_requests="no")  # type: ignore[arg-type]


def page(items: list[Any], token: str | None) -> dict[str, Any]:
    return {
        "success": True,
        "data": items,
        "total_count": 3,
        "next_token": token,
        "has_more": token is not None,
    }


async def test_paginators_check_their_first_request_when_created_and_only_then(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from retool_api_client import _validate

    answers = iter([page([USER], "t1"), page([USER], "t2"), page([USER], None)] * 2)
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=next(answers))

    checks: list[str] = []
    real = _validate.check
    monkeypatch.setattr(
        _validate, "check", lambda client, op, *a: (checks.append(op), real(client, op, *a))[1]
    )
    async with make_client(handler) as retool:
        with pytest.raises(RequestValidationError, match="email: 5 is not of type 'string'"):
            retool.users.list(email=5)  # type: ignore[arg-type]  # raised by the call, not on iteration
        # (a token's value is not repeated: its name looks secret)
        with pytest.raises(RequestValidationError, match="next_token: <a int, not shown> is not of type"):
            paginate(retool, LIST_USERS, (), {"next_token": 7})
        with pytest.raises(RequestValidationError, match="email: 5 is not of type 'string'"):
            paginate(retool, LIST_USERS, (), {"email": 5})
        assert sent == []
        checks.clear()
        assert len([u async for u in retool.users.list(page_size=1)]) == 3
        assert len([u async for u in paginate(retool, LIST_USERS, page_size=1)]) == 3
    assert checks == ["list_users", "list_users"]  # one check per walk, not one per page
    assert len(sent) == 6


def test_jsonschema_is_imported_on_the_first_check_not_with_the_package() -> None:
    code = (
        "import sys, retool_api_client as r\n"
        "c = r.RetoolClient('https://a.retool.com', 'tok')\n"
        "c.users\n"
        "print('jsonschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_runtime_document_is_the_one_the_pipeline_builds() -> None:
    build = request_schemas.build
    assert build(copy.deepcopy(samples.spec())) == _document()
    assert len(_document()["operations"]) == len(list(spec_ops()))


def path_schemas() -> list[dict[str, Any]]:
    unique = {
        json.dumps(schema, sort_keys=True): schema
        for entry in _document()["operations"].values()
        for schema in entry.get("path", {}).get("properties", {}).values()
    }
    return list(unique.values())


SYNTHETIC = [
    {"type": "string", "minLength": 2, "maxLength": 4},
    {"type": "string", "format": "email"},
    {"type": "string", "enum": ["a", "b"], "pattern": "^a"},
]


def test_every_path_parameter_gets_the_quick_test() -> None:
    from retool_api_client._validate import string_rule

    left = [schema for schema in path_schemas() if string_rule(schema) is None]
    assert left == [
        {"anyOf": [{"type": "string", "enum": ["Sentry"]}, {"type": "string", "enum": ["Datadog"]}]}
    ]
    assert string_rule({"type": "string", "format": "date-time"}) is None  # left to jsonschema
    assert string_rule({"type": "integer"}) is None
    assert string_rule({"anyOf": [{"type": "string"}]}) is None


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_quick_path_test_gives_jsonschemas_verdict(data: st.DataObject) -> None:
    from retool_api_client._validate import string_rule
    from retool_api_client._validate import string_rule as rule

    schema = data.draw(st.sampled_from([s for s in path_schemas() if rule(s)] + SYNTHETIC))
    candidates = [
        st.text(max_size=12),
        st.uuids().map(str),
        st.uuids().map(lambda u: str(u).replace("-", "")),
        st.emails(),
        st.sampled_from(schema.get("enum", ["x"])),
    ]
    if "pattern" in schema:
        candidates.append(st.from_regex(schema["pattern"]))
    value = data.draw(st.one_of(candidates))
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    quick = string_rule(schema)
    assert quick is not None
    assert quick(value) == validator.is_valid(value), (schema, value)


async def test_json_patch_values_are_checked_against_the_field_they_set() -> None:
    """The spec types a patch ``value`` as anything; the check reads the field's own kind from
    the model the endpoint answers with (nested paths and compositions are left alone)."""
    recorder = Recorder(answer={"success": True, "data": USER})
    async with make_client(recorder) as retool:
        refused = [
            (
                lambda: retool.users.update("user_1", active="yes"),
                "active (patch operation 0: replace /active): 'yes' is not of type 'boolean'",
            ),
            (
                lambda: retool.users.update("user_1", [{"op": "add", "path": "/user_type", "value": "boss"}]),
                f"user_type (patch operation 0: add /user_type): 'boss' is not one of {USER_TYPES}",
            ),
            (
                lambda: retool.users.update("user_1", first_name="x" * 37),
                "first_name (patch operation 0: replace /first_name): "
                "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' is too long",
            ),
            (
                lambda: retool.users.update("user_1", email="nobody"),
                "email (patch operation 0: replace /email): 'nobody' is not a 'email'",
            ),
        ]
        for call, problem in refused:
            with pytest.raises(RequestValidationError) as caught:
                await call()
            assert caught.value.problems == [problem]
        assert recorder.sent == []
        await retool.users.update(
            "user_1", active=False, first_name=None, metadata={"a": 1}
        )  # null: first_name is nullable
        await retool.users.update(
            "user_1", [{"op": "add", "path": "/metadata/team", "value": 5}]
        )  # nested: not checked
        await retool.users.update("user_1", [{"op": "remove", "path": "/metadata"}])
    assert [b["operations"][0]["path"] for b in recorder.bodies] == ["/active", "/metadata/team", "/metadata"]


async def test_a_union_mismatch_names_the_alternative_that_came_closest() -> None:
    async with make_client(Recorder()) as retool:
        with pytest.raises(RequestValidationError) as caught:
            retool.user_tasks.list(assigned_to_users=[1, "user_2"])  # type: ignore[list-item]
    assert caught.value.problems == ["assigned_to_users[0]: 1 is not of type 'string'"]


async def test_enum_parameters_take_their_text_and_are_checked() -> None:
    answer = {"success": True, "data": [], "total_count": 0, "next_token": None, "has_more": False}
    recorder = Recorder(answer=answer)
    async with make_client(recorder) as retool:
        await retool.access_requests.list(status="PENDING").first_page()
        with pytest.raises(RequestValidationError) as caught:
            retool.access_requests.list(status="pending")
    assert caught.value.problems == ["status: 'pending' is not one of ['PENDING', 'APPROVED', 'DENIED']"]
    assert [r.url.params["status"] for r in recorder.sent] == ["PENDING"]


ODD_VALUES: tuple[Any, ...] = (
    None, 5, -1, 1.5, float("nan"), float("inf"), True, "", "x", b"bytes", [], {}, [object()], {"k": object()},
    object(), {1, 2}, ("t",), {"nested": {"deep": [None, {"a": b"x"}]}},
)  # fmt: skip


def wrong_calls(operation_id: str) -> Iterator[tuple[list[Any], dict[str, Any]]]:
    """The operation's valid call with one argument, or one place of its JSON body, replaced."""
    call = build_call(operation_id)
    args, kwargs = call["args"], call["kwargs"]
    for index in range(len(args)):
        for odd in ODD_VALUES:
            yield [*args[:index], odd, *args[index + 1 :]], kwargs
    for name in kwargs:
        for odd in ODD_VALUES:
            yield args, {**kwargs, name: odd}
    if call["body"] is not None:
        for changed in mutations(call["body"], depth=2):
            yield args, {**kwargs, "body": changed}
        for odd in ODD_VALUES:
            if isinstance(call["body"], dict):
                for key in call["body"]:
                    yield args, {**kwargs, "body": {**call["body"], key: odd}}


@pytest.mark.parametrize("validate", [True, False])
async def test_no_wrong_argument_escapes_as_anything_but_a_clear_error(validate: bool) -> None:
    """Every operation, every argument and body member replaced by odd values (wrong types,
    NaN, bytes, objects JSON cannot hold): the call either goes out as JSON, or fails before
    sending with ConfigurationError / PatchError. Never TypeError, AttributeError, KeyError;
    with the request check off too (fewer are refused: the server gets to judge the rest)."""
    from retool_api_client import PatchError
    from retool_api_client.generated.api import OPERATIONS as OPS

    tried = refused = 0
    for operation_id in sorted(OPS):
        namespace, name = OPS[operation_id]
        call = build_call(operation_id)
        sent: list[httpx.Request] = []
        async with make_client(answering(call, sent), validate_requests=validate) as retool:
            method = getattr(getattr(retool, namespace), name)
            for args, kwargs in wrong_calls(operation_id):
                tried += 1
                before = len(sent)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", DeprecationWarning)
                        result = method(*args, **kwargs)
                        if isinstance(result, AsyncPaginator):
                            await result.first_page()
                        else:
                            await result
                except (ConfigurationError, PatchError) as exc:
                    refused += 1
                    assert len(sent) == before, (operation_id, args, kwargs, exc)
                except Exception as exc:
                    pytest.fail(f"{operation_id}{tuple(args)} {kwargs}: {type(exc).__name__}: {exc}")
                else:
                    assert len(sent) == before + 1
                    if sent[-1].headers.get("content-type") == "application/json" and sent[-1].content:
                        json.loads(sent[-1].content)  # what went out is JSON
    assert tried > 7_000 and refused > (0.8 if validate else 0.1) * tried, (tried, refused)


async def test_a_multipart_body_of_the_wrong_kinds_names_its_fields() -> None:
    from retool_api_client.generated.models import CreateCustomComponentLibraryRevisionBody

    library = "11111111-1111-4111-8111-111111111111"
    recorder = Recorder()
    async with make_client(recorder) as retool:
        bad = CreateCustomComponentLibraryRevisionBody(version_bump="major", files=b"zip")  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError) as caught:
            await retool.custom_component_libraries.create_revision(library, body=bad)
        assert str(caught.value) == (
            "body.version_bump: expected CreateCustomComponentLibraryRevisionBodyVersionBump, got str; "
            "body.files: expected File, got bytes"
        )
        with pytest.raises(
            ConfigurationError, match="body must be the operation's multipart model, got dict"
        ):
            await retool.custom_component_libraries.create_revision(library, body={"files": b"x"})  # type: ignore[arg-type]
    assert recorder.sent == []


async def test_values_json_cannot_carry_are_named_before_sending() -> None:
    recorder = Recorder()
    async with make_client(recorder) as retool:
        with pytest.raises(RequestValidationError) as caught:
            await retool.users.create(
                email="a@b.c", first_name="A", last_name="B", metadata={"score": float("nan"), "tags": [b"x"]}
            )
    assert caught.value.problems == [
        "metadata.score: nan is not a JSON number",
        "metadata.tags[0]: a bytes is not a JSON value",
    ]
    assert recorder.sent == []


async def test_a_nullable_value_is_reported_by_its_own_rule() -> None:
    invite = samples.component("user_invite") | {"user_type": "boss"}
    recorder = Recorder(answer={"success": True, "data": samples.component("group")})
    async with make_client(recorder) as retool:
        with pytest.raises(RequestValidationError) as caught:
            await retool.groups.replace("7", body={"name": "x", "user_invites": [invite]})
        # anyOf [the enum, null]: the enum's rule, not "is not valid under any of the given schemas"
        assert caught.value.problems == [
            "user_invites[0].user_type: 'boss' is not one of ['default', 'mobile', 'external']"
        ]
        await retool.groups.replace("7", body={"name": "x", "user_invites": [invite | {"user_type": None}]})
    assert [b["user_invites"][0]["user_type"] for b in recorder.bodies] == [None]


async def test_values_of_secret_looking_fields_are_not_repeated_in_messages() -> None:
    async with make_client(Recorder()) as retool:
        with pytest.raises(RequestValidationError) as caught:
            await retool.configuration_variables.create(name=5, secret="hunter2", values=[])  # type: ignore[arg-type]
    assert caught.value.problems == [
        "name: 5 is not of type 'string'",
        "secret: <a str, not shown> is not of type 'boolean'",
    ]
    assert "hunter2" not in str(caught.value) + repr(caught.value)


async def test_values_inside_an_object_marked_secret_are_not_repeated() -> None:
    values = [{"environment_id": "env_1", "value": 4711}]
    async with make_client(Recorder()) as retool:
        for secret, shown in ((True, "<a int, not shown>"), (False, "4711")):
            with pytest.raises(RequestValidationError) as caught:
                await retool.configuration_variables.create(name="db", secret=secret, values=values)  # type: ignore[list-item]
            assert caught.value.problems == [f"values[0].value: {shown} is not of type 'string'"]


# -- secrets in messages (issue 15) ------------------------------------------------------------------


def _messages(
    schema: dict[str, Any], instance: Any, secret_fields: frozenset[str] = frozenset()
) -> list[str]:
    from retool_api_client._validate import _problem

    validator = Draft202012Validator(schema)
    return [_problem(e, ("body",), {}, False, secret_fields) for e in validator.iter_errors(instance)]


@pytest.mark.parametrize("hint", [{"writeOnly": True}, {"format": "password"}])
def test_the_specs_own_secret_hints_hide_a_value_and_its_parent_shows_it_redacted(
    hint: dict[str, Any],
) -> None:
    inner = {"type": "object", "properties": {"phrase": {"type": "string", "minLength": 20, **hint}}}
    schema = {
        "type": "object",
        "properties": {
            "opts": {"anyOf": [inner, {"type": "null"}]},
            "conn": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        },
    }
    # the value itself breaks a rule: not shown
    (own,) = _messages(schema, {"opts": {"phrase": "sesame-HUNTER2"}})
    assert "HUNTER2" not in own and "not shown" in own
    # a parent object is reported: the value named secret by the spec is redacted inside it
    (parent,) = _messages(
        {"type": "object", "properties": {"o": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}},
        {"o": {"phrase": "sesame-HUNTER2", "host": "h"}},
        frozenset({"phrase"}),
    )
    assert "HUNTER2" not in parent and "'phrase': '[redacted]'" in parent and "'host': 'h'" in parent


def test_secret_fields_are_read_from_the_document_hints() -> None:
    from retool_api_client import _validate

    _validate._secret_fields.cache_clear()
    original = _validate._document
    doc = {
        "operations": {
            "x": {
                "body": {
                    "properties": {
                        "a": {
                            "type": "object",
                            "properties": {
                                "pin": {"type": "string", "writeOnly": True},
                                "code": {"type": "string", "format": "password"},
                                "name": {"type": "string"},
                            },
                        }
                    }
                }
            }
        },
        "$defs": {},
    }
    try:
        _validate._document = lambda: doc  # type: ignore[assignment]
        assert _validate._secret_fields() == {"pin", "code"}
    finally:
        _validate._document = original
        _validate._secret_fields.cache_clear()


@pytest.mark.parametrize("key", ["password", "client_secret", "api_key", "private_key", "access_token"])
def test_a_secret_nested_at_any_depth_in_a_reported_parent_is_redacted(key: str) -> None:
    schema = {"type": "object", "properties": {"o": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}
    value = {"a": [{"b": {key: "HUNTER2pw", "ok": "visible"}}]}
    (message,) = _messages(schema, {"o": value})
    assert "HUNTER2pw" not in message and "[redacted]" in message


def test_a_message_that_would_still_repeat_a_secret_is_replaced() -> None:
    schema = {
        "type": "object",
        "properties": {
            "o": {"type": "object", "properties": {"x": {"const": "HUNTER2pw"}}, "not": {"required": ["x"]}}
        },
    }
    for message in _messages(schema, {"o": {"x": "HUNTER2pw", "password": "HUNTER2pw"}}):
        assert "HUNTER2pw" not in message


async def test_an_enum_value_parsed_from_the_server_can_be_sent_back() -> None:
    """Retool adds enum values every release: what the SDK parsed (an unknown OpenStrEnum
    member) passes the check; the same text typed by the caller is still refused."""
    from retool_api_client.generated.models import User

    user = User.from_dict(user_json(user_type="superuser"))
    assert not user.user_type.is_known
    recorder = Recorder(answer={"success": True, "data": user_json()})
    async with make_client(recorder) as retool:
        await retool.users.update("user_1", user_type=user.user_type)
        await retool.users.create(
            email="b@example.com", first_name="B", last_name="C", user_type=user.user_type
        )
        with pytest.raises(RequestValidationError, match="'superuser' is not one of"):
            await retool.users.update("user_1", user_type="superuser")
    assert [b.get("user_type") or b["operations"][0]["value"] for b in recorder.bodies] == [
        "superuser",
        "superuser",
    ]


def test_the_compiled_verdict_is_jsonschemas() -> None:
    """The request check answers with jsonschema-rs and explains with jsonschema: on a valid
    body of every operation and thousands of one-place changes, both say the same."""
    from retool_api_client._validate import _validators

    compared = disagreed = 0
    for operation_id, op in spec_ops():
        validators = _validators(operation_id)
        content = op.get("requestBody", {}).get("content", {})
        if validators is None or validators.body is None or "application/json" not in content:
            continue
        schema = content["application/json"]["schema"]
        full, minimal = samples.sample(schema, optional=True), samples.sample(schema)
        for instance in [full, minimal, *mutations(full), *mutations(minimal)]:
            compared += 1
            disagreed += validators.body.is_valid(instance) != validators.body.full.is_valid(instance)
    assert compared > 5000 and disagreed == 0


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(st.text(max_size=40), st.emails(), st.uuids().map(str), st.uuids().map(lambda u: u.hex))
)
def test_formats_are_checked_alike(text: str) -> None:
    from retool_api_client._validate import _Checker

    for fmt in ("email", "uuid"):
        checker = _Checker({"type": "string", "format": fmt})
        assert checker.is_valid(text) == checker.full.is_valid(text), (fmt, text)
