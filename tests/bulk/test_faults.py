"""Faults injected by the loopback endpoint: 429 with Retry-After, 500/503, dropped
connections, answers slower than the read timeout, 504. Nothing is lost; nothing is
sent twice unless the caller asks for it."""

from __future__ import annotations

import inspect
from collections import Counter
from typing import Any

import pytest
from bulk_support import client_for, make_server, pace
from loopback import MigrateServer, contact
from masivo_client._bulk import FailedBatch

pytestmark = pytest.mark.anyio

# Request numbers (1-based, every attempt counts) -> fault. "drop" was not processed;
# "drop_after", "slow" and "504" were processed and their answer lost.
FAULTS = {2: "429", 4: "500", 5: "drop", 7: "slow", 9: "drop_after", 11: "503", 13: "504"}
LOST_ANSWERS = {"drop", "drop_after", "slow", "504"}
N = 150
INVALID = {4, 77, 149}


@pytest.fixture(params=["sync", "async"])
def flavor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def records() -> list[dict[str, Any]]:
    items = [contact(i) for i in range(N)]
    for i in INVALID:
        items[i]["status"] = "SLEEPING"
    return items


def valid_ids() -> set[str]:
    return {f"ext-{i}" for i in range(N) if i not in INVALID}


async def migrate(srv: MigrateServer, flavor: str, **kwargs: Any) -> Any:
    # Shorter than the "slow" fault's answer (0.4 s), which must be lost to a timeout.
    client: Any = client_for(srv, flavor, timeout=0.2)
    try:
        result = client.contacts.migrate_all(
            records(), batch_size=10, rate_limit=pace(), **kwargs
        )
        return await result if inspect.isawaitable(result) else result
    finally:
        closed = client.close()
        if inspect.isawaitable(closed):
            await closed


def batch_ids(batches: list[FailedBatch[Any]]) -> Counter[str]:
    return Counter(c.external_id for b in batches for c in b.items)


async def test_with_a_check_every_valid_contact_is_accepted_exactly_once(flavor: str) -> None:
    with make_server(faults=FAULTS, slow_seconds=0.4) as srv:
        checked: list[int] = []

        def on_server(batch: FailedBatch[Any]) -> bool:
            checked.append(batch.batch)
            return not srv.has_any(c.external_id for c in batch.items)

        report = await migrate(srv, flavor, resend_unknown=on_server)
        recorded = srv.recorded
        outcomes = srv.outcomes()
        lost = [s.ids for s in srv.seen if s.outcome in LOST_ANSWERS]
    assert set(recorded) == valid_ids() and set(recorded.values()) == {1}
    assert report.ok is False and [r.index for r in report.rejected] == sorted(INVALID)
    assert not report.failed and not report.unknown and report.stopped is None
    assert report.items_accepted == len(valid_ids())
    assert len(checked) == len(lost) >= 3  # one check per batch whose answer was lost
    assert set(outcomes) >= LOST_ANSWERS | {"429", "500", "503", "ok"}


async def test_by_default_unknown_outcomes_are_reported_not_resent(flavor: str) -> None:
    with make_server(faults=FAULTS, slow_seconds=0.4) as srv:
        report = await migrate(srv, flavor)
        recorded = srv.recorded
        lost = Counter(i for s in srv.seen if s.outcome in LOST_ANSWERS for i in s.ids)
    assert set(recorded.values()) == {1}  # nothing twice
    unknown = batch_ids(report.unknown)
    assert unknown == lost and len(report.unknown) >= 3
    assert all(b.outcome == "unknown" for b in report.unknown)
    # every valid contact: accepted (and on the server) or unknown, exactly once
    accepted = valid_ids() - set(unknown)
    assert report.items_accepted == len(accepted) and accepted <= set(recorded)
    assert set(recorded) <= accepted | set(unknown)
    assert report.items_read == report.items_accepted + report.items_rejected + sum(
        unknown.values()
    )


async def test_resend_unknown_delivers_at_least_once(flavor: str) -> None:
    with make_server(faults=FAULTS, slow_seconds=0.4) as srv:
        report = await migrate(srv, flavor, resend_unknown=True)
        recorded = srv.recorded
        processed_twice = {i for s in srv.seen if s.outcome in ("slow", "drop_after", "504")
                           for i in s.ids}
    assert set(recorded) == valid_ids()
    assert {i for i, n in recorded.items() if n > 1} == processed_twice
    assert not report.unknown and report.items_accepted == len(valid_ids())
