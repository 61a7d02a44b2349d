"""Every default of the runtime, in one place."""

from __future__ import annotations

from typing import Final

import httpx

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOKEN_LIFETIME",
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_DELAY",
    "RETRYABLE_STATUS_CODES",
]

DEFAULT_TIMEOUT: Final = httpx.Timeout(60.0, connect=5.0)
"""60 s for reading, writing and waiting for a pooled connection; 5 s to connect."""

DEFAULT_MAX_RETRIES: Final = 2
"""Retries after the first attempt, so at most three attempts by default."""

INITIAL_RETRY_DELAY: Final = 0.5
"""Seconds before the first retry when the server does not say how long to wait."""

MAX_RETRY_DELAY: Final = 8.0
"""Upper bound of the exponential backoff, in seconds."""

MAX_RETRY_AFTER: Final = 60.0
"""Longest ``Retry-After`` we sleep for; a longer one is raised to the caller instead."""

RETRYABLE_STATUS_CODES: Final = frozenset({408, 409, 429})
"""Statuses retried besides every 5xx: request timeout, lock conflict, rate limit."""

DEFAULT_TOKEN_LIFETIME: Final = 3600.0
"""Lifetime assumed for an exchanged token without a readable ``exp`` claim (one hour)."""

HTTPX_DEFAULT_TIMEOUT: Final = httpx.Timeout(5.0)
"""What ``httpx.Client()`` uses when given no timeout; such a client gets ours instead."""
