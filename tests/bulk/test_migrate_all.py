"""`client.contacts.migrate_all(...)` against the loopback endpoint, sync and async.

Batches are small and the pace is scaled (one request per 0.02 s); everything else
is the code users run.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from bulk_support import client_for, make_server, pace
from loopback import Limits, MigrateServer, contact
from masivo_client import Contact
from masivo_client._bulk import InvalidItemError, Progress

pytestmark = pytest.mark.anyio



@pytest.fixture(params=["sync", "async"])
def flavor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def migrate(srv: MigrateServer, flavor: str, items: Any, **kwargs: Any) -> Any:
    """Run migrate_all on a fresh client of ``flavor``; the report."""
    kwargs.setdefault("batch_size", 10)
    kwargs.setdefault("rate_limit", pace())
    client: Any = client_for(srv, flavor)
    try:
        result = client.contacts.migrate_all(items, **kwargs)
        return await result if inspect.isawaitable(result) else result
    finally:
        closed = client.close()
        if inspect.isawaitable(closed):
            await closed


def ids(n: int, skip: set[int] = frozenset()) -> set[str]:  # type: ignore[assignment]
    return {f"ext-{i}" for i in range(n) if i not in skip}


async def test_every_valid_contact_is_accepted_once_in_full_batches(
    server: MigrateServer, flavor: str
) -> None:
    report = await migrate(server, flavor, (contact(i) for i in range(95)))
    assert report.ok and report.items_accepted == 95 and report.batches_accepted == 10
    assert [len(b) for b in server.batches] == [10] * 9 + [5]
    assert set(server.recorded) == ids(95) and max(server.recorded.values()) == 1
    # in input order
    assert [x for b in server.batches for x in b] == [f"ext-{i}" for i in range(95)]


async def test_invalid_records_are_skipped_and_reported_with_position_and_errors(
    server: MigrateServer, flavor: str
) -> None:
    items = [contact(i) for i in range(30)]
    items[3]["email"] = 12
    items[17]["order"]["payment_method"] = "BITCOIN"
    items[18]["nickname"] = "typo"
    report = await migrate(server, flavor, items)
    assert set(server.recorded) == ids(30, {3, 17, 18})
    assert [r.index for r in report.rejected] == [3, 17, 18]
    assert report.rejected[0].errors == (("email", "Input should be a valid string (got 12)"),)
    assert report.rejected[1].errors[0][0] == "order.payment_method"
    assert report.rejected[2].errors[0] == ("nickname", "Extra inputs are not permitted")
    assert report.rejected[0].record is items[3]
    assert report.items_accepted == 27 and not report.ok
    # batches stay full: invalid records do not leave holes
    assert [len(b) for b in server.batches] == [10, 10, 7]


async def test_model_instances_are_not_validated_again(
    server: MigrateServer, flavor: str
) -> None:
    # model_construct skips validation: this instance would fail it, so a client that
    # validated instances again would reject it; ours sends it as it is, and pydantic's
    # serializer (which does not validate either) warns about the odd value.
    unchecked = Contact.model_construct(external_id="ext-0", email_verified="not a bool")
    typed = Contact.model_validate(contact(1))
    with pytest.warns(UserWarning, match="Expected `bool`"):
        report = await migrate(server, flavor, [unchecked, typed, contact(2)])
    assert report.items_accepted == 3 and not report.rejected
    assert server.recorded == {"ext-0": 1, "ext-1": 1, "ext-2": 1}


async def test_on_invalid_raise_stops_before_the_batch_holding_it(
    server: MigrateServer, flavor: str
) -> None:
    items = [contact(i) for i in range(40)]
    items[25]["dob"] = "yesterday"
    with pytest.raises(InvalidItemError) as caught:
        await migrate(server, flavor, items, on_invalid="raise")
    error = caught.value
    assert error.index == 25 and "contacts[25].dob" in str(error)
    assert set(server.recorded) == ids(20)  # batches 0 and 1 went; the one with 25 did not
    assert error.report.items_accepted == 20
    [not_sent] = error.report.failed
    assert not_sent.outcome == "not_sent" and not_sent.indices == tuple(range(20, 25))


async def test_input_is_read_lazily_one_batch_ahead_at_most(
    server: MigrateServer, flavor: str
) -> None:
    ahead: list[int] = []

    def source() -> Iterator[dict[str, Any]]:
        for i in range(60):
            accepted = sum(server.recorded.values())
            ahead.append(i - accepted)
            yield contact(i)

    report = await migrate(server, flavor, source())
    assert report.items_accepted == 60
    assert max(ahead) < 2 * 10  # never more than the batch being filled + one in flight


async def test_async_iterables_are_accepted(server: MigrateServer) -> None:
    async def source() -> AsyncIterator[dict[str, Any]]:
        for i in range(25):
            yield contact(i)

    report = await migrate(server, "async", source())
    assert report.items_accepted == 25 and set(server.recorded) == ids(25)


async def test_requests_keep_the_pace(flavor: str) -> None:
    interval = 0.05
    # 10 ms of jitter allowed (a loaded machine); an unpaced client is ~50 ms early
    limits = Limits(min_interval=interval, max_items=50, tolerance=0.01)
    with make_server(limits=limits) as srv:
        start = time.monotonic()
        report = await migrate(
            srv, flavor, (contact(i) for i in range(100)), rate_limit=pace(min_interval=interval)
        )
        elapsed = time.monotonic() - start
    assert report.items_accepted == 100
    assert elapsed >= 9 * interval
    assert srv.outcomes().count("429-interval") <= 1, srv.outcomes()


async def test_hourly_cap_of_a_tier_is_kept_with_a_sliding_window(flavor: str) -> None:
    limits = Limits(min_interval=0.01, max_per_window=3, window=0.3, max_items=50,
                    tolerance=0.02)
    with make_server(limits=limits) as srv:
        limit = pace(min_interval=0.01, max_requests=3, window=0.3)
        report = await migrate(srv, flavor, (contact(i) for i in range(70)), rate_limit=limit)
        starts = sorted(s.arrived for s in srv.seen if s.outcome == "ok")
    assert report.items_accepted == 70
    # unpaced, every fourth request would be refused, 0.27 s early
    assert "429-window" not in srv.outcomes()
    assert all(b - a >= 0.28 for a, b in zip(starts, starts[3:], strict=False))


async def test_retry_after_is_honoured(flavor: str) -> None:
    with make_server(faults={2: "429"}, retry_after=0.3) as srv:
        report = await migrate(srv, flavor, (contact(i) for i in range(30)))
        seen = sorted(srv.seen, key=lambda s: s.arrived)
    assert report.items_accepted == 30 and report.requests == len(seen)
    kept = [s for s in seen if s.outcome != "429-interval"]  # a stray pacing slip is allowed
    assert [s.outcome for s in kept] == ["ok", "429", "ok", "ok"]
    assert kept[2].arrived - kept[1].arrived >= 0.3


async def test_transient_errors_are_retried_and_refused_batches_reported(flavor: str) -> None:
    faults = {2: "500", 4: "503", 6: "422"}
    with make_server(faults=faults) as srv:
        report = await migrate(srv, flavor, (contact(i) for i in range(50)))
    outcomes = [o for o in srv.outcomes() if o != "429-interval"]
    assert outcomes == ["ok", "500", "ok", "503", "ok", "422", "ok"]
    assert report.items_accepted == 40 and report.requests == len(srv.seen)
    [refused] = report.failed
    assert refused.outcome == "failed" and refused.status_code == 422
    assert [c.external_id for c in refused.items] == [f"ext-{i}" for i in range(30, 40)]
    assert refused.indices == tuple(range(30, 40))
    assert set(srv.recorded) == ids(50, set(range(30, 40)))


async def test_a_fatal_status_stops_the_job_and_accounts_for_every_record(flavor: str) -> None:
    with make_server(faults={3: "401"}) as srv:
        report = await migrate(srv, flavor, (contact(i) for i in range(100)))
    assert report.items_accepted == 20 and report.requests == 3
    assert report.stopped is not None and "401" in str(report.stopped)
    assert report.stopped_at == 30  # records 30.. were not read
    [failed] = report.failed
    assert failed.status_code == 401 and len(failed.items) == 10
    assert report.items_read == report.items_accepted + report.items_failed


async def test_retry_after_longer_than_max_wait_stops_the_job(flavor: str) -> None:
    with make_server(faults={1: "429"}, retry_after=30.0) as srv:
        report = await migrate(srv, flavor, (contact(i) for i in range(20)), max_wait=1.0)
    assert report.items_accepted == 0 and report.stopped is not None
    assert "wait 30 s" in report.failed[0].error and report.stopped_at == 10


async def test_long_retry_after_is_waited_out_in_bulk_mode(flavor: str) -> None:
    """Above the client's own cap (60 s), a bulk job still waits, up to max_wait."""
    waits: list[float] = []
    with make_server(faults={1: "429"}, retry_after=120.0, limits=Limits(0.0)) as srv:
        client: Any = client_for(srv, flavor)
        if flavor == "sync":
            client._sleep = waits.append
            report = client.contacts.migrate_all([contact(0)], rate_limit=pace(min_interval=0))
        else:

            async def sleep(seconds: float) -> None:
                waits.append(seconds)

            client._sleep = sleep
            report = await client.contacts.migrate_all(
                [contact(0)], rate_limit=pace(min_interval=0)
            )
    assert waits and waits[0] == pytest.approx(120.0, abs=0.1)
    assert report.items_accepted == 1


