"""A client-side rate limit: at most ``per_minute`` requests a minute, ``burst`` of them at once,
counted in this process or, for replicas that share one budget, in a Redis server.

The algorithm is GCRA (the generic cell rate algorithm: a token bucket kept as one number, the
time the bucket would next be empty) in its *reserving* form: each request takes the next free
slot and is told how long to wait for it. So a request costs the limit one step (one Redis
round trip) however many others are waiting, and waiting requests go in the order they asked.
A request cancelled while it waits gives its slot back when no later one was taken.

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
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ._exceptions import ConfigurationError, RateLimiterError

if TYPE_CHECKING:
    from ._deadline import Deadlines

__all__ = ["LocalLimiter", "RateLimit", "RedisLimiter"]

#: How long a Redis server may take to answer one reservation (``RateLimit(timeout=...)``).
DEFAULT_REDIS_TIMEOUT_S = 1.0
KEY_PREFIX = "retool_api_client:rate:"


class RateLimit:
    """At most ``per_minute`` requests a minute, ``burst`` at once (default 1: evenly spaced).

    ``RetoolClient(rate_limit=RateLimit(300))`` keeps one client (and its ``with_options``
    copies) under 300 a minute. With ``redis="redis://host:6379/0"`` (or a
    ``redis.asyncio.Redis`` of your own) every client given the same URL and ``key`` shares
    one budget, across processes and machines; ``key`` defaults to one per Retool URL.
    ``timeout`` bounds each Redis round trip: past it the call raises ``RateLimiterError``
    and nothing is sent.

    A server that counts N requests in any rolling minute is never exceeded by
    ``RateLimit(N)``; with ``burst=b`` it needs ``RateLimit(N - b + 1, burst=b)``.
    """

    __slots__ = ("burst", "key", "per_minute", "redis", "timeout")

    per_minute: float
    burst: int
    redis: Any
    key: str | None
    timeout: float

    def __init__(
        self,
        per_minute: float,
        burst: int = 1,
        *,
        redis: Any = None,
        key: str | None = None,
        timeout: float = DEFAULT_REDIS_TIMEOUT_S,
    ) -> None:
        if (
            isinstance(per_minute, bool)
            or not isinstance(per_minute, int | float)
            or not math.isfinite(per_minute)
            or per_minute <= 0
        ):
            raise ConfigurationError(f"rate_limit: per_minute must be a number > 0, got {per_minute!r}")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ConfigurationError(f"rate_limit: burst must be an integer >= 1, got {burst!r}")
        if redis is not None and not isinstance(redis, str) and not callable(getattr(redis, "eval", None)):
            raise ConfigurationError(
                "rate_limit: redis must be a redis:// URL or a redis.asyncio.Redis, "
                f"got {type(redis).__name__}"
            )
        if isinstance(redis, str) and urlsplit(redis).scheme not in ("redis", "rediss", "unix"):
            raise ConfigurationError(
                f"rate_limit: redis must be a redis://, rediss:// or unix:// URL, got {shown_url(redis)!r}"
            )
        if key is not None and (not isinstance(key, str) or not key):
            raise ConfigurationError(f"rate_limit: key must be a non-empty string, got {key!r}")
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise ConfigurationError(f"rate_limit: timeout must be a number of seconds > 0, got {timeout!r}")
        for name, value in (
            ("per_minute", float(per_minute)),
            ("burst", burst),
            ("redis", redis),
            ("key", key),
            ("timeout", float(timeout)),
        ):
            object.__setattr__(self, name, value)

    @classmethod
    def of(cls, value: object) -> RateLimit | None:
        """``rate_limit=`` as given: a :class:`RateLimit`, a number (per minute), or None."""
        if value is None or isinstance(value, RateLimit):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return cls(value)
        raise ConfigurationError(
            f"rate_limit must be a RateLimit or a number of requests per minute, got {type(value).__name__}"
        )

    @property
    def interval(self) -> float:
        """Seconds between two requests once the burst is spent."""
        return 60.0 / self.per_minute

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
        if isinstance(self.redis, str) and urlsplit(self.redis).password is None:
            return (_rebuild, (self.per_minute, self.burst, self.redis, self.key, self.timeout))
        if self.redis is None:
            return (_rebuild, (self.per_minute, self.burst, None, self.key, self.timeout))
        raise TypeError("a RateLimit with a Redis password or client cannot be pickled (it would carry them)")


def _rebuild(per_minute: float, burst: int, redis: str | None, key: str | None, timeout: float) -> RateLimit:
    return RateLimit(per_minute, burst, redis=redis, key=key, timeout=timeout)


def shown_url(url: str) -> str:
    """``url`` without its password (the user name stays: it says which account)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class Limiter:
    """What the retry loop needs of a limit: a slot, and a slot given back."""

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
    """The limit kept in this process, on the client's clock."""

    __slots__ = ("_clock", "_interval", "_tat", "_tolerance")

    def __init__(self, rate: RateLimit, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._interval = rate.interval
        self._tolerance = (rate.burst - 1) * rate.interval
        self._tat = -math.inf  # the time the bucket is next empty

    async def reserve(self, max_wait: float | None) -> tuple[float, object] | None:
        now = self._clock()
        tat = max(self._tat, now)
        wait = max(0.0, tat - self._tolerance - now)
        if max_wait is not None and wait > max_wait:
            return None
        self._tat = tat + self._interval
        return wait, self._tat

    def give_back(self, ticket: object) -> None:
        if ticket == self._tat:
            self._tat -= self._interval


#: One reservation, atomically: reads the server's clock (one clock for every replica), takes the
#: next slot unless it is further than ARGV[3] microseconds away, and keeps the key only as long
#: as it matters. KEYS[1]: the limit; ARGV: interval and burst tolerance in microseconds, the
#: longest wait (-1: none). Returns {wait in microseconds, the new TAT} or {-1, wait} (not taken).
RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tonumber(ARGV[2]) - now
if wait < 0 then wait = 0 end
local longest = tonumber(ARGV[3])
if longest >= 0 and wait > longest then return {-1, wait} end
local after = tat + tonumber(ARGV[1])
local new = string.format('%.0f', after)
redis.call('SET', KEYS[1], new, 'PX', string.format('%.0f', math.ceil((after - now) / 1000) + 1000))
return {wait, new}
"""

#: A slot given back: only while no later slot was taken (the TAT is still the one it set).
GIVE_BACK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], string.format('%.0f', tonumber(ARGV[1]) - tonumber(ARGV[2])), 'KEEPTTL')
  return 1
end
return 0
"""


class RedisLimiter(Limiter):
    """The limit kept in a Redis server (``RESERVE``: one round trip per request), shared by
    every client that names the same server and key."""

    def __init__(self, rate: RateLimit, key: str, deadlines: Deadlines) -> None:
        import redis.asyncio as aioredis

        self.key, self.timeout, self._deadlines = key, rate.timeout, deadlines
        self._interval_us = math.ceil(rate.interval * 1e6)
        self._tolerance_us = (rate.burst - 1) * self._interval_us
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
            if self._secret:
                reason = reason.replace(self._secret, "[redacted]")
            message = f"the shared rate limit at {self.url} {what}: {reason}"
            raise RateLimiterError(message, url=self.url) from None

    async def reserve(self, max_wait: float | None) -> tuple[float, object] | None:
        longest = -1 if max_wait is None else max(0, math.floor(max_wait * 1e6))
        args = [self._interval_us, self._tolerance_us, longest]
        got, new = await self._ask(
            "gave no slot; nothing was sent", lambda: self._reserve(keys=[self.key], args=args)
        )
        if int(got) < 0:
            return None
        return int(got) / 1e6, new

    def give_back(self, ticket: object) -> None:
        async def give() -> None:
            with contextlib.suppress(RateLimiterError):  # else the slot passes unused
                args = [ticket, self._interval_us]
                await self._ask("took no slot back", lambda: self._give_back(keys=[self.key], args=args))

        task: asyncio.Task[object] = asyncio.get_running_loop().create_task(give())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def start(self) -> None:
        await self._ask("cannot be reached", self._redis.ping)

    async def aclose(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        if self._owned:
            await self._redis.aclose()
