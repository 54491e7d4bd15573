"""The generated facade: every one of the spec's operations through ``retool.<tag>.<method>()``.

For each operation the arguments come from the normalized spec (path parameters positional,
every query parameter, a minimal valid body); the mock server checks method, path, query and
body, answers with a full valid success body, and the result is checked against the method's
declared return type.
"""

from __future__ import annotations

import inspect
import io
import json
import operator
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

from retool_api_client import (
    APIResponseValidationError,
    ConfigurationError,
    NotFoundError,
    PatchError,
    RequestValidationError,
)
from retool_api_client._parsing import json_value
from retool_api_client.generated.api import OPERATIONS, PATCH_RULES, operation
from retool_api_client.generated.models import GroupMemberRef
from retool_api_client.generated.types import UNSET, Response, Unset
from retool_api_client.testing import FakeRetool

from .helpers import samples
from .helpers.calls import (
    SPEC_OPS,
    answering,
    build_call,
    call_declared,
    conforms,
    deprecation_checked,
)
from .helpers.fakes import make_client
from .helpers.typecheck import mypy_strict


def test_every_operation_is_on_the_facade() -> None:
    assert sorted(OPERATIONS) == sorted(SPEC_OPS)
    client = make_client(lambda r: httpx.Response(500))
    for operation_id, (namespace, method) in OPERATIONS.items():
        assert callable(getattr(getattr(client, namespace), method)), operation_id
        assert callable(getattr(getattr(client, namespace).with_raw_response, method)), operation_id


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
async def test_operation_through_facade(operation_id: str) -> None:
    call = build_call(operation_id)
    seen: list[httpx.Request] = []
    async with make_client(answering(call, seen)) as retool:
        result, declared, paginated = await call_declared(retool, call)
    assert conforms(result, declared), (declared, result)
    if paginated:
        assert result, "the sample page has items"
    elif call["answer"] is not None and "data" in call["answer"]:
        assert result is not None and not isinstance(result, Response)

    (request,) = seen
    assert request.method == call["method"]
    assert request.url.path == call["path"]
    assert {k: request.url.params.get_list(k) for k in request.url.params} == call["query"]
    assert {k: request.headers.get(k) for k in call["headers"]} == call["headers"]
    if call["multipart"] is not None:
        assert request.headers["content-type"].startswith("multipart/form-data")
        for name, value in call["multipart"].items():
            assert f'name="{name}"'.encode() in request.content
            assert (value if isinstance(value, bytes) else str(value).encode()) in request.content
    elif call["body"] is None:
        assert request.content == b""
    else:
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == call["body"]


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
async def test_raw_response(operation_id: str) -> None:
    call = build_call(operation_id)
    async with make_client(answering(call, [], headers={"x-request-id": "req_1"})) as retool:
        raw_method = getattr(getattr(retool, call["namespace"]).with_raw_response, call["name"])
        with deprecation_checked(call):
            pending = raw_method(*call["args"], **call["kwargs"])
        raw = await pending
    assert isinstance(raw, Response)
    assert raw.status_code == call["status"]
    assert raw.headers["x-request-id"] == "req_1"
    if call["answer"] is None:
        assert raw.parsed is None
    else:
        # the parsed body, written back as JSON, is the body (a model, or a list of them)
        assert raw.parsed is not None and json_value(raw.parsed) == call["answer"]


# -- behaviour shared by all methods ------------------------------------------------------------


async def test_errors_raise_through_facade() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"success": False, "message": "User not found"})

    async with make_client(handler) as retool:
        with pytest.raises(NotFoundError, match="User not found"):
            await retool.users.get("user_404")
        with pytest.raises(NotFoundError):
            await retool.users.with_raw_response.get("user_404")


def test_namespaces_are_created_once_per_client() -> None:
    client = make_client(lambda r: httpx.Response(500))
    assert client.users is client.users
    assert client.users._client is client
    other = client.with_options(timeout=5)
    assert other.users is not client.users and other.users._client is other


