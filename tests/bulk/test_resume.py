"""Resuming with a journal: confirmed batches are skipped, refused or unsent ones sent,
in-flight ones treated as unknown, and a journal never applied to another input or
account. (Killing the process for real: test_kill.py.)"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from bulk_support import client_for, make_server, pace
from loopback import ACCOUNT, MigrateServer, contact
from masivo_client._bulk import JournalError, Progress

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["sync", "async"])
def flavor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def migrate(srv: MigrateServer, flavor: str, items: Any, **kwargs: Any) -> Any:
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


def states(journal: Path) -> dict[int, str]:
    last: dict[int, str] = {}
    for line in journal.read_text().splitlines():
        record = json.loads(line)
        if "batch" in record:
            last[record["batch"]] = record["type"]
    return last


async def test_rerun_sends_refused_batches_and_reports_in_flight_ones(
    flavor: str, tmp_path: Path
) -> None:
    journal = tmp_path / "job.journal"
    items = [contact(i) for i in range(60)]
    with make_server(faults={2: "422", 4: "drop"}) as srv:
        first = await migrate(srv, flavor, items, journal=journal)
        assert first.items_accepted == 40 and len(first.failed) == len(first.unknown) == 1
        assert states(journal) == {0: "confirmed", 1: "failed", 2: "confirmed",
                                   3: "unknown", 4: "confirmed", 5: "confirmed"}

        second = await migrate(srv, flavor, items, journal=journal)
        assert second.items_previously_accepted == 40 and second.batches_previously_accepted == 4
        assert second.items_accepted == 10  # the refused batch, sent again
        [unknown] = second.unknown  # the dropped one: not sent again by default
        assert unknown.indices == tuple(range(30, 40)) and unknown.batch == 3
        assert srv.recorded == {f"ext-{i}": 1 for i in range(60) if not 30 <= i < 40}

        third = await migrate(srv, flavor, items, journal=journal, resend_unknown=True)
        assert third.items_accepted == 10 and third.ok
        assert srv.recorded == {f"ext-{i}": 1 for i in range(60)}
        assert set(states(journal).values()) == {"confirmed"}

        fourth = await migrate(srv, flavor, items, journal=journal)
        assert fourth.requests == 0 and fourth.items_previously_accepted == 60 and fourth.ok


async def test_a_run_stopped_between_batches_resumes_exactly_once(
    server: MigrateServer, flavor: str, tmp_path: Path
) -> None:
    journal = tmp_path / "job.journal"

    def stop_after_three(progress: Progress) -> None:
        if progress.items_accepted >= 30:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await migrate(server, flavor, (contact(i) for i in range(95)), journal=journal,
                      progress=stop_after_three)
    assert sum(server.recorded.values()) == 30
    # a different batch size on the rerun: skipping is by position, not by batch number
    report = await migrate(server, flavor, (contact(i) for i in range(95)), journal=journal,
                           batch_size=25)
    assert report.items_previously_accepted == 30 and report.items_accepted == 65
    assert server.recorded == {f"ext-{i}": 1 for i in range(95)}
    assert [len(b) for b in server.batches][3:] == [25, 25, 15]


async def test_a_record_fixed_after_a_run_is_sent_alone_on_the_rerun(
    server: MigrateServer, flavor: str, tmp_path: Path
) -> None:
    journal = tmp_path / "job.journal"
    items = [contact(i) for i in range(30)]
    items[5]["gender"] = "UNKNOWN"
    first = await migrate(server, flavor, items, journal=journal)
    assert [r.index for r in first.rejected] == [5] and first.items_accepted == 29
    items[5]["gender"] = "FEMALE"
    second = await migrate(server, flavor, items, journal=journal)
    assert second.ok and second.items_accepted == 1 and second.items_previously_accepted == 29
    assert server.batches[-1] == ["ext-5"]
    assert server.recorded == {f"ext-{i}": 1 for i in range(30)}


async def test_an_input_changed_since_the_journal_is_refused(
    server: MigrateServer, flavor: str, tmp_path: Path
) -> None:
    journal = tmp_path / "job.journal"
    items = [contact(i) for i in range(30)]
    await migrate(server, flavor, items, journal=journal)
    sent = len(server.seen)
    items[13]["first_name"] = "Beatriz"  # still valid, but not what batch 1 held
    with pytest.raises(JournalError, match=r"records 10\.\.19 no longer match batch 1"):
        await migrate(server, flavor, items, journal=journal)
    assert len(server.seen) == sent


async def test_a_journal_is_not_used_for_another_account(
    server: MigrateServer, flavor: str, tmp_path: Path
) -> None:
    journal = tmp_path / "job.journal"
    await migrate(server, flavor, [contact(0)], journal=journal)
    with pytest.raises(JournalError, match=f"x-account-id.*{ACCOUNT}.*acc_other"):
        await migrate(server, flavor, [contact(0)], journal=journal, account_id="acc_other")
    assert len(server.seen) == 1


async def test_pace_carries_over_from_the_journal(flavor: str, tmp_path: Path) -> None:
    """A rerun right after a run does not send before the interval has passed."""
    from loopback import Limits

    journal = tmp_path / "job.journal"
    with make_server(limits=Limits(min_interval=0.3, max_items=50)) as srv:
        await migrate(srv, flavor, [contact(0)], journal=journal, rate_limit=pace(min_interval=0.3))
        await migrate(srv, flavor, [contact(0), contact(1)], journal=journal,
                      rate_limit=pace(min_interval=0.3))
        outcomes = srv.outcomes()
    assert outcomes == ["ok", "ok"]  # no 429: the second run waited for the first's request
