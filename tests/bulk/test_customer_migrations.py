"""The three customer migrate endpoints in bulk against the loopback server, sync and
async: customers (at most 1,000 a request), their events (at most 1,000 *events* in all
the customers of a request) and their transactions (the same nested bound, never
replayed). Every valid record is accepted exactly once, batches are full up to their
bound, and the resume and resend defaults follow each operation's `x-bulk.replay-safe`.
"""

from __future__ import annotations

import inspect
import itertools
import random
from pathlib import Path
from typing import Any

import pytest
from bulk_support import client_for, make_server, pace
from loopback import Limits, MigrateServer, customer, with_events, with_transactions

pytestmark = pytest.mark.anyio

METHODS = {
    "customers": "migrate_customers_all",
    "events": "migrate_events_all",
    "transactions": "migrate_transactions_all",
}
PATHS = {
    "customers": "/customers/migrate",
    "events": "/customers/migrate/events",
    "transactions": "/customers/migrate/transactions",
}


@pytest.fixture(params=["sync", "async"])
def flavor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def run(srv: MigrateServer, flavor: str, kind: str, items: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("rate_limit", pace())
    client: Any = client_for(srv, flavor)
    try:
        result = getattr(client.customers, METHODS[kind])(items, **kwargs)
        return await result if inspect.isawaitable(result) else result
    finally:
        closed = client.close()
        if inspect.isawaitable(closed):
            await closed


def server(**kwargs: Any) -> MigrateServer:
    kwargs.setdefault("limits", Limits(min_interval=0.02, max_items=1000, max_nested=1000))
    return make_server(**kwargs)


def event_counts(n: int, seed: int = 7) -> list[int]:
    rng = random.Random(seed)
    return [rng.randint(1, 60) for _ in range(n)]


def maximal(batches: list[list[int]], bound: int) -> bool:
    """Every batch but the last is full: the next record would have passed the bound."""
    return all(sum(b) + nxt[0] > bound for b, nxt in itertools.pairwise(batches))


# -- customers: the array bound ---------------------------------------------------------

async def test_customers_go_in_full_batches_of_1000_each_accepted_once(flavor: str) -> None:
    with server(faults={2: "429", 3: "500"}) as srv:
        items: list[Any] = [customer(i) for i in range(2500)]
        items[7] = customer(7, gender="OTHER")
        report = await run(srv, flavor, "customers", items)
    assert report.ok is False and [r.index for r in report.rejected] == [7]
    assert report.items_accepted == 2499 and report.failed == [] and report.unknown == []
    assert [len(b) for b in srv.batches] == [1000, 1000, 499]
    assert srv.recorded == {f"cust-{i}": 1 for i in range(2500) if i != 7}
    assert "429" in srv.outcomes() and "500" in srv.outcomes()


# -- events and transactions: the nested bound ------------------------------------------

@pytest.mark.parametrize("kind", ["events", "transactions"])
async def test_batches_are_bounded_by_the_nested_count_and_full(flavor: str, kind: str) -> None:
    counts = event_counts(120)
    make = with_events if kind == "events" else with_transactions
    prefix = "evc" if kind == "events" else "trc"
    items: list[Any] = [make(i, c) for i, c in enumerate(counts)]
    items[5] = make(5, 1001)  # more than one request may carry: rejected, never sent
    items[9] = make(9, 0)  # every customer needs at least one
    with server(faults={2: "429", 3: "500", 4: "drop"} if kind == "events" else
                {2: "429", 3: "500"}) as srv:
        report = await run(srv, flavor, kind, items)
    assert sorted(r.index for r in report.rejected) == [5, 9]
    assert report.rejected[0].errors[0][0] == kind  # located at the nested array
    valid = [i for i in range(120) if i not in (5, 9)]
    assert srv.recorded == {f"{prefix}-{i}": 1 for i in valid}  # each exactly once
    assert report.items_accepted == len(valid) and report.unknown == []
    sizes = [[counts[int(key.split("-")[1])] for key in batch] for batch in srv.batches]
    assert all(sum(b) <= 1000 for b in sizes)
    assert maximal(sizes, 1000)
    assert [n for _, n in srv.nested] == [sum(b) for b in sizes]
    assert {path for path, _ in srv.nested} == {PATHS[kind]}


async def test_a_201_without_body_counts_the_batch_accepted(flavor: str) -> None:
    """The events endpoint documents 201 with no body (the loopback answers so)."""
    with server() as srv:
        report = await run(srv, flavor, "events", [with_events(i, 3) for i in range(10)])
    assert report.ok and report.items_accepted == 10 and report.requests == 1


# -- unknown outcomes and resume, per operation -----------------------------------------

async def test_events_are_sent_again_after_no_answer_by_default(flavor: str) -> None:
    """Replay-safe (`x-bulk.replay-safe: true`): a batch without an answer goes again."""
    with server(faults={1: "drop_after"}) as srv:
        report = await run(srv, flavor, "events", [with_events(i, 400) for i in range(5)])
    assert report.ok and report.unknown == [] and report.items_accepted == 5
    assert srv.recorded["evc-0"] == 2  # processed, answer lost, sent again: allowed


@pytest.mark.parametrize("kind", ["customers", "transactions"])
async def test_no_replay_operations_report_an_unanswered_batch_and_never_resend_it(
    flavor: str, kind: str, tmp_path: Path
) -> None:
    items = ([customer(i) for i in range(30)] if kind == "customers"
             else [with_transactions(i, 1) for i in range(30)])
    journal = tmp_path / "job.journal"
    with server(faults={2: "drop_after"}) as srv:
        report = await run(srv, flavor, kind, items, batch_size=10, journal=journal)
        [unknown] = report.unknown
        assert unknown.indices == tuple(range(10, 20))
        assert report.items_accepted == 20
        again = await run(srv, flavor, kind, items, batch_size=10, journal=journal)
        [still] = again.unknown  # the resumed run does not resend it either
        assert still.indices == tuple(range(10, 20)) and again.requests == 0
        assert max(srv.recorded.values()) == 1 and len(srv.recorded) == 30


async def test_a_resumed_events_job_resends_what_was_in_doubt(
    flavor: str, tmp_path: Path
) -> None:
    items = [with_events(i, 100) for i in range(30)]
    journal = tmp_path / "job.journal"
    with server(faults={2: "drop"}) as srv:
        first = await run(srv, flavor, "events", items, journal=journal, resend_unknown=False)
        assert [u.indices for u in first.unknown] == [tuple(range(10, 20))]
        second = await run(srv, flavor, "events", items, journal=journal)
    assert second.ok and second.items_accepted == 10
    assert second.items_previously_accepted == 20
    assert srv.recorded == {f"evc-{i}": 1 for i in range(30)}


def test_a_record_above_the_nested_bound_alone_is_rejected_not_sent() -> None:
    """The runtime's own check, for a bound tighter than the item schema's."""
    import dataclasses

    from masivo_client import _bulk
    from masivo_client.resources.customers import _MIGRATE_EVENTS_BULK

    spec = dataclasses.replace(_MIGRATE_EVENTS_BULK, max_nested=50)
    items = [with_events(0, 30), with_events(1, 51), with_events(2, 20), with_events(3, 5)]
    with server() as srv:
        client: Any = client_for(srv)
        report = _bulk.run_sync(client, spec, items, params={},
                                options=_bulk.BulkOptions(rate_limit=pace()))
    [rejected] = report.rejected
    assert rejected.index == 1
    assert rejected.errors == (("events", "51 items; a request may carry at most 50 in all "
                                          "its records"),)
    assert srv.batches == [["evc-0", "evc-2"], ["evc-3"]]  # 30 + 20 = 50: full
