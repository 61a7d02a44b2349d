"""Sending any number of records through an operation whose body holds a bounded array.

The generated ``<operation>_all`` methods (``client.<resource>.<operation>_all(...)``)
call ``run_sync`` or ``run_async`` with a ``BulkSpec`` read from the API description:
the array field, its item model, its ``maxItems`` (the batch size) and the pace
declared in the operation's ``x-rate-limit`` extension.

For each record, in input order:

1. it is validated once with the item model (a model instance is taken as it is);
   an invalid record is reported with its position and field errors and skipped, or,
   with ``on_invalid="raise"``, stops the job before its batch is sent;
2. valid records are gathered into batches of ``batch_size`` (``maxItems`` by
   default); a batch is serialised once, by pydantic, to the bytes that are sent.
   When the spec bounds a nested count (``x-bulk.max-nested-items``: e.g. at most
   1,000 *events* in all the customers of a request), a batch is also closed before
   the record that would take its nested count past the bound, and a record whose
   own count exceeds the bound is rejected (it could never be sent);
3. each batch is sent at the allowed pace (``RateLimit``); what is safe to retry is
   retried (429 after its ``Retry-After``, 408/409/5xx, a connection that could not
   be made or a body that could not be written), and the rest is settled:

   - 2xx: accepted;
   - 400, 413, 422: the batch is refused (``FailedBatch``, outcome ``failed``); the
     job goes on with the next one;
   - other 4xx (401, 403, 404, ...), retries exhausted, or a ``Retry-After`` longer
     than ``max_wait``: that batch fails and the job stops (every later batch would
     fail the same way); ``report.stopped`` says why;
   - no answer after the request was sent (read timeout, connection dropped, 504):
     the outcome is **unknown**; see below.

Memory holds the batch being filled and the one being sent, plus what the report
keeps (rejected records and failed batches).

Unknown outcomes. The endpoint has no idempotency key: a batch sent again after a
read timeout may be imported twice. By default (unless the spec says replays are
harmless, ``x-bulk.replay-safe``, in which case the generated method's default is
``resend_unknown=True``) such a batch is not sent again; it
is reported in ``report.unknown`` (the command line writes its records to a
separate file) so that the caller can check and decide. ``resend_unknown=True``
sends it again at once (at-least-once delivery: possible duplicates).
``resend_unknown=check`` calls ``check(batch)`` at the end of the run for each such
batch, when the server has had time to process it: return ``True`` to send it
again, ``False`` when it was found on the server (counted as accepted), ``None`` to
leave it unknown. A batch is accepted or refused as a whole, so checking one of its
records is enough.

Resuming. With ``journal=path``, the job records each batch before sending it and
its outcome after (see ``_bulk_journal``). Started again on the same input, it skips
the batches confirmed earlier (after checking that their records still serialise to
the same bytes), sends again the ones refused or never sent, and treats a batch that
was in flight when the run died like any unknown outcome.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import random
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeAlias, TypeVar

import httpx
import pydantic

from ._base_client import AsyncAPIClient, SyncAPIClient
from ._bulk_journal import (
    Journal,
    JournalBatch,
    JournalError,
    JournalLockedError,
    StrPath,
    to_runs,
)
from ._bulk_pacing import Pacer, RateLimit, shared_pacer
from ._bulk_report import BulkReport, FailedBatch, Progress, RejectedItem
from ._bulk_transport import Prepared, prepare, send_async, send_sync
from ._config import Operation, RequestOptions
from ._constants import INITIAL_RETRY_DELAY
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    RateLimitError,
    RequestValidationError,
    format_validation_errors,
)
from ._retry import backoff_delay, is_retryable_status, parse_retry_after

__all__ = [
    "BulkOptions",
    "BulkReport",
    "BulkSpec",
    "FailedBatch",
    "InvalidItemError",
    "JournalError",
    "JournalLockedError",
    "OnInvalid",
    "Progress",
    "ProgressCallback",
    "RateLimit",
    "RejectedItem",
    "SourceRecord",
    "StrPath",
    "UnknownPolicy",
    "run_async",
    "run_sync",
]

ItemT = TypeVar("ItemT", bound=pydantic.BaseModel)

OnInvalid: TypeAlias = Literal["skip", "raise"]
ProgressCallback: TypeAlias = Callable[[Progress], None]
UnknownPolicy: TypeAlias = bool | Callable[[FailedBatch[ItemT]], bool | None]

# Statuses that refuse this batch's content: the next batch may well pass.
_BATCH_REFUSED = frozenset({400, 413, 422})
# Transport errors raised before the whole request was written: nothing was processed.
_NOT_DELIVERED = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)
_ONE_HOUR = 3600.0


class InvalidItemError(RequestValidationError):
    """With ``on_invalid="raise"``: the record at ``index`` (file ``line``) is invalid.

    Raised before the batch holding it is sent. ``report`` is the job so far: earlier
    batches were sent; the valid records read since the last batch are in
    ``report.failed`` as ``not_sent``.
    """

    index: int
    line: int | None
    report: BulkReport[Any]

    def __init__(
        self,
        errors: list[tuple[str, str]],
        *,
        index: int,
        line: int | None,
        report: BulkReport[Any],
    ) -> None:
        super().__init__(errors)
        self.index = index
        self.line = line
        self.report = report


@dataclass(frozen=True)
class BulkSpec(Generic[ItemT]):
    """What the API description says about one bulk-capable operation.

    ``field`` is the wire name of the array in the body, ``item_model`` its item,
    ``body_model`` the whole body, ``max_items`` the array's ``maxItems``.
    ``min_interval`` (seconds between requests) and ``hourly_limits`` (requests per
    hour by account tier) come from the operation's ``x-rate-limit``;
    ``shared_limiter`` (``x-rate-limit.shared``) names a limit the operation counts
    against together with others (see ``_bulk_pacing.shared_pacer``).
    ``nested_field`` (wire name of an array in each item) and ``max_nested`` bound the
    sum of those arrays' lengths in one request; ``replay_safe``: sending a batch
    twice does no harm (``x-bulk``).
    """

    operation: Operation
    field: str
    item_model: type[ItemT]
    body_model: type[pydantic.BaseModel]
    max_items: int
    min_interval: float | None = None
    hourly_limits: tuple[tuple[str, int], ...] = ()
    shared_limiter: str | None = None
    nested_field: str | None = None
    max_nested: int | None = None
    replay_safe: bool = False

    def nested_attribute(self) -> str | None:
        """The item model's attribute holding ``nested_field``."""
        if self.nested_field is None:
            return None
        for name, info in self.item_model.model_fields.items():
            if (info.alias or name) == self.nested_field:
                return name
        raise ValueError(
            f"{self.item_model.__name__} has no field {self.nested_field!r}"
        )

    def rate_limit(self, tier: str | None = None) -> RateLimit:
        """The spec's pace; with ``tier``, also that tier's hourly cap."""
        hourly: int | None = None
        if tier is not None:
            limits = dict(self.hourly_limits)
            if tier not in limits:
                known = ", ".join(repr(t) for t in sorted(limits)) or "none in the spec"
                raise ValueError(
                    f"rate_limit_tier must be one of {known}, got {tier!r}"
                )
            hourly = limits[tier]
        return RateLimit(
            min_interval=self.min_interval or 0.0, max_requests=hourly, window=_ONE_HOUR
        )


