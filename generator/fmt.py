"""Formatting with ruff: unused imports dropped, the rest sorted and merged, then one
style for every generated file; and every file must compile.

Why ruff and not black: on a real document formatting was most of a first run
(asana: black 6.8 s of CPU for 1.6 MB of code; ruff 0.09 s for the same files,
its output differing from black's only where black's 2024 style parenthesises
long annotations). Templates and the model generator each add imports for the
general case; ruff's `F401` and `I` fixes (isort's rules) leave one sorted block
of what the module uses. ruff runs once over all the files that need it, in a
private folder inside the cache (nothing is written outside the output folder and
the cache; with the cache off, one process per file through stdin), with
`--isolated` so that no configuration file anywhere can change our bytes; its
version is pinned exactly. Each file's result is cached by its content (see
cache.py), so an edit re-formats only the files it changed.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .cache import folder_for, lookup, store
from .errors import GeneratorError

_SETTINGS = ("--isolated", "--no-cache", "--target-version", "py311", "--line-length", "88")
_FORMAT = ("format", *_SETTINGS)
_DISTRIBUTION = "ruff"
_DEADLINE_SECONDS = 300.0  # ruff formats megabytes in well under a second
# Up to this many files go through ruff's stdin, one process each (a folder costs ruff a
# walk, and this process the writing and reading back): the head of models.py, the one
# group an edit changed.
_FEW = 2
# The fixes a whole module gets: unused imports dropped (F401), the rest sorted (I).
IMPORT_FIXES = "F401,I"


def _fix(rules: str) -> tuple[str, ...]:
    return ("check", *_SETTINGS, "--select", rules, "--fix", "--exit-zero", "-q")


@dataclass(frozen=True)
class _Running:
    process: subprocess.Popen[str]
    stdin: str | None


_FINDING_RUFF = threading.Lock()


def _ruff() -> str:
    """ruff's binary, found once and by one thread at a time: the first lookup builds
    sysconfig's variables, and a thread that reads them meanwhile finds none (a
    `TypeError` in ruff's finder). Two threads ask at once where a run's first ruff
    process formats the models (models_module.py)."""
    with _FINDING_RUFF:
        return _ruff_binary()


@cache
def _ruff_binary() -> str:
    from ruff.__main__ import find_ruff_bin

    return str(find_ruff_bin())


def format_python(source: str, path: str) -> str:
    """One file, formatted (see `format_sources`)."""
    return format_sources({path: source})[path]


def format_sources(sources: Mapping[str, str], *, compiled: bool = False,
                   fixes: str | None = IMPORT_FIXES,
                   known: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every file of `sources` (relative path -> Python source), compiled and formatted.

    `compiled`: the sources were compiled already, in parts (the models, group by
    group, in the worker processes): not again here. `fixes`: the ruff rules whose fixes
    come first (None: formatted only, for fragments of a module whose imports are
    settled when they are joined). `known`: results found already (`formatted_hits`),
    by source."""
    return _cached(_format_kind(fixes), sources, lambda missing: _format_all(
        missing, compiled, fixes, then_format=True), known)


