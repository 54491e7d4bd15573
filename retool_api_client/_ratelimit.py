"""A client-side rate limit: at most ``per_minute`` requests a minute, ``burst`` of them at once,
counted in this process or, for replicas that share one budget, in a Redis server.

The algorithm is GCRA (the generic cell rate algorithm: a token bucket kept as one number, the
time the bucket would next be empty), with a rolling window beside it for a burst (no more
than ``burst`` slots within the time the burst takes to come back: a ring of the last
``burst`` slots), in its *reserving* form: each request takes the next free slot and is told
how long to wait for it. So a request costs the limit one step (one Redis round trip) however
many others are waiting, and waiting requests go in the order they asked. A request cancelled
while it waits gives its slot back when no later one was taken.

Written here, after measuring ``aiolimiter`` 1.3, ``limits`` 5.8 and ``pyrate-limiter`` 4.6
(method and figures in docs/replicas.md), because none of them does three things this needs:

* reserve: each answers "not now" and leaves the caller to poll, so with many requests
  waiting each one costs many round trips (pyrate-limiter's Redis GCRA, ``limits``' moving
  window) where one is enough;
* read the time from Redis: they stamp requests with each client's own clock, so replicas on
  machines whose clocks differ share the budget unevenly; the script here reads ``TIME``;
* wait on the client's injected clock and sleeper (tests never sleep for real): aiolimiter
  waits on the event loop's timers and keeps no shared state at all.

``redis`` (redis-py's asyncio client, the ``redis`` extra) is imported only by a limit that
names a Redis server.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit, urlunsplit

from ._exceptions import ConfigurationError, RateLimiterError, scrub

if TYPE_CHECKING:
    from ._deadline import Deadlines

__all__ = ["LocalLimiter", "RateLimit", "RedisLimiter"]

#: How long a Redis server may take to answer one reservation (``RateLimit(timeout=...)``).
DEFAULT_REDIS_TIMEOUT_S = 1.0
#: The share of the rate left unused (``RateLimit(headroom=...)``), for requests that reach the
#: server a little earlier or later than their turn.
DEFAULT_HEADROOM = 0.02
KEY_PREFIX = "retool_api_client:rate:"


class RateLimit:
    """``per_minute`` requests a minute, at most ``burst`` at once.

    With ``burst=1`` (the default) requests go evenly spaced, ``60 / per_minute`` seconds apart.
    A larger burst lets that many go at once, and never more than ``burst`` within the time the
    burst takes to come back (``burst * 60 / per_minute`` seconds, a rolling window):
    ``RateLimit(300, burst=300)`` is 300 in any rolling minute, all at once if need be, as a
    server that counts 300 per rolling minute allows; ``RateLimit(600, burst=30)`` is 30 in
    any 3 seconds.

    ``RetoolClient(rate_limit=RateLimit(300))`` keeps one client (and its ``with_options``
    copies) to that. With ``redis="redis://host:6379/0"`` (or a ``redis.asyncio.Redis`` of your
    own) every client given the same server and ``key`` shares one budget, across processes
    and machines; ``key`` defaults to one per Retool URL. ``timeout`` bounds each Redis round
    trip: past it the call raises ``RateLimiterError`` and nothing is sent.

    ``headroom`` is the share of the budget left unused (default 2%: ``RateLimit(300)`` lets 294
    go a minute). A server counts a request when it arrives, a little after its turn here and
    not always equally late: spaced exactly at the server's limit, two requests a window apart
    would arrive less than a window apart about half the time, and one would get a 429.
    """

    __slots__ = ("burst", "headroom", "key", "per_minute", "redis", "timeout")

    per_minute: float
    burst: int
    redis: Any
    key: str | None
    timeout: float
    headroom: float

    def __init__(
        self,
        per_minute: float,
        burst: int = 1,
        *,
        redis: Any = None,
        key: str | None = None,
        timeout: float = DEFAULT_REDIS_TIMEOUT_S,
        headroom: float = DEFAULT_HEADROOM,
    ) -> None:
        if (
            isinstance(per_minute, bool)
            or not isinstance(per_minute, int | float)
            or not math.isfinite(per_minute)
            or per_minute <= 0
        ):
            raise ConfigurationError(f"RateLimit: per_minute must be a number > 0, got {per_minute!r}")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ConfigurationError(f"RateLimit: burst must be an integer >= 1, got {burst!r}")
        if redis is not None and not isinstance(redis, str) and not callable(getattr(redis, "eval", None)):
            raise ConfigurationError(
                "RateLimit: redis must be a redis:// URL or a redis.asyncio.Redis, "
                f"got {type(redis).__name__}"
            )
        if isinstance(redis, str) and urlsplit(redis).scheme not in ("redis", "rediss", "unix"):
            raise ConfigurationError(
                f"RateLimit: redis must be a redis://, rediss:// or unix:// URL, got {shown_url(redis)!r}"
            )
        if key is not None and (not isinstance(key, str) or not key):
            raise ConfigurationError(f"RateLimit: key must be a non-empty string, got {key!r}")
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise ConfigurationError(f"RateLimit: timeout must be a number of seconds > 0, got {timeout!r}")
        if (
            isinstance(headroom, bool)
            or not isinstance(headroom, int | float)
            or not 0 <= headroom < 1  # also refuses NaN
        ):
            raise ConfigurationError(f"RateLimit: headroom must be a number in [0, 1), got {headroom!r}")
        for name, value in (
            ("per_minute", float(per_minute)),
            ("burst", burst),
            ("redis", redis),
            ("key", key),
            ("timeout", float(timeout)),
            ("headroom", float(headroom)),
        ):
            object.__setattr__(self, name, value)

    @classmethod
    def of(cls, value: object) -> RateLimit | None:
        """``rate_limit=`` as given: a :class:`RateLimit`, a number (per minute), or None."""
        if value is None or isinstance(value, RateLimit):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not value > 0 or math.isinf(value):  # NaN too
                raise ConfigurationError(
                    f"rate_limit must be a number of requests per minute > 0, got {value!r}"
                )
            return cls(value)
        raise ConfigurationError(
            f"rate_limit must be a RateLimit or a number of requests per minute, got {type(value).__name__}"
        )

    def steps(self) -> tuple[float, float, float, int]:
        """The limit in the limiters' terms, the headroom taken off: the seconds between two
        slots once the burst is spent, the burst's tolerance (seconds), and the rolling window
        (seconds) that may hold ``burst`` slots, with that count (0 for a burst of 1: even
        spacing keeps to it by itself)."""
        interval = 60.0 / (self.per_minute * (1.0 - self.headroom))
        burst = self.burst
        return interval, (burst - 1) * interval, burst * interval, burst if burst > 1 else 0

    def limiter(self, clock: Callable[[], float], deadlines: Deadlines, base_url: str) -> Limiter:
        """The limiter this describes: in this process on ``clock``, or in Redis."""
        if self.redis is None:
            return LocalLimiter(self, clock)
        return RedisLimiter(self, self.key or KEY_PREFIX + base_url, deadlines)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"RateLimit is immutable; make a new one ({name})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RateLimit):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __hash__(self) -> int:
        return hash((self.per_minute, self.burst, self.key))

    def __repr__(self) -> str:
        where = ""
        if self.redis is not None:
            shown = shown_url(self.redis) if isinstance(self.redis, str) else type(self.redis).__name__
            where = f", redis={shown!r}, key={self.key!r}"
        return f"RateLimit(per_minute={self.per_minute:g}, burst={self.burst}{where})"

    def __reduce__(self) -> Any:
        if self.redis is not None and (not isinstance(self.redis, str) or urlsplit(self.redis).password):
            raise TypeError(
                "a RateLimit with a Redis password or client cannot be pickled (it would carry them)"
            )
        return (_rebuild, ({name: getattr(self, name) for name in self.__slots__},))


def _rebuild(state: dict[str, Any]) -> RateLimit:
    return RateLimit(**state)


def shown_url(url: str) -> str:
    """``url`` without its password (the user name stays: it says which account)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = (
        (f"{parts.username}@" if parts.username else "") + host + (f":{parts.port}" if parts.port else "")
    )
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class Limiter:
    """What the retry loop needs of a limit: a slot, and a slot given back."""

    __slots__ = ()

    async def reserve(self, max_wait: float | None) -> tuple[float, object] | None:
        """Take the next slot: seconds until it, and a ticket for :meth:`give_back`; None (and
        nothing taken) when the wait would pass ``max_wait``."""
        raise NotImplementedError

    def give_back(self, ticket: object) -> None:
        """Return a slot whose request was cancelled before it was sent, if none was taken
        after it (a later slot keeps its time, so the rate holds)."""

    async def start(self) -> None:
        """Check the limit can be used (a Redis server answers)."""

    async def aclose(self) -> None:
        """Release what the limit holds (a Redis connection pool)."""