def test_namespaces_and_endpoints_load_on_first_use() -> None:
    code = (
        "import sys\n"
        "from retool_api_client import RetoolClient\n"
        "c = RetoolClient('http://127.0.0.1:9', 'tok')\n"
        "before = {m for m in sys.modules if m.startswith('retool_api_client.generated.')}\n"
        "c.users\n"
        "after = {m for m in sys.modules if m.startswith('retool_api_client.generated.')}\n"
        "print(sorted(before)); print(sorted(after - before))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    before, added = (eval(line) for line in out.splitlines())
    assert not any(".api.users" in m or ".models." in m for m in before), before
    assert "retool_api_client.generated.api.users" in added
    assert not any(".models." in m or m.count(".") > 4 for m in added), added  # no endpoint, no model


def test_unset_default_is_the_generated_sentinel() -> None:
    signature = inspect.signature(make_client(lambda r: httpx.Response(500)).users.list)
    assert signature.parameters["email"].default is UNSET
    assert signature.parameters["page_size"].default is None
    assert signature.parameters["email"].kind is inspect.Parameter.KEYWORD_ONLY


def body_field_operations() -> list[str]:
    """Operations whose facade method also takes the JSON body's fields as keywords."""
    client = make_client(lambda r: httpx.Response(500))
    out = []
    for operation_id, (namespace, name) in sorted(OPERATIONS.items()):
        if operation_id in PATCH_RULES:
            continue  # their keywords are JSON Patch replaces (tests/test_patch.py)
        parameters = inspect.signature(getattr(getattr(client, namespace), name)).parameters
        call = build_call(operation_id)
        body = call["kwargs"].get("body")
        if body is None or not attrs.has(type(body)):
            continue
        names = [f.name for f in attrs.fields(type(body)) if f.init]
        if names and all(n in parameters for n in names):
            out.append(operation_id)
    return out


BODY_FIELD_OPS = body_field_operations()


def test_body_field_keywords_cover_the_json_object_bodies() -> None:
    assert "create_user" in BODY_FIELD_OPS and "create_group" in BODY_FIELD_OPS
    assert len(BODY_FIELD_OPS) > 40


@pytest.mark.parametrize("operation_id", BODY_FIELD_OPS)
async def test_body_given_as_field_keywords_sends_the_same_json(operation_id: str) -> None:
    call = build_call(operation_id)
    body = call["kwargs"].pop("body")
    fields = {
        f.name: getattr(body, f.name)
        for f in attrs.fields(type(body))
        if f.init and not isinstance(getattr(body, f.name), Unset)
    }
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return (
            httpx.Response(call["status"], json=call["answer"])
            if call["answer"] is not None
            else httpx.Response(call["status"])
        )

    async with make_client(handler) as retool:
        method = getattr(getattr(retool, call["namespace"]), call["name"])
        with deprecation_checked(call):
            pending = method(*call["args"], **call["kwargs"], **fields)
        await pending
        if fields:
            with pytest.raises(ConfigurationError, match="either body= or field keywords"):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)  # checked above
                    await method(*call["args"], **call["kwargs"], body=body, **fields)
    (request,) = sent
    if fields:
        assert json.loads(request.content) == call["body"]
    else:  # an optional body whose fields are all optional: giving none sends no body
        assert request.content == b""


async def test_missing_required_body_field_fails_before_any_request() -> None:
    sent: list[httpx.Request] = []
    async with make_client(lambda r: sent.append(r) or httpx.Response(500)) as retool:
        with pytest.raises(ConfigurationError, match=r"create_user: .*'first_name' and 'last_name'"):
            await retool.users.create(email="ada@example.com")
        with pytest.raises(ConfigurationError, match="create_user: pass body= or"):
            await retool.users.create()  # the body is required: its schema has required fields
    assert sent == []


