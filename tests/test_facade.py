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
    PaginationError,
    RequestValidationError,
)
from retool_api_client._parsing import json_value
from retool_api_client.generated.api import OPERATIONS, PATCH_RULES
from retool_api_client.generated.types import UNSET, Response, Unset

from .helpers import ROOT
from .helpers.calls import (
    SPEC_OPS,
    answering,
    build_call,
    call_declared,
    conforms,
    deprecation_checked,
    success_answer,
)
from .helpers.fakes import make_client


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


def list_item(operation_id: str) -> dict[str, Any]:
    """A valid item of ``operation_id``'s list (``data[0]`` of its success body)."""
    _, sample = success_answer(SPEC_OPS[operation_id][2])
    return dict(sample["data"][0])


def user(n: int) -> dict[str, Any]:
    return {**list_item("list_users"), "id": f"user_{n}", "email": f"u{n}@example.com"}


async def test_facade_list_pages_and_page_size_from_spec() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        start = int(request.url.params.get("next_token", "0"))
        more = start < 4
        return httpx.Response(
            200,
            json={
                "success": True,
                "data": [user(start), user(start + 1)],
                "total_count": 6,
                "next_token": str(start + 2) if more else None,
                "has_more": more,
            },
        )

    async with make_client(handler) as retool:
        emails = [u.email async for u in retool.users.list(page_size=2, email="x@example.com")]
        assert emails == [f"u{n}@example.com" for n in range(6)]
        assert [r.url.params.get("limit") for r in sent] == ["2", "2", "2"]
        assert all(r.url.params.get("email") == "x@example.com" for r in sent)
        with pytest.raises(ConfigurationError, match="from 1 to 100"):
            retool.users.list(page_size=101)
        resumed = [u.id async for u in retool.users.list(start_token="4")]
        assert resumed == ["user_4", "user_5"]


async def test_limit_typed_as_string_in_spec_is_sent_as_text() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(
            200, json={"success": True, "data": [], "total_count": 0, "next_token": None, "has_more": False}
        )

    async with make_client(handler) as retool:
        assert [t async for t in retool.user_tasks.list(page_size=250)] == []  # no range in the spec
        with pytest.raises(ConfigurationError, match=">= 1"):
            retool.user_tasks.list(page_size=0)
    assert sent[0].url.params["limit"] == "250"


async def test_list_without_cursor_parameter_stops_with_clear_error_instead_of_truncating() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        group = list_item("list_groups")
        return httpx.Response(
            200,
            json={"success": True, "data": [group], "total_count": 2, "next_token": "t", "has_more": True},
        )

    async with make_client(handler) as retool:
        seen = []
        with pytest.raises(PaginationError, match="takes no next_token"):
            async for group in retool.groups.list():
                seen.append(group)
        assert len(seen) == 1  # what the first page had was delivered before the error


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


def users_page(start: int, count: int, total: int) -> dict[str, Any]:
    more = start + count < total
    return {
        "success": True,
        "data": [user(i) for i in range(start, min(start + count, total))],
        "total_count": total,
        "next_token": f"t{start + count}" if more else None,
        "has_more": more,
    }


async def test_prefetch_sends_next_request_before_this_page_is_parsed_and_never_two_ahead() -> None:
    events: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("next_token", "t0")
        events.append(f"request {token}")
        return httpx.Response(200, json=users_page(int(token[1:]), 2, 8))

    async with make_client(handler) as retool:
        async for page in retool.users.list(page_size=2, prefetch=True).pages():
            events.append(f"parse {page.items[0].id}")
    assert events == [
        "request t0",
        "request t2",  # in flight before page 1 is parsed ...
        "parse user_0",
        "request t4",  # ... and the one after only once the consumer moved on
        "parse user_2",
        "request t6",
        "parse user_4",
        "parse user_6",
    ]


