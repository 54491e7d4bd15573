"""Exceptions raised by retool-api-client.

Every error the SDK raises on purpose derives from :class:`RetoolError`::

    RetoolError
    ├── APIError                        anything that happened while talking to Retool
    │   ├── APIStatusError              the server answered with a status >= 400
    │   │   ├── BadRequestError             400
    │   │   ├── AuthenticationError         401
    │   │   ├── PermissionDeniedError       403
    │   │   ├── NotFoundError               404
    │   │   ├── ConflictError               409
    │   │   ├── UnprocessableEntityError    422
    │   │   ├── RateLimitError              429 (``retry_after`` in seconds, when the server said)
    │   │   └── InternalServerError         >= 500
    │   ├── APIConnectionError          no usable answer: DNS, refused, reset, TLS ...
    │   │   └── APITimeoutError         connect, read, write or pool timeout
    │   ├── ServerSpecError             the server's /api/v2/spec unreadable (``_drift``)
    │   └── APIResponseValidationError  2xx answer that is not JSON or does not fit the model
    │                                   (also a ValueError, so generated union parsing can
    │                                   try the next variant)
    ├── ConfigurationError              bad arguments or environment, raised before any request
    │   └── RequestValidationError      a request that does not fit the spec (not sent)
    ├── PatchError                      a JSON Patch the endpoint would reject (not sent)
    ├── RateLimiterError                the shared rate limit (its Redis) did not answer in time
    │                                   (not sent; the URL shown without its password)
    └── PaginationError                 cursors that do not make progress (in ``_pagination``)

``ConfigurationError``, ``PatchError`` and ``APIResponseValidationError`` are also
``ValueError``s.

No message, ``repr``, attribute or pickle of these exceptions contains the API token, and
neither does anything reachable through ``__cause__`` / ``__context__``: ``exc.request`` is a
view of the request sent (method, URL, headers with ``Authorization``, cookies and every
secret-looking one shown as ``[redacted]``, no body); ``exc.response`` a detached copy of the
answer (status, headers redacted the same way, body bytes); the cause of a connection error
is a plain copy of the OS or TLS error behind it, never an HTTP library's exception (those
can hold the request's headers). Every exception pickles and unpickles.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast, runtime_checkable

if TYPE_CHECKING:
    from ._message import Answer, Request, RequestInfo

__all__ = [
    "RequestView",
    "ResponseView",
    "URLView",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PatchError",
    "RequestValidationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RateLimiterError",
    "RetoolError",
    "UnprocessableEntityError",
]


class RetoolError(Exception):
    """Root of every exception this SDK raises on purpose."""

    def __reduce__(self) -> Any:
        # Exception's own reduce calls ``cls(*args)``, which keyword-only signatures refuse
        # (``TypeError: __init__() missing ... 'response'``); rebuild from the state instead
        return (_restore, (type(self), self.args, dict(self.__dict__)))


def _restore(cls: type[RetoolError], args: tuple[Any, ...], state: dict[str, Any]) -> RetoolError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


# -- what an error carries: typed by what it offers, not by the HTTP library ----------------
#
# ``exc.request`` is a ``_message.RequestInfo`` and ``exc.response`` a ``_message.Answer``,
# whichever pool sent the request; their declared types are these protocols, so code written
# against them (and checked by mypy) holds whatever the SDK's own classes grow.


@runtime_checkable
class URLView(Protocol):
    """A request's URL (``str(url)`` gives it whole)."""

    @property
    def scheme(self) -> str: ...

    @property
    def host(self) -> str: ...

    @property
    def port(self) -> int | None: ...

    @property
    def path(self) -> str: ...

    @property
    def query(self) -> bytes: ...


@runtime_checkable
class RequestView(Protocol):
    """The request an error is about: redacted (secret-looking headers shown as
    ``[redacted]``) and without its body."""

    @property
    def method(self) -> str: ...

    @property
    def url(self) -> URLView: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


