"""The command line of a generated client: ``python -m <package> <command> FILE``.

There is one command per bulk operation of the API (the generated ``__main__``
lists them, with the operation's parameters as options). For example::

    python -m <package> <command> records.jsonl --<parameter> VALUE \\
        --journal job.journal --failed-out failed.jsonl

- Input: JSON lines or CSV, by extension or ``--format``; ``.gz`` and ``-``
  (standard input) work too. The CSV column mapping is described in
  ``_cli_input``.
- Credentials and the base URL come from the environment, as for the client
  (``<PREFIX>_API_KEY``, ``<PREFIX>_TOKEN``, ``<PREFIX>_BASE_URL``), never from
  arguments (which other users of the machine can see).
- ``--dry-run`` validates every record and sends nothing; every invalid record is
  printed with its line number.
- ``--failed-out FILE`` receives every record that was not accepted, one JSON
  object per line, ready to be fixed and sent again. Records of batches with an
  unknown outcome (sent, no answer) go to ``FILE`` with ``.unknown`` before its
  extension instead, because sending them again may import them twice.
- Progress goes to standard error: a bar with rate and ETA on a terminal, a plain
  line every ``--progress-every`` seconds otherwise. Invalid records, failed batches
  and the summary go to standard output.

Exit status: 0 when every record was accepted (in a dry run: is valid); 1 when some
record was not; 2 when the command could not run (bad arguments, missing settings,
unreadable input, a journal of another job); 130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import pydantic

from ._base_client import SyncAPIClient
from ._bulk import BulkOptions, BulkReport, BulkSpec, JournalError, RateLimit, run_sync
from ._cli_input import open_source
from ._cli_progress import ProgressPrinter
from ._config import RequestOptions
from ._exceptions import ConfigurationError, RequestValidationError
from ._types import NOT_GIVEN

__all__ = ["BulkCommand", "CliParam", "main"]

EXIT_OK = 0
EXIT_NOT_ACCEPTED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class CliParam:
    """A parameter of the operation, offered as ``--<name>``; ``env`` is the variable
    the client reads when the option is not given."""

    name: str
    required: bool = False
    env: str | None = None
    help: str = ""

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class BulkCommand:
    """A command running one bulk operation."""

    name: str
    summary: str
    spec: BulkSpec[Any]
    params: tuple[CliParam, ...] = ()


def _parser(commands: Sequence[BulkCommand], prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Bulk operations of the API, from JSON lines or CSV files.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in commands:
        spec = command.spec
        p = sub.add_parser(
            command.name, help=command.summary, description=command.summary
        )
        p.add_argument(
            "file",
            help="JSON lines (.jsonl) or CSV (.csv) file, maybe .gz; - for stdin",
        )
        p.add_argument("--format", choices=("jsonl", "csv"), help="the input's format")
        for param in command.params:
            note = f" (else ${param.env})" if param.env else ""
            p.add_argument(
                param.flag,
                dest=f"param_{param.name}",
                metavar="VALUE",
                help=param.help + note,
            )
        p.add_argument(
            "--dry-run", action="store_true", help="validate everything, send nothing"
        )
        p.add_argument(
            "--journal", metavar="FILE", help="record progress here; rerun to resume"
        )
        p.add_argument(
            "--failed-out",
            metavar="FILE",
            help="write the records not accepted here (JSON lines)",
        )
        p.add_argument(
            "--batch-size",
            type=int,
            metavar="N",
            help=f"records per request (max {spec.max_items})",
        )
        tiers = [tier for tier, _ in spec.hourly_limits]
        if tiers:
            p.add_argument(
                "--rate-limit-tier",
                choices=tiers,
                help="also keep this account tier's hourly cap",
            )
        p.add_argument(
            "--min-interval",
            type=float,
            metavar="SECONDS",
            help=f"seconds between requests (the API's: {spec.min_interval or 0:g})",
        )
        p.add_argument(
            "--resend-unknown",
            action=argparse.BooleanOptionalAction,
            default=spec.replay_safe,
            help=(
                "send again batches that got no answer (the API says replays are "
                "harmless: on by default)"
                if spec.replay_safe
                else "send again batches that got no answer (they may be imported twice)"
            ),
        )
        p.add_argument(
            "--max-wait",
            type=float,
            default=3600.0,
            metavar="SECONDS",
            help="longest Retry-After to wait for (default 3600)",
        )
        p.add_argument(
            "--progress", choices=("auto", "bar", "lines", "none"), default="auto"
        )
        p.add_argument(
            "--progress-every",
            type=float,
            default=10.0,
            metavar="SECONDS",
            help="seconds between progress lines when not on a terminal",
        )
        p.set_defaults(command_spec=command)
    return parser


def main(
    commands: Sequence[BulkCommand],
    *,
    client: Callable[[], SyncAPIClient],
    prog: str,
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line; returns the exit status."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = _parser(commands, prog)
    args = parser.parse_args(argv)
    command: BulkCommand = args.command_spec
    try:
        return _run(command, args, client, out, err)
    except (
        ConfigurationError,
        JournalError,
        RequestValidationError,
        ValueError,
        OSError,
    ) as exc:
        err.write(f"{prog} {command.name}: error: {exc}\n")
        return EXIT_USAGE


def _run(
    command: BulkCommand,
    args: argparse.Namespace,
    make_client: Callable[[], SyncAPIClient],
    out: TextIO,
    err: TextIO,
) -> int:
    spec = command.spec
    params: dict[str, object] = {}
    for param in command.params:
        value = getattr(args, f"param_{param.name}")
        params[param.name] = value if value else NOT_GIVEN
        if param.required and not value and not args.dry_run:
            if not (param.env and os.environ.get(param.env)):
                env = f" (or set {param.env})" if param.env else ""
                raise ConfigurationError(f"missing {param.flag}{env}")
    rate_limit = None
    tier = getattr(args, "rate_limit_tier", None)
    if args.min_interval is not None:
        hourly = dict(spec.hourly_limits).get(tier) if tier else None
        rate_limit = RateLimit(min_interval=args.min_interval, max_requests=hourly)

    client = None if args.dry_run else make_client()
    try:
        source = open_source(args.file, spec.item_model, args.format)
    except BaseException:
        if client is not None:
            client.close()
        raise
    mode = args.progress
    if mode == "auto":
        mode = "bar" if err.isatty() else "lines"
    printer = ProgressPrinter(
        err,
        bar=mode == "bar",
        show=mode != "none",
        noun=spec.field,
        every=args.progress_every,
        fraction=source.fraction,
    )
    try:
        report = run_sync(
            client,
            spec,
            source.records,
            params=params,
            options=BulkOptions(
                batch_size=args.batch_size,
                rate_limit=rate_limit,
                rate_limit_tier=tier,
                journal=args.journal,
                resend_unknown=bool(args.resend_unknown),
                dry_run=args.dry_run,
                progress=printer,
                max_wait=args.max_wait,
            ),
            request_options=RequestOptions(),
        )
    except KeyboardInterrupt:
        printer.close()
        last = printer.last
        done = f" after {last.items_read:,} records read" if last else ""
        resume = " Run again with the same --journal to go on." if args.journal else ""
        err.write(f"interrupted{done}.{resume}\n")
        return EXIT_INTERRUPTED
    finally:
        printer.close()
        source.close()
        if client is not None:
            client.close()
    _print_outcome(report, args, out)
    return EXIT_OK if report.ok else EXIT_NOT_ACCEPTED


def _print_outcome(
    report: BulkReport[Any], args: argparse.Namespace, out: TextIO
) -> None:
    name = "<stdin>" if args.file == "-" else args.file
    for rejected in sorted(report.rejected, key=lambda r: r.index):
        where = (
            f"{name}:{rejected.line}"
            if rejected.line is not None
            else f"record {rejected.index}"
        )
        for loc, msg in rejected.errors:
            out.write(f"{where}: {loc}: {msg}\n" if loc else f"{where}: {msg}\n")
    for batch in [*report.failed, *report.unknown]:
        out.write(batch.describe() + "\n")
    if args.failed_out:
        written, unknown_path, unknown = _write_failed(report, args.failed_out)
        if written:
            out.write(f"{written} records not accepted written to {args.failed_out}\n")
        if unknown:
            out.write(
                f"{unknown} records with an unknown outcome written to {unknown_path}: "
                "check whether they were imported before sending them again\n"
            )
    out.write(report.summary() + "\n")


def unknown_path(failed_out: str) -> str:
    """``failed.jsonl`` -> ``failed.unknown.jsonl``."""
    root, ext = os.path.splitext(failed_out)
    return f"{root}.unknown{ext or '.jsonl'}"


def _write_failed(report: BulkReport[Any], path: str) -> tuple[int, str, int]:
    lines: list[tuple[int, bytes]] = []
    for rejected in report.rejected:
        lines.append((rejected.index, _record_line(rejected.record)))
    for batch in report.failed:
        lines.extend(
            zip(batch.indices, (_item_line(i) for i in batch.items), strict=True)
        )
    lines.sort(key=lambda pair: pair[0])
    with open(path, "wb") as f:
        f.writelines(line + b"\n" for _, line in lines)
    other = unknown_path(path)
    unknown = [_item_line(i) for batch in report.unknown for i in batch.items]
    if unknown:
        with open(other, "wb") as f:
            f.writelines(line + b"\n" for line in unknown)
    return len(lines), other, len(unknown)


def _item_line(item: object) -> bytes:
    if isinstance(item, pydantic.BaseModel):
        return item.model_dump_json(by_alias=True, exclude_unset=True).encode()
    return _record_line(item)


def _record_line(record: object) -> bytes:
    if isinstance(record, bytes):
        return record
    if isinstance(record, str):
        return record.encode()
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode()