def test_mypy_sees_the_facade_types(tmp_path: Path) -> None:
    """Right calls type-check, wrong ones are caught: the facade is typed, not Any."""
    code = """
from uuid import UUID

from retool_api_client import AsyncPaginator, RetoolClient
from retool_api_client.generated.models import Group, GroupMemberRef, User


async def right(retool: RetoolClient) -> None:
    users: AsyncPaginator[User] = retool.users.list(page_size=10)
    one: User = await retool.users.get("user_1", include_groups=True)  # the same User as list()
    created: User = await retool.users.create(email="a@example.com", first_name="A", last_name="B")
    updated: User = await retool.users.update("user_1", active=False, first_name=None)
    group: Group = await retool.groups.get("7")  # one model per resource, not one per operation
    await retool.users.update("user_1", metadata={"team": "data"})
    await retool.groups.update("7", members=[{"id": "user_1"}], landing_page_app_id=None)
    await retool.groups.update("7", landing_page_app_id=UUID(int=1), universal_app_access="use")
    raw = await retool.users.with_raw_response.get("user_1")
    print(users, one, raw.parsed.data.email, created, updated, group)
    # an id read from a model passes back as it is: int group ids, UUID or text workflow ids
    await retool.groups.add_users(group.id, members=[{"id": one.id, "is_group_admin": False}])
    again: Group = await retool.groups.get(group.id)
    await retool.workflows.get("c2f36a6e-9d4e-4b3c-8d3c-3a3c1f5d6e7f")
    await retool.workflows.get((await retool.workflows.get(UUID(int=1))).id)
    print(again, one.groups)
    # hand-written helpers are typed with the namespace's own model
    found: User | None = await retool.users.find_by_email("ada@example.com")
    gone: User = await retool.users.deactivate("user_1")
    print(found, gone)
    # enum fields take their text, model fields and bodies a mapping (checked at run time)
    await retool.users.create(email="a@example.com", first_name="A", last_name="B", user_type="mobile")
    await retool.users.create(body={"email": "a@example.com", "first_name": "A", "last_name": "B"})
    await retool.users.with_raw_response.create(body={"email": "a@example.com"})
    # arrays take their items' types: a model or a mapping of it, numbers, text
    await retool.groups.add_users(group.id, members=[GroupMemberRef(id=one.id)])
    await retool.groups.add_users(group.id, members=[{"id": one.id}])
    refs = [GroupMemberRef(id=u.id) async for u in retool.users.list()]
    await retool.groups.add_users(group.id, members=refs)  # a list of the model, as it is
    await retool.user_invites.create(email="a@example.com", default_group_ids=[group.id])
    await retool.access_tokens.create(label="ci", scopes=("apps:read",))
    grants = await retool.permissions.list_role_grants()  # no schema in the spec: the JSON sent
    print(grants["data"])
    await retool.users.update_from("user_1", one, {"active": False})


async def wrong(retool: RetoolClient) -> None:
    await retool.users.get(42)  # E1
    await retool.users.update("user_1", active="no")  # E2
    await retool.users.create(email=5)  # E3
    retool.users.list(page_size="10")  # E4
    await retool.users.no_such_method()  # E5
    await retool.users.update("user_1", metadata="team=data")  # E6
    await retool.groups.update("7", members="user_1")  # E7
    await retool.groups.update("7", landing_page_app_id=7)  # E8
    await retool.users.create(email="a@example.com", first_name="A", last_name="B", user_type=1)  # E9
    await retool.users.create(body=[{"email": "a@example.com"}])  # E10
    await retool.groups.get(7.5)  # E11
    await retool.users.get((await retool.groups.get(7)).id)  # E12
    await retool.users.find_by_email(5)  # E13
    group: Group | None = await retool.users.find_by_email("ada@example.com")  # E14
    await retool.groups.add_users(7, members=["user_1"])  # E15
    await retool.user_invites.create(email="a@example.com", default_group_ids=["7"])  # E16
    await retool.access_tokens.create(label="ci", scopes="apps:read")  # E17
    await retool.users.update("user_1", {"active": False})  # E18
    await retool.users.update_from("user_1", 5, {"active": False})  # E19
"""
    checked = mypy_strict(code, tmp_path)
    assert set(checked.flagged) == {f"E{i}" for i in range(1, 20)}, checked.output


@pytest.mark.parametrize(
    ("method", "args", "message"),
    [
        ("users.get", ("",), "{} must not be empty"),
        ("users.delete", ("  ",), "{} must not be empty"),
        ("users.get", (None,), "{} must be a string, got NoneType"),
        ("groups.remove_user", ("1", True), "{} must be a string, got bool"),
    ],
)
async def test_bad_path_parameters_fail_before_any_request(
    method: str, args: tuple[Any, ...], message: str
) -> None:
    sent: list[httpx.Request] = []
    async with make_client(lambda r: sent.append(r) or httpx.Response(200)) as retool:
        bound = operator.attrgetter(method)(retool)
        # the bad argument by its name in the signature (user_id; 2.12.0 calls it user_sid)
        name = list(inspect.signature(bound).parameters)[len(args) - 1]
        with pytest.raises(ConfigurationError, match=re.escape(message.format(name))):
            await bound(*args)
    assert sent == []


async def test_path_parameters_are_percent_encoded() -> None:
    # userId's pattern is unanchored ("user_([a-z0-9]+)"), so this passes the request check
    sent: list[httpx.Request] = []
    async with make_client(lambda r: sent.append(r) or httpx.Response(204)) as retool:
        await retool.users.delete("user_1/../2 ?#")
    assert sent[0].url.raw_path == b"/api/v2/users/user_1%2F..%2F2%20%3F%23"


