"""What a bulk job returns and reports while it runs: ``BulkReport`` and ``Progress``.

Every record read ends in exactly one place: accepted (counted), rejected before
sending (``rejected``, with its field errors), or in one failed batch (``failed``
or ``unknown``, with its records). A batch is never split across entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

__all__ = ["BatchOutcome", "BulkReport", "FailedBatch", "Progress", "RejectedItem"]

ItemT = TypeVar("ItemT")

BatchOutcome = Literal["failed", "unknown", "not_sent"]


@dataclass(frozen=True)
class RejectedItem:
    """A record that failed validation and was not sent.

    ``index`` is its 0-based position in the input; ``line`` its 1-based line in the
    input file when it came from one (the command line), else ``None``. ``errors``
    are ``(location, message)`` pairs, the location inside the record such as
    ``address.city``. ``record`` is the input as given (a mapping, or the
    line's text), so that it can be fixed and sent again.
    """

    index: int
    line: int | None
    errors: tuple[tuple[str, str], ...]
    record: object

    def describe(self) -> str:
        """One line per error: ``line 18: email: Input should be a valid string``."""
        where = f"line {self.line}" if self.line is not None else f"record {self.index}"
        return "\n".join(
            f"{where}: {loc}: {msg}" if loc else f"{where}: {msg}"
            for loc, msg in self.errors
        )


@dataclass(frozen=True)
class FailedBatch(Generic[ItemT]):
    """A batch whose records were not (or not certainly) accepted.

    ``outcome``:

    - ``"failed"``: the API refused it or it could not be delivered after the
      retries; nothing of it was accepted. Safe to fix and send again.
    - ``"unknown"``: it was sent and no answer came back (a read timeout, a dropped
      connection, a 504, or a run killed while it was in flight). The API may or may
      not have accepted it; sending it again may import it twice.
    - ``"not_sent"``: read and validated, but the run stopped before sending it.

    ``indices`` and ``lines`` give each record's input position and file line.
    """

    batch: int
    outcome: BatchOutcome
    error: str
    status_code: int | None
    indices: tuple[int, ...]
    lines: tuple[int | None, ...]
    items: tuple[ItemT, ...]

    def __len__(self) -> int:
        return len(self.items)

    def describe(self) -> str:
        span = (
            f"records {self.indices[0]}..{self.indices[-1]}"
            if self.indices
            else "no records"
        )
        if self.lines and self.lines[0] is not None:
            span += f" (lines {self.lines[0]}..{self.lines[-1]})"
        return f"batch {self.batch}, {len(self.items)} records, {span}: {self.outcome}: {self.error}"


@dataclass(frozen=True)
class Progress:
    """A snapshot passed to the ``progress`` callback after each batch and before long
    waits. ``rate`` is records read per second so far; ``eta`` (seconds) is known when
    the caller gave ``total``. ``waiting`` is the pause about to start, in seconds,
    and ``reason`` what it is for (``"pacing"``, ``"retry"``, ``"rate limit"``), or
    ``""``."""

    items_read: int
    items_accepted: int
    items_rejected: int
    items_not_accepted: int
    batches_accepted: int
    requests: int
    elapsed: float
    rate: float
    total: int | None
    eta: float | None
    waiting: float = 0.0
    reason: str = ""
    dry_run: bool = False


@dataclass
class BulkReport(Generic[ItemT]):
    """The outcome of a bulk job.

    Counts: ``items_read`` records were read; ``items_accepted`` were accepted by the
    API in this run; ``items_previously_accepted`` had been accepted by an earlier run
    of the same journal and were skipped; ``items_valid`` passed validation (in a dry
    run: what would be sent). ``requests`` counts HTTP attempts, retries included.

    Records not accepted: ``rejected`` (invalid, never sent), ``failed`` and
    ``unknown`` (whole batches with their records, see ``FailedBatch``).

    ``stopped`` is the error that ended the run early (an authentication failure, the
    API still failing after the retries, a wait longer than allowed); the input from
    position ``stopped_at`` on was not read. Rerun with the same journal to go on.
    """

    dry_run: bool = False
    items_read: int = 0
    items_valid: int = 0
    items_accepted: int = 0
    items_previously_accepted: int = 0
    batches_accepted: int = 0
    batches_previously_accepted: int = 0
    batches_planned: int = 0
    requests: int = 0
    elapsed: float = 0.0
    rejected: list[RejectedItem] = field(default_factory=list)
    failed: list[FailedBatch[ItemT]] = field(default_factory=list)
    unknown: list[FailedBatch[ItemT]] = field(default_factory=list)
    stopped: Exception | None = None
    stopped_at: int | None = None

    @property
    def items_rejected(self) -> int:
        return len(self.rejected)

    @property
    def items_failed(self) -> int:
        return sum(len(b.items) for b in self.failed)

    @property
    def items_unknown(self) -> int:
        return sum(len(b.items) for b in self.unknown)

    @property
    def ok(self) -> bool:
        """Every record read was accepted (or, in a dry run, is valid), and the run
        went to the end of the input."""
        return (
            self.stopped is None
            and not self.rejected
            and not self.failed
            and not self.unknown
        )

    def summary(self) -> str:
        """A few lines for people: what was accepted, what was not, and why."""
        verb = "valid (dry run, nothing sent)" if self.dry_run else "accepted"
        done = self.items_valid if self.dry_run else self.items_accepted
        lines = [f"{self.items_read} records read; {done} {verb}"]
        if self.items_previously_accepted:
            lines.append(
                f"{self.items_previously_accepted} accepted by an earlier run "
                f"({self.batches_previously_accepted} batches skipped)"
            )
        if not self.dry_run:
            lines.append(
                f"{self.batches_accepted} batches accepted in {self.requests} requests"
            )
        else:
            lines.append(f"{self.batches_planned} batches would be sent")
        if self.rejected:
            lines.append(f"{self.items_rejected} records rejected (invalid, not sent)")
        if self.failed:
            lines.append(
                f"{self.items_failed} records in {len(self.failed)} failed batches"
            )
        if self.unknown:
            lines.append(
                f"{self.items_unknown} records in {len(self.unknown)} batches with an "
                "unknown outcome (sent, no answer: check before sending them again)"
            )
        if self.stopped is not None:
            lines.append(f"stopped early at record {self.stopped_at}: {self.stopped}")
        lines.append(f"{self.elapsed:.1f} s")
        return "\n".join(lines)
