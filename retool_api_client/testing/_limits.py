"""The server-side rate limit: at most N requests per token in any rolling window, as a Retool
instance limits API calls per minute (self-hosted: ``API_CALLS_PER_MIN``, default 300).

A sliding log per token: a request is let through when fewer than N requests of that token
were let through in the last ``per`` seconds; otherwise it is refused with the time until the
oldest of them leaves the window. Refused requests do not count. Hand-written because it is
twenty lines and the libraries that limit rates (limits, aiolimiter) limit the caller, not a
server's answers, and would be a dependency of the package.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ._answers import Refused


@dataclass(frozen=True)
class RateLimit:
    """``limit`` requests per token in any window of ``per`` seconds."""

    limit: int
    per: float = 60.0

    def __post_init__(self) -> None:
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 1:
            raise ValueError(
                f"rate_limit: the number of requests must be an integer >= 1, got {self.limit!r}"
            )
        if isinstance(self.per, bool) or not isinstance(self.per, int | float) or not self.per > 0:
            raise ValueError(f"rate_limit: the window must be a number of seconds > 0, got {self.per!r}")

    @classmethod
    def of(cls, value: RateLimit | int | tuple[int, float] | str) -> RateLimit:
        """``300`` (per minute), ``(5, 1.0)`` (per second), ``"5/1"`` (the command line's form)."""
        if isinstance(value, RateLimit):
            return value
        if isinstance(value, str):
            m = re.fullmatch(r"\s*(\d+)\s*(?:/\s*(\d+(?:\.\d*)?|\.\d+)\s*)?", value)
            if m is None:
                raise ValueError(f"rate_limit: N or N/SECONDS, got {value!r}")
            return cls(int(m.group(1)), float(m.group(2)) if m.group(2) else 60.0)
        if isinstance(value, tuple) and len(value) == 2:
            return cls(value[0], value[1])
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        raise ValueError(f"rate_limit: N (per minute) or (N, seconds), got {value!r}")


class RateLimiter:
    """Counts each token's requests on ``clock`` (seconds, monotonic)."""

    def __init__(self, rate: RateLimit, clock: Callable[[], float]) -> None:
        self.rate, self.clock = rate, clock
        self._seen: dict[str, deque[float]] = {}

    def admit(self, token: str) -> None:
        """Count one request of ``token``, or refuse it with a 429 and ``Retry-After``."""
        now = self.clock()
        seen = self._seen.setdefault(token, deque())
        while seen and seen[0] <= now - self.rate.per:
            seen.popleft()
        if len(seen) < self.rate.limit:
            seen.append(now)
            return
        wait = max(seen[0] + self.rate.per - now, 0.001)
        headers = {"Retry-After": str(math.ceil(wait)), "retry-after-ms": str(math.ceil(wait * 1000))}
        per = f"{self.rate.per:g} seconds" if self.rate.per != 60 else "minute"
        message = (
            f"Rate limit exceeded: {self.rate.limit} requests per {per} for this token; retry in {wait:.3g} s"
        )
        raise Refused(429, message, headers)
