"""What goes on the wire and what comes back: the SDK's own request and answer.

:class:`Request` is what the request pipeline (``_request``) hands the retry loop and the loop
hands a pool: the method, the absolute URL as sent, the header list in the order it is sent,
and the body bytes. :class:`Answer` is what a pool hands back: the status, the headers (kept
as the raw pairs the server sent and looked up case-insensitively, parsed on first use), the
whole body, and the request it answers. Neither depends on an HTTP library: each pool turns
them into its own objects (``_http11``, ``_httpx_pool``).

An error carries views made from these (``exc.request``: :class:`RequestInfo`, redacted and
without its body; ``exc.response``: an :class:`Answer` detached from the connection, its
secret-looking headers redacted), typed by the protocols in ``_exceptions``.

:class:`Headers` is written here rather than taken from a library because the common answer
is parsed without anyone reading its headers: it keeps the pairs as received and builds its
case-insensitive index on the first lookup.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ._exceptions import REDACTED, SECRET_NAME
from ._parsing import decode_json

__all__ = ["URL", "Answer", "Headers", "Request", "RequestInfo", "Timeout", "merge_headers", "redacted"]


@dataclass(frozen=True, slots=True)
class Timeout:
    """Seconds each phase of one attempt may take (None: no limit): ``connect`` (TCP, TLS and
    a proxy's tunnel), ``read`` (each wait for data), ``write`` (each wait to send), ``pool``
    (the wait for a free connection). httpx's meanings; ``httpx.Timeout`` converts to this."""

    connect: float | None
    read: float | None
    write: float | None
    pool: float | None

    #: one attempt's limit: the largest of the four, applied to the whole attempt (connect,
    #: send, head and body). A read limit restarts with every byte, so a server dripping one
    #: byte at a time would never trip it alone.
    attempt: float | None = field(init=False)

    def __post_init__(self) -> None:
        values = [v for v in (self.connect, self.read, self.write, self.pool) if v is not None]
        object.__setattr__(self, "attempt", max(values) if values else None)


class Request:
    """One request as sent: ``url`` absolute and encoded, ``headers`` in the order they go out
    (``Content-Length`` included, from ``_request.encode``; the pool adds ``Host`` first),
    ``body`` the bytes.

    ``operation`` and ``template`` name the API operation (``get_user``) and its path template
    (``/users/{userId}``) for logs and tracing; None for a request outside the API's operations.

    ``unsent`` is True while a pool holds the request before writing any of it (waiting for a
    free connection, connecting): an attempt cut off by its time limit then was never sent. A
    pool that does not say so leaves it False, and such an attempt counts as maybe sent.
    """

    __slots__ = ("body", "headers", "method", "operation", "template", "unsent", "url")

    def __init__(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes = b"",
        *,
        operation: str | None = None,
        template: str | None = None,
    ) -> None:
        self.method, self.url, self.headers, self.body = method, url, headers, body
        self.operation, self.template = operation, template
        self.unsent = False

    def info(self) -> RequestInfo:
        """What an error shows of this request: method, URL and redacted headers, no body."""
        return RequestInfo(self.method, self.url, redacted(self.headers))

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url}>"


class URL(str):
    """A URL as sent, with its parts (``scheme``, ``host``, ``port``, ``path``, ``query``) read
    on demand; ``str(url)`` is the whole URL."""

    __slots__ = ()

    @property
    def scheme(self) -> str:
        return urlsplit(self).scheme

    @property
    def host(self) -> str:
        return urlsplit(self).hostname or ""

    @property
    def port(self) -> int | None:
        port = urlsplit(self).port
        default = {"http": 80, "https": 443}.get(self.scheme)
        return None if port == default else port

    @property
    def path(self) -> str:
        return urlsplit(self).path or "/"

    @property
    def query(self) -> bytes:
        return urlsplit(self).query.encode("ascii", "replace")

    def __repr__(self) -> str:
        return f"URL({str(self)!r})"


class RequestInfo:
    """The request an error is about: method, URL and headers, secret-looking ones shown as
    ``[redacted]``; no body (it may hold a password)."""

    __slots__ = ("headers", "method", "url")

    def __init__(self, method: str, url: str, headers: Headers) -> None:
        self.method, self.url, self.headers = method, URL(url), headers

    def __repr__(self) -> str:
        return f"<RequestInfo {self.method} {self.url}>"

    def __reduce__(self) -> Any:
        return (RequestInfo, (self.method, str(self.url), self.headers))


