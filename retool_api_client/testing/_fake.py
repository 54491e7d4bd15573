"""``FakeRetool``: an in-memory Retool organisation that answers as the spec says.

One synchronous entry point, :meth:`FakeRetool.handle`, takes a request (method, path, query,
headers, body) and gives an :class:`~._answers.Answer`; the in-process transport
(``_transport``) and the HTTP server (``_server``) both call it, under a lock, so the two ways
in share state. A request goes through, in order: the injected faults, ``GET /spec``, the
token, the rate limit, the route and the request check (``_routes``), then its handler
(``_handlers``) over the store (``_store``) and the renderer (``_render``).
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import os
import random
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from . import _data
from ._answers import Answer, ReceivedRequest, Refused, error, loose_json, reason
from ._clock import VirtualClock, VirtualTime
from ._data import Maker
from ._handlers import Handlers
from ._limits import RateLimit, RateLimiter
from ._render import Renderer
from ._routes import Router
from ._spec import Operation, Spec, load
from ._store import Store

if TYPE_CHECKING:
    from .. import RetoolClient
    from ._server import Serving


@dataclass
class Fault:
    """A failure :meth:`FakeRetool.fail` injects: ``times`` answers (None: every one)."""

    method: str
    path: str
    status: int = 503
    times: int | None = 1
    retry_after: float | None = None
    reset: bool = False
    body: Any = None
    hits: int = 0
    _regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        pattern = "".join(
            "[^/]+" if part.startswith("{") else ".*" if part == "*" else re.escape(part)
            for part in re.split(r"(\{[^}]*\}|\*)", self.path)
            if part
        )
        self._regex = re.compile(pattern.rstrip("/") + "/?")

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return self.method in ("*", method) and self._regex.fullmatch(path) is not None

    def answer(self) -> Answer:
        if self.reset:
            return Answer(0, reset=True)
        extra = {} if self.retry_after is None else {"Retry-After": f"{self.retry_after:g}"}
        if self.body is not None:
            return Answer(
                self.status, {"Content-Type": "application/json", **extra}, json.dumps(self.body).encode()
            )
        return error(self.status, reason(self.status), extra)


class FakeRetool:
    """An in-memory, stateful Retool organisation driven by the spec the SDK was generated from.

    Args:
        seed: makes ids, tokens, made-up answers and :meth:`populate` repeatable; each value
            comes from the seed and where it goes, so a Retool release that changes one field
            leaves the others' values as they were.
        clock: returns the current time (a timezone-aware ``datetime``) for ``created_at`` /
            ``updated_at``; default: a virtual clock ticking a second per read.
        spec: another Retool release's OpenAPI document (a dict, or the path of a JSON file)
            instead of the one shipped in the package; served at ``GET {root}/spec``.
        token: the Bearer token to accept (default: one made from the seed).
        rate_limit: answer 429 with ``Retry-After`` past this many requests per token in any
            rolling window: ``300`` (per minute, an instance's ``API_CALLS_PER_MIN``) or
            ``(N, seconds)``. Default: no limit.
        rate_clock: the rate limit's clock (seconds, monotonic); default: real time plus the
            waits of :meth:`client`'s retries (which do not wait for real).

    ``fake.token`` is the Bearer token it accepts; ``fake.requests`` lists what it received.
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        clock: Callable[[], datetime] | None = None,
        spec: Mapping[str, Any] | str | os.PathLike[str] | None = None,
        token: str | None = None,
        rate_limit: RateLimit | int | tuple[int, float] | None = None,
        rate_clock: Callable[[], float] | None = None,
    ) -> None:
        self.seed = seed
        self.spec: Spec = load(spec)
        self.clock: Callable[[], datetime] = clock or VirtualClock()
        self.token = token or self._minted(0)
        self._tokens = [self.token]
        self.requests: list[ReceivedRequest] = []
        #: what :meth:`client`'s retries wait on: recorded in ``sleeps``, never waited for real
        self.time = VirtualTime()
        self.rate_limit = None if rate_limit is None else RateLimit.of(rate_limit)
        self._limiter = (
            None
            if self.rate_limit is None
            else RateLimiter(self.rate_limit, rate_clock or self.time.real_plus_slept)
        )
        maker = Maker(self.spec.defs)
        self._store = Store(self.spec, maker, seed, self.now)
        self._router = Router(self.spec, maker)
        self._renderer = Renderer(self.spec, self._store, maker)
        self._handlers = Handlers(self.spec, self._store, self._renderer, self._router, maker)
        self._faults: list[Fault] = []
        self._lock = threading.RLock()
        self._served = 0

    def __repr__(self) -> str:
        counts = ", ".join(f"{n}={len(r)}" for n, r in self._store.records.items() if r)
        return f"FakeRetool(seed={self.seed}, {counts or 'empty'})"

    # -- public helpers ---------------------------------------------------------------------

    @property
    def sleeps(self) -> list[float]:
        """The delays :meth:`client`'s retries asked for (never waited for real)."""
        return self.time.sleeps

    def now(self) -> str:
        """The clock's time as Retool writes it (``2026-01-05T09:00:01.000Z``)."""
        return _data.timestamp(self.clock())

    @property
    def collections(self) -> list[str]:
        """The stateful collections found in the spec (``users``, ``groups``...)."""
        return list(self.spec.collections)

    def behaviour(self) -> dict[str, str]:
        """``"METHOD /path (operationId)"`` -> what the fake does for it: ``users: list``,
        ``groups members: add``, ``stored document``... or ``made up from the schema``."""
        return self._handlers.behaviour()

    def records(self, collection: str) -> list[dict[str, Any]]:
        """Copies of the stored records of ``collection``, as the list operation shows them."""
        coll = self._store.collection(collection)
        with self._lock:
            return [
                self._renderer.render(coll, r, coll.ops.get("list") or coll.ops.get("get"))
                for r in self._store.all(coll)
            ]

    def add(
        self, collection: str, record: Mapping[str, Any] | None = None, /, **fields: Any
    ) -> dict[str, Any]:
        """Put one record in, as it is: ``fake.add("users", {"email": "ada@example.com"})``.

        Any field of the collection's records may be given (``id``, ``created_at``, a group's
        ``members`` as ids or entries); the others are made as :meth:`populate` makes them.
        Returns the stored record as :meth:`records` shows it. A field the records do not have,
        a value that does not fit, a taken id or a member that is not there: ``ValueError``."""
        values = {**(record or {}), **fields}
        coll = self._store.collection(collection)
        with self._lock:
            stored = self._store.add(coll, values)
            return self._renderer.render(coll, stored, coll.ops.get("list") or coll.ops.get("get"))

    def populate(self, **counts: int) -> FakeRetool:
        """Add ``count`` records to each named collection (``populate(users=300, groups=6)``),
        with realistic names and emails; groups get members from the users already there."""
        for name, count in counts.items():
            coll = self._store.collection(name)
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"populate({name}=...) takes a count >= 0, got {count!r}")
            with self._lock:
                self._store.populate(coll, count)
        return self

    def new_token(self) -> str:
        """Another API token this fake accepts (the rate limit counts each token apart)."""
        with self._lock:
            token = self._minted(len(self._tokens))
            self._tokens.append(token)
            return token

    def fail(
        self,
        method: str,
        path: str,
        *,
        status: int = 503,
        times: int | None = 1,
        retry_after: float | None = None,
        reset: bool = False,
        body: Any = None,
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status`` (or drop the connection
        with ``reset=True``). ``path`` is under the API root, as in the spec, and may use
        ``{param}`` or ``*`` (``"/users/{userId}"``, ``"*"``); ``method`` may be ``"*"``.
        ``retry_after`` sends a ``Retry-After`` header (seconds)."""
        fault = Fault(method.upper(), self._relative(path), status, times, retry_after, reset, body)
        with self._lock:
            self._faults.append(fault)
        return fault

    def respond(
        self, method: str, path: str, body: Any, *, status: int = 200, times: int | None = None
    ) -> Fault:
        """Answer matching requests with ``body`` as JSON (``status`` 200; every time, or the
        next ``times``): an answer the fake cannot make up, such as one the spec documents
        without a schema. ``method`` and ``path`` match as in :meth:`fail`."""
        return self.fail(method, path, status=status, times=times, body=body)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def client(self, **options: Any) -> RetoolClient:
        """A ``RetoolClient`` wired to this fake in-process (no sockets). Retries do not wait:
        their delays go to ``fake.sleeps``. ``options`` go to ``RetoolClient``; with
        ``base_url=`` (what :meth:`serve` gives) the client goes over HTTP, still not waiting."""
        from ._transport import client

        return client(self.handle, root=self.spec.root, token=self.token, time=self.time, **options)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Serving:
        """Serve this fake over HTTP: ``async with fake.serve() as base_url`` (or ``with``);
        ``base_url`` is the API root, ``http://127.0.0.1:PORT/api/v2``."""
        from ._server import Serving

        return Serving(self.handle, self.spec.root, host, port)

    # -- the entry point --------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: str | Mapping[str, Any] = "",
        headers: Mapping[str, str] | None = None,
        body: Any = b"",
    ) -> Answer:
        """Answer one request; never raises (what the fake cannot take is a 4xx in Retool's
        shape). ``path`` is under the API root, as ``fail()`` takes it (``/users/user_1``), or
        the URL's whole path (``/api/v2/users/user_1``); ``query`` the raw query string or a
        mapping; ``body`` bytes, text, or a value to send as JSON."""
        try:
            method, relative, params, lowered, raw = self._request(method, path, query, headers, body)
        except Exception as exc:  # arguments it cannot read: the caller's request is bad
            return error(400, f"FakeRetool.handle: {type(exc).__name__}: {exc}")
        with self._lock:
            self._served += 1
            request_id = str(
                uuid.UUID(
                    int=random.Random(f"{self.seed}:request:{self._served}").getrandbits(128), version=4
                )
            )
            op: Operation | None = None
            try:
                op, answer = self._answer(method, relative, params, lowered, raw)
            except Refused as refused:
                answer = refused.answer()
            except Exception as exc:  # a bug in the fake: say so rather than crash the caller
                answer = error(500, f"FakeRetool internal error ({type(exc).__name__}); please report it")
            if op is None:
                op = self._operation(method, relative)
            self.requests.append(
                ReceivedRequest(
                    method,
                    relative,
                    params,
                    loose_json(raw),
                    op.operation_id if op else None,
                    None if answer.reset else answer.status,
                    request_id,
                )
            )
        if answer.reset:
            return answer
        return dataclasses.replace(answer, headers={**answer.headers, "x-request-id": request_id})

    def _request(
        self, method: Any, path: Any, query: Any, headers: Any, body: Any
    ) -> tuple[str, str, dict[str, list[str]], dict[str, str], bytes]:
        """The request's parts as :meth:`_answer` takes them."""
        path = str(path)
        if "?" in path and not query:
            path, _, query = path.partition("?")
        if not isinstance(query, str):  # a mapping, or (name, value) pairs
            pairs = query.items() if isinstance(query, Mapping) else query
            query = urlencode(
                [(k, str(v).lower() if isinstance(v, bool) else v) for k, v in pairs], doseq=True
            )
        params = parse_qs(str(query), keep_blank_values=True) if query else {}
        pairs = (headers or {}).items() if isinstance(headers, Mapping) or headers is None else headers
        lowered = {str(k).lower(): str(v) for k, v in pairs}
        if body is None:
            raw = b""
        elif isinstance(body, bytes | bytearray | memoryview):
            raw = bytes(body)
        elif isinstance(body, str):
            raw = body.encode()
        else:
            raw = json.dumps(body).encode()
        return str(method).upper(), self._relative(path), params, lowered, raw

    def _relative(self, path: str) -> str:
        """A path under the API root: the root taken off when it is there."""
        path, root = "/" + path.lstrip("/"), self.spec.root
        if path == root or path.startswith(root + "/"):
            path = path[len(root) :] or "/"
        return path

    def _operation(self, method: str, relative: str) -> Operation | None:
        try:
            return self._router.route(method, relative)[0]
        except Refused:
            return None

    def _answer(
        self, method: str, relative: str, params: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> tuple[Operation | None, Answer]:
        for fault in self._faults:
            if fault.matches(method, relative):
                fault.hits += 1
                return None, fault.answer()
        if (
            method in ("GET", "HEAD")
            and relative.rstrip("/") == "/spec"
            and "/spec" not in self.spec.by_template
        ):
            return None, Answer(200, {"Content-Type": "application/json"}, self.spec.document)
        supplied = headers.get("authorization", "")
        token = next(
            (t for t in self._tokens if hmac.compare_digest(supplied.encode(), f"Bearer {t}".encode())), None
        )
        if token is None:
            raise Refused(401, "Unauthorized: a valid API token is required (Authorization: Bearer ...)")
        if self._limiter is not None:
            self._limiter.admit(token)
        op, path_values = self._router.route(method, relative)
        query, parsed = self._router.check(op, path_values, params, body)
        return op, self._handlers.dispatch(op, path_values, query, parsed)

    def _minted(self, n: int) -> str:
        return (
            f"retool_fake_{random.Random(f'{self.seed}:token' + (f':{n}' if n else '')).getrandbits(96):024x}"
        )
