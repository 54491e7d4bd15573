"""Routes and the request check: which operation a request is, and whether it fits the spec.

:meth:`Router.route` finds the operation (404 for an unknown path, 405 with ``Allow`` for a
known path and another method); :meth:`Router.check` types the path and query parameters from
their text and checks them and the JSON body against the operation's schemas, refusing with the
first of 400, 422 the operation documents and a message naming every field and rule broken.
Messages never repeat a value that sits under a secret-looking name (``password``, ``token``,
``client_secret``...), inside an object marked ``secret: true``, or that the spec marks
``writeOnly`` / ``format: password``. The wording is the SDK's own request check's
(``_validate.describe``), so the fake and the SDK word a problem the same way.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .._validate import describe
from ._answers import NO_BODY, Refused
from ._spec import Operation, Spec, resolve

if TYPE_CHECKING:
    from ._data import Maker

JSON = Any


class Router:
    """Finds a request's operation and checks the request against it."""

    def __init__(self, spec: Spec, maker: Maker) -> None:
        self.spec, self.maker = spec, maker
        #: templates with more literal segments first: ``/users/reset2fa/{id}`` before ``/users/{id}``
        self._routes = sorted(
            spec.by_template.items(), key=lambda item: -max(op.literal_segments for op in item[1].values())
        )

    def route(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        """The operation at ``path`` (under the API root) and its path parameters' texts."""
        allowed: list[str] = []
        for template, methods in self._routes:
            sample = next(iter(methods.values()))
            m = sample.regex.fullmatch(path)
            if m is None:
                continue
            if method not in methods:
                allowed = allowed or sorted(methods)
                continue
            op = methods[method]
            names = re.findall(r"\{([^}]+)\}", template)
            return op, {n: unquote(v) for n, v in zip(names, m.groups(), strict=True)}
        if allowed:
            message = f"Method {method} not allowed here; allowed: {', '.join(allowed)}"
            raise Refused(405, message, {"Allow": ", ".join(allowed)})
        raise Refused(404, f"Not found: no operation at {path}")

    def check(
        self, op: Operation, path: dict[str, str], query: dict[str, list[str]], body: bytes
    ) -> tuple[dict[str, Any], Any]:
        """The typed query parameters and the parsed body (:data:`NO_BODY` when there is none),
        or :class:`Refused` naming what does not fit."""
        self._check_path(op, path)
        typed = self._check_query(op, query)
        return typed, self._check_body(op, body)

    def invalid(self, where: tuple[Any, ...], schema: JSON, instance: Any) -> str | None:
        """Why ``instance`` does not fit ``schema`` (up to five problems), or None."""
        v = self.maker.validator(schema)
        if v.is_valid(instance):
            return None
        errors = sorted(v.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
        return "; ".join(describe(e, where, instance) for e in errors[:5])

    def refuse(self, op: Operation, problems: list[str]) -> None:
        if problems:
            raise Refused(op.error_status(400, 422), "; ".join(problems))

    def _check_path(self, op: Operation, values: dict[str, str]) -> None:
        problems = []
        for p in op.params:
            if p.where == "path" and p.name in values:
                coerced = coerce(values[p.name], p.schema, self.spec.defs)
                found = self.invalid(("path", p.name), p.schema, coerced)
                if found:
                    problems.append(found)
        self.refuse(op, problems)

    def _check_query(self, op: Operation, params: dict[str, list[str]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        problems = []
        for p in op.params:
            if p.where != "query":
                continue
            if p.name not in params:
                if p.required:
                    problems.append(f"{p.name}: a required query parameter is missing")
                continue
            raw = params[p.name]
            schema = resolve(self.spec.defs, p.schema)
            if schema.get("type") == "array":
                texts = [t for item in raw for t in item.split(",")] if raw else []
                value: Any = [coerce(t, schema.get("items", {}), self.spec.defs) for t in texts]
            else:
                value = coerce(raw[-1], p.schema, self.spec.defs)
            found = self.invalid(("query", p.name), p.schema, value)
            if found:
                problems.append(found)
            out[p.name] = value
        self.refuse(op, problems)
        return out

    def _check_body(self, op: Operation, body: bytes) -> Any:
        if op.body is None:
            return NO_BODY
        if not body.strip():
            if op.body_required:
                raise Refused(op.error_status(400, 422), "body: a JSON body is required")
            return NO_BODY
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            raise Refused(400, "body: not valid JSON") from None
        try:
            found = self.invalid(("body",), op.body, parsed)
        except RecursionError:
            raise Refused(400, "body: nested too deeply") from None
        self.refuse(op, [found] if found else [])
        return parsed


def coerce(text: str, schema: JSON, defs: dict[str, JSON]) -> Any:
    """A path or query parameter's text as the JSON value its schema types it as."""
    schema = resolve(defs, schema)
    kinds: list[Any] = []
    for branch in [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]:
        kind = resolve(defs, branch).get("type")
        kinds += kind if isinstance(kind, list) else [kind]
    if "integer" in kinds and re.fullmatch(r"-?\d+", text):
        return int(text)
    if "number" in kinds and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text):
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    if "boolean" in kinds and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if "null" in kinds and text in ("", "null"):
        return None
    return text