@pytest.mark.parametrize("dots", [".", ".."])
async def test_dot_segments_stay_in_the_path_instead_of_changing_the_target(dots: str) -> None:
    # unencoded, URL normalization turned DELETE /groups/7/members/.. into DELETE /groups/7
    # the request check refuses these ids (they break userId's pattern); without it, still safe
    sent: list[httpx.Request] = []
    handler = lambda r: sent.append(r) or httpx.Response(404)  # noqa: E731
    async with make_client(handler) as retool:
        with pytest.raises(RequestValidationError, match="user_id"):
            await retool.users.delete(dots)
    assert sent == []
    async with make_client(handler, validate_requests=False) as retool:
        with pytest.raises(NotFoundError):
            await retool.groups.remove_user("7", dots)
        with pytest.raises(NotFoundError):
            await retool.users.delete(dots)
    encoded = dots.replace(".", "%2E").encode()
    assert [r.url.raw_path for r in sent] == [
        b"/api/v2/groups/7/members/" + encoded,
        b"/api/v2/users/" + encoded,
    ]


async def test_multipart_uploads_use_a_fresh_boundary_that_file_contents_cannot_break() -> None:
    # a fixed boundary ("+++", the generator's default) let a file containing "\r\n--+++"
    # end its part early; httpx now picks a random boundary per request
    import email.parser
    import email.policy

    call = build_call("create_custom_component_library_revision")
    bundle = b'PK\x03\x04\r\n--+++\r\nContent-Disposition: form-data; name="x"\r\n\r\nnot a part'
    call["kwargs"]["body"].files.payload = io.BytesIO(bundle)
    sent: list[httpx.Request] = []
    async with make_client(lambda r: sent.append(r) or httpx.Response(404)) as retool:
        with pytest.raises(NotFoundError):
            await retool.custom_component_libraries.create_revision(*call["args"], **call["kwargs"])
        call["kwargs"]["body"].files.payload = io.BytesIO(bundle)
        with pytest.raises(NotFoundError):
            await retool.custom_component_libraries.create_revision(*call["args"], **call["kwargs"])
    boundaries = [r.headers["content-type"].partition("boundary=")[2] for r in sent]
    assert len(set(boundaries)) == 2 and "+++" not in boundaries
    head = f"Content-Type: {sent[0].headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + sent[0].content)
    parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
    assert {"version_bump", "files"} <= set(parts)
    assert parts["files"].get_payload(decode=True) == bundle


def test_deprecated_operations_name_a_replacement_that_exists() -> None:
    """The warning names the facade method of the one operation the description points at
    ("Use the GET /releases/{elementUuid} endpoint instead": Retool leaves out the tag's
    prefix); where the release has no such operation (2.12.0), it repeats Retool's words."""
    deprecated = sorted(op_id for op_id, (_, _, op) in SPEC_OPS.items() if op.get("deprecated"))
    assert deprecated  # which: tests/test_pinned_release.py
    retool = make_client(lambda r: httpx.Response(500))
    for operation_id in deprecated:
        http_method, path, op = SPEC_OPS[operation_id]
        namespace, name = OPERATIONS[operation_id]
        message = getattr(getattr(retool, namespace), name).__deprecated__
        assert message.startswith(f"Retool deprecated {http_method} {path}"), message
        pointed = re.search(r"Use the ([A-Z]+) (/\S+) endpoint instead", op.get("description") or "")
        if pointed is None:
            assert message == f"Retool deprecated {http_method} {path}"
            continue
        verb, tail = pointed.groups()
        targets = [o for o, (m, p, _) in SPEC_OPS.items() if m == verb and p.endswith(tail)]
        if len(targets) != 1:
            assert message.endswith(f"; use {verb} {tail} instead"), message
            continue
        resource, method = OPERATIONS[targets[0]]
        assert message.endswith(f"; use retool.{resource}.{method}() instead"), message
        assert callable(getattr(getattr(retool, resource), method)), message
        assert targets[0] != operation_id


# -- typed arrays and objects ---------------------------------------------------------------------


def _described(schema: Any) -> bool:
    """Whether a spec schema says what a value is (a bare ``{}`` says nothing)."""
    schema = samples.resolve(schema or {})
    return bool({"type", "properties", "items", "enum", "anyOf", "oneOf", "allOf", "format"} & set(schema))


