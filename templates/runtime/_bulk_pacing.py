"""Pacing the requests of a bulk job to the API's rate limit.

Two limits, both on the start times of requests (``RateLimit``):

- a minimum interval between two requests (``min_interval``);
- at most ``max_requests`` in any ``window`` seconds (a sliding window, as an hourly
  cap is usually enforced).

The pacer only computes waits; the caller sleeps. A server that asks for more time
(``Retry-After``) moves the next start later with ``hold``.

Shared limits. A limit that several operations count against together (the API's
``x-rate-limit.shared``, e.g. every migrate endpoint of an account) has one ``Pacer``
per (limit name, host, credentials) in the process: ``shared_pacer`` hands every job
of the same account the same instance while any of them runs, so two jobs running at
once (threads or tasks) together keep the pace. ``reserve`` takes a start under a lock,
so two jobs never take the same slot. While jobs share a pacer, the strictest
of their limits applies.
"""

from __future__ import annotations

import hashlib
import math
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["Pacer", "RateLimit", "shared_pacer"]

# Requests are spaced 1% wider than the limit: the server sees arrival times, which
# drift from our start times (a new connection, a slower upload). Each time the server
# still finds a request early, the margin grows by 2%, up to 20%.
_SAFETY = 1.01
_SAFETY_STEP = 0.02
_MAX_SAFETY = 1.2


@dataclass(frozen=True)
class RateLimit:
    """How fast a bulk job may send.

    Args:
        min_interval: seconds between the starts of two requests (0 for none).
        max_requests: at most this many requests in any ``window`` seconds
            (``None`` for no cap).
        window: length of the sliding window of ``max_requests``, in seconds.
        backoff: first wait, in seconds, before retrying an error that came without a
            ``Retry-After``; it doubles on each retry of the same batch, up to 16 times
            this, with jitter (as the client's own retries).
    """

    min_interval: float = 0.0
    max_requests: int | None = None
    window: float = 3600.0
    backoff: float = 0.5

    def __post_init__(self) -> None:
        if not (math.isfinite(self.min_interval) and self.min_interval >= 0):
            raise ValueError(
                f"min_interval must be >= 0 seconds, got {self.min_interval!r}"
            )
        if self.max_requests is not None and (
            isinstance(self.max_requests, bool)
            or not isinstance(self.max_requests, int)
            or self.max_requests < 1
        ):
            raise ValueError(
                f"max_requests must be an integer >= 1, got {self.max_requests!r}"
            )
        if not (math.isfinite(self.window) and self.window > 0):
            raise ValueError(f"window must be > 0 seconds, got {self.window!r}")
        if not (math.isfinite(self.backoff) and self.backoff >= 0):
            raise ValueError(f"backoff must be >= 0 seconds, got {self.backoff!r}")

    @property
    def ceiling(self) -> float:
        """The most requests per second this limit allows over a long run."""
        rates = [math.inf]
        if self.min_interval > 0:
            rates.append(1.0 / self.min_interval)
        if self.max_requests is not None:
            rates.append(self.max_requests / self.window)
        return min(rates)