async def test_retries_are_bounded(flavor: str) -> None:
    faults = {n: "503" for n in range(1, 10)}
    with make_server(faults=faults) as srv:
        report = await migrate(srv, flavor, (contact(i) for i in range(10)), max_retries=2)
    assert report.requests == 3 and report.stopped is not None
    assert "gave up after 3 attempts" in report.failed[0].error


async def test_progress_reports_counts_rate_and_eta(server: MigrateServer, flavor: str) -> None:
    seen: list[Progress] = []
    report = await migrate(
        server, flavor, (contact(i) for i in range(50)), progress=seen.append, total=50
    )
    after_batches = [p for p in seen if not p.waiting]
    assert [p.items_accepted for p in after_batches] == [10, 20, 30, 40, 50]
    assert all(p.rate > 0 and p.eta is not None for p in after_batches)
    assert after_batches[-1].eta == 0
    assert any(p.waiting > 0 and p.reason == "pacing" for p in seen)
    assert report.items_accepted == 50


async def test_dry_run_sends_nothing_and_needs_no_credentials(flavor: str) -> None:
    from masivo_client import AsyncMasivo, Masivo

    items = [contact(i) for i in range(25)]
    items[7]["gender"] = "OTHER"
    client: Any = (Masivo if flavor == "sync" else AsyncMasivo)(token="unused")
    result = client.contacts.migrate_all(items, dry_run=True, batch_size=10)
    report = await result if inspect.isawaitable(result) else result
    assert report.dry_run and report.requests == 0 and report.items_accepted == 0
    assert report.items_valid == 24 and report.batches_planned == 3
    assert [r.index for r in report.rejected] == [7]


@pytest.mark.parametrize("batch_size", [0, 10_001, True])
async def test_batch_size_is_checked_against_max_items(
    server: MigrateServer, flavor: str, batch_size: int
) -> None:
    with pytest.raises(ValueError, match="batch_size must be an integer from 1 to 10000"):
        await migrate(server, flavor, [contact(0)], batch_size=batch_size)


async def test_missing_account_id_fails_before_reading_anything(
    server: MigrateServer, flavor: str
) -> None:
    from masivo_client import AsyncMasivo, ConfigurationError, Masivo

    read: list[int] = []

    def source() -> Iterator[dict[str, Any]]:
        read.append(1)
        yield contact(0)

    client: Any = (Masivo if flavor == "sync" else AsyncMasivo)(token="t", base_url=server.url)
    with pytest.raises(ConfigurationError, match="MASIVO_ACCOUNT_ID"):
        result = client.contacts.migrate_all(source())
        if inspect.isawaitable(result):
            await result
    assert read == [] and server.seen == []
