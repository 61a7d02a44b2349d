"""When to retry a request, and how long to wait before doing so.

Pure functions of the response headers, the attempt number, the clock and a random
number, so they are tested without sleeping.
"""

from __future__ import annotations

import datetime
import email.utils
import math
from collections.abc import Mapping

from ._constants import (
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    RETRYABLE_STATUS_CODES,
)

__all__ = ["backoff_delay", "is_retryable_status", "parse_retry_after", "retry_delay"]


def is_retryable_status(status_code: int) -> bool:
    """408, 409, 429 and every 5xx are worth another attempt; other statuses are final."""
    return status_code in RETRYABLE_STATUS_CODES or status_code >= 500


def _parse_seconds(value: str) -> float | None:
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def parse_retry_after(headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds the server asks us to wait, or ``None`` when it does not say.

    Reads, in order:

    - ``retry-after-ms``: milliseconds, possibly fractional;
    - ``Retry-After``: seconds (integer or decimal) or an HTTP date, compared with
      ``now`` (seconds since the epoch); a date in the past gives ``0.0``.

    A header that is missing, negative, not finite or unparseable is skipped, so a
    bad ``retry-after-ms`` falls back to ``Retry-After``. ``headers`` should look names
    up case-insensitively, as ``httpx.Headers`` does.
    """
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        ms = _parse_seconds(raw_ms)
        if ms is not None:
            return ms / 1000.0

    raw = headers.get("retry-after")
    if raw is None:
        return None
    seconds = _parse_seconds(raw)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if (
        when.tzinfo is None
    ):  # "-0000" parses as naive; HTTP dates are always GMT (RFC 9110)
        when = when.replace(tzinfo=datetime.UTC)
    return max(when.timestamp() - now, 0.0)


def backoff_delay(retries_taken: int, rand: float) -> float:
    """Exponential backoff with jitter for the retry after ``retries_taken`` earlier ones.

    The base wait doubles from 0.5 s up to 8 s (0.5, 1, 2, 4, 8, 8, ...); the jitter
    then scales it to between 75% and 100% of that (``rand`` is in ``[0, 1)``), so that
    clients that failed together do not retry in lockstep.
    """
    base = min(INITIAL_RETRY_DELAY * 2.0 ** min(retries_taken, 32), MAX_RETRY_DELAY)
    return base * (1.0 - 0.25 * rand)


def retry_delay(
    retries_taken: int, retry_after: float | None, rand: float
) -> float | None:
    """Seconds to sleep before the next attempt, or ``None`` to give up now.

    A server-given wait (``retry_after``) is honoured when it is above 0 and at most
    ``MAX_RETRY_AFTER``; above that cap we do not sleep but give up, so the caller
    sees the error (with its ``retry_after``) and decides. Otherwise (no header, 0,
    unparseable) the exponential backoff applies.
    """
    if retry_after is not None:
        if 0 < retry_after <= MAX_RETRY_AFTER:
            return retry_after
        if retry_after > MAX_RETRY_AFTER:
            return None
    return backoff_delay(retries_taken, rand)