class LocalLimiter(Limiter):
    """The limit kept in this process, on the client's clock (the same steps as ``RESERVE``)."""

    __slots__ = ("_clock", "_interval", "_last", "_n", "_ring", "_tat", "_tolerance", "_window")

    def __init__(self, rate: RateLimit, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._interval, self._tolerance, self._window, count = rate.steps()
        self._ring: list[float | None] | None = [None] * count if count else None
        self._tat = self._last = -math.inf  # when the burst is whole again; the latest slot
        self._n = 0  # slots given so far

    async def reserve(self, max_wait: float | None) -> tuple[float, object] | None:
        now = self._clock()
        tat = max(self._tat, now)
        slot = max(tat - self._tolerance, now, self._last)
        ring, index, old = self._ring, 0, None
        if ring is not None:
            index = self._n % len(ring)
            old = ring[index]  # the slot given a window's count ago
            if old is not None:
                slot = max(slot, old + self._window)
        wait = slot - now
        if max_wait is not None and wait > max_wait:
            return None
        ticket = (self._n + 1, self._tat, self._last, index, old)
        self._tat, self._last, self._n = tat + self._interval, slot, self._n + 1
        if ring is not None:
            ring[index] = slot
        return wait, ticket

    def give_back(self, ticket: object) -> None:
        n, tat, last, index, old = cast(tuple[int, float, float, int, float | None], ticket)
        if n == self._n:  # no slot was given after this one
            self._n, self._tat, self._last = n - 1, tat, last
            if self._ring is not None:
                self._ring[index] = old


#: One reservation, atomically, in one hash that expires once it no longer matters. It reads
#: the server's clock (one clock for every replica) and gives the next slot no earlier than:
#: now; the previous slot; the burst's (GCRA: ``tat`` less the tolerance); and, with a burst,
#: a window after the slot given a window's count ago (a ring of slots, fields 0..count-1).
#: ARGV: interval, tolerance, window (microseconds), count (0: no ring), the longest wait
#: (-1: none). Returns {wait, n, tat, last, ring value} (the state before, for GIVE_BACK), or
#: {-1, wait} when the wait is longer than allowed (nothing taken).
RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local window, count, longest = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local state = redis.call('HMGET', KEYS[1], 'tat', 'n', 'last')
local tat = math.max(tonumber(state[1]) or 0, now)
local n = tonumber(state[2]) or 0
local slot = math.max(tat - tolerance, now, tonumber(state[3]) or 0)
local index, old = '', false
if count > 0 then
  index = tostring(n % count)
  old = redis.call('HGET', KEYS[1], index)
  if old then slot = math.max(slot, tonumber(old) + window) end
end
local wait = slot - now
if longest >= 0 and wait > longest then return {-1, string.format('%.0f', wait)} end
local f = function(x) return string.format('%.0f', x) end
redis.call('HSET', KEYS[1], 'tat', f(tat + interval), 'n', n + 1, 'last', f(slot))
if count > 0 then redis.call('HSET', KEYS[1], index, f(slot)) end
local keep = math.max(tat + interval, slot + window) - now
redis.call('PEXPIRE', KEYS[1], f(math.ceil(keep / 1000) + 1000))
return {f(wait), n + 1, state[1] or '', state[3] or '', index, old or ''}
"""

#: A slot given back, only while no later one was given (``n`` is still the one it set): the
#: hash as it was before. ARGV: n, tat, last, ring index, ring value ('' where there was none).
GIVE_BACK = """
if redis.call('HGET', KEYS[1], 'n') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'n', tonumber(ARGV[1]) - 1)
local fields = {'tat', ARGV[2], 'last', ARGV[3]}
if ARGV[4] ~= '' then table.insert(fields, ARGV[4]); table.insert(fields, ARGV[5]) end
for i = 1, #fields, 2 do
  if fields[i + 1] == '' then redis.call('HDEL', KEYS[1], fields[i])
  else redis.call('HSET', KEYS[1], fields[i], fields[i + 1]) end
