"""Bad input never crashes the fake: a request it cannot take gets a 4xx in Retool's
``{success: false, message}`` shape, with the status the spec documents, never a 500."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retool_api_client.testing import Answer, FakeRetool

from .helpers import auth, call

FAKE = FakeRetool(seed=9).populate(users=4, groups=2)
USER = FAKE.records("users")[0]["id"]


def refused(answer: Answer, status: int) -> str:
    assert answer.status == status, answer.body
    body = json.loads(answer.body)
    assert body["success"] is False and set(body) == {"success", "message"}
    return str(body["message"])


def test_no_token_or_a_wrong_one_is_401() -> None:
    assert "token" in refused(FAKE.handle("GET", "/api/v2/users"), 401)
    wrong = FAKE.handle("GET", "/api/v2/users", "", {"Authorization": "Bearer nope"})
    message = refused(wrong, 401)
    assert FAKE.token not in message


def test_unknown_path_is_404_and_wrong_method_is_405_with_allow() -> None:
    assert "no operation" in refused(call(FAKE, "GET", "/nothing/here"), 404)
    assert refused(FAKE.handle("GET", "/elsewhere/users", "", auth(FAKE)), 404)
    answer = call(FAKE, "PUT", "/users")
    refused(answer, 405)
    assert answer.headers["Allow"] == "GET, POST"


def test_bad_json_is_400() -> None:
    answer = FAKE.handle("POST", "/api/v2/users", "", auth(FAKE), b"{not json")
    assert refused(answer, 400) == "body: not valid JSON"
    assert refused(FAKE.handle("POST", "/api/v2/users", "", auth(FAKE), b"\xff\xfe"), 400)
    deep = b"[" * 100_000 + b"]" * 100_000
    assert refused(FAKE.handle("POST", "/api/v2/users", "", auth(FAKE), deep), 400)
    nested = ("{" + '"a":' * 1) * 3000 + "1" + "}" * 3000
    assert refused(FAKE.handle("PUT", "/api/v2/app_themes", "", auth(FAKE), nested.encode()), 400)


def test_a_body_that_breaks_the_schema_gets_the_documented_status_naming_the_field() -> None:
    answer = call(FAKE, "POST", "/users", {"email": "ada.example.com", "first_name": "Ada", "last_name": "L"})
    assert "body.email" in refused(answer, 400)
    assert "required" in refused(call(FAKE, "POST", "/users", {"first_name": "Ada"}), 400)
    assert refused(call(FAKE, "POST", "/users", [1, 2]), 400)
    assert "required" in refused(call(FAKE, "POST", "/users"), 400)


def test_wrong_query_and_path_types_are_400() -> None:
    assert "limit" in refused(call(FAKE, "GET", "/users", limit="lots"), 400)
    assert "limit" in refused(call(FAKE, "GET", "/users", limit=1000), 400)
    assert "userId" in refused(call(FAKE, "GET", "/users/NOT-A-USER"), 400)
    assert "groupId" in refused(call(FAKE, "GET", "/groups/abc"), 400)


def test_a_cursor_it_did_not_give_is_400() -> None:
    assert "next_token" in refused(call(FAKE, "GET", "/users", limit=2, next_token="forged"), 400)
    token = call(FAKE, "GET", "/users", limit=2).json()["next_token"]
    # a cursor from one query is not valid for another
    assert "next_token" in refused(call(FAKE, "GET", "/users", limit=2, next_token=token, email="x@y.z"), 400)


def test_json_patch_under_the_endpoints_rules() -> None:
    def patch(path: str, *ops: dict[str, object]) -> Answer:
        return call(FAKE, "PATCH", path, {"operations": list(ops)})

    assert "not a field" in refused(
        patch(f"/users/{USER}", {"op": "replace", "path": "/nope", "value": 1}), 400
    )
    assert "cannot be changed" in refused(
        patch(f"/users/{USER}", {"op": "replace", "path": "/id", "value": "user_x"}), 400
    )
    assert "cannot remove" in refused(
        patch(f"/users/{USER}", {"op": "remove", "path": "/metadata/absent"}), 400
    )
    assert "first_name" in refused(
        patch(f"/users/{USER}", {"op": "replace", "path": "/first_name", "value": 7}), 400
    )
    # an endpoint that takes replace only (the spec's op enum) refuses add
    env = call(FAKE, "POST", "/environments", {"name": "staging", "color": "#aabbcc"}).json()["data"]
    message = refused(patch(f"/environments/{env['id']}", {"op": "add", "path": "/name", "value": "x"}), 400)
    assert "'add' is not one of ['replace']" in message  # the request check, from the spec
    # nothing of a refused patch is applied
    before = call(FAKE, "GET", f"/users/{USER}").json()["data"]
    refused(
        patch(
            f"/users/{USER}",
            {"op": "replace", "path": "/first_name", "value": "Zed"},
            {"op": "replace", "path": "/nope", "value": 1},
        ),
        400,
    )
    assert call(FAKE, "GET", f"/users/{USER}").json()["data"] == before


METHODS = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "get"])
TEMPLATES = sorted(FAKE.spec.by_template)
SEGMENT = st.text(st.characters(codec="utf-8", exclude_characters="/?#"), max_size=12) | st.sampled_from(
    ["user_abc123", "1", "0", "-1", "%00", "..", "00000000-0000-4000-8000-000000000000", USER]
)
PATHS = st.builds(
    lambda template, values: "/".join(
        values.pop() if part.startswith("{") and values else part for part in template.split("/")
    ),
    st.sampled_from(TEMPLATES),
    st.lists(SEGMENT, min_size=3, max_size=3),
) | st.text(max_size=30).map(lambda t: "/" + t)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda c: (
        st.lists(c, max_size=3)
        | st.dictionaries(
            st.sampled_from(["operations", "op", "path", "value", "email", "name", "members", "id", "x"])
            | st.text(max_size=4),
            c,
            max_size=4,
        )
    ),
    max_leaves=8,
)
BODIES = JSON_VALUES.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=40)
QUERIES = st.sampled_from(
    [
        "",
        "limit=2",
        "limit=0",
        "limit=x",
        "next_token=abc",
        "email=%ff",
        "includeGroups=maybe",
        "a=1&a=2",
        "%zz",
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(method=METHODS, path=PATHS, query=QUERIES, body=BODIES)
def test_fuzzed_requests_never_get_a_500(method: str, path: str, query: str, body: bytes) -> None:
    answer = FAKE.handle(method, FAKE.spec.root + path, query, auth(FAKE), body)
    assert answer.status < 500, (method, path, query, body, answer.body)
    if answer.status >= 400:
        parsed = json.loads(answer.body)
        assert parsed["success"] is False and isinstance(parsed["message"], str)
