"""kill -9 in the middle of a customer, events or transactions migration, then a rerun
with the same journal: every record is accepted exactly once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bulk_support import HERE, client_for, make_server, pace
from loopback import Limits, customer, with_events, with_transactions
from test_kill import confirmed, kill, wait_until

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")

GENERATED = HERE.parents[1] / "generated"
N = 50

CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path[:0] = [{generated!r}, {here!r}]
    from loopback import TOKEN, customer, with_events, with_transactions
    from masivo_client import Masivo
    from masivo_client._bulk import RateLimit

    def progress(p):
        if p.items_accepted >= 30:  # after the third batch: tell the test, wait to be killed
            open({flag!r}, "w").close()
            time.sleep(60)

    records = {{"customers": lambda i: customer(i), "events": lambda i: with_events(i, 3),
               "transactions": lambda i: with_transactions(i, 2)}}[{kind!r}]
    client = Masivo(token=TOKEN, base_url={url!r}, timeout=5)
    getattr(client.customers, {method!r})(
        (records(i) for i in range({n})), batch_size=10, journal={journal!r},
        rate_limit=RateLimit(min_interval=0.02), progress=progress,
    )
    """
)
METHODS = {"customers": "migrate_customers_all", "events": "migrate_events_all",
           "transactions": "migrate_transactions_all"}
RECORDS = {"customers": customer, "events": lambda i: with_events(i, 3),
           "transactions": lambda i: with_transactions(i, 2)}
KEYS = {"customers": "cust", "events": "evc", "transactions": "trc"}


@pytest.mark.parametrize("kind", sorted(METHODS))
def test_killed_between_batches_then_rerun_sends_every_record_once(
    tmp_path: Path, kind: str
) -> None:
    journal = tmp_path / "job.journal"
    flag = tmp_path / "three-batches"
    with make_server(limits=Limits(min_interval=0.02, max_items=1000)) as srv:
        code = CHILD.format(generated=str(GENERATED), here=str(HERE), url=srv.url, n=N,
                            journal=str(journal), flag=str(flag), kind=kind,
                            method=METHODS[kind])
        child = subprocess.Popen([sys.executable, "-c", code])
        try:
            wait_until(flag.exists)
        finally:
            kill(child)
        assert sum(srv.recorded.values()) == 30 and confirmed(journal) == 3

        client: object = client_for(srv)
        report = getattr(client.customers, METHODS[kind])(  # type: ignore[attr-defined]
            (RECORDS[kind](i) for i in range(N)), batch_size=10, journal=journal,
            rate_limit=pace())
        assert report.ok and report.items_previously_accepted == 30
        assert report.items_accepted == N - 30
        assert srv.recorded == {f"{KEYS[kind]}-{i}": 1 for i in range(N)}
