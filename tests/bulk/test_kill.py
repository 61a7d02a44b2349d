"""kill -9 in the middle of a migration, then a rerun with the same journal.

The migration runs in a child process against the loopback endpoint of this one; the
endpoint and the journal tell when to kill it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from bulk_support import HERE, client_for, make_server, pace
from loopback import MigrateServer, contact

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")

GENERATED = HERE.parents[1] / "generated"
N = 80

CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path[:0] = [{generated!r}, {here!r}]
    from loopback import ACCOUNT, TOKEN, contact
    from masivo_client import Masivo
    from masivo_client._bulk import RateLimit

    def progress(p):
        # after the third batch, between two requests: tell the test, and wait to be killed
        if {flag!r} and p.items_accepted >= 30:
            open({flag!r}, "w").close()
            time.sleep(60)

    client = Masivo(token=TOKEN, account_id=ACCOUNT, base_url={url!r}, timeout=5)
    client.contacts.migrate_all(
        (contact(i) for i in range({n})),
        batch_size=10,
        journal={journal!r},
        rate_limit=RateLimit(min_interval={interval}),
        progress=progress,
    )
    """
)


def start_child(
    srv: MigrateServer, journal: Path, interval: float, n: int = N, flag: Path | None = None
) -> subprocess.Popen[bytes]:
    code = CHILD.format(generated=str(GENERATED), here=str(HERE), url=srv.url, n=n,
                        journal=str(journal), interval=interval,
                        flag=str(flag) if flag else "")
    return subprocess.Popen([sys.executable, "-c", code])


def wait_until(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


def confirmed(journal: Path) -> int:
    try:
        return journal.read_text().count('"type":"confirmed"')
    except FileNotFoundError:
        return 0


def kill(child: subprocess.Popen[bytes]) -> None:
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(10) == -signal.SIGKILL


def test_killed_between_batches_then_rerun_sends_every_contact_exactly_once(
    tmp_path: Path,
) -> None:
    journal = tmp_path / "job.journal"
    flag = tmp_path / "three-batches"
    n = 50
    with make_server() as srv:
        child = start_child(srv, journal, interval=0.02, n=n, flag=flag)
        try:
            wait_until(flag.exists)
        finally:
            kill(child)
        assert sum(srv.recorded.values()) == 30 and confirmed(journal) == 3

        client = client_for(srv)
        report = client.contacts.migrate_all(  # type: ignore[attr-defined]
            (contact(i) for i in range(n)), batch_size=10, journal=journal, rate_limit=pace()
        )
        assert report.ok and report.items_previously_accepted == 30
        assert report.items_accepted == n - 30
        assert srv.recorded == {f"ext-{i}": 1 for i in range(n)}


def test_killed_while_a_batch_is_in_flight_its_outcome_is_unknown(tmp_path: Path) -> None:
    journal = tmp_path / "job.journal"
    with make_server(faults={3: "hold"}) as srv:
        child = start_child(srv, journal, interval=0.02)
        try:
            assert srv.state.holding.wait(20)
        finally:
            kill(child)
        srv.release()  # the endpoint drops that request without importing it
        assert sum(srv.recorded.values()) == 20

        client = client_for(srv)
        report = client.contacts.migrate_all(  # type: ignore[attr-defined]
            (contact(i) for i in range(N)), batch_size=10, journal=journal, rate_limit=pace()
        )
        [unknown] = report.unknown  # sent by the killed run, no answer: not sent again
        assert unknown.indices == tuple(range(20, 30))
        assert report.items_previously_accepted == 20 and report.items_accepted == N - 30

        report = client.contacts.migrate_all(  # type: ignore[attr-defined]
            (contact(i) for i in range(N)), batch_size=10, journal=journal, rate_limit=pace(),
            resend_unknown=True,
        )
        assert report.ok and report.items_accepted == 10
        assert srv.recorded == {f"ext-{i}": 1 for i in range(N)}
