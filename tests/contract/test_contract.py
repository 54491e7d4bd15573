"""Every operation through the facade against Prism, which validates each request against the
spec and answers with schema-conforming data (see scripts/prism.py)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from prism import Prism

from retool_api_client import (
    PatchError,
    RequestValidationError,
    ResponseEvent,
    RetoolClient,
    UnprocessableEntityError,
)
from retool_api_client.generated.api import OPERATIONS
from retool_api_client.generated.models import CreateUserBody

from ..helpers.calls import SPEC_OPS, build_call, call_declared, conforms
from ..helpers.pools import POOLS, client_on
from .conftest import RESPONSE_VIOLATIONS, RESULTS

TOKEN = "contract-test-token"


class Seen:
    def __init__(self) -> None:
        self.responses: list[ResponseEvent] = []

    def __call__(self, response: ResponseEvent) -> None:
        self.responses.append(response)


async def call_through_facade(server: Prism, operation_id: str, pool: str) -> tuple[Any, Any, Seen]:
    call = build_call(operation_id)
    seen = Seen()
    async with client_on(pool, server.url, TOKEN, max_retries=0, on_response=seen) as retool:
        result, declared, _ = await call_declared(retool, call)
    return result, declared, seen


def assert_accepted(seen: Seen, operation_id: str) -> None:
    """No 4xx and no request violation. Violations located in Prism's *response* are the spec's
    own examples breaking its patterns; they are counted in the summary, not our fault."""
    (response,) = seen.responses
    assert response.status_code < 400, response
    violations = json.loads(response.headers.get("sl-violations", "[]"))
    on_request = [v for v in violations if v["location"][0] == "request"]
    assert on_request == [], on_request
    on_response = [v["message"] for v in violations if v["location"][0] == "response"]
    if on_response:
        RESPONSE_VIOLATIONS[operation_id] = on_response


@pytest.mark.parametrize("pool", POOLS)
@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
async def test_operation_accepted_by_prism_and_parsed(prism: Prism, operation_id: str, pool: str) -> None:
    result, declared, seen = await call_through_facade(prism, operation_id, pool)
    assert_accepted(seen, operation_id)
    assert conforms(result, declared), (declared, result)
    RESULTS[(operation_id, pool)] = "ok"


GETS = sorted(op for op, (method, _, _) in SPEC_OPS.items() if method == "GET")


@pytest.mark.parametrize("operation_id", GETS)
async def test_dynamic_get_responses_parse(prism_dynamic: Prism, operation_id: str) -> None:
    result, declared, seen = await call_through_facade(prism_dynamic, operation_id, "http11")
    assert_accepted(seen, operation_id)
    assert conforms(result, declared), (declared, result)


async def test_validation_is_live_an_invalid_body_gets_422(prism: Prism) -> None:
    """Prism skips schemas it cannot compile; prove requests really are checked."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=prism.url + "/api/v2", headers=headers) as raw:
        wrong_type = await raw.post("/users", json={"email": 5, "first_name": "A", "last_name": "B"})
        missing = await raw.post("/users", json={"email": "ada@example.com"})
        bad_op = await raw.patch(
            "/users/user_1", json={"operations": [{"op": "move", "path": "/a", "from": "/b"}]}
        )
        fine = await raw.post(
            "/users", json={"email": "ada@example.com", "first_name": "A", "last_name": "B"}
        )
    assert wrong_type.status_code == 422 and "email" in wrong_type.text
    assert missing.status_code == 422 and "first_name" in missing.text
    assert bad_op.status_code == 422
    assert fine.status_code == 200

    body = CreateUserBody(email=5, first_name="A", last_name="B")  # type: ignore[arg-type]
    async with RetoolClient(prism.url, TOKEN, validate_requests=False) as retool:
        with pytest.raises(UnprocessableEntityError) as caught:
            await retool.users.create(body=body)
    assert caught.value.status_code == 422
    assert "email" in caught.value.message

    # By default the SDK refuses the same requests itself, before sending anything.
    sent: list[httpx.Request] = []
    counting = httpx.AsyncHTTPTransport()

    class Counting(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return await counting.handle_async_request(request)

    async with RetoolClient(prism.url, TOKEN, transport=Counting()) as retool:
        for error, call in (
            (RequestValidationError, lambda: retool.users.create(body=body)),
            (RequestValidationError, lambda: retool.users.create(body={"email": "ada@example.com"})),
            (PatchError, lambda: retool.users.update("user_1", [{"op": "move", "path": "/a", "from": "/b"}])),
        ):
            with pytest.raises(error):
                await call()
        assert sent == []
        await retool.users.create(email="ada@example.com", first_name="A", last_name="B")
    assert len(sent) == 1


async def test_missing_token_is_refused_by_prism(prism: Prism) -> None:
    async with httpx.AsyncClient(base_url=prism.url + "/api/v2") as raw:
        assert (await raw.get("/users")).status_code == 401