@dataclass(frozen=True)
class SourceRecord:
    """A record read from a file, with its line: what the command line feeds in.

    Exactly one of ``text`` (the record as JSON text, validated straight from JSON),
    ``data`` (a mapping) or ``error`` (why the record could not be read) is set.
    """

    line: int | None
    text: str | bytes | None = None
    data: Mapping[str, object] | None = None
    error: str | None = None

    @property
    def raw(self) -> object:
        """The record as read, for writing it back out."""
        if self.text is not None:
            return self.text
        return self.data


@dataclass(frozen=True)
class BulkOptions(Generic[ItemT]):
    """How to run a bulk job; the ``<operation>_all`` methods document each option."""

    batch_size: int | None = None
    rate_limit: RateLimit | None = None
    rate_limit_tier: str | None = None
    on_invalid: OnInvalid = "skip"
    journal: StrPath | None = None
    resend_unknown: UnknownPolicy[ItemT] = False
    dry_run: bool = False
    progress: ProgressCallback | None = None
    total: int | None = None
    max_retries: int = 10
    max_wait: float = _ONE_HOUR


class _Stop(Exception):
    """The job cannot go on: ``error`` says why."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class _Batch(Generic[ItemT]):
    __slots__ = (
        "content",
        "indices",
        "items",
        "known",
        "lines",
        "nested",
        "number",
        "sha256",
    )

    def __init__(self, number: int, known: JournalBatch | None = None) -> None:
        self.number = number
        self.known = known  # the journal's record of this batch, when re-formed from it
        self.items: list[ItemT] = []
        self.indices: list[int] = []
        self.lines: list[int | None] = []
        self.nested = 0  # the nested count (x-bulk.max-nested-items) of its items
        self.content = b""
        self.sha256 = ""

    def add(self, item: ItemT, index: int, line: int | None, nested: int = 0) -> None:
        self.items.append(item)
        self.indices.append(index)
        self.lines.append(line)
        self.nested += nested

    def outcome(
        self,
        outcome: Literal["failed", "unknown", "not_sent"],
        error: str,
        status: int | None,
    ) -> FailedBatch[ItemT]:
        return FailedBatch(
            batch=self.number,
            outcome=outcome,
            error=error,
            status_code=status,
            indices=tuple(self.indices),
            lines=tuple(self.lines),
            items=tuple(self.items),
        )


@functools.lru_cache(maxsize=64)
def _list_adapter(model: type[pydantic.BaseModel]) -> pydantic.TypeAdapter[list[Any]]:
    return pydantic.TypeAdapter(list[model])  # type: ignore[valid-type]


class _GcPause:
    """Pauses the cyclic garbage collector while a batch is read and validated.

    Validation creates many long-lived objects (a batch's models) and no reference
    cycles; the collector would scan them again and again, about a third of the CPU
    time of validation. It runs again while the batch is sent.
    """

    def __init__(self) -> None:
        self._paused = False

    def pause(self) -> None:
        if not self._paused and gc.isenabled():
            gc.disable()
            self._paused = True

    def resume(self) -> None:
        if self._paused:
            gc.enable()
            self._paused = False


class _Job(Generic[ItemT]):
    """Everything but the I/O: validation, batches, journal, pacing and the report."""

    def __init__(
        self,
        spec: BulkSpec[ItemT],
        options: BulkOptions[ItemT],
        body_fields: Mapping[str, object],
        clock: Callable[[], float],
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.spec = spec
        self.rand = rand
        self.options = options
        self.clock = clock
        self.started_at = clock()
        self.report: BulkReport[ItemT] = BulkReport(dry_run=options.dry_run)
        self.batch_size = _batch_size(options.batch_size, spec.max_items)
        if options.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {options.max_retries!r}")
        if options.on_invalid not in ("skip", "raise"):
            raise ValueError(
                f"on_invalid must be 'skip' or 'raise', got {options.on_invalid!r}"
            )
        self.limit = options.rate_limit or spec.rate_limit(options.rate_limit_tier)
        self.pacer = Pacer(self.limit, clock)
        self.nested_attribute = spec.nested_attribute()
        self.hold_reason = ""
        self.new_connection = True  # the next request may have to connect first
        self.body_fields = dict(body_fields)
        self.adapter = _list_adapter(spec.item_model)
        self.prefix = b"{" + json.dumps(spec.field).encode() + b":"
        self.suffix: bytes | None = None if self.body_fields else b"}"
        self.prepared: Prepared | None = None
        self.journal: Journal | None = None
        self.known_runs: list[tuple[int, int, int]] = []  # (start, end, batch) sorted
        self.run_pointer = 0
        self.reforming: dict[int, _Batch[ItemT]] = {}
        self.next_number = 0
        self.pending: _Batch[ItemT] | None = None
        self.deferred: list[tuple[_Batch[ItemT], str, int | None]] = []
        self.resolving = False  # the end of the run, asking the caller's check
        self.last_index = -1

    # -- setting up ----------------------------------------------------------------------

    def open(
        self, prepared: Prepared, credentials: tuple[str | None, ...] = ()
    ) -> None:
        """Start sending: remember the prepared request, open and replay the journal."""
        self.prepared = prepared
        if self.spec.shared_limiter is not None:
            self.pacer = shared_pacer(
                self.spec.shared_limiter,
                httpx.URL(prepared.url).netloc.decode("ascii"),
                credentials,
                self.limit,
                self.clock,
            )
        if self.options.journal is None:
            return
        self.journal = Journal.open(self.options.journal, self._fingerprint(prepared))
        self.next_number = self.journal.next_batch_number()
        runs: list[tuple[int, int, int]] = []
        for batch in self.journal.batches.values():
            runs.extend((start, end, batch.batch) for start, end in batch.runs)
        self.known_runs = sorted(runs)
        now = time.time()
        recent = [
            now - t
            for t in self.journal.send_times()
            if now - t < self.pacer.limit.window
        ]
        self.pacer.seed(recent)

    def _fingerprint(self, prepared: Prepared) -> dict[str, object]:
        operation = prepared.operation
        params = {p.wire: prepared.headers.get(p.wire) for p in operation.header_params}
        params.update({f"?{k}": v for k, v in prepared.query.items()})
        return {
            "operation": prepared.label,
            "url": prepared.url,
            "params": params,
            "body": json.dumps(self.body_fields, sort_keys=True, default=str),
        }

    def close(self) -> None:
        self.settled()
        if self.journal is not None:
            self.journal.close()
        self.report.elapsed = self.clock() - self.started_at

    # -- reading -------------------------------------------------------------------------

    def feed(self, index: int, item: object) -> list[_Batch[ItemT]]:
        """Take the record at ``index``; the batches now ready to send."""
        self.last_index = index
        self.report.items_read += 1
        known = self._journaled(index) if self.known_runs else None
        valid = self._validate(index, item)
        if known is not None:
            return self._reform(known, index, item, valid)
        if valid is None:
            return []
        nested = self._nested_count(index, item, valid)
        if nested is None:
            return []
        self.report.items_valid += 1
        ready: list[_Batch[ItemT]] = []
        bound = self.spec.max_nested
        if (
            self.pending is not None
            and bound is not None
            and self.pending.nested + nested > bound
        ):
            full, self.pending = self.pending, None
            ready = self._planned(full)
        if self.pending is None:
            self.pending = self._new_batch()
        self.pending.add(valid, index, _line_of(item), nested)
        if len(self.pending.items) < self.batch_size and (
            bound is None or self.pending.nested < bound
        ):
            return ready
        full, self.pending = self.pending, None
        return ready + self._planned(full)

    def _nested_count(self, index: int, item: object, valid: ItemT) -> int | None:
        """The record's nested count, or ``None`` when it alone exceeds the bound (then
        it is rejected: no request may carry it)."""
        if self.nested_attribute is None:
            return 0
        nested = getattr(valid, self.nested_attribute, None)
        count = len(nested) if nested is not None else 0
        bound = self.spec.max_nested
        if bound is None or count <= bound:
            return count
        error = (
            self.spec.nested_field or "",
            f"{count:,} items; a request may carry at most {bound:,} in all its records",
        )
        self._reject(index, item, (error,))
        return None

    def finish(self) -> list[_Batch[ItemT]]:
        """The input ended: the last, partly filled batch."""
        if self.reforming:
            first = min(self.reforming)
            raise JournalError(
                f"the input ended before all the records of batch {first} in the journal: "
                "the input changed since that run"
            )
        ready, self.pending = self.pending, None
        return self._planned(ready) if ready is not None else []

    def _new_batch(self) -> _Batch[ItemT]:
        batch: _Batch[ItemT] = _Batch(self.next_number)
        self.next_number += 1
        return batch

    def _planned(self, batch: _Batch[ItemT]) -> list[_Batch[ItemT]]:
        self.report.batches_planned += 1
        if self.options.dry_run:
            self.notify()
            return []
        return [batch]

    def _validate(self, index: int, item: object) -> ItemT | None:
        model = self.spec.item_model
        if isinstance(item, model):
            return item
        # The model's core validator, called directly: one Python call less per record.
        validator = model.__pydantic_validator__
        try:
            if not isinstance(item, SourceRecord):
                return validator.validate_python(item)  # type: ignore[no-any-return]
            if item.text is not None:
                return validator.validate_json(item.text)  # type: ignore[no-any-return]
            if item.error is None:
                return validator.validate_python(item.data)  # type: ignore[no-any-return]
            errors: tuple[tuple[str, str], ...] = (("", item.error),)
        except pydantic.ValidationError as exc:
            errors = tuple(format_validation_errors(exc))
        self._reject(index, item, errors)
        return None

    def _reject(
        self, index: int, item: object, errors: tuple[tuple[str, str], ...]
    ) -> None:
        line: int | None = None
        record = item
        if isinstance(item, SourceRecord):
            line, record = item.line, item.raw
        self.report.rejected.append(
            RejectedItem(index=index, line=line, errors=errors, record=record)
        )
        if self.options.on_invalid == "raise":
            self._abandon_pending(
                f"not sent: record {index} is invalid (on_invalid='raise')"
            )
            where = f"{self.spec.field}[{index}]"
            located = [(f"{where}.{loc}" if loc else where, msg) for loc, msg in errors]
            raise InvalidItemError(located, index=index, line=line, report=self.report)

    # -- resuming from a journal ---------------------------------------------------------

    def _journaled(self, index: int) -> JournalBatch | None:
        runs = self.known_runs
        while self.run_pointer < len(runs) and runs[self.run_pointer][1] <= index:
            self.run_pointer += 1
        if self.run_pointer < len(runs) and runs[self.run_pointer][0] <= index:
            assert self.journal is not None
            return self.journal.batches[runs[self.run_pointer][2]]
        return None

    def _reform(
        self, known: JournalBatch, index: int, item: object, valid: ItemT | None
    ) -> list[_Batch[ItemT]]:
        if valid is None:
            raise JournalError(
                f"record {index} was sent in batch {known.batch} (journal) and is invalid "
                "now: the input changed since that run"
            )
        self.report.items_valid += 1
        batch = self.reforming.get(known.batch)
        if batch is None:
            batch = self.reforming[known.batch] = _Batch(known.batch, known)
        batch.add(valid, index, _line_of(item))
        if len(batch.items) < known.count:
            return []
        del self.reforming[known.batch]
        self.encode(batch)
        if batch.sha256 != known.sha256:
            raise JournalError(
                f"records {batch.indices[0]}..{batch.indices[-1]} no longer match batch "
                f"{known.batch} in the journal: the input changed since that run"
            )
        if known.state == "confirmed":
            self.report.items_previously_accepted += len(batch.items)
            self.report.batches_previously_accepted += 1
            return []
        if known.state == "failed":
            return self._planned(batch)
        error = (
            known.error or "sent by an earlier run that stopped before the answer came"
        )
        return self._in_doubt(batch, error, None)

    def _in_doubt(
        self,
        batch: _Batch[ItemT],
        error: str,
        status: int | None,
        *,
        resend: bool = True,
    ) -> list[_Batch[ItemT]]:
        """A batch that may or may not have been accepted, handled per ``resend_unknown``:
        sent again (``resend``), kept for the caller's check at the end of the run, or
        reported as unknown."""
        policy = self.options.resend_unknown
        if policy is True and resend:
            return self._planned(batch)
        if callable(policy) and not self.resolving:
            self.deferred.append((batch, error, status))
        else:
            self.report.unknown.append(batch.outcome("unknown", error, status))
        return []

    # -- sending -------------------------------------------------------------------------

    def encode(self, batch: _Batch[ItemT]) -> None:
        """The request body, serialised once by pydantic, and (for the journal) its
        SHA-256."""
        if not batch.content:
            array = self.adapter.dump_json(
                batch.items, by_alias=True, exclude_unset=True
            )
            batch.content = self.prefix + array + self._suffix(batch)
        if not batch.sha256 and (self.journal is not None or batch.known is not None):
            batch.sha256 = hashlib.sha256(batch.content).hexdigest()

    def _suffix(self, batch: _Batch[ItemT]) -> bytes:
        if self.suffix is None:
            # Other body fields: validated once, with the first batch standing in for
            # the array, and appended to every body.
            try:
                body = self.spec.body_model.model_validate(
                    {**self.body_fields, self.spec.field: batch.items}
                )
            except pydantic.ValidationError as exc:
                errors = [
                    e
                    for e in format_validation_errors(exc)
                    if not e[0].startswith(self.spec.field)
                ]
                raise RequestValidationError(
                    errors or format_validation_errors(exc)
                ) from None
            rest = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
            rest.pop(self.spec.field, None)
            inner = json.dumps(rest, separators=(",", ":"), ensure_ascii=False)[1:-1]
            self.suffix = (b"," + inner.encode() if inner else b"") + b"}"
        return self.suffix

    def wait(self) -> tuple[float, str]:
        """Seconds to wait before the next request, and what for. The start is
        reserved at once (``Pacer.reserve``): the request goes after that wait."""
        delay = self.pacer.reserve()
        reason = self.hold_reason or "pacing"
        return delay, reason if delay > 0 else ""

    def attempt(self, batch: _Batch[ItemT]) -> bytes:
        """A request for ``batch`` starts now: journal it, then hand back its body.

        ``encode`` ran before the wait, so that the wait absorbs its CPU time.
        """
        self.encode(batch)
        if self.journal is not None:
            runs = to_runs(batch.indices)
            self.journal.sent(batch.number, runs, len(batch.items), batch.sha256)
        self.hold_reason = ""
        self.report.requests += 1
        return batch.content

    def answered(self) -> None:
        if self.new_connection:
            self.pacer.answered(self)
            self.new_connection = False

    def settled(self) -> None:
        """The attempt is over, whatever its outcome: a job sharing the pacer that waits
        for this request's connection to be made may go on."""
        self.pacer.settle(self)

    def succeeded(self, batch: _Batch[ItemT], *, by: str | None = None) -> None:
        if by is None:
            self.answered()
            self.settled()
        if self.journal is not None:
            self.journal.confirmed(batch.number, by=by)
        self.report.items_accepted += len(batch.items)
        self.report.batches_accepted += 1
        self.notify()

    def attempt_failed(
        self, batch: _Batch[ItemT], exc: Exception, attempt: int
    ) -> bool:
        """Settle a failed attempt: ``True`` to try again (after ``wait()``).

        Raises ``_Stop`` when the job cannot go on.
        """
        assert self.prepared is not None
        kind, status, retry_after = _classify(exc, self.prepared)
        message = str(exc)
        if status is not None:
            self.answered()
        elif isinstance(exc, APIConnectionError):
            self.new_connection = True
        self.settled()
        if kind == "retry":
            wait = retry_after
            if wait is None or wait <= 0:
                wait = self.backoff(attempt)
            if attempt >= self.options.max_retries:
                self._fail(
                    batch, f"{message} (gave up after {attempt + 1} attempts)", status
                )
                raise _Stop(exc)
            if wait > self.options.max_wait:
                note = f"{message} (the API asks to wait {wait:g} s; max_wait is "
                self._fail(batch, note + f"{self.options.max_wait:g} s)", status)
                raise _Stop(exc)
            self.pacer.hold(wait)
            if status == 429:
                self.pacer.early(retry_after)
            self.hold_reason = "rate limit" if status == 429 else "retry"
            self.notify()
            return True
        if kind == "unknown":
            if self.journal is not None:
                self.journal.unknown(batch.number, message)
            if (
                self.options.resend_unknown is True
                and attempt < self.options.max_retries
            ):
                self.pacer.hold(self.backoff(attempt))
                self.hold_reason = "retry"
                return True
            self._in_doubt(batch, message, status, resend=False)
            self.notify()
            return False
        self._fail(batch, message, status)
        if kind == "fatal":
            raise _Stop(exc)
        return False

    def backoff(self, attempt: int) -> float:
        """The client's exponential backoff with jitter, scaled to ``RateLimit.backoff``."""
        scale = self.pacer.limit.backoff / INITIAL_RETRY_DELAY
        return backoff_delay(attempt, self.rand()) * scale

    def _fail(self, batch: _Batch[ItemT], error: str, status: int | None) -> None:
        if self.journal is not None:
            self.journal.failed(batch.number, error, status)
        self.report.failed.append(batch.outcome("failed", error, status))
        self.notify()

    def take_deferred(self) -> list[tuple[_Batch[ItemT], str, int | None]]:
        """The unknown batches waiting for the caller's check; from now on, another
        unknown outcome is reported as it is."""
        self.resolving = True
        deferred, self.deferred = self.deferred, []
        return deferred

    def resolve(self, batch: _Batch[ItemT], error: str, status: int | None) -> bool:
        """Ask the caller's ``resend_unknown`` check: ``True`` to send the batch again."""
        policy = self.options.resend_unknown
        assert callable(policy)
        decision = policy(batch.outcome("unknown", error, status))
        if decision is True:
            return True
        if decision is False:
            self.succeeded(batch, by="resolver")
        else:
            self.report.unknown.append(batch.outcome("unknown", error, status))
        return False

    # -- stopping ------------------------------------------------------------------------

    def stop(self, error: Exception) -> None:
        """The job ends early: account for every record read but not settled."""
        self.report.stopped = error
        self.report.stopped_at = self.last_index + 1
        self._abandon_pending(f"not sent: the job stopped ({error})")

    def _abandon_pending(self, reason: str) -> None:
        if self.pending is not None and self.pending.items:
            self.report.failed.append(self.pending.outcome("not_sent", reason, None))
        self.pending = None
        for batch in self.reforming.values():
            assert batch.known is not None
            if batch.known.state == "confirmed":
                self.report.items_previously_accepted += len(batch.items)
            elif batch.known.state == "failed":
                self.report.failed.append(batch.outcome("not_sent", reason, None))
            else:
                self.report.unknown.append(
                    batch.outcome("unknown", batch.known.error or reason, None)
                )
        self.reforming = {}
        for batch, error, status in self.take_deferred():
            self.report.unknown.append(batch.outcome("unknown", error, status))

    # -- progress ------------------------------------------------------------------------

    def notify(self, waiting: float = 0.0, reason: str = "") -> None:
        callback = self.options.progress
        if callback is None:
            return
        report = self.report
        elapsed = max(self.clock() - self.started_at, 1e-9)
        rate = report.items_read / elapsed
        total = self.options.total
        eta = None
        if total is not None and rate > 0:
            eta = max(total - report.items_read, 0) / rate
        callback(
            Progress(
                items_read=report.items_read,
                items_accepted=report.items_accepted + report.items_previously_accepted,
                items_rejected=report.items_rejected,
                items_not_accepted=report.items_failed + report.items_unknown,
                batches_accepted=report.batches_accepted,
                requests=report.requests,
                elapsed=elapsed,
                rate=rate,
                total=total,
                eta=eta,
                waiting=waiting,
                reason=reason,
                dry_run=report.dry_run,
            )
        )


