"""`clientgen` / `python -m generator`: generate, or `--check` that output is current."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from .errors import GeneratorError


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="clientgen",
        description="Generate a typed Python client from an OpenAPI 3.0/3.1 spec. "
        "Settings come from [tool.clientgen] in pyproject.toml; flags override them.",
    )
    parser.add_argument("--config", type=Path, default=Path("pyproject.toml"),
                        help="the pyproject.toml to read (default: ./pyproject.toml)")
    parser.add_argument("--spec", help="the OpenAPI file (YAML or JSON)")
    parser.add_argument("--output", help="folder that receives the package folder")
    parser.add_argument("--package", help="import name of the generated package")
    parser.add_argument("--client-name", help="class name of the client (Async<name> too)")
    parser.add_argument("--env-prefix", help="prefix of the environment variables read")
    parser.add_argument("--templates", help="your template folder, searched before ours")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 and list the files that would change")
    parser.add_argument("--force", action="store_true",
                        help="regenerate even when nothing seems to have changed")
    parser.add_argument("--strict", action=argparse.BooleanOptionalAction, default=None,
                        help="every warning is an error (also `strict = true`); "
                        "--no-strict overrides the configuration")
    parser.add_argument("--validate", action=argparse.BooleanOptionalAction, default=None,
                        help="also run the full OpenAPI meta-schema check on a run that "
                        "succeeds (also `validate = true`; default: on with --strict). "
                        "A run that fails always runs it, to explain the failure")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print every warning, not only their count by kind")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    return parser.parse_args(argv)


def entry() -> NoReturn:
    """The `clientgen` command and `python -m generator`: `main`, then a quick exit.

    By then every file is written and closed and every worker process has ended; what
    is left is freeing memory, which the system does at once when the process ends.
    Freeing a big document's objects one by one took longer than writing the client
    (GitHub: 0.07 s)."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to add
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("clientgen: interrupted; the output folder is as it was", file=sys.stderr)
        return 130
    except RecursionError:
        print("clientgen: error: the document nests too deeply for this generator "
              "(please report it with the spec); nothing was written", file=sys.stderr)
        return 2
    except MemoryError:
        print("clientgen: error: out of memory; nothing was written", file=sys.stderr)
        return 2
    except Exception as exc:  # one paragraph, never a traceback (unless a developer asks)
        if os.environ.get("CLIENTGEN_DEBUG"):
            import traceback

            traceback.print_exc()
        print(f"clientgen: internal error: {type(exc).__name__}: {_one_line(exc)}. This is "
              "a bug in clientgen (please report it with the spec); nothing was written.",
              file=sys.stderr)
        return 2


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."


def _run(args: argparse.Namespace) -> int:
    from .config import load_config
    from .pipeline import run

    try:
        config = load_config(args.config, {
            "spec": args.spec, "output": args.output, "package": args.package,
            "client-name": args.client_name, "env-prefix": args.env_prefix,
            "templates": args.templates, "strict": args.strict,
            "validate": args.validate,
        })
        outcome = run(config, check=args.check, force=args.force)
    except GeneratorError as exc:
        _report_warnings(exc.warnings, verbose=args.verbose)
        print(f"clientgen: error: {exc}", file=sys.stderr)
        return 1
    _report_warnings(outcome.warnings, verbose=args.verbose)
    if args.check:
        if outcome.changes:
            print(f"{config.target} is out of date; `make generate` would change:",
                  file=sys.stderr)
            for change in outcome.changes:
                print(f"  {change}", file=sys.stderr)
            return 1
        if not args.quiet:
            print(f"{config.target} is up to date")
        return 0
    if not args.quiet:
        if outcome.changes:
            print(f"wrote {config.target} ({len(outcome.changes)} files changed)")
        else:
            print(f"{config.target} is up to date")
    return 0


def _report_warnings(warnings: Sequence[object], *, verbose: bool) -> None:
    """A count by kind; each warning (file, line, pointer, message) with --verbose."""
    if not warnings:
        return
    from .diagnostics import Diagnostic

    if verbose:
        for warning in warnings:
            kind = f" [{warning.kind}]" if isinstance(warning, Diagnostic) else ""
            print(f"clientgen: warning: {warning}{kind}", file=sys.stderr)
    counts: dict[str, int] = {}
    for warning in warnings:
        kind = warning.kind if isinstance(warning, Diagnostic) else "generator"
        counts[kind] = counts.get(kind, 0) + 1
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    hint = "" if verbose else " (--verbose lists each, --strict makes them errors)"
    print(f"clientgen: {len(warnings)} warning{'s' if len(warnings) != 1 else ''}: "
          f"{summary}{hint}", file=sys.stderr)
