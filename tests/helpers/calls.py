"""One call per operation, built from the normalized spec, and the checks on what it returns.

``build_call(operation_id)`` gives the arguments (path parameters positional, every query and
header parameter, a minimal valid body), what the request must look like on the wire, and the
operation's sample success answer; ``answering`` is a mock transport handler that records and
answers; ``call_declared`` calls the facade method; ``conforms`` checks a value against the
method's declared return type.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import enum
import importlib
import inspect
import types
import typing
import warnings
from collections.abc import Iterator, Mapping
from typing import Any
from uuid import UUID

import httpx
from dateutil.parser import isoparse

from retool_api_client import AsyncPaginator
from retool_api_client.generated import models
from retool_api_client.generated.api import OPERATIONS
from retool_api_client.generated.types import Response, Unset

from . import samples

BASE = "/api/v2"


def spec_operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    out = {}
    for path, item in samples.spec()["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                out[op["operationId"]] = (method.upper(), path, op)
    return out


SPEC_OPS = spec_operations()


# -- turning JSON samples into the Python values the signatures declare -----------------------


class _Names(dict[str, Any]):
    """Resolves annotation names against the generated models (lazily loaded)."""

    def __missing__(self, key: str) -> Any:
        if key in vars(builtins):
            return vars(builtins)[key]
        namespace = {
            "AsyncPaginator": AsyncPaginator,
            "Unset": Unset,
            "Response": Response,
            "Any": Any,
            "Mapping": Mapping,
            "UUID": UUID,
            "datetime": dt,
        }
        if key in namespace:
            return namespace[key]
        return getattr(models, key)


def resolve_annotation(annotation: Any) -> Any:
    if isinstance(annotation, str):
        return eval(annotation, {}, _Names())
    return annotation


def _members(tp: Any) -> list[Any]:
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        return [m for m in typing.get_args(tp) if m not in (Unset, type(None))]
    return [tp]


def to_python(tp: Any, value: Any) -> Any:
    """The JSON sample ``value`` as an argument of type ``tp`` (an annotation, maybe as text)."""
    for member in _members(resolve_annotation(tp)):
        origin = typing.get_origin(member)
        if origin is list and isinstance(value, list):
            (inner,) = typing.get_args(member)
            return [to_python(inner, v) for v in value]
        if isinstance(member, type):
            if issubclass(member, enum.Enum):
                return member(value)
            if member is dt.datetime and isinstance(value, str):
                return isoparse(value)
            if member is dt.date and isinstance(value, str):
                return dt.date.fromisoformat(value)
            if hasattr(member, "from_dict") and isinstance(value, dict):
                try:
                    return member.from_dict(value)
                except ValueError:
                    continue
            if member in (str, int, float, bool) and isinstance(value, member):
                return value
    return value


def query_text(value: Any) -> list[str]:
    if isinstance(value, list):
        return [t for v in value for t in query_text(v)]
    if isinstance(value, enum.Enum):
        return [str(value.value)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, dt.datetime | dt.date):
        return [value.isoformat()]
    return [str(value)]


def conforms(value: Any, tp: Any) -> bool:
    if tp is Any:
        return True
    if tp is None or tp is type(None):
        return value is None
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        return any(conforms(value, m) for m in typing.get_args(tp))
    origin = typing.get_origin(tp)
    if origin is list:
        (inner,) = typing.get_args(tp)
        return isinstance(value, list) and all(conforms(v, inner) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, tp)


# -- one call per operation ------------------------------------------------------------------


def success_answer(op: dict[str, Any]) -> tuple[int, Any]:
    code = min(c for c in op["responses"] if c.startswith("2"))
    response = samples.resolve(op["responses"][code])
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    return int(code), (samples.sample(schema, optional=True) if schema is not None else None)


def build_call(operation_id: str) -> dict[str, Any]:
    method, path, op = SPEC_OPS[operation_id]
    namespace, name = OPERATIONS[operation_id]
    module = importlib.import_module(f"retool_api_client.generated.api.{namespace}")
    raw_class = next(v for k, v in vars(module).items() if k.endswith("ResourceWithRawResponse"))
    signature = inspect.signature(getattr(raw_class, name))  # every parameter, as the spec names it
    by_spec_name = {}
    for python_name in signature.parameters:
        by_spec_name[python_name.replace("_", "").lower()] = python_name

    def key(spec_name: str) -> str:  # "userId", "X-Request-Tag" -> how the Python name reads
        return spec_name.replace("_", "").replace("-", "").lower()

    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    expected_path = path
    expected_query: dict[str, list[str]] = {}
    expected_headers: dict[str, str] = {}

    def position(param: dict[str, Any]) -> int:  # generated signatures follow the path's order
        return path.find("{" + param["name"] + "}") if param["in"] == "path" else len(path)

    for param in sorted(op.get("parameters", []), key=position):
        spec_name = param["name"]
        python_name = by_spec_name[key(spec_name)]
        if param["in"] == "query" and spec_name in ("limit", "next_token"):
            continue  # the paginator drives these (tested on its own below)
        value = to_python(signature.parameters[python_name].annotation, samples.sample(param["schema"]))
        if param["in"] == "path":
            args.append(value)
            expected_path = expected_path.replace("{" + spec_name + "}", query_text(value)[0])
        elif param["in"] == "header":
            kwargs[python_name] = value
            expected_headers[spec_name] = query_text(value)[0]
        else:
            assert param["in"] == "query", param
            kwargs[python_name] = value
            expected_query[spec_name] = query_text(value)
    body_json = None
    multipart = None
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body_json = samples.sample(content["application/json"]["schema"])
        kwargs["body"] = to_python(signature.parameters["body"].annotation, body_json)
    elif "multipart/form-data" in content:
        multipart = samples.sample(content["multipart/form-data"]["schema"])
        multipart["files"] = b"PK\x03\x04 bundle"
        kwargs["body"] = to_python(signature.parameters["body"].annotation, multipart)
    status, answer = success_answer(op)
    return {
        "method": method,
        "path": BASE + expected_path,
        "query": expected_query,
        "headers": expected_headers,
        "body": body_json,
        "multipart": multipart,
        "status": status,
        "answer": answer,
        "namespace": namespace,
        "name": name,
        "args": args,
        "kwargs": kwargs,
        "deprecated": bool(op.get("deprecated")),
    }


def answering(call: dict[str, Any], sent: list[httpx.Request], headers: dict[str, str] | None = None) -> Any:
    """A transport handler that records each request and gives the operation's sample answer."""

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if call["answer"] is None:
            return httpx.Response(call["status"], headers=headers)
        return httpx.Response(call["status"], json=call["answer"], headers=headers)

    return handler


