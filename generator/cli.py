"""`clientgen` / `python -m generator`: generate, or `--check` that output is current."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    from .config import load_config
    from .pipeline import run

    try:
        config = load_config(args.config, {
            "spec": args.spec, "output": args.output, "package": args.package,
            "client-name": args.client_name, "env-prefix": args.env_prefix,
            "templates": args.templates,
        })
        outcome = run(config, check=args.check, force=args.force)
    except GeneratorError as exc:
        print(f"clientgen: error: {exc}", file=sys.stderr)
        return 1
    for warning in outcome.warnings:
        print(f"clientgen: warning: {warning}", file=sys.stderr)
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
