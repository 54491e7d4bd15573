"""Drift: how the Retool API a server speaks differs from the one this SDK was generated from.

``await retool.compare_with_server()`` (and ``python -m retool_api_client drift``) reads the
instance's own OpenAPI document, ``GET /api/v2/spec`` (about 500 KB: read once, when asked,
through the SDK's one request pipeline), and compares it with the document the SDK was
generated from (``generated/openapi.json``, shipped in the package). The :class:`DriftReport`
says which Retool API version each side has, which generated operations the server lacks or
has changed (moved to another path or method, parameters or a body it now requires, required
ones it dropped, parameters it does not take), and which of the server's operations the SDK
lacks.

Operations are matched as the pipeline's surface lock matches them (``scripts/retoolgen``):
by HTTP method and path, path parameter names left out and Express-style ``:id`` segments
read as parameters, so a renamed path parameter (the URL sent is the same) is no drift. An
operation found on neither side by its path is matched by its summary, when exactly one
operation on each side has it: that one moved.

Hand-written rather than a library: OpenAPI diff tools (oasdiff, openapi-diff) are Go or Java
programs that compare two documents field by field; the question here is about this SDK's
methods, and takes a few dozen lines over what the package already ships.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from . import _tables
from ._exceptions import APIError
from ._operation import Operation
from ._request import request

__all__ = [
    "DriftReport",
    "OperationDrift",
    "ServerDrift",
    "ServerSpecError",
    "compare",
    "compare_with_server",
]

JSON = Any
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: The server's OpenAPI document, relative to the API root (``https://acme.retool.com/api/v2``).
SPEC = Operation("get_openapi_spec", "GET", "/spec", responses={200: "json"}, unwrap="whole")


class ServerSpecError(APIError):
    """The server's ``/api/v2/spec`` could not be read (``__cause__`` is the SDK's error: a
    connection error, a status error...) or is not an OpenAPI 3 document."""


@dataclass(frozen=True)
class OperationDrift:
    """A generated operation the server lacks or has changed."""

    call: str  #: ``retool.users.get``
    endpoint: str  #: as the SDK sends it: ``GET /users/{userId}``
    server: str | None = None  #: as the server has it; None when it lacks it
    changes: tuple[str, ...] = ()  #: what differs, one line each

    def line(self) -> str:
        if self.server is None:
            return f"{self.call}() ({self.endpoint}): the server lacks it"
        return f"{self.call}() ({self.endpoint}): {'; '.join(self.changes)}"


ServerSpecError.__module__ = "retool_api_client"  # where users import it from, as the others


@dataclass(frozen=True)
class DriftReport:
    """What :meth:`compare_with_server` found; ``drifted`` when anything differs."""

    server_version: str  #: the server's ``info.version``
    sdk_version: str  #: the Retool API version the SDK was generated from
    missing: tuple[OperationDrift, ...] = ()  #: generated operations the server lacks
    changed: tuple[OperationDrift, ...] = ()  #: generated operations the server has otherwise
    extra: tuple[str, ...] = field(default=())  #: server operations the SDK lacks: ``POST /x``

    @property
    def drifted(self) -> bool:
        return self.server_version != self.sdk_version or bool(self.missing or self.changed or self.extra)

    def render(self) -> str:
        """The report as text, one line per finding (what the command prints)."""
        same = "the same release" if self.server_version == self.sdk_version else "another release"
        lines = [
            f"server: Retool API {self.server_version}; this SDK: Retool API {self.sdk_version} ({same})"
        ]
        for title, found in (
            ("methods the server lacks", [d.line() for d in self.missing]),
            ("methods the server has changed", [d.line() for d in self.changed]),
            ("server operations this SDK lacks", list(self.extra)),
        ):
            lines.append(f"{len(found)} {title}" + (":" if found else ""))
            lines += [f"  {line}" for line in found]
        lines.append("drift" if self.drifted else "no drift")
        return "\n".join(lines)


class ServerDrift:
    """``RetoolClient.compare_with_server()`` (mixed into the client by its template)."""

    async def compare_with_server(self) -> DriftReport:
        """Compare the server's API with the one this SDK was generated from.

        Reads ``GET /api/v2/spec`` once (about 500 KB), with this client's base URL, token,
        retries and timeouts; raises :class:`ServerSpecError` when it cannot be read or is
        not an OpenAPI 3 document. Cheap enough for a start-up or health check, not for every
        call."""
        return await compare_with_server(self)


async def compare_with_server(client: Any) -> DriftReport:
    """:meth:`ServerDrift.compare_with_server` for any client of this SDK."""
    try:
        document = await request(client, SPEC)
    except APIError as exc:  # not a misused client (ConfigurationError): that is the caller's
        raise ServerSpecError(f"could not read the server's API description (GET /spec): {exc}") from exc
    return compare(document)


def compare(server: JSON, sdk: JSON | None = None) -> DriftReport:
    """The drift between the ``server``'s OpenAPI document and ``sdk``'s (default: the one this
    SDK was generated from). Raises :class:`ServerSpecError` for a ``server`` document that is
    not OpenAPI 3."""
    _check_document(server)
    sdk = sdk if sdk is not None else _generated_document()
    calls = _facade_calls()
    theirs, ours = _operations(server), _operations(sdk)
    missing: list[OperationDrift] = []
    changed: list[OperationDrift] = []
    unmatched = {key: op for key, op in ours.items() if key not in theirs}
    left = {key: op for key, op in theirs.items() if key not in ours}
    by_summary: dict[str, list[str]] = {}
    for key, op in left.items():
        by_summary.setdefault(op.summary, []).append(key)
    mine_by_summary: dict[str, int] = {}
    for op in unmatched.values():
        mine_by_summary[op.summary] = mine_by_summary.get(op.summary, 0) + 1
    for key, op in sorted(ours.items()):
        call = calls.get(op.operation_id, op.operation_id)
        if key in theirs:
            differences = _differences(op, theirs[key])
            if differences:
                changed.append(OperationDrift(call, op.endpoint, theirs[key].endpoint, differences))
            continue
        moved = by_summary.get(op.summary, []) if op.summary else []
        if len(moved) == 1 and mine_by_summary[op.summary] == 1:
            there = left.pop(moved[0])
            differences = (f"now {there.endpoint}", *_differences(op, there))
            changed.append(OperationDrift(call, op.endpoint, there.endpoint, differences))
        else:
            missing.append(OperationDrift(call, op.endpoint))
    extra = tuple(sorted(op.endpoint for op in left.values()))
    return DriftReport(
        server_version=str(server["info"]["version"]),
        sdk_version=str(sdk.get("info", {}).get("version", "")),
        missing=tuple(sorted(missing, key=lambda d: d.call)),
        changed=tuple(sorted(changed, key=lambda d: d.call)),
        extra=extra,
    )


# --------------------------------------------------------------------------- the two documents


def _check_document(doc: JSON) -> None:
    if not isinstance(doc, dict):
        raise ServerSpecError(f"the server's /spec is not an OpenAPI document: a JSON {type(doc).__name__}")
    version = str(doc.get("openapi", ""))
    info = doc.get("info")
    if not version.startswith("3.") or not isinstance(doc.get("paths"), dict):
        found = next((f"{k}: {doc[k]!r}" for k in ("openapi", "swagger") if k in doc), "no openapi field")
        raise ServerSpecError(f"the server's /spec is not an OpenAPI 3 document ({found})")
    if not isinstance(info, dict) or not isinstance(info.get("version"), str):
        raise ServerSpecError("the server's /spec has no info.version")


@cache
def _generated_document() -> JSON:
    text = resources.files(_tables.data_package()).joinpath("openapi.json").read_text()
    return json.loads(text)


def _facade_calls() -> dict[str, str]:
    """operationId -> ``retool.<namespace>.<method>``, from the generated package's table."""
    api = importlib.import_module(f"{_tables.data_package()}.api")
    return {oid: f"retool.{ns}.{method}" for oid, (ns, method) in api.OPERATIONS.items()}