def fixed_sources(sources: Mapping[str, str], fixes: str, *,
                  known: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every file of `sources` with the fixes of the ruff rules `fixes` made, and nothing
    else (neither formatted nor compiled). `known`: as for `format_sources`."""
    return _cached(_fix_kind(fixes), sources, lambda missing: _format_all(
        missing, True, fixes, then_format=False), known)


def formatted_hits(sources: Iterable[str], fixes: str | None) -> dict[str, str]:
    """Of `sources`, those whose `format_sources` result is in the cache: source ->
    result. Looked up ahead, while the run waits for something else."""
    return _hits(_format_kind(fixes), sources)


def fixed_hits(sources: Iterable[str], fixes: str) -> dict[str, str]:
    """`formatted_hits` for `fixed_sources`."""
    return _hits(_fix_kind(fixes), sources)


def _format_kind(fixes: str | None) -> str:
    return f"format:{fixes}"


def _fix_kind(fixes: str) -> str:
    return f"fix:{fixes}"


def _hits(kind: str, sources: Iterable[str]) -> dict[str, str]:
    hits: dict[str, str] = {}
    for source in sources:
        found = lookup(kind, _DISTRIBUTION, source)
        if found is not None:
            hits[source] = found
    return hits


def _cached(kind: str, sources: Mapping[str, str],
            make: Callable[[Mapping[str, str]], dict[str, str]],
            known: Mapping[str, str] | None = None) -> dict[str, str]:
    """`make(sources)`, each file's result taken from `known` or looked up in the cache
    first, by its content."""
    found = dict(known or {})
    found.update(_hits(kind, (source for source in sources.values() if source not in found)))
    results = {path: found[source] for path, source in sources.items() if source in found}
    missing = {path: source for path, source in sources.items() if source not in found}
    if missing:
        made = make(missing)
        for path, text in made.items():
            store(kind, _DISTRIBUTION, missing[path], text)
        results.update(made)
    return results


def _format_all(sources: Mapping[str, str], compiled: bool, fixes: str | None, *,
                then_format: bool) -> dict[str, str]:
    # ruff works on files in a private folder inside the cache (nothing is written
    # outside the output folder and the cache); with the cache off, through its stdin.
    workspace = folder_for("format-work") if len(sources) > _FEW else None
    if workspace is None:
        return _format_each(sources, compiled, fixes, then_format)
    with tempfile.TemporaryDirectory(prefix="run-", dir=workspace) as folder:
        # Plain numbered names: the generated paths never reach ruff's command line.
        names = {path: f"m{index:05d}.py" for index, path in enumerate(sorted(sources))}
        for path, name in names.items():
            Path(folder, name).write_text(sources[path], encoding="utf-8")
        fixing = _start([*_fix(fixes), folder]) if fixes else None
        try:
            for path in sorted(sources) if not compiled else ():
                _compile(sources[path], path)  # CPython's verdict, while ruff works
        finally:
            if fixing is not None:
                _finish(fixing, names)
        if then_format:
            _finish(_start([*_FORMAT, folder]), names)
        return {path: Path(folder, name).read_text(encoding="utf-8")
                for path, name in names.items()}


def _format_each(sources: Mapping[str, str], compiled: bool, fixes: str | None,
                 then_format: bool) -> dict[str, str]:
    """The same, one ruff process per file and step, through stdin and stdout."""
    def one(path: str) -> str:
        names = {path: "m00000.py"}
        text = sources[path]
        if fixes and not _nothing_to_fix(fixes, text):
            text = _finish(_start([*_fix(fixes), "--stdin-filename", "m00000.py", "-"], text),
                           names)
        if then_format:
            text = _finish(_start([*_FORMAT, "--stdin-filename", "m00000.py", "-"], text), names)
        return text

    _ruff()  # found here, before the threads start
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = {path: pool.submit(one, path) for path in sorted(sources)}
        for path in sorted(sources) if not compiled else ():
            _compile(sources[path], path)
        return {path: future.result() for path, future in futures.items()}


def _nothing_to_fix(fixes: str, source: str) -> bool:
    """Whether the rules are about imports alone and the source has none (every import
    statement spells `import`): one ruff process fewer (`_version.py` on every edit)."""
    return set(fixes.split(",")) <= _IMPORT_RULES and "import" not in source


_IMPORT_RULES = frozenset({"F401", "I"})


def _compile(source: str, path: str) -> None:
    """Every emitted module must compile: ruff's parser accepts some things CPython refuses."""
    try:
        compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        detail = " ".join(str(exc).split())
        raise GeneratorError(f"generated {path} is not valid Python ({detail}); "
                             "this is a bug in the generator or a template") from exc


def _start(arguments: list[str], stdin: str | None = None) -> _Running:
    try:
        process = subprocess.Popen(  # noqa: S603 - ruff's own binary, our arguments only
            [_ruff(), *arguments], stdin=subprocess.PIPE if stdin is not None else None,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    except OSError as exc:
        raise GeneratorError(f"the formatter (ruff) could not run: {exc}") from exc
    return _Running(process, stdin)


def _finish(running: _Running, names: Mapping[str, str]) -> str:
    """ruff's standard output, once it has ended well."""
    process = running.process
    try:
        stdout, stderr = process.communicate(running.stdin, timeout=_DEADLINE_SECONDS)
    except subprocess.TimeoutExpired as exc:
        process.kill()
        process.communicate()
        raise GeneratorError("the formatter (ruff) did not finish in "
                             f"{_DEADLINE_SECONDS:.0f} s") from exc
    if process.returncode != 0:
        raise GeneratorError(_explain(stderr + stdout, names))
    return stdout


def _explain(output: str, names: Mapping[str, str]) -> str:
    """ruff's complaint about a temporary file, told about the generated file instead."""
    by_name = {name: path for path, name in names.items()}
    match = re.search(r"(m\d{5}\.py)", output)
    path = by_name.get(match.group(1), "?") if match else "?"
    detail = " ".join(output.split())
    for name, shown in by_name.items():
        detail = detail.replace(name, shown)
    detail = re.sub(r"\S*format-work/run-\w+/", "", detail)
    return (f"generated {path} is not valid Python ({detail[:500]}); "
            "this is a bug in the generator or a template")