def _batch_size(wanted: int | None, max_items: int) -> int:
    if wanted is None:
        return max_items
    if (
        isinstance(wanted, bool)
        or not isinstance(wanted, int)
        or not 1 <= wanted <= max_items
    ):
        raise ValueError(
            f"batch_size must be an integer from 1 to {max_items}, got {wanted!r}"
        )
    return wanted


def _line_of(item: object) -> int | None:
    return item.line if isinstance(item, SourceRecord) else None


def _classify(
    exc: Exception, prepared: Prepared
) -> tuple[Literal["retry", "unknown", "failed", "fatal"], int | None, float | None]:
    """What a failed attempt means: (kind, status code, seconds the server asks to wait)."""
    if isinstance(exc, RateLimitError):
        return "retry", 429, exc.retry_after
    if isinstance(exc, APIStatusError):
        status = exc.status_code
        if status == 504:  # the gateway gave up waiting: the API may have processed it
            return "unknown", status, None
        if is_retryable_status(status):
            return (
                "retry",
                status,
                parse_retry_after(exc.response.headers, now=time.time()),
            )
        return ("failed" if status in _BATCH_REFUSED else "fatal"), status, None
    if isinstance(exc, APIConnectionError):
        if not _is_request_of(exc.request, prepared):  # the token exchange, before ours
            return "retry", None, None
        if isinstance(exc.__cause__, _NOT_DELIVERED):
            return "retry", None, None
        return "unknown", None, None
    return "fatal", None, None