@dataclass(frozen=True)
class _Op:
    endpoint: str  #: ``GET /users/{userId}``, colon segments written as ``{name}``
    operation_id: str
    summary: str
    required: frozenset[tuple[str, str]]  #: (in, name) of the required query/header/cookie parameters
    known: frozenset[tuple[str, str]]  #: (in, name) of all of them
    body: str  #: "required", "optional" or "" (none)


_COLON = re.compile(r"/:([A-Za-z_][A-Za-z0-9_]*)")
_PARAM = re.compile(r"\{[^}/]*\}")


def _operations(doc: JSON) -> dict[str, _Op]:
    """``METHOD /path`` with parameter names blanked -> the operation, for any OpenAPI 3 document
    (path-item parameters and ``$ref`` parameters resolved)."""
    found: dict[str, _Op] = {}
    for raw_path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        path = _COLON.sub(r"/{\1}", raw_path)
        shared = [_resolve(doc, p) for p in item.get("parameters") or []]
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            own = [_resolve(doc, p) for p in op.get("parameters") or []]
            params: dict[tuple[str, str], JSON] = {
                (str(p.get("in")), str(p.get("name"))): p
                for p in [*shared, *own]
                if isinstance(p, dict) and p.get("in") in ("query", "header", "cookie")
            }
            body = _resolve(doc, op.get("requestBody")) if "requestBody" in op else None
            found[f"{method.upper()} {_PARAM.sub('{}', path)}"] = _Op(
                endpoint=f"{method.upper()} {path}",
                operation_id=str(op.get("operationId") or ""),
                summary=str(op.get("summary") or ""),
                required=frozenset(k for k, p in params.items() if p.get("required")),
                known=frozenset(params),
                body="" if not isinstance(body, dict) else "required" if body.get("required") else "optional",
            )
    return found


def _resolve(doc: JSON, node: JSON) -> JSON:
    for _ in range(8):  # a reference to a reference, not a cycle
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return node
        target: JSON = doc
        for part in ref[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            target = target.get(key) if isinstance(target, dict) else None
        node = target
    return node


def _differences(ours: _Op, theirs: _Op) -> tuple[str, ...]:
    out = []
    for where, name in sorted(theirs.required - ours.required):
        known = "" if (where, name) in ours.known else ", which this SDK does not send"
        out.append(f"the server requires {where} parameter {name!r}{known}")
    for where, name in sorted(ours.required - theirs.required):
        if (where, name) in theirs.known:
            out.append(f"the server no longer requires {where} parameter {name!r}")
    for where, name in sorted(ours.known - theirs.known):
        out.append(f"the server does not take {where} parameter {name!r}")
    if theirs.body == "required" and not ours.body:
        out.append("the server requires a request body, which this SDK does not send")
    elif ours.body and not theirs.body:
        out.append("the server takes no request body")
    return tuple(out)
