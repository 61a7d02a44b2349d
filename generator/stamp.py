"""The no-op fast path: has anything that shapes the output changed?

After a successful run we record a digest of every input (spec files,
templates, the generator's own code, the settings) and of every output file.
A later run whose inputs and outputs still match can stop before importing
the heavy libraries. The stamp is a cache, never committed: without it, or
with any mismatch, the generator simply does the full run.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from . import __version__

_GENERATOR_DIR = Path(__file__).resolve().parent
STAMP_NAME = ".clientgen-stamp.json"
_MAX_STAMPED_FILE = 64 * 1024 * 1024


def _read_regular(path: Path) -> bytes:
    """A regular file's bytes (never a link, device or pipe: the stamp is not trusted)."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_STAMPED_FILE:
        raise OSError(f"{path} is not a regular file of a sensible size")
    with path.open("rb") as handle:
        return handle.read(_MAX_STAMPED_FILE + 1)


def _tool_files(templates: Iterable[Path | None]) -> list[Path]:
    """The generator's modules and the templates' files, in a stable order. What `make
    env` builds beside the modules (built_templates/, built_code/) is made from them and
    checked where it is read: it changes no output, and hashing its megabyte would cost
    every no-op run."""
    paths = sorted(p for p in _GENERATOR_DIR.rglob("*.py")
                   if p.is_file() and "__pycache__" not in p.parts)
    for folder in templates:
        if folder is not None and folder.is_dir():
            paths += sorted(p for p in folder.rglob("*")
                            if p.is_file() and "__pycache__" not in p.parts)
    return paths


def _files_digest(paths: Iterable[Path], prefix: bytes = b"") -> str:
    """`prefix`, then each file's name and contents."""
    digest = hashlib.sha256(prefix)
    for path in paths:
        digest.update(str(path).encode() + b"\0")
        digest.update(_read_regular(path))
    return digest.hexdigest()


def tool_digest(templates: Iterable[Path | None], options: Mapping[str, Any]) -> str | None:
    """What shapes the output besides the spec: the generator's code, the templates, the
    settings; None if one of the files cannot be read (nothing is then recorded).

    Taken once a run, before it reads a template, and recorded at its end: a file
    changed meanwhile then disagrees with the record, and the next run does the work
    again. A digest taken at the end could vouch for a change the run never saw."""
    settings = f"{__version__}\n{json.dumps(options, sort_keys=True)}".encode()
    try:
        return _files_digest(_tool_files(templates), settings)
    except OSError:
        return None


def spec_digest(spec_files: Iterable[Path]) -> str:
    """The spec files' names and contents."""
    return _files_digest(spec_files)


def _tree_digests(target: Path) -> dict[str, str]:
    if target.is_symlink():
        raise OSError(f"{target} is a link")
    return {
        p.relative_to(target).as_posix(): hashlib.sha256(_read_regular(p)).hexdigest()
        for p in sorted(target.rglob("*"))
        if (p.is_file() or p.is_symlink()) and "__pycache__" not in p.parts
    }


def is_fresh(stamp: Path, target: Path, tool: Callable[[], str | None],
             spec_folder: Path) -> bool:
    """Whether the stamp's record still holds (`tool` gives `tool_digest`'s, this run's:
    asked only once the spec is found unchanged, so that a run after an edit starts its
    work sooner). The stamp may have been edited: only regular files inside the spec's
    folder count as spec files."""
    try:
        recorded = json.loads(_read_regular(stamp))
        spec_files = [Path(p) for p in recorded["spec_files"]]
        folder = spec_folder.resolve()
        if not all(isinstance(p, str) for p in recorded["spec_files"]) or not all(
                p.resolve().is_relative_to(folder) for p in spec_files):
            return False
        if recorded["spec"] != spec_digest(spec_files):
            return False
        found = tool()
        return bool(found is not None and recorded["tool"] == found
                    and recorded["outputs"] == _tree_digests(target))
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return False


def write_stamp(stamp: Path, outputs: Mapping[str, str], spec_files: list[Path],
                spec: str, tool: str | None) -> None:
    """Record the inputs (`spec`: `spec_digest`'s of the spec files read; `tool`:
    `tool_digest`'s as the run started, None: record nothing), and `outputs`: the sha256
    of every output file (by relative path), as the output folder now holds them."""
    if tool is None:
        return
    record = {
        "spec_files": [str(p) for p in spec_files],
        "spec": spec,
        "tool": tool,
        "outputs": dict(sorted(outputs.items())),
    }
    import tempfile  # here: a no-op run, which only reads the stamp, never needs it

    # A new file renamed over the old name: a link planted there is replaced, not followed.
    handle, temporary = tempfile.mkstemp(prefix=".clientgen-stamp-", dir=stamp.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(json.dumps(record, indent=1, sort_keys=True) + "\n")
        os.chmod(temporary, 0o644)  # as an ordinary file
        os.replace(temporary, stamp)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        raise
