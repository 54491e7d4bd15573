"""Status codes map to typed errors; malformed bodies never escape as bare exceptions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import retool_api_client as rac
from retool_api_client.generated.models import CreateFolderBody

from .helpers import samples
from .helpers.fakes import answer, make_client

STATUS_CLASSES = [
    (400, rac.BadRequestError),
    (401, rac.AuthenticationError),
    (403, rac.PermissionDeniedError),
    (404, rac.NotFoundError),
    (409, rac.ConflictError),
    (422, rac.UnprocessableEntityError),
    (429, rac.RateLimitError),
    (418, rac.APIStatusError),
    (500, rac.InternalServerError),
    (502, rac.InternalServerError),
    (503, rac.InternalServerError),
    (599, rac.InternalServerError),
]


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
async def test_each_status_maps_to_its_class_documented_or_not(
    status: int, cls: type[rac.APIStatusError]
) -> None:
    body = {"success": False, "message": f"nope {status}"}
    # get_user documents only 200; get_folder documents 404 (its body parses into ErrorResponse);
    # the raw-response methods raise the same errors
    for call, documented in (
        (lambda c: c.users.get("user_1"), ()),
        (lambda c: c.folders.get("app_1"), (404,)),
        (lambda c: c.users.with_raw_response.get("user_1"), ()),
        (lambda c: c.folders.with_raw_response.get("app_1"), (404,)),
    ):
        client = make_client(lambda r: httpx.Response(status, json=body), max_retries=0)
        with pytest.raises(cls) as info:
            await call(client)
        err = info.value
        assert type(err) is cls
        if status in documented:
            assert type(err.parsed).__name__ == "ErrorResponse" and err.parsed.message == f"nope {status}"  # type: ignore[attr-defined]
        else:
            assert err.parsed is None
        assert err.status_code == status and err.message == f"nope {status}"
        assert err.body == body and err.response.status_code == status
        assert (
            err.method == "GET"
            and err.url is not None
            and err.url.startswith("https://acme.retool.com/api/v2/")
        )
        assert f"{status} GET https://acme.retool.com/api/v2/" in str(err)


async def test_documented_error_body_is_parsed_into_its_model() -> None:
    client = make_client(lambda r: httpx.Response(409, json={"success": False, "message": "exists"}))
    with pytest.raises(rac.ConflictError) as info:
        await client.folders.create(body=CreateFolderBody.from_dict({"name": "f", "folder_type": "app"}))
    assert type(info.value.parsed).__name__ == "ErrorResponse"
    assert info.value.parsed.message == "exists"  # type: ignore[attr-defined]
    with pytest.raises(rac.ConflictError) as info:
        await client.folders.create(name="f", folder_type="app")  # the fields as keywords
    assert info.value.parsed.message == "exists"  # type: ignore[attr-defined]


async def test_rate_limit_after_retries_carries_retry_after() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(
            429, headers={"retry-after": "2"}, json={"success": False, "message": "slow down"}
        )

    client = make_client(handler, retry=rac.RetryConfig(max_rate_limit_retries=1))  # 429s: not max_retries
    with pytest.raises(rac.RateLimitError) as info:
        await client.users.get("user_1")
    assert info.value.retry_after == 2.0 and len(calls) == 2


async def test_rate_limit_longer_than_cap_is_not_waited_for() -> None:
    client = make_client(lambda r: httpx.Response(429, headers={"retry-after": "3600"}), max_retries=5)
    with pytest.raises(rac.RateLimitError) as info:
        await client.users.get("user_1")
    assert info.value.retry_after == 3600.0 and info.value.message == "Too Many Requests"


@pytest.mark.parametrize(
    ("status", "content", "headers", "expected"),
    [
        (
            502,
            b"<html><body><h1>502 Bad Gateway</h1></body></html>",
            {"content-type": "text/html"},
            rac.InternalServerError,
        ),
        (500, b"", {}, rac.InternalServerError),
        (400, b"{not json", {"content-type": "application/json"}, rac.BadRequestError),
        (404, b'["a", "list"]', {"content-type": "application/json"}, rac.NotFoundError),
        (200, b"<html>login</html>", {"content-type": "text/html"}, rac.APIResponseValidationError),
        (200, b"", {}, rac.APIResponseValidationError),
        (200, b"{not json", {"content-type": "application/json"}, rac.APIResponseValidationError),
        (200, b'{"success": true}', {"content-type": "application/json"}, rac.APIResponseValidationError),
        (
            200,
            b'{"success": true, "data": []}',
            {"content-type": "application/json"},
            rac.APIResponseValidationError,
        ),
        (200, b"[1, 2]", {"content-type": "application/json"}, rac.APIResponseValidationError),
        (201, b'{"success": true}', {"content-type": "application/json"}, rac.APIResponseValidationError),
    ],
)
async def test_malformed_bodies_give_typed_errors(
    status: int, content: bytes, headers: dict[str, str], expected: type[Exception]
) -> None:
    client = make_client(lambda r: httpx.Response(status, content=content, headers=headers), max_retries=0)
    for call in (client.users.get, client.users.with_raw_response.get):  # raw answers are checked too
        with pytest.raises(rac.RetoolError) as info:
            await call("user_1")
        assert type(info.value) is expected
        if isinstance(info.value, rac.APIStatusError):
            assert info.value.message  # falls back to the reason phrase
        if isinstance(info.value, rac.APIResponseValidationError):
            assert info.value.response is not None and info.value.status_code == status
            assert "GET https://acme.retool.com/api/v2/users/user_1" in str(info.value)


async def test_wrong_shape_error_names_model_and_field() -> None:
    user = samples.component("user")
    user["email"] = 42
    client = make_client(lambda r: httpx.Response(200, json={"success": True, "data": user}))
    with pytest.raises(rac.APIResponseValidationError) as info:
        await client.users.get("user_1")
    assert info.value.field == "email" and info.value.path == ("data", "email")
    assert "expected a string, got int 42" in str(info.value)


async def test_timeouts_become_api_timeout_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    client = make_client(handler, max_retries=0)
    with pytest.raises(rac.APITimeoutError) as info:
        await client.users.get("user_1")
    assert isinstance(info.value, rac.APIConnectionError) and info.value.method == "GET"


def test_exception_tree() -> None:
    assert issubclass(rac.APIStatusError, rac.APIError) and issubclass(rac.APIError, rac.RetoolError)
    assert issubclass(rac.APITimeoutError, rac.APIConnectionError)
    assert issubclass(rac.APIResponseValidationError, rac.RetoolError)
    assert issubclass(rac.ConfigurationError, rac.RetoolError)
    assert issubclass(rac.ServerSpecError, rac.APIError)
    for _, cls in STATUS_CLASSES:
        assert issubclass(cls, rac.APIStatusError)


def test_public_names_are_sorted_and_importable() -> None:
    assert rac.__all__ == sorted(rac.__all__)
    assert set(rac.__all__) == {*rac._LAZY, "__api_version__", "__version__"}
    for name in rac.__all__:
        assert getattr(rac, name) is not None


def test_public_exceptions_name_the_public_module() -> None:
    import pickle
    import traceback

    public = [getattr(rac, name) for name in rac._LAZY]
    exceptions = [v for v in public if isinstance(v, type) and issubclass(v, Exception)]
    assert rac.PaginationError in exceptions and rac.PatchError in exceptions and len(exceptions) == 20
    for cls in exceptions:
        assert cls.__module__ == "retool_api_client", cls
        assert getattr(rac, cls.__name__) is cls
    error = rac.PaginationError("next_token 't1' was already used")
    shown = traceback.format_exception_only(error)
    assert shown == ["retool_api_client.PaginationError: next_token 't1' was already used\n"]
    again = pickle.loads(pickle.dumps(rac.PatchError("no 'add'")))
    assert type(again) is rac.PatchError and str(again) == "no 'add'"


# -- issue 15: redacted requests, pickling ---------------------------------------------------------------


def test_the_request_an_error_carries_is_a_redacted_copy() -> None:
    import pickle

    from retool_api_client._message import Request

    request = Request(
        "POST",
        "https://acme.retool.com/api/v2/users",
        [("Authorization", "Bearer tok_secret_123"), ("Cookie", "s=tok_secret_123"), ("X-Trace", "t1")],
        b'{"password": "tok_secret_123"}',
    )
    error = rac.APIConnectionError("reset", request=request)
    assert error.request is not None and error.request is not request
    assert error.request.headers["x-trace"] == "t1"
    assert (
        error.request.headers["authorization"] == "[redacted]"
        and error.request.headers["cookie"] == "[redacted]"
    )
    assert not hasattr(error.request, "body") and error.method == "POST" and error.url == request.url
    assert request.headers[0] == ("Authorization", "Bearer tok_secret_123")  # the original is untouched
    assert b"tok_secret_123" not in pickle.dumps(error)


@pytest.mark.parametrize("status", [404, 429, 500])
def test_status_errors_pickle_with_a_detached_answer(status: int) -> None:
    import pickle

    from retool_api_client._parsing import status_error

    response = answer(
        status,
        json={"message": "m"},
        headers={"x-request-id": "r1", "retry-after": "3", "Set-Cookie": "session=tok_x"},
        url="https://acme.retool.com/api/v2/users/u",
    )
    error = status_error(response)
    dumped = pickle.dumps(error)
    assert b"tok_secret_123" not in dumped and b"tok_x" not in dumped
    copy = pickle.loads(dumped)
    assert type(copy) is type(error) and str(copy) == str(error) and repr(copy) == repr(error)
    assert copy.status_code == status and copy.request_id == "r1" and copy.body == {"message": "m"}
    assert copy.response.request.headers["authorization"] == "[redacted]"
    assert copy.response.headers["set-cookie"] == "[redacted]"
    assert str(copy).endswith("(request id r1)")
    if isinstance(copy, rac.RateLimitError):
        assert copy.retry_after == 3.0


# -- issue 13: what an error carries is typed without naming httpx ------------------------------


async def test_what_an_error_carries_is_typed_by_the_sdks_views() -> None:
    import typing

    client = make_client(lambda r: httpx.Response(404, json={"success": False, "message": "no such user"}))
    with pytest.raises(rac.NotFoundError) as caught:
        await client.users.get("user_1")
    exc = caught.value
    assert isinstance(exc.response, rac.ResponseView) and isinstance(exc.request, rac.RequestView)
    assert isinstance(exc.request.url, rac.URLView) and exc.request.url.path == "/api/v2/users/user_1"
    assert exc.response.json()["message"] == "no such user"
    # the declared types name no httpx class: a move to another HTTP library keeps them
    for cls, name in ((rac.APIError, "request"), (rac.APIStatusError, "response")):
        hint = typing.get_type_hints(cls)[name]
        assert "httpx" not in repr(hint), (cls, hint)


def test_mypy_holds_code_to_the_views(tmp_path: Any) -> None:
    from mypy import api

    snippet = tmp_path / "user_code.py"
    snippet.write_text(
        "import retool_api_client as rac\n"
        "def handle(exc: rac.NotFoundError) -> str:\n"
        "    exc.response.raise_for_status()  # httpx's, not the view's\n"
        "    return exc.request.url.path + str(exc.response.status_code) + exc.response.text\n"
    )
    out, _, status = api.run(["--strict", "--no-error-summary", str(snippet)])
    assert status == 1
    # (mypy's cache may replay the errors with the path of an earlier run's copy of the file)
    assert [line.partition("user_code.py:")[2] for line in out.splitlines()] == [
        '3: error: "ResponseView" has no attribute "raise_for_status"  [attr-defined]'
    ]


def test_a_validation_error_seen_from_an_enclosing_model_keeps_its_request() -> None:
    from retool_api_client._exceptions import APIResponseValidationError
    from retool_api_client._message import Request

    request = Request(
        "GET", "https://acme.retool.com/api/v2/users/u", [("Authorization", "Bearer tok_s3cret")]
    )
    inner = APIResponseValidationError("required field is missing", model="User", field="id", request=request)
    outer = inner.within("GetUserResponse200", "data")
    assert outer.request is not None and outer.request.url == request.url
    assert str(outer) == (
        "GET https://acme.retool.com/api/v2/users/u: GetUserResponse200.data.id: "
        "required field is missing (in model User)"
    )
    assert "tok_s3cret" not in repr(outer.request)