@runtime_checkable
class ResponseView(Protocol):
    """The answer an error is about, read whole."""

    @property
    def status_code(self) -> int: ...

    @property
    def reason_phrase(self) -> str: ...

    @property
    def http_version(self) -> str: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> bytes: ...

    @property
    def text(self) -> str: ...

    @property
    def request(self) -> RequestView: ...

    def json(self, **kwargs: Any) -> Any: ...


#: Names whose values no message, repr or log line repeats (passwords, secrets, keys, tokens).
SECRET_NAME = re.compile(r"pass|secret|token|key|credential|private|auth|cookie|session", re.IGNORECASE)
REDACTED = "[redacted]"


def scrub(text: str, secrets: tuple[str | None, ...]) -> str:
    """``text`` with each of ``secrets`` (a token, a proxy's password) as ``[redacted]``: for
    messages that quote another library's words, which may repeat them."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def redacted_value(value: Any, depth: int = 0) -> Any:
    """``value`` with what sits under a secret-looking key, at any depth, as ``[redacted]``
    (for reprs and messages that show a caller's value)."""
    if depth > 100:
        return "..."
    if isinstance(value, dict):
        return {
            k: REDACTED if isinstance(k, str) and SECRET_NAME.search(k) else redacted_value(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redacted_value(v, depth + 1) for v in value]
    return value


class ConfigurationError(RetoolError, ValueError):
    """The client was given a bad argument or environment; raised before any request is sent."""


class RequestValidationError(ConfigurationError):
    """A request that does not fit the operation's spec; raised before anything is sent.

    ``operation`` is the operationId; ``problems`` has one line per broken rule, each starting
    with where it is, as the caller wrote it: a parameter's or body keyword's Python name
    (``user_id``, ``members[0].id``), or ``body...`` for a body given whole."""

    operation: str
    problems: list[str]

    def __init__(self, operation: str, problems: list[str]) -> None:
        self.operation = operation
        self.problems = problems
        shown = problems[:10]
        more = f"; and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__(f"{operation}: request not sent: {'; '.join(shown)}{more}")


class PatchError(RetoolError, ValueError):
    """A JSON Patch the endpoint would reject (op not allowed, path not a field); raised before
    any request, naming the endpoint and what it allows."""


class RateLimiterError(RetoolError):
    """The shared rate limit (``RateLimit(redis=...)``) could not be reached, or did not answer
    within its ``timeout``; the request was not sent. ``url`` is the Redis URL without its
    password."""

    url: str

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


class APIError(RetoolError):
    """Something went wrong talking to the Retool API. ``request`` is set when one was built."""

    message: str
    request: RequestView | None

    def __init__(self, message: str, *, request: Request | RequestInfo | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = _info(request)

    @property
    def method(self) -> str | None:
        return self.request.method if self.request is not None else None

    @property
    def url(self) -> str | None:
        return str(self.request.url) if self.request is not None else None


class APIConnectionError(APIError):
    """The request did not get a usable response: connection refused or reset, DNS, TLS."""

    def __init__(self, message: str = "Connection error.", *, request: Request | None = None) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout (see ``RetoolClient(timeout=...)``)."""

    def __init__(self, message: str = "Request timed out.", *, request: Request | None = None) -> None:
        super().__init__(message, request=request)


class APIStatusError(APIError):
    """The server answered with a status code >= 400.

    ``message`` is Retool's own ``{"success": false, "message": ...}`` text when the body has
    one; ``body`` is the parsed JSON body (or the raw text when it is not JSON)."""

    status_code: int
    request: RequestView  # an answer always has its request
    response: ResponseView
    body: object
    parsed: object

    def __init__(self, message: str, *, response: Answer, body: object) -> None:
        detached = response.detached()
        super().__init__(message, request=detached.request)
        self.response = cast("ResponseView", detached)
        self.status_code = response.status_code
        self.body = body
        self.parsed = None  # the documented error model, when the body fits one

    @property
    def request_id(self) -> str | None:
        """The id the server gave the request (``x-request-id``), for a support ticket."""
        value = self.response.headers.get("x-request-id")
        return str(value) if value is not None else None

    def __str__(self) -> str:
        text = f"{self.status_code} {self.method} {self.url}: {self.message}"
        request_id = self.request_id
        return f"{text} (request id {request_id})" if request_id else text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, message={self.message!r})"


class BadRequestError(APIStatusError):
    status_code: Literal[400]


class AuthenticationError(APIStatusError):
    status_code: Literal[401]


class PermissionDeniedError(APIStatusError):
    status_code: Literal[403]


class NotFoundError(APIStatusError):
    status_code: Literal[404]


class ConflictError(APIStatusError):
    status_code: Literal[409]


class UnprocessableEntityError(APIStatusError):
    status_code: Literal[422]


class RateLimitError(APIStatusError):
    """429. ``retry_after`` is the delay (seconds) the server asked for, or ``None``."""

    status_code: Literal[429]
    retry_after: float | None

    def __init__(
        self, message: str, *, response: Answer, body: object, retry_after: float | None = None
    ) -> None:
        super().__init__(message, response=response, body=body)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """Any status >= 500."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an error status (an unknown 4xx maps to :class:`APIStatusError`)."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status_code, APIStatusError)


class APIResponseValidationError(APIError, ValueError):
    """A successful response whose body is not JSON or does not fit the declared model.

    ``model`` and ``field`` name the innermost model and field that failed; ``path`` is the
    field path from the outermost model (``("data", "groups", "id")``). ``response`` is set when
    the error came from a request made through the SDK."""

    model: str | None
    field: str | None
    path: tuple[str, ...]
    root_model: str | None
    reason: str
    response: ResponseView | None

    def __init__(
        self,
        reason: str,
        *,
        model: str | None = None,
        field: str | None = None,
        path: tuple[str, ...] = (),
        root_model: str | None = None,
        response: Answer | None = None,
        request: Request | RequestInfo | None = None,
    ) -> None:
        self.reason = reason
        self.model = model
        self.field = field
        self.path = path or ((field,) if field else ())
        self.root_model = root_model or model
        detached = response.detached() if response is not None else None
        self.response = cast("ResponseView | None", detached)
        if detached is not None:
            request = detached.request
        self.request = _info(request)
        super().__init__(self._render(), request=request)

    @property
    def status_code(self) -> int | None:
        return self.response.status_code if self.response is not None else None

    def _render(self) -> str:
        where = ".".join(p for p in ((self.root_model or ""), *self.path) if p)
        text = f"{where}: {self.reason}" if where else self.reason
        if self.model and self.model != self.root_model:
            text += f" (in model {self.model})"
        if self.response is not None:
            text = f"{self.method} {self.url} -> {self.response.status_code}: {text}"
        elif self.request is not None:
            text = f"{self.method} {self.url}: {text}"
        return text

    def within(self, model: str, field: str | None) -> APIResponseValidationError:
        """The same failure seen from an enclosing model's field."""
        return self._evolve(path=((field,) if field else ()) + self.path, root_model=model)

    def with_response(self, response: Answer) -> APIResponseValidationError:
        return self._evolve(response=response)

    def _evolve(self, **changes: Any) -> APIResponseValidationError:
        fields = {
            "model": self.model,
            "field": self.field,
            "path": self.path,
            "root_model": self.root_model,
            "response": self.response,
            "request": self.request,
        }
        return APIResponseValidationError(self.reason, **{**fields, **changes})


# Tracebacks and reprs name the public module (``retool_api_client.NotFoundError``), where
# users import these from, not this private one; pickling finds them there too.
for _name in __all__:
    globals()[_name].__module__ = "retool_api_client"
del _name


def _info(request: Request | RequestInfo | None) -> RequestView | None:
    """The redacted view an error keeps of ``request``."""
    info = getattr(request, "info", None)
    return cast("RequestView | None", info() if callable(info) else request)


def describe_json(value: Any) -> str:
    """A short, token-free description of a JSON value for error messages."""
    if value is None:
        return "null"
    kind = type(value).__name__
    text = repr(value)
    return f"{kind} {text[:60]}{'...' if len(text) > 60 else ''}"
