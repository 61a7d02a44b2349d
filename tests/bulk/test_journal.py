"""The journal file: append-only lines, replay, torn tails, another job's journal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from masivo_client._bulk_journal import Journal, JournalError, to_runs

JOB = {"operation": "POST /contacts/migrate", "params": {"x-account-id": "acc_1"}}


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_records_are_replayed_with_the_last_state_of_each_batch(tmp_path: Path) -> None:
    path = tmp_path / "job.journal"
    j = Journal.open(path, JOB)
    j.sent(0, ((0, 10),), 10, "aa")
    j.confirmed(0)
    j.sent(1, ((10, 12), (13, 20)), 9, "bb")
    j.failed(1, "422 refused", 422)
    j.sent(2, ((20, 30),), 10, "cc")
    j.unknown(2, "read timeout")
    j.sent(3, ((30, 40),), 10, "dd")  # in flight when the run died
    j.close()

    again = Journal.open(path, JOB)
    states = {n: (b.state, b.runs, b.count, b.sha256) for n, b in again.batches.items()}
    again.close()
    assert states == {
        0: ("confirmed", ((0, 10),), 10, "aa"),
        1: ("failed", ((10, 12), (13, 20)), 9, "bb"),
        2: ("unknown", ((20, 30),), 10, "cc"),
        3: ("sent", ((30, 40),), 10, "dd"),
    }
    assert again.next_batch_number() == 4
    kinds = [r["type"] for r in lines(path)]
    assert kinds[:2] == ["job", "run"] and kinds[-1] == "run" and kinds.count("job") == 1


def test_a_torn_last_line_is_dropped_and_the_file_stays_readable(tmp_path: Path) -> None:
    path = tmp_path / "job.journal"
    j = Journal.open(path, JOB)
    j.sent(0, ((0, 10),), 10, "aa")
    j.close()
    with open(path, "ab") as f:
        f.write(b'{"type":"confirmed","bat')  # kill -9 in the middle of a write
    again = Journal.open(path, JOB)
    assert again.batches[0].state == "sent"
    again.confirmed(0)
    again.close()
    assert Journal.open(path, JOB).batches[0].state == "confirmed"
    assert all(isinstance(r, dict) for r in lines(path))


def test_another_jobs_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "job.journal"
    Journal.open(path, JOB).close()
    other = {**JOB, "params": {"x-account-id": "acc_2"}}
    with pytest.raises(JournalError, match=r"acc_1.*acc_2"):
        Journal.open(path, other)


def test_damage_in_the_middle_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "job.journal"
    j = Journal.open(path, JOB)
    j.sent(0, ((0, 10),), 10, "aa")
    j.close()
    text = path.read_text().splitlines()
    text.insert(2, "garbage")
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(JournalError, match=r"job.journal:3: not a journal line"):
        Journal.open(path, JOB)


def test_a_file_that_is_not_a_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "contacts.jsonl"
    path.write_text('{"external_id": "x"}\n')
    with pytest.raises(JournalError, match="not a version 1 journal"):
        Journal.open(path, JOB)


def test_state_of_an_unknown_batch_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "job.journal"
    Journal.open(path, JOB).close()
    with open(path, "a") as f:
        f.write('{"type":"confirmed","batch":7,"at":1}\n')
    with pytest.raises(JournalError, match="malformed 'confirmed' line"):
        Journal.open(path, JOB)


def test_to_runs() -> None:
    assert to_runs([0, 1, 2, 5, 7, 8]) == ((0, 3), (5, 6), (7, 9))
    assert to_runs([]) == ()
