"""One run per journal: a second run on a journal in use refuses at once, naming the
running one, and sends nothing (two runs would both send every unconfirmed batch)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from bulk_support import client_for, make_server, pace
from loopback import contact
from masivo_client._bulk_journal import Journal, JournalError, JournalLockedError
from test_kill import kill, start_child, wait_until

JOB = {"operation": "POST /contacts/migrate", "params": {}}


def test_a_second_open_in_the_same_process_is_refused_naming_the_holder(
    tmp_path: Path,
) -> None:
    path = tmp_path / "job.journal"
    first = Journal.open(path, JOB)
    try:
        with pytest.raises(JournalLockedError) as caught:
            Journal.open(path, JOB)
        message = str(caught.value)
        assert f"process {os.getpid()} on {socket.gethostname()}" in message
        assert str(path) in message
        assert isinstance(caught.value, JournalError)  # the CLI's exit status 2
    finally:
        first.close()
    # The refused open wrote nothing; once closed, the journal opens again.
    kinds = [json.loads(line)["type"] for line in path.read_text().splitlines()]
    assert kinds == ["job", "run"]
    Journal.open(path, JOB).close()


def test_the_lock_dies_with_its_process(tmp_path: Path) -> None:
    path = tmp_path / "job.journal"
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "from masivo_client._bulk_journal import Journal;"
        "j = Journal.open(sys.argv[2], {'operation': 'POST /contacts/migrate', 'params': {}});"
        "print('open', flush=True); time.sleep(60)"
    )
    generated = str(Path(__file__).resolve().parents[2] / "generated")
    child = subprocess.Popen(
        [sys.executable, "-c", code, generated, str(path)], stdout=subprocess.PIPE
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == b"open\n"
        with pytest.raises(JournalLockedError, match=f"process {child.pid} on "):
            Journal.open(path, JOB)
    finally:
        kill(child)
    Journal.open(path, JOB).close()  # kill -9 released it


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
def test_two_bulk_runs_on_one_journal_send_each_contact_once(tmp_path: Path) -> None:
    """The issue's case: a second run started while the first is sending."""
    journal = tmp_path / "job.journal"
    n = 60
    with make_server() as srv:
        child = start_child(srv, journal, interval=0.05, n=n)
        try:
            wait_until(lambda: sum(srv.recorded.values()) >= 10)
            client = client_for(srv)
            with pytest.raises(JournalLockedError, match=f"process {child.pid} on "):
                client.contacts.migrate_all(  # type: ignore[attr-defined]
                    (contact(i) for i in range(n)),
                    batch_size=10,
                    journal=journal,
                    rate_limit=pace(),
                )
            assert child.wait(30) == 0
        finally:
            if child.poll() is None:
                kill(child)
        assert srv.recorded == {f"ext-{i}": 1 for i in range(n)}
        # Once the first run ended, a rerun finds everything confirmed.
        report = client.contacts.migrate_all(  # type: ignore[attr-defined]
            (contact(i) for i in range(n)), batch_size=10, journal=journal, rate_limit=pace()
        )
        assert report.ok and report.items_previously_accepted == n and report.requests == 0
        assert srv.recorded == {f"ext-{i}": 1 for i in range(n)}
