"""Helpers of the bulk tests: the loopback endpoint and clients pointed at it.

Time is scaled down: the spec's one request every 5 s becomes one every few
hundredths of a second, and batches hold a few records instead of 10,000.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from loopback import ACCOUNT, TOKEN, Limits, MigrateServer  # noqa: E402
from masivo_client._bulk import RateLimit  # noqa: E402

INTERVAL = 0.02  # seconds between requests, on both sides


def pace(**kwargs: float) -> RateLimit:
    """The scaled pace: one request per INTERVAL, retry backoff from INTERVAL too."""
    kwargs.setdefault("min_interval", INTERVAL)
    kwargs.setdefault("backoff", INTERVAL)
    return RateLimit(**kwargs)  # type: ignore[arg-type]


def make_server(**kwargs: object) -> MigrateServer:
    kwargs.setdefault("limits", Limits(min_interval=INTERVAL, max_items=50))
    return MigrateServer(**kwargs)  # type: ignore[arg-type]


def client_for(srv: MigrateServer, flavor: str = "sync", **kwargs: object) -> object:
    """A client of ``flavor`` pointed at ``srv``."""
    from masivo_client import AsyncMasivo, Masivo

    # Generous: on a loaded machine an answer can take longer than a scaled-down pace,
    # and a timed-out request is an unknown outcome (sent again where that is safe),
    # which made the request counts of unrelated tests flaky. The tests of slow answers
    # pass their own short timeout (test_faults.py).
    kwargs.setdefault("timeout", 5.0)
    cls = Masivo if flavor == "sync" else AsyncMasivo
    client = cls(token=TOKEN, account_id=ACCOUNT, base_url=srv.url, **kwargs)  # type: ignore[arg-type]
    return client
