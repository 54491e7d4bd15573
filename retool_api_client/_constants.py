"""Defaults, in one place. Every one of them can be changed per client (see ``RetoolClient``)."""

from __future__ import annotations

import httpx

#: 60 s overall, 10 s to connect: Retool list pages can be slow on large orgs, a connect is not.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
#: Retries after the first attempt; 0 disables retrying.
DEFAULT_MAX_RETRIES = 2
#: 429s retried per call, apart from max_retries (RetryConfig.max_rate_limit_retries).
DEFAULT_MAX_RATE_LIMIT_RETRIES = 20
#: Full-jitter exponential backoff: attempt n waits uniform(0, min(cap, base * 2**n)) seconds.
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0
#: A Retry-After longer than this is not waited for: the caller gets the error with retry_after.
RETRY_AFTER_CAP_S = 60.0
#: No new attempt starts later than this after the first one began.
RETRY_DEADLINE_S = 120.0
#: Methods safe to repeat: the Retool API has no idempotency keys, so POST/PATCH are not.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: Statuses retried for every method (the request was refused, not processed).
RETRY_ALWAYS_STATUSES = frozenset({429})
#: Statuses retried only for idempotent methods (the request may have been processed).
RETRY_IDEMPOTENT_STATUSES = frozenset({408, 500, 502, 503, 504})