class Headers(Mapping[str, str]):
    """Header pairs as received, looked up case-insensitively; several of one name read as
    one value joined by ``", "`` (``get_list`` gives them apart), as httpx reads them."""

    __slots__ = ("_index", "_raw")

    def __init__(self, raw: Iterable[tuple[str | bytes, str | bytes]] = ()) -> None:
        self._raw: Sequence[tuple[str | bytes, str | bytes]] = raw if isinstance(raw, list) else list(raw)
        self._index: dict[str, list[str]] | None = None

    def _pairs(self) -> dict[str, list[str]]:
        index = self._index
        if index is None:
            index = {}
            for name, value in self.multi_items():
                index.setdefault(name.lower(), []).append(value)
            self._index = index
        return index

    def multi_items(self) -> list[tuple[str, str]]:
        """Every pair, in order, as text (bytes are read as latin-1, as httpx reads them)."""
        return [
            (
                name.decode("latin-1") if isinstance(name, bytes) else name,
                value.decode("latin-1") if isinstance(value, bytes) else value,
            )
            for name, value in self._raw
        ]

    def get_list(self, name: str) -> list[str]:
        return list(self._pairs().get(name.lower(), ()))

    def __getitem__(self, name: str) -> str:
        values = self._pairs().get(name.lower())
        if values is None:
            raise KeyError(name)
        return ", ".join(values)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._pairs()

    def __iter__(self) -> Iterator[str]:
        seen: dict[str, None] = {}
        for name, _ in self.multi_items():
            seen.setdefault(name, None)
        lowered: set[str] = set()
        for name in seen:
            if name.lower() not in lowered:
                lowered.add(name.lower())
                yield name

    def __len__(self) -> int:
        return len(self._pairs())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return sorted((k.lower(), v) for k, v in self.multi_items()) == sorted(
                (k.lower(), v) for k, v in other.multi_items()
            )
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = [(k, REDACTED if SECRET_NAME.search(k) else v) for k, v in self.multi_items()]
        return f"Headers({shown!r})"

    def __reduce__(self) -> Any:
        return (Headers, (self.multi_items(),))


def redacted(headers: Iterable[tuple[str, str]]) -> Headers:
    """``headers`` with every secret-looking one (Authorization, Cookie, X-Api-Key...) redacted."""
    return Headers([(k, REDACTED if SECRET_NAME.search(k) else v) for k, v in headers])


def merge_headers(base: Sequence[tuple[str, str]], extra: Mapping[str, str]) -> list[tuple[str, str]]:
    """``base`` with ``extra`` merged in as httpx merges headers: a name already there (in any
    case) gets the new value in its place, a new name goes at the end."""
    out = list(base)
    where = {name.lower(): i for i, (name, _) in enumerate(out)}
    for name, value in extra.items():
        i = where.get(name.lower())
        if i is None:
            where[name.lower()] = len(out)
            out.append((name, value))
        else:
            out[i] = (out[i][0], value)
    return out


class Answer:
    """A whole answer: ``status_code``, ``headers`` (:class:`Headers`), ``content`` (the body,
    decoded from its Content-Encoding), ``request`` (what it answers), ``http_version`` and
    ``reason_phrase``. ``json()`` decodes strictly (no ``NaN``, no ``RecursionError``)."""

    __slots__ = ("content", "headers", "http_version", "reason_phrase", "request", "status_code")

    def __init__(
        self,
        status_code: int,
        headers: Headers,
        content: bytes,
        request: Request | RequestInfo,
        *,
        http_version: str = "HTTP/1.1",
        reason_phrase: str = "",
    ) -> None:
        self.status_code, self.headers, self.content, self.request = status_code, headers, content, request
        self.http_version, self.reason_phrase = http_version, reason_phrase

    def json(self, **kwargs: Any) -> Any:
        if kwargs:
            import json

            return json.loads(self.content, **kwargs)
        return decode_json(self.content)

    @property
    def text(self) -> str:
        return self.content.decode(_charset(self.headers.get("content-type")), errors="replace")

    def detached(self) -> Answer:
        """A copy for an exception: its request redacted, its secret-looking headers (a
        ``Set-Cookie``...) redacted, nothing tied to a connection; safe to pickle and to show."""
        request = self.request.info() if isinstance(self.request, Request) else self.request
        return Answer(
            self.status_code,
            redacted(self.headers.multi_items()),
            self.content,
            request,
            http_version=self.http_version,
            reason_phrase=self.reason_phrase,
        )

    def __repr__(self) -> str:
        return f"<Answer [{self.status_code} {self.reason_phrase}]>".replace(" ]", "]")

    def __reduce__(self) -> Any:
        detached = self.detached()
        state = (detached.http_version, detached.reason_phrase)
        return (_answer, (detached.status_code, detached.headers, detached.content, detached.request, state))


def _answer(
    status: int, headers: Headers, content: bytes, request: RequestInfo, state: tuple[str, str]
) -> Answer:
    return Answer(status, headers, content, request, http_version=state[0], reason_phrase=state[1])


def _charset(content_type: str | None) -> str:
    if content_type:
        for part in content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                import codecs

                charset = value.strip('"')
                try:
                    codecs.lookup(charset)
                except LookupError:
                    break
                return charset
    return "utf-8"