def _is_request_of(request: httpx.Request, prepared: Prepared) -> bool:
    return (
        request.method == prepared.operation.method.upper()
        and request.url.path == httpx.URL(prepared.url).path
    )


def _start(
    client: SyncAPIClient | AsyncAPIClient | None,
    spec: BulkSpec[ItemT],
    options: BulkOptions[ItemT],
    params: Mapping[str, object],
    body_fields: Mapping[str, object],
    request_options: RequestOptions,
    clock: Callable[[], float],
) -> _Job[ItemT]:
    # The client's random (tests replace it) makes the backoff's jitter.
    rand = client._random if client is not None else random.random
    job = _Job(spec, options, body_fields, clock, rand)
    if not options.dry_run:
        if client is None:
            raise ValueError("a client is needed unless dry_run=True")
        credentials = tuple(client._credentials.values())
        job.open(prepare(client, spec.operation, params, request_options), credentials)
    return job


def run_sync(
    client: SyncAPIClient | None,
    spec: BulkSpec[ItemT],
    items: Iterable[object],
    *,
    params: Mapping[str, object],
    options: BulkOptions[ItemT],
    body_fields: Mapping[str, object] | None = None,
    request_options: RequestOptions | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] | None = None,
) -> BulkReport[ItemT]:
    """Run a bulk job on the synchronous client (``None`` for a dry run)."""
    job = _start(
        client,
        spec,
        options,
        params,
        body_fields or {},
        request_options or RequestOptions(),
        clock,
    )
    pause = _GcPause()
    nap = (
        sleep
        if sleep is not None
        else (client._sleep if client is not None else time.sleep)
    )

    def deliver(batch: _Batch[ItemT]) -> None:
        assert client is not None and job.prepared is not None
        job.encode(batch)  # before the wait, which absorbs its CPU time
        pause.resume()
        attempt = 0
        while True:
            delay, reason = job.wait()
            if delay > 0:  # the start is reserved: no job sharing the pacer takes it
                job.notify(delay, reason)
                nap(delay)
            # another job's request went late, or may still be connecting
            while (late := job.pacer.confirm(job, job.new_connection)) > 0:
                nap(late)
            content = job.attempt(batch)
            try:
                send_sync(client, job.prepared, content)
            except Exception as exc:  # noqa: BLE001 - classified; unknown kinds stop the job
                if job.attempt_failed(batch, exc, attempt):
                    attempt += 1
                    continue
            else:
                job.succeeded(batch)
            break
        pause.pause()

    try:
        pause.pause()
        try:
            for index, item in enumerate(items):
                for batch in job.feed(index, item):
                    deliver(batch)
            for batch in job.finish():
                deliver(batch)
            pause.resume()
            for batch, error, status in job.take_deferred():
                if job.resolve(batch, error, status):
                    deliver(batch)
        except _Stop as stop:
            job.stop(stop.error)
    finally:
        pause.resume()
        job.close()
    return job.report


