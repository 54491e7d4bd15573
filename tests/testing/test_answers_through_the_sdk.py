"""Every answer the fake gives, read through the SDK as a user's script reads it, on seeds 0-19:
each operation called through its facade method (a list walked to its end, page by page), and
none raises (no ``PaginationError`` from a made-up ``has_more``, no response that fails to
parse) or returns something other than what the method declares."""

from __future__ import annotations

import inspect
import json
import re
import typing
import warnings
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest

from retool_api_client import AsyncPaginator, RequestValidationError
from retool_api_client.testing import FakeRetool
from retool_api_client.testing._spec import Operation, payload, resolve

from ..helpers.calls import build_call, conforms, resolve_annotation, to_python
from .helpers import link_references, prepare, valid_request

SEEDS = range(20)


def facade_call(
    fake: FakeRetool, op: Operation, seed: int, method: Any, *, sample_body: bool = False
) -> tuple[list[Any], dict[str, Any]]:
    """Arguments for ``op``'s facade method: path parameters naming what the fake has (else
    the contract suite's, which the SDK's own check accepts), the fake's target made ready, and
    the body the fake's request maker gives (``sample_body``: the contract suite's, with its
    references pointed at stored records)."""
    call = build_call(op.operation_id)
    path, _, fake_body = valid_request(fake, op, seed)
    fake_body = prepare(fake, op, path, fake_body)
    match = op.regex.fullmatch(path)
    assert match is not None, path
    signature = inspect.signature(method)
    names = [p.strip("{}") for p in re.findall(r"\{[^}]+\}", op.template)]
    stored = {
        (c.id_param, key) for c in fake.spec.collections.values() for key in fake._store.records[c.name]
    }
    args = []
    for param, name, text, sample in zip(
        signature.parameters.values(), names, match.groups(), call["args"], strict=False
    ):
        value: Any = unquote(text)
        if (name, value) in stored or fake._handlers.role(op)[0] in ("attr_delete", "member_remove"):
            args.append(to_python(param.annotation, int(value) if value.isdigit() else value))
        else:
            args.append(sample)
    kwargs = dict(call["kwargs"])
    if call["body"] is not None:
        body = (
            json.loads(fake_body)
            if fake_body and not sample_body
            else link_references(fake, json.loads(json.dumps(call["body"])))
        )
        kwargs["body"] = to_python(signature.parameters["body"].annotation, body)
    return args, kwargs


async def read_every_operation(fake: FakeRetool, seed: int) -> dict[str, str]:
    """operationId -> what went wrong, for each operation the SDK could not read."""
    failures: dict[str, str] = {}
    operations = sorted(fake.spec.operations, key=lambda op: op.method == "DELETE")  # DELETEs last
    async with fake.client(max_retries=0) as retool:
        for op in operations:
            call = build_call(op.operation_id)
            method = getattr(getattr(retool, call["namespace"]), call["name"])
            declared = resolve_annotation(inspect.get_annotations(method)["return"])
            try:
                args, kwargs = facade_call(fake, op, seed, method)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    try:
                        result = method(*args, **kwargs)
                        if not isinstance(result, AsyncPaginator):
                            result = await result
                    except RequestValidationError:  # a body the SDK's own check is stricter on
                        args, kwargs = facade_call(fake, op, seed, method, sample_body=True)
                        result = method(*args, **kwargs)
                        if not isinstance(result, AsyncPaginator):
                            result = await result
                if isinstance(result, AsyncPaginator):
                    if result.page_size is None and "limit" in {p.name for p in op.params}:
                        result = method(*args, page_size=2, **kwargs)  # several pages where it can page
                    (item_type,) = typing.get_args(declared)
                    items = [item async for item in result]
                    if not conforms(items, list[item_type]):  # type: ignore[valid-type]
                        failures[op.operation_id] = f"items are not {item_type}: {items[:2]!r}"
                elif not conforms(result, declared):
                    failures[op.operation_id] = f"not a {declared}: {result!r}"[:300]
            except Exception as exc:
                failures[op.operation_id] = f"{type(exc).__name__}: {exc}"[:300]
    return failures


@pytest.mark.parametrize("seed", SEEDS)
async def test_every_answer_parses_through_the_sdk(seed: int) -> None:
    fake = FakeRetool(seed=seed)
    fake.populate(**dict.fromkeys(fake.collections, 2))
    assert await read_every_operation(fake, seed) == {}
    assert len({r.operation_id for r in fake.requests}) == len(fake.spec.operations)


async def test_a_made_up_list_that_can_page_pages_and_one_that_cannot_never_says_has_more() -> None:
    fake = FakeRetool(seed=1)
    made_up = [op for op in fake.spec.operations if fake._handlers.role(op)[0] == "generated"]
    pageable = [
        op
        for op in made_up
        if op.query("next_token")
        and resolve(fake.spec.defs, payload(fake.spec.defs, op.success())[0] or {}).get("type") == "array"
    ]
    unpageable = [
        op
        for op in fake.spec.operations
        if not op.query("next_token") and "has_more" in json.dumps(op.success().schema or {})
    ]
    assert pageable and unpageable
    headers = {"Authorization": f"Bearer {fake.token}"}
    for op in unpageable:
        path, query, body = valid_request(fake, op)
        answer = fake.handle(op.method, path, query, headers, body).json()
        assert answer["has_more"] is False, op.operation_id
    for op in pageable:
        path, query, body = valid_request(fake, op)
        everything = fake.handle(op.method, path, query, headers, body).json()
        seen, token = [], None
        while True:
            asked = {**parse_qs(query), "limit": 1, **({"next_token": token} if token else {})}
            page = fake.handle(op.method, path, asked, headers, body).json()
            seen += page["data"]
            if not page["has_more"]:
                break
            token = page["next_token"]
        assert seen == everything["data"] and len(seen) == everything["total_count"], op.operation_id