def _spec_schema(operation_id: str, name: str) -> Any:
    """The spec's schema of a facade argument, found by how the operation names it; None for
    one the spec does not declare as such (``before``/``after``: the patched model)."""
    _, _, op = SPEC_OPS[operation_id]
    described = operation(operation_id)
    sent = dict(described.query + described.headers + described.body_fields).get(name)
    for param in op.get("parameters", []):
        if param["name"] == sent or (
            param["in"] == "path" and re.sub(r"(?<!^)([A-Z])", r"_\1", param["name"]).lower() == name
        ):
            return param.get("schema")
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if sent is not None and body is not None:
        return samples.resolve(body).get("properties", {}).get(sent)
    return None


def loosely_typed_arguments() -> tuple[list[str], int]:
    """Facade arguments typed ``Any`` (outside ``Mapping[str, Any]``) although the spec gives
    them a schema, and how many arguments were looked at. An operation the generator typed
    loosely on purpose (``Operation.loose`` names its parts, with a warning) is left out."""
    client = make_client(lambda r: httpx.Response(500))
    found, seen = [], 0
    for operation_id, (namespace, name) in sorted(OPERATIONS.items()):
        if operation(operation_id).loose:  # typed loosely on purpose, with a warning
            continue
        resource = getattr(client, namespace)
        for method in (getattr(resource, name), getattr(resource, name + "_from", None),
                       getattr(resource.with_raw_response, name)):  # fmt: skip
            if method is None:
                continue
            for param in inspect.signature(method).parameters.values():
                seen += 1
                annotation = str(param.annotation).replace("Mapping[str, Any]", "")
                if not re.search(r"\bAny\b", annotation):
                    continue
                schema = _spec_schema(operation_id, param.name)
                if re.search(r"(list|tuple|Sequence)\[Any", annotation):
                    schema = samples.resolve(schema or {}).get("items") if schema is not None else None
                if schema is None or _described(schema):
                    found.append(f"{namespace}.{method.__name__}({param.name}: {param.annotation})")
    return found, seen


def test_no_argument_is_typed_any_where_the_spec_has_a_schema() -> None:
    found, seen = loosely_typed_arguments()
    # every argument of every method was looked at: at least each parameter and body field the
    # spec gives an operation, on the method and on its raw twin
    spec_arguments = sum(
        len(op.get("parameters", [])) + len(operation(operation_id).body_fields)
        for operation_id, (_, _, op) in SPEC_OPS.items()
        if not getattr(operation(operation_id), "loose", False)
    )
    assert spec_arguments > 0 and seen >= 2 * spec_arguments
    assert found == []
    members = inspect.signature(make_client(lambda r: httpx.Response(500)).groups.add_users).parameters
    assert members["members"].annotation == "Sequence[GroupMemberRef | Mapping[str, Any]] | Unset"


def _group_answer(request: httpx.Request) -> httpx.Response:
    group = {**samples.component("group", optional=True), "id": 7}
    return httpx.Response(200, json={"success": True, "data": group})


@pytest.mark.parametrize(
    "members",
    [
        [GroupMemberRef(id="user_1")],
        [{"id": "user_1"}],
        ({"id": "user_1", "is_group_admin": False},),
    ],
    ids=["model", "mapping", "mapping-with-default"],
)
async def test_add_users_takes_models_or_mappings_and_sends_the_spec_default(members: Any) -> None:
    sent: list[httpx.Request] = []
    async with make_client(lambda r: sent.append(r) or _group_answer(r)) as retool:
        group = await retool.groups.add_users(7, members=members)
    assert group.id == 7
    (request,) = sent
    assert json.loads(request.content) == {"members": [{"id": "user_1", "is_group_admin": False}]}


async def test_add_users_against_the_fake_retool() -> None:
    fake = FakeRetool(seed=3)
    async with fake.client() as retool:
        ada = await retool.users.create(email="ada@example.com", first_name="Ada", last_name="Lovelace")
        alan = await retool.users.create(email="alan@example.com", first_name="Alan", last_name="Turing")
        group = await retool.groups.create(name="Analysts")
        await retool.groups.add_users(group.id, members=[GroupMemberRef(id=ada.id)])
        after = await retool.groups.add_users(group.id, members=[{"id": alan.id}])
    assert sorted((m.id, m.is_group_admin) for m in after.members) == sorted(
        [(ada.id, False), (alan.id, False)]
    )
    bodies = [r.body for r in fake.requests if r.operation_id == "add_users_to_group"]
    assert bodies == [
        {"members": [{"id": ada.id, "is_group_admin": False}]},
        {"members": [{"id": alan.id, "is_group_admin": False}]},
    ]