async def run_async(
    client: AsyncAPIClient | None,
    spec: BulkSpec[ItemT],
    items: Iterable[object] | AsyncIterable[object],
    *,
    params: Mapping[str, object],
    options: BulkOptions[ItemT],
    body_fields: Mapping[str, object] | None = None,
    request_options: RequestOptions | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> BulkReport[ItemT]:
    """Run a bulk job on the asynchronous client (``None`` for a dry run).

    ``items`` may be an async iterable. The garbage collector is paused while a plain
    iterable is read (as in ``run_sync``), never while awaiting an async one.
    """
    job = _start(
        client,
        spec,
        options,
        params,
        body_fields or {},
        request_options or RequestOptions(),
        clock,
    )
    pause = _GcPause()
    if sleep is not None:
        nap = sleep
    elif client is not None:
        nap = client._sleep
    else:
        nap = _async_sleep

    async def deliver(batch: _Batch[ItemT]) -> None:
        assert client is not None and job.prepared is not None
        job.encode(batch)  # before the wait, which absorbs its CPU time
        pause.resume()
        attempt = 0
        while True:
            delay, reason = job.wait()
            if delay > 0:  # the start is reserved: no job sharing the pacer takes it
                job.notify(delay, reason)
                await nap(delay)
            # another job's request went late, or may still be connecting
            while (late := job.pacer.confirm(job, job.new_connection)) > 0:
                await nap(late)
            content = job.attempt(batch)
            try:
                await send_async(client, job.prepared, content)
            except Exception as exc:  # noqa: BLE001 - classified; unknown kinds stop the job
                if job.attempt_failed(batch, exc, attempt):
                    attempt += 1
                    continue
            else:
                job.succeeded(batch)
            break

    try:
        try:
            if isinstance(items, AsyncIterable):
                index = 0
                async for item in items:
                    for batch in job.feed(index, item):
                        await deliver(batch)
                    index += 1
            else:
                pause.pause()
                for index, item in enumerate(items):
                    for batch in job.feed(index, item):
                        await deliver(batch)
                        pause.pause()
                pause.resume()
            for batch in job.finish():
                await deliver(batch)
            for batch, error, status in job.take_deferred():
                if job.resolve(batch, error, status):
                    await deliver(batch)
        except _Stop as stop:
            job.stop(stop.error)
    finally:
        pause.resume()
        job.close()
    return job.report


async def _async_sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)
