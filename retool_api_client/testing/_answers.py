"""What the fake answers and what it logs: :class:`Answer`, :class:`ReceivedRequest`, and a
refusal (:class:`Refused`) in Retool's error shape, ``{"success": false, "message": ...}``.

Every other module of the fake uses these; this one imports nothing from the fake.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

#: the router's "the request had no body" (``None`` is a JSON body of ``null``)
NO_BODY: Any = object()


@dataclass(frozen=True)
class Answer:
    """What the fake answers: a status, headers and a body (``reset``: drop the connection)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    reset: bool = False

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


#: ``handle(method, path, query, headers, body)``: the fake's one entry point, which the
#: in-process pool and the HTTP server both call
Handle = Callable[[str, str, str, Mapping[str, str], bytes], Answer]


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the fake received it (never its ``Authorization`` header)."""

    method: str
    path: str  # under the API root: "/users/user_1a2b"
    query: dict[str, list[str]]
    body: Any  # the parsed JSON body, or None
    operation_id: str | None
    status: int | None  # None when the connection was dropped
    request_id: str = ""  # the answer's x-request-id


class Refused(Exception):
    """A request the fake turns down: becomes a Retool-shaped error answer."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}

    def answer(self) -> Answer:
        return error(self.status, self.message, self.headers)


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Answer:
    """Retool's error body: ``{"success": false, "message": ...}``."""
    body = json.dumps({"success": False, "message": message}).encode()
    return Answer(status, {"Content-Type": "application/json", **(headers or {})}, body)


def json_answer(status: int, body: Any) -> Answer:
    """``body`` as JSON."""
    return Answer(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


def reason(status: int) -> str:
    """The status's reason phrase (``Service Unavailable``)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"status {status}"


def loose_json(body: bytes) -> Any:
    """The body as JSON for the request log; None when it is empty or not JSON."""
    try:
        return json.loads(body) if body.strip() else None
    except (ValueError, RecursionError):
        return None