async def test_list_body_errors_are_typed() -> None:
    answers = iter(
        [
            httpx.Response(200, content=b"<html>502</html>"),
            httpx.Response(200, json={"success": True, "data": [{"id": 1}], "has_more": False}),
            httpx.Response(404, json={"success": False, "message": "no such list"}),
            httpx.Response(200, json=["not", "an", "object"]),
        ]
    )
    async with make_client(lambda r: next(answers)) as retool:
        with pytest.raises(APIResponseValidationError, match="body is not valid JSON"):
            await retool.users.list().first_page()
        page = await retool.users.list().first_page()  # cursor read; items not parsed yet
        assert "not parsed yet" in repr(page)
        with pytest.raises(APIResponseValidationError, match="ListUsersResponse200"):
            _ = page.items
        with pytest.raises(NotFoundError, match="no such list"):
            await retool.users.list().first_page()
        with pytest.raises(APIResponseValidationError, match="expected a JSON object"):
            await retool.users.list().first_page()


async def test_cursor_is_read_before_the_body_is_decoded_and_a_broken_body_still_fails_typed() -> None:
    # valid tail, broken items: the cursor is enough to go on; the items report the body
    broken = (
        b'{"success": true, "data": [{"id": "u1",, ], "total_count": 9, "next_token": "t2", "has_more": true}'
    )
    requested: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(request.url.params.get("next_token"))
        if len(requested) == 1:
            return httpx.Response(200, content=broken)
        return httpx.Response(200, json=users_page(2, 2, 4))

    async with make_client(handler) as retool:
        pages = retool.users.list(prefetch=True).pages()
        page = await anext(pages)
        assert (page.next_token, page.has_more, page.total_count) == ("t2", True, 9)
        assert requested == [None, "t2"]  # the next page left on the cursor alone
        with pytest.raises(APIResponseValidationError, match="body is not valid JSON"):
            _ = page.items
        await pages.aclose()


async def test_cursor_fields_before_data_are_read_by_decoding_the_body() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("next_token", "t0")
        page = users_page(int(token[1:]), 2, 5)
        data = page.pop("data")
        return httpx.Response(200, json=page | {"data": data})  # cursor first, data last

    async with make_client(handler) as retool:
        ids = [user.id async for user in retool.users.list(page_size=2, prefetch=True)]
    assert ids == [f"user_{i}" for i in range(5)]


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
from retool_api_client.generated.models import Group, User


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
"""
    (tmp_path / "snippet.py").write_text(code)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(tmp_path / "snippet.py")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    lines = code.splitlines()
    flagged = {lines[int(e.split(":")[1]) - 1].split("# ")[-1] for e in errors}
    assert flagged == {f"E{i}" for i in range(1, 15)}, result.stdout


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.users.get(""), "user_id must not be empty"),
        (lambda r: r.users.delete("  "), "user_id must not be empty"),
        (lambda r: r.users.get(None), "user_id must be a string, got NoneType"),
        (lambda r: r.groups.remove_user("1", True), "user_id must be a string, got bool"),
    ],
)
async def test_bad_path_parameters_fail_before_any_request(call: Any, message: str) -> None:
    sent: list[httpx.Request] = []
    async with make_client(lambda r: sent.append(r) or httpx.Response(200)) as retool:
        with pytest.raises(ConfigurationError, match=message):
            await call(retool)
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


def test_unwrap_data_for_operations_mixing_envelopes_and_plain_bodies() -> None:
    from retool_api_client._operation import Operation
    from retool_api_client._request import result
    from retool_api_client.generated.types import UNSET

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
    deprecated = sorted(op_id for op_id, (_, _, op) in SPEC_OPS.items() if op.get("deprecated"))
    assert deprecated  # which: tests/test_pinned_release.py
    retool = make_client(lambda r: httpx.Response(500))
    for operation_id in deprecated:
        namespace, name = OPERATIONS[operation_id]
        message = getattr(getattr(retool, namespace), name).__deprecated__
        replacement = message.split("use retool.", 1)[1].removesuffix("() instead")
        resource, method = replacement.split(".")
        assert callable(getattr(getattr(retool, resource), method)), message
        assert replacement != f"{namespace}.{name}"