@contextlib.contextmanager
def deprecation_checked(call: dict[str, Any]) -> Iterator[None]:
    """Exactly the operations the spec deprecates warn, once, pointing at the caller's line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    found = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert len(found) == int(call["deprecated"]), [str(w.message) for w in found]
    for warning in found:
        assert str(warning.message).startswith("Retool deprecated ")
        assert warning.filename == inspect.stack()[2].filename  # stacklevel: the caller, not the SDK


async def call_declared(retool: Any, call: dict[str, Any]) -> tuple[Any, Any, bool]:
    """Call an operation's facade method as ``build_call`` describes it: (result, the declared
    type, paginated?). A paginated method's result is its first page's items, as ``list[Item]``."""
    method = getattr(getattr(retool, call["namespace"]), call["name"])
    declared = resolve_annotation(inspect.get_annotations(method)["return"])
    if typing.get_origin(declared) is AsyncPaginator:
        with deprecation_checked(call):
            paginator = method(*call["args"], **call["kwargs"])
        assert isinstance(paginator, AsyncPaginator)
        page = await paginator.first_page()
        (item_type,) = typing.get_args(declared)
        return page.items, list[item_type], True  # type: ignore[valid-type]
    with deprecation_checked(call):
        pending = method(*call["args"], **call["kwargs"])
    return await pending, declared, False
