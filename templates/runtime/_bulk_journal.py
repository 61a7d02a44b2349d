"""The journal of a bulk job: which batches were sent, and how each one ended.

An append-only file of JSON lines, each written with one ``write`` and flushed to
disk (``fsync``) before the job goes on, so that it survives ``kill -9`` and power
loss. A run that is started again with the same journal reads it back and skips
what was confirmed. Lines, in order of writing::

    {"type": "job", "version": 1, "fingerprint": {...}, "at": 1700000000.0}
    {"type": "run", "at": 1700000000.0}
    {"type": "sent", "batch": 0, "runs": [[0, 10000]], "count": 10000,
     "sha256": "9f2c...", "at": 1700000000.5}
    {"type": "confirmed", "batch": 0, "at": 1700000001.2}
    {"type": "failed", "batch": 1, "status": 422, "error": "...", "at": ...}
    {"type": "unknown", "batch": 2, "error": "...", "at": ...}

- ``job`` (first line): what the job sends to (operation, URL, parameters); a run
  with another fingerprint refuses the journal rather than skip the wrong batches.
- ``sent`` is written *before* a request: the batch's identity is the input
  positions it holds (``runs``: half-open ranges ``[start, end)`` of 0-based
  positions; invalid records in between are not part of it), their ``count``, and the
  SHA-256 of the exact request body.
- ``confirmed``: the API answered 2xx (or ``"by": "resolver"``: the caller's
  ``resend_unknown`` check found the batch on the server).
- ``failed``: definitely not accepted (the API refused it, or it was never sent).
- ``unknown``: sent, and no answer (a read timeout, a dropped connection).

A batch's state is its last line. ``sent`` with nothing after it means the run
stopped while the request was in flight: the outcome is unknown.

One run at a time. An open journal holds an exclusive lock on its file (``flock``
on POSIX, ``msvcrt.locking`` on Windows) until it is closed or its process dies:
two runs on one journal would both send every batch not yet confirmed. A second
``open`` refuses at once with ``JournalLockedError``, naming the process of the
running one (its ``run`` line records the process id and host).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

__all__ = ["Journal", "JournalBatch", "JournalError", "JournalLockedError", "StrPath"]

VERSION = 1

StrPath: TypeAlias = str | os.PathLike[str]
BatchState = Literal["sent", "confirmed", "failed", "unknown"]
Runs: TypeAlias = tuple[tuple[int, int], ...]


class JournalError(ValueError):
    """The journal cannot be used for this job: another job's journal, a damaged
    file, or an input that changed since the journal recorded it."""


class JournalLockedError(JournalError):
    """Another run (this process or another one) has the journal open."""


@dataclass(frozen=True)
class JournalBatch:
    """A batch recorded in the journal: its identity and its last known state."""

    batch: int
    runs: Runs
    count: int
    sha256: str
    state: BatchState
    sent_at: float
    error: str | None = None

    def positions(self) -> Iterator[int]:
        for start, end in self.runs:
            yield from range(start, end)


def to_runs(positions: list[int]) -> Runs:
    """Sorted positions as half-open ranges: ``[0, 1, 2, 5]`` -> ``((0, 3), (5, 6))``."""
    runs: list[tuple[int, int]] = []
    for position in positions:
        if runs and runs[-1][1] == position:
            runs[-1] = (runs[-1][0], position + 1)
        else:
            runs.append((position, position + 1))
    return tuple(runs)


class Journal:
    """An open journal file. Use ``Journal.open``; close it when the run ends."""

    def __init__(self, path: str, fd: int, batches: dict[int, JournalBatch]) -> None:
        self.path = path
        self._fd = fd
        self._batches = batches

    @classmethod
    def open(cls, path: StrPath, fingerprint: Mapping[str, object]) -> Journal:
        """Read ``path`` (created when missing) and open it for appending.

        Raises ``JournalError`` when the file belongs to a job with another
        ``fingerprint`` or cannot be read.
        """
        name = os.fspath(path)
        wanted = json.loads(json.dumps(fingerprint, sort_keys=True, default=str))
        try:
            fd = os.open(name, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise JournalError(f"cannot open journal {name}: {exc}") from None
        try:
            # Lock before reading: the holder may be appending or truncating.
            if not _try_lock(fd):
                raise JournalLockedError(
                    f"journal {name} is in use by another run ({_holder(name)}); "
                    "wait for it to end, or give this job another journal"
                )
            lines, valid_length = _read(name)
            batches = _replay(name, lines, wanted)
            if os.fstat(fd).st_size != valid_length:
                os.ftruncate(fd, valid_length)  # drop a line torn by a crash
            journal = cls(name, fd, batches)
            if not lines:
                journal._write(
                    {"type": "job", "version": VERSION, "fingerprint": wanted}
                )
                _sync_directory(name)
            journal._write(
                {"type": "run", "pid": os.getpid(), "host": socket.gethostname()}
            )
        except BaseException:
            os.close(fd)  # closing releases the lock
            raise
        return journal

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    @property
    def batches(self) -> Mapping[int, JournalBatch]:
        return self._batches

    def next_batch_number(self) -> int:
        return max(self._batches, default=-1) + 1

    def send_times(self) -> list[float]:
        """Wall-clock times of the last request of each batch."""
        return [b.sent_at for b in self._batches.values()]

    def sent(self, batch: int, runs: Runs, count: int, sha256: str) -> None:
        now = time.time()
        self._write(
            {
                "type": "sent",
                "batch": batch,
                "runs": [list(r) for r in runs],
                "count": count,
                "sha256": sha256,
            },
            now,
        )
        self._batches[batch] = JournalBatch(batch, runs, count, sha256, "sent", now)

    def confirmed(self, batch: int, *, by: str | None = None) -> None:
        record: dict[str, Any] = {"type": "confirmed", "batch": batch}
        if by is not None:
            record["by"] = by
        self._write(record)
        self._set_state(batch, "confirmed", None)

    def failed(self, batch: int, error: str, status: int | None) -> None:
        self._write(
            {"type": "failed", "batch": batch, "status": status, "error": error}
        )
        self._set_state(batch, "failed", error)

    def unknown(self, batch: int, error: str) -> None:
        self._write({"type": "unknown", "batch": batch, "error": error})
        self._set_state(batch, "unknown", error)

    def _set_state(self, batch: int, state: BatchState, error: str | None) -> None:
        old = self._batches[batch]
        self._batches[batch] = JournalBatch(
            old.batch, old.runs, old.count, old.sha256, state, old.sent_at, error
        )

    def _write(self, record: dict[str, Any], at: float | None = None) -> None:
        record["at"] = time.time() if at is None else at
        line = json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
        data = line.encode("utf-8")
        # One write per line (O_APPEND) and fsync before going on: a crash leaves at
        # most the last line torn, and open() drops it.
        written = os.write(self._fd, data)
        while written < len(data):
            written += os.write(self._fd, data[written:])
        os.fsync(self._fd)


def _read(path: str) -> tuple[list[tuple[int, dict[str, Any]]], int]:
    """The parsed lines of ``path`` (with line numbers) and the length up to its last
    complete line."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise JournalError(f"cannot read journal {path}: {exc}") from None
    valid_length = data.rfind(b"\n") + 1  # a last line without newline was torn
    lines: list[tuple[int, dict[str, Any]]] = []
    for number, raw in enumerate(data[:valid_length].splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            raise JournalError(
                f"{path}:{number}: not a journal line (invalid JSON)"
            ) from None
        if not isinstance(record, dict):
            raise JournalError(f"{path}:{number}: not a journal line")
        lines.append((number, record))
    return lines, valid_length


def _holder(path: str) -> str:
    """Who holds the journal, from its last ``run`` line (written once locked)."""
    try:
        lines, _ = _read(path)
    except JournalError:
        lines = []
    for _, record in reversed(lines):
        if record.get("type") == "run" and "pid" in record:
            started = time.strftime(
                "%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(record.get("at", 0)))
            )
            return (
                f"process {record.get('pid')} on {record.get('host', '?')}, "
                f"started {started}"
            )
    return "a process that has just opened it"


if sys.platform == "win32":
    import msvcrt

    # A lock on one byte far past the end: it excludes other runs without blocking
    # reads of the records (Windows locks are mandatory).
    _LOCK_OFFSET = 0x7FFFFFFE

    def _try_lock(fd: int) -> bool:
        position = os.lseek(fd, 0, os.SEEK_CUR)
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        finally:
            os.lseek(fd, position, os.SEEK_SET)
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def _replay(
    path: str, lines: list[tuple[int, dict[str, Any]]], fingerprint: object
) -> dict[int, JournalBatch]:
    batches: dict[int, JournalBatch] = {}
    if not lines:
        return batches
    number, head = lines[0]
    if head.get("type") != "job" or head.get("version") != VERSION:
        raise JournalError(f"{path}:{number}: not a version {VERSION} journal")
    if head.get("fingerprint") != fingerprint:
        raise JournalError(
            f"{path} records another job ({_differences(head.get('fingerprint'), fingerprint)}); "
            "use a new journal file for this one"
        )
    for number, record in lines[1:]:
        try:
            _apply(record, batches)
        except (KeyError, TypeError, ValueError) as exc:
            raise JournalError(
                f"{path}:{number}: malformed {record.get('type')!r} line ({exc})"
            )
    return batches


def _apply(record: dict[str, Any], batches: dict[int, JournalBatch]) -> None:
    kind = record["type"]
    if kind == "run":
        return
    batch = int(record["batch"])
    if kind == "sent":
        runs = tuple((int(s), int(e)) for s, e in record["runs"])
        batches[batch] = JournalBatch(
            batch,
            runs,
            int(record["count"]),
            str(record["sha256"]),
            "sent",
            float(record["at"]),
        )
        return
    if kind not in ("confirmed", "failed", "unknown"):
        raise ValueError(f"unknown type {kind!r}")
    old = batches[batch]
    state: BatchState = kind
    error = record.get("error")
    text = str(error) if error is not None else None
    batches[batch] = JournalBatch(
        old.batch, old.runs, old.count, old.sha256, state, old.sent_at, text
    )


def _differences(old: object, new: object) -> str:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return "unreadable fingerprint"
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return ", ".join(f"{k}: {old.get(k)!r} there, {new.get(k)!r} now" for k in keys)


def _sync_directory(path: str) -> None:
    """Make a new file's directory entry durable too (POSIX; a no-op elsewhere)."""
    try:
        fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