@pytest.mark.parametrize(
    ("call", "problem"),
    [
        (lambda r: r.groups.add_users(7, members=["user_1"]), "members[0]: 'user_1' is not of type 'object'"),
        (
            lambda r: r.groups.add_users(7, members=[{"id": "user_1"}, {"is_group_admin": True}]),
            "members[1]: 'id' is a required property",
        ),
        (
            lambda r: r.user_invites.create(email="a@example.com", default_group_ids=[1, "x"]),
            "default_group_ids[1] (body field defaultGroupIds): 'x' is not of type 'number'",
        ),
        (
            lambda r: r.spaces.copy_elements(
                destination_space_id="s",
                app_ids="app_1",
                resource_ids=[],
                workflow_ids=[],
                query_library_query_ids=[],
            ),
            "app_ids: 'app_1' is not of type 'array'",
        ),
    ],
)
async def test_a_wrong_item_is_named_by_argument_and_index_and_nothing_is_sent(
    call: Any, problem: str
) -> None:
    sent: list[httpx.Request] = []
    async with make_client(lambda r: sent.append(r) or httpx.Response(500)) as retool:
        with pytest.raises(RequestValidationError) as caught:
            await call(retool)
    assert problem in caught.value.problems, caught.value.problems
    assert sent == []


# -- answers the spec gives no schema ----------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "status"),
    [
        (lambda r: r.permissions.list_role_grants(), 200),
        (lambda r: r.permissions.get_role_grants_for_subject("user", "user_1"), 200),
        (
            lambda r: r.permissions.create_role_grant(body=build_call("create_role_grant")["kwargs"]["body"]),
            201,
        ),
    ],
)
async def test_an_answer_without_a_schema_is_returned_as_sent(call: Any, status: int) -> None:
    answer = {"success": True, "data": [{"id": "grant_1", "role_id": 3, "subject": {"type": "user"}}]}
    async with make_client(lambda r: httpx.Response(status, json=answer)) as retool:
        assert await call(retool) == answer
    async with make_client(lambda r: httpx.Response(status, content=b"<html>")) as retool:
        with pytest.raises(APIResponseValidationError, match="not valid JSON"):
            await call(retool)


def test_methods_returning_the_json_sent_say_so() -> None:
    retool = make_client(lambda r: httpx.Response(500))
    method = retool.permissions.list_role_grants
    assert inspect.signature(method).return_annotation == "Any"
    assert "the JSON Retool sent, decoded" in (method.__doc__ or "")


# -- what a user reads: reprs, messages ---------------------------------------------------------


def test_a_namespace_repr_lists_its_methods_and_helpers() -> None:
    retool = make_client(lambda r: httpx.Response(500))
    text = repr(retool.users)
    assert text.startswith("<retool.users: ") and "object at 0x" not in text
    names = text.removeprefix("<retool.users: ").removesuffix(">").split(", ")
    assert {"create", "get", "list", "update", "update_from", "find_by_email", "with_raw_response"} <= set(
        names
    )
    assert names == sorted(names) and not any(n.startswith("_") for n in names)
    raw = repr(retool.users.with_raw_response)
    assert raw.startswith("<retool.users.with_raw_response: create, ") and "find_by_email" not in raw
    for namespace in {ns for ns, _ in OPERATIONS.values()}:
        assert repr(getattr(retool, namespace)).startswith(f"<retool.{namespace}: ")


async def test_a_mapping_given_as_the_patch_shows_the_keyword_form() -> None:
    sent: list[httpx.Request] = []
    async with make_client(lambda r: sent.append(r) or httpx.Response(500)) as retool:
        with pytest.raises(PatchError) as caught:
            await retool.users.update("user_1", {"active": False, "first_name": "Ada"})  # type: ignore[arg-type]
        assert "users.update(user_id, active=False, first_name='Ada')" in str(caught.value)
        with pytest.raises(
            PatchError, match=r"organization\.update_settings\(two_factor_auth_required=True\)"
        ):
            await retool.organization.update_settings({"two_factor_auth_required": True})  # type: ignore[arg-type]
    assert sent == []