class Pacer:
    """Start times of past requests, and how long to wait before the next one.

    ``clock`` returns seconds from any fixed origin (``time.monotonic``).
    """

    def __init__(self, limit: RateLimit, clock: Callable[[], float]) -> None:
        self._limit = limit
        self._clock = clock
        self._recent: deque[float] = deque(maxlen=limit.max_requests or 1)
        self._not_before = -math.inf
        self._safety = _SAFETY
        self._lock = threading.Lock()  # jobs in several threads may share a pacer
        # The latest actual start and whose it was: a job that wakes late for its
        # reserved start must not crowd the next job's (see ``confirm``).
        self._last_start = -math.inf
        self._last_owner: object = None
        # A job whose request may be opening a connection: its arrival time is unknown
        # until it is answered, so other jobs wait for that (see ``answered``).
        self._connecting: object = None

    @property
    def limit(self) -> RateLimit:
        return self._limit

    def seed(self, ages: Iterable[float]) -> None:
        """Requests made earlier (by a previous run), given as seconds ago."""
        with self._lock:
            now = self._clock()
            starts = [now - max(age, 0.0) for age in ages]
            # merged in order: a shared pacer may already know later starts
            self._recent = deque(
                sorted([*self._recent, *starts]), maxlen=self._recent.maxlen
            )

    def delay(self) -> float:
        """Seconds to wait before the next request may start (0 when it may start now)."""
        now = self._clock()
        start = self._not_before
        start = max(start, self._last_start + self._limit.min_interval * self._safety)
        if self._recent:
            start = max(
                start, self._recent[-1] + self._limit.min_interval * self._safety
            )
            cap = self._limit.max_requests
            if cap is not None and len(self._recent) >= cap:
                start = max(start, self._recent[0] + self._limit.window * self._safety)
        return max(start - now, 0.0)

    def started(self) -> None:
        """A request starts now."""
        with self._lock:
            self._recent.append(self._clock())

    def reserve(self) -> float:
        """Take the next free start: the seconds until it (0 for now). It counts as a
        request from then on, so a job sharing the pacer plans its own after it."""
        with self._lock:
            delay = self.delay()
            self._recent.append(self._clock() + delay)
            return delay

    def confirm(self, owner: object, connecting: bool = False) -> float:
        """``owner``'s reserved start has come: 0 when its request may go now (it is
        recorded as started; ``connecting``: it may have to open a connection first),
        else the seconds to wait before asking again, because another job's request
        went later than planned (a late wake-up) or may still be connecting."""
        with self._lock:
            now = self._clock()
            if self._connecting is not None and self._connecting is not owner:
                return max(self._limit.min_interval / 4, 0.001)
            if self._last_owner is not owner:
                due = self._last_start + self._limit.min_interval * self._safety
                if now < due:
                    return due - now
            if now >= self._last_start:
                self._last_start, self._last_owner = now, owner
            if connecting:
                self._connecting = owner
            return 0.0

    def settle(self, owner: object) -> None:
        """``owner``'s request is over (answered or failed)."""
        with self._lock:
            if self._connecting is owner:
                self._connecting = None

    def tighten(self, limit: RateLimit) -> None:
        """Another job shares this pacer with ``limit``: keep the stricter of the two."""
        with self._lock:
            if limit == self._limit or limit.ceiling >= self._limit.ceiling:
                return
            self._limit = limit
            recent = list(self._recent)
            self._recent = deque(recent, maxlen=limit.max_requests or 1)

    def answered(self, owner: object = None) -> None:
        """The last request was answered now. Used for a request that may have opened
        a connection: connecting delays its arrival by an unknown time, so the next
        one (of any job sharing the pacer) is spaced from the answer, which came after
        the arrival."""
        with self._lock:
            now = self._clock()
            if self._recent:
                self._recent[-1] = max(self._recent[-1], now)
            if now > self._last_start:
                self._last_start, self._last_owner = now, owner

    def hold(self, seconds: float) -> None:
        """Start nothing for ``seconds`` from now (the server asked us to wait)."""
        self._not_before = max(self._not_before, self._clock() + max(seconds, 0.0))

    def early(self, retry_after: float | None) -> None:
        """The server refused a request as too early (a 429). When it asks for less than
        one interval, our spacing was just short of its count: widen the margin."""
        interval = self._limit.min_interval
        if retry_after is not None and interval > 0 and retry_after <= interval:
            self._safety = min(self._safety + _SAFETY_STEP, _MAX_SAFETY)

    @property
    def safety(self) -> float:
        """The factor applied to the limits (1.01 at first)."""
        return self._safety


# Held weakly: a pacer lives while a job uses it. A job started after the others ended
# begins afresh (as an unshared one would), and a test server's recycled port never
# inherits another run's waits.
_SHARED: weakref.WeakValueDictionary[tuple[object, ...], Pacer] = (
    weakref.WeakValueDictionary()
)
_SHARED_LOCK = threading.Lock()


def shared_pacer(
    name: str,
    host: str,  # host and port
    credentials: Iterable[str | None],
    limit: RateLimit,
    clock: Callable[[], float],
) -> Pacer:
    """The process-wide pacer of the limit ``name`` for the account behind
    ``credentials`` at ``host``, created on first use. The credentials are only kept
    as a SHA-256 digest."""
    digest = hashlib.sha256(
        "\0".join(c or "" for c in credentials).encode("utf-8")
    ).hexdigest()
    key = (name, host, digest, clock)
    with _SHARED_LOCK:
        pacer = _SHARED.get(key)
        if pacer is None:
            pacer = _SHARED[key] = Pacer(limit, clock)
            return pacer
    pacer.tighten(limit)
    return pacer
