"""Retry policy: pure functions deciding *whether* to retry and *how long* to wait.

No I/O, no clock reads, no randomness of their own: the loop in ``_retry.py`` passes in
``now`` and a random source, so every rule is tested with plain values. Failures are judged
by the kind the pool reported (``_pool.Kind``), never by a library's exception classes.

Rules (see docs/configuration.md, "Retries"):

* Retried for every method: failures where the request provably never left (``NEVER_SENT``:
  refused, DNS, TLS, a proxy refusing the tunnel, connect and pool timeouts) and 429 (whose
  retries the loop does not count in ``max_retries``: a 429 pauses the whole pool instead).
* Retried only for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE, or every method when
  ``retry_non_idempotent=True``): 408, 500, 502, 503, 504, and failures after the request may
  have been sent (``MAYBE_SENT``, ``TIMED_OUT``).
* Never retried: a ``final`` failure (nothing a retry could change) and ``BAD_ANSWER``.
* Delay: ``retry-after-ms``, else ``Retry-After`` (seconds or HTTP date), honoured up to
  ``retry_after_cap``; a longer ask is not retried. Otherwise full-jitter exponential backoff.
  Never less than ``min_delay`` (0.1 s).
"""

from __future__ import annotations

import email.utils
import math
import random as _random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from . import _constants as C
from ._exceptions import ConfigurationError

if TYPE_CHECKING:
    from ._pool import Failure

#: The shortest wait before a retry (``RetryConfig.min_delay``).
MIN_DELAY_S = 0.1


@dataclass(frozen=True)
class RetryConfig:
    max_retries: int = C.DEFAULT_MAX_RETRIES
    backoff_base: float = C.BACKOFF_BASE_S
    backoff_cap: float = C.BACKOFF_CAP_S
    retry_after_cap: float = C.RETRY_AFTER_CAP_S
    deadline: float = C.RETRY_DEADLINE_S
    retry_non_idempotent: bool = False
    #: No retry waits less, whatever the server asks (``Retry-After: 0``) or the jitter draws:
    #: a server answering 429 at once would otherwise get hundreds of requests a second.
    min_delay: float = MIN_DELAY_S
    #: 429s retried per call, apart from ``max_retries`` (a 429 pauses the pool: waiting it out
    #: is not a failure); bounded by ``deadline`` too, so only a server that keeps answering
    #: 429 at once reaches it. ``max_retries=0`` still disables every retry.
    max_rate_limit_retries: int = C.DEFAULT_MAX_RATE_LIMIT_RETRIES

    def __post_init__(self) -> None:
        for name in ("max_retries", "max_rate_limit_retries"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigurationError(f"{name} must be an integer >= 0, got {value!r}")
        for name in ("backoff_base", "backoff_cap", "retry_after_cap", "deadline", "min_delay"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise ConfigurationError(f"{name} must be a number >= 0, got {value!r}")


@dataclass(frozen=True)
class Decision:
    retry: bool
    reason: str


def is_idempotent(method: str, config: RetryConfig) -> bool:
    return config.retry_non_idempotent or method.upper() in C.IDEMPOTENT_METHODS


_SUCCESS = Decision(False, "success")


def decide_status(method: str, status_code: int, config: RetryConfig) -> Decision:
    if status_code < 400:
        return _SUCCESS  # the common case: no string formatting on the hot path
    if status_code in C.RETRY_ALWAYS_STATUSES:
        return Decision(True, f"status {status_code}")
    if status_code in C.RETRY_IDEMPOTENT_STATUSES:
        if is_idempotent(method, config):
            return Decision(True, f"status {status_code}")
        return Decision(False, f"status {status_code}, {method} is not idempotent")
    return Decision(False, f"status {status_code} is final")


def decide_failure(method: str, failure: Failure, config: RetryConfig) -> Decision:
    """Whether a pool's failure (``_pool.Failure``) is worth another attempt."""
    from ._pool import Kind

    kind = failure.kind
    if failure.final or kind is Kind.BAD_ANSWER:
        return Decision(False, f"{kind.value}: {failure.message}")
    if kind is Kind.NEVER_SENT:
        return Decision(True, f"{kind.value}: {failure.message}")
    if is_idempotent(method, config):
        return Decision(True, f"{kind.value}: {failure.message}")
    return Decision(False, f"{kind.value}: {failure.message}; {method} is not idempotent")


def retry_after_seconds(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """The delay the server asked for: ``retry-after-ms``, then ``Retry-After`` as seconds or an
    HTTP date. ``None`` when absent or unreadable; never negative."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000.0
            if math.isfinite(value) and value >= 0:
                return value
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def backoff_delay(retry_number: int, config: RetryConfig, rng: _random.Random | None = None) -> float:
    """Full jitter: uniform(0, min(cap, base * 2**retry_number)); retry_number starts at 0."""
    ceiling = min(config.backoff_cap, config.backoff_base * (2**retry_number))
    return (rng or _random).uniform(0.0, ceiling)


def next_delay(
    retry_number: int,
    headers: Mapping[str, str] | None,
    config: RetryConfig,
    rng: _random.Random | None = None,
    now: datetime | None = None,
) -> tuple[float | None, str]:
    """How long to wait before the next attempt, or ``None`` when the server's ask is too long."""
    asked = retry_after_seconds(headers, now) if headers is not None else None
    if asked is not None:
        if asked > config.retry_after_cap:
            return None, f"server asked to wait {asked:g}s, more than the {config.retry_after_cap:g}s cap"
        return max(asked, config.min_delay), "Retry-After"
    return max(backoff_delay(retry_number, config, rng), config.min_delay), "backoff"