end
return 1
"""


class RedisLimiter(Limiter):
    """The limit kept in a Redis server (``RESERVE``: one round trip per request), shared by
    every client that names the same server and key."""

    def __init__(self, rate: RateLimit, key: str, deadlines: Deadlines) -> None:
        try:
            import redis.asyncio as aioredis
        except ImportError:
            raise ConfigurationError(
                "RateLimit(redis=...): a limit kept in Redis needs redis-py: "
                "pip install 'retool-api-client[redis]'"
            ) from None

        self.key, self.timeout, self._deadlines = key, rate.timeout, deadlines
        interval, tolerance, window, self._count = rate.steps()
        self._interval_us, self._tolerance_us, self._window_us = (
            math.ceil(x * 1e6) for x in (interval, tolerance, window)
        )
        if isinstance(rate.redis, str):
            self.url = shown_url(rate.redis)
            self._secret = urlsplit(rate.redis).password
            self._redis: Any = aioredis.Redis.from_url(
                rate.redis, socket_connect_timeout=rate.timeout, socket_timeout=rate.timeout
            )
            self._owned = True
        else:
            self.url, self._secret = f"{type(rate.redis).__name__} given as redis=", None
            self._redis, self._owned = rate.redis, False
        self._reserve = self._redis.register_script(RESERVE)
        self._give_back = self._redis.register_script(GIVE_BACK)
        self._pending: set[asyncio.Task[object]] = set()

    async def _ask(self, what: str, request: Callable[[], Awaitable[Any]]) -> Any:
        """``request()``'s answer within ``timeout``, or ``RateLimiterError`` saying ``what``
        failed (with no password in it, and no cause that could hold one)."""
        import redis.exceptions

        try:
            with self._deadlines.within(self.timeout):
                return await request()
        except (TimeoutError, OSError, redis.exceptions.RedisError) as exc:
            reason = f"no answer within {self.timeout:g}s" if isinstance(exc, TimeoutError) else str(exc)
            reason = scrub(reason, (self._secret,))
            message = f"the shared rate limit at {self.url} {what}: {reason}"
            raise RateLimiterError(message, url=self.url) from None

    async def reserve(self, max_wait: float | None) -> tuple[float, object] | None:
        longest = -1 if max_wait is None else max(0, math.floor(max_wait * 1e6))
        args = [self._interval_us, self._tolerance_us, self._window_us, self._count, longest]
        got = await self._ask(
            "gave no slot; nothing was sent", lambda: self._reserve(keys=[self.key], args=args)
        )
        if int(got[0]) < 0:
            return None
        return int(got[0]) / 1e6, [_text(x) for x in got[1:]]

    def give_back(self, ticket: object) -> None:
        async def give() -> None:
            with contextlib.suppress(RateLimiterError):  # else the slot passes unused
                args = ticket
                await self._ask("took no slot back", lambda: self._give_back(keys=[self.key], args=args))

        task: asyncio.Task[object] = asyncio.get_running_loop().create_task(give())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def start(self) -> None:
        async def ready() -> None:
            await self._redis.ping()
            for script in (RESERVE, GIVE_BACK):  # loaded now, not by the first calls all at once
                await self._redis.script_load(script)

        await self._ask("cannot be reached", ready)

    async def aclose(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        if self._owned:
            await self._redis.aclose()


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
