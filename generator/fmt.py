"""Formatting with ruff: imports sorted and merged, then one style for every generated file.

Why ruff and not black: on a real document formatting was most of a first run
(asana: black 6.8 s of CPU for 1.6 MB of code; ruff 0.09 s for the same files,
its output differing from black's only where black's 2024 style parenthesises
long annotations). ruff also sorts and merges the imports (isort's rules, `I`),
which the model generator leaves duplicated. It runs once over all the files
that need it, in a private folder, with `--isolated` so that no configuration
file anywhere can change our bytes; its version is pinned exactly. Each file's
result is cached by its content (see cache.py), so an edit re-formats only the
files it changed.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from .cache import lookup, store
from .errors import GeneratorError

_SETTINGS = ("--isolated", "--no-cache", "--target-version", "py311", "--line-length", "88")
_DISTRIBUTION = "ruff"
_DEADLINE_SECONDS = 300.0  # ruff formats megabytes in well under a second


@cache
def _ruff() -> str:
    from ruff.__main__ import find_ruff_bin

    return str(find_ruff_bin())


def format_python(source: str, path: str) -> str:
    """One file, formatted (see `format_sources`)."""
    return format_sources({path: source})[path]


def format_sources(sources: Mapping[str, str]) -> dict[str, str]:
    """Every file of `sources` (relative path -> Python source), formatted."""
    results: dict[str, str] = {}
    missing: dict[str, str] = {}
    for path, source in sources.items():
        found = lookup("format", _DISTRIBUTION, source)
        if found is None:
            missing[path] = source
        else:
            results[path] = found
    if missing:
        formatted = _format_all(missing)
        for path, text in formatted.items():
            store("format", _DISTRIBUTION, missing[path], text)
        results.update(formatted)
    return results


def _format_all(sources: Mapping[str, str]) -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="clientgen-format-") as folder:
        # Plain numbered names: the generated paths never reach ruff's command line.
        names = {path: f"m{index:05d}.py" for index, path in enumerate(sorted(sources))}
        for path, name in names.items():
            Path(folder, name).write_text(sources[path], encoding="utf-8")
        _ruff_run(["check", *_SETTINGS, "--select", "I", "--fix", "--exit-zero", "-q", folder],
                  names)
        _ruff_run(["format", *_SETTINGS, folder], names)
        return {path: Path(folder, name).read_text(encoding="utf-8")
                for path, name in names.items()}


def _ruff_run(arguments: list[str], names: Mapping[str, str]) -> None:
    try:
        done = subprocess.run(  # noqa: S603 - ruff's own binary, our arguments only
            [_ruff(), *arguments], capture_output=True, text=True, timeout=_DEADLINE_SECONDS,
            check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GeneratorError(f"the formatter (ruff) could not run: {exc}") from exc
    if done.returncode != 0:
        raise GeneratorError(_explain(done.stderr + done.stdout, names))


def _explain(output: str, names: Mapping[str, str]) -> str:
    """ruff's complaint about a temporary file, told about the generated file instead."""
    by_name = {name: path for path, name in names.items()}
    match = re.search(r"(m\d{5}\.py):?(\d+)?", output)
    path = by_name.get(match.group(1), "?") if match else "?"
    detail = " ".join(output.split())
    for name, shown in by_name.items():
        detail = detail.replace(name, shown)
    detail = re.sub(r"\S*clientgen-format-\w+/", "", detail)
    return (f"generated {path} is not valid Python ({detail[:500]}); "
            "this is a bug in a template")
