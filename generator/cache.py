"""A content-addressed cache for the three slow, pure steps: validation,
model generation and black.

Each entry is keyed by everything that decides its result: the input text,
the exact library version and the generator's own source. A hit therefore
returns the very bytes the step would compute, so the cache can only make a
run faster, never different. Like black's and mypy's
caches it lives outside the project (`$CLIENTGEN_CACHE_DIR`, else
`$XDG_CACHE_HOME/clientgen`, else `~/.cache/clientgen`);
`CLIENTGEN_NO_CACHE=1` switches it off. It is kept under a budget (`trim_if_due`):
`$CLIENTGEN_CACHE_MAX_MB`, 1024 MB unless set.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path


def _folder() -> Path | None:
    if os.environ.get("CLIENTGEN_NO_CACHE"):
        return None
    explicit = os.environ.get("CLIENTGEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clientgen"


@cache
def _generator_source() -> bytes:
    """The generator's own source, all of it: a step's module calls others, and a stale
    hit would be a silent bug."""
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.digest()


@cache
def _salt(distribution: str) -> bytes:
    """What else decides a result: the library's version (none for `""`: a step of the
    generator's own) and the generator's source."""
    release = f"{distribution}=={_installed_version(distribution)}" if distribution else ""
    return f"{release}\0".encode() + _generator_source()


def _installed_version(distribution: str) -> str:
    """The installed version of `distribution`, from the name of its `.dist-info` folder
    (`ruff-0.17.6.dist-info`), the first one along `sys.path`, as importlib.metadata
    finds it; importlib.metadata itself (a tenth of a quick run's imports) only where
    there is none, an egg or an odd install."""
    wanted = _normalized(distribution)
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            project, _, release = name.removesuffix(".dist-info").partition("-")
            if name.endswith(".dist-info") and release and _normalized(project) == wanted:
                return release
    from importlib.metadata import version

    return version(distribution)


def _normalized(project: str) -> str:
    return re.sub(r"[-_.]+", "-", project).lower()  # PEP 503


def cache_enabled() -> bool:
    return _folder() is not None


def folder_for(kind: str) -> Path | None:
    """A cache folder for a library that keeps its own entries (Jinja's bytecode)."""
    folder = _folder()
    if folder is None:
        return None
    try:
        (folder / kind).mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder / kind


def _entry(kind: str, distribution: str, key: str) -> Path | None:
    folder = _folder()
    if folder is None:
        return None
    digest = hashlib.sha256(_salt(distribution) + key.encode()).hexdigest()
    # One folder a kind, not one more a digest prefix: a first run stores a few hundred
    # entries, and making a folder costs as much as writing an entry.
    return folder / kind / digest


def lookup(kind: str, distribution: str, key: str) -> str | None:
    """The stored result for this key, library and generator source, if any."""
    found = lookup_bytes(kind, distribution, key)
    if found is None:
        return None
    try:
        return found.decode("utf-8")
    except UnicodeDecodeError:
        return None


def lookup_bytes(kind: str, distribution: str, key: str) -> bytes | None:
    """`lookup` of an entry stored as bytes."""
    entry = _entry(kind, distribution, key)
    if entry is None:
        return None
    try:
        return entry.read_bytes()
    except OSError:
        return None


def store(kind: str, distribution: str, key: str, result: str) -> None:
    store_pieces(kind, distribution, key, (result,))


def store_pieces(kind: str, distribution: str, key: str,
                 pieces: Iterable[str | bytes]) -> None:
    """`store` of the text (or bytes) the pieces make, written as they come."""
    entry = _entry(kind, distribution, key)
    if entry is not None:
        write_entry(entry, (piece if isinstance(piece, bytes) else piece.encode("utf-8")
                            for piece in pieces))


def write_entry(entry: Path, chunks: Iterable[bytes]) -> None:
    """`chunks` written to `entry` as they come, through a temporary file renamed over it
    (atomic: a reader never sees half an entry); nothing on a read-only or full disk,
    which costs speed, not correctness."""
    temporary = None
    try:
        handle, temporary = _temporary_beside(entry)
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(temporary, entry)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def _temporary_beside(entry: Path) -> tuple[int, str]:
    """A new file next to `entry`, open for writing. Its name is one no other process or
    thread writes (cheaper than tempfile's random ones, a run stores hundreds); the
    folder is made the first time it is needed."""
    name = f"{entry}.{os.getpid()}-{threading.get_ident()}.tmp"
    for _ in range(2):
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), name
        except FileNotFoundError:
            entry.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            break  # left by a killed run of the same process number
    return tempfile.mkstemp(dir=entry.parent)


def cached(kind: str, distribution: str, key: str, compute: Callable[[], str]) -> str:
    """`compute()`, or its earlier result for the same key, library and generator source."""
    found = lookup(kind, distribution, key)
    if found is not None:
        return found
    result = compute()
    store(kind, distribution, key, result)
    return result


# The cache's budget, and how often it is looked over (see `trim_if_due`).
_DEFAULT_BUDGET_MB = 1024
_TRIM_EVERY_SECONDS = 3600.0
_TRIMMED = ".trimmed"  # its time of change: when the cache was last looked over
_STALE_TEMPORARY_SECONDS = 86400.0


def _budget_bytes() -> int:
    wanted = os.environ.get("CLIENTGEN_CACHE_MAX_MB", "").strip()
    megabytes = int(wanted) if wanted.isdigit() and int(wanted) > 0 else _DEFAULT_BUDGET_MB
    return megabytes * 1024 * 1024


def trim_if_due(now: float | None = None) -> None:
    """At most once an hour, the cache kept under its budget: when its entries take more,
    the least recently used are removed until they take four fifths of it (each run
    writes a few megabytes on a big document: an edited spec is a new document).

    Recency is an entry's last reading or its writing, whichever is later (a file's
    access time is kept by most file systems, at most a day stale under Linux's
    `relatime`). Only regular files directly in a kind's folder are looked at and
    removed, never through a link; a temporary file is left alone unless a day old
    (a killed run's: removed whatever the size). Every failure only leaves more in the
    cache."""
    folder = _folder()
    if folder is None:
        return
    now = time.time() if now is None else now
    marker = folder / _TRIMMED
    try:
        if now - marker.stat().st_mtime < _TRIM_EVERY_SECONDS:
            return
    except FileNotFoundError:
        pass  # never looked over
    except OSError:
        return
    try:  # first: another run that ends meanwhile leaves it to this one
        marker.touch()
        os.utime(marker, (now, now))
    except OSError:
        return
    entries, total, leftovers = _entries(folder, now)
    for path in leftovers:
        with contextlib.suppress(OSError):
            os.unlink(path)
    budget = _budget_bytes()
    if total <= budget:
        return
    for _, size, path in sorted(entries):
        if total <= budget // 5 * 4:
            break
        try:
            os.unlink(path)
        except OSError:
            continue
        total -= size


def _entries(folder: Path, now: float) -> tuple[list[tuple[float, int, str]], int, list[str]]:
    """(last use, size, path) of every entry, their total size, and the temporary files
    killed runs left (a day old)."""
    entries: list[tuple[float, int, str]] = []
    leftovers: list[str] = []
    total = 0
    try:
        kinds = list(os.scandir(folder))
    except OSError:
        return entries, total, leftovers
    for kind in kinds:
        try:
            if not kind.is_dir(follow_symlinks=False):
                continue
            files = list(os.scandir(kind.path))
        except OSError:
            continue
        for file in files:
            try:
                if not file.is_file(follow_symlinks=False):
                    continue
                info = file.stat(follow_symlinks=False)
            except OSError:
                continue
            used = max(info.st_atime, info.st_mtime)
            if file.name.endswith(".tmp"):  # being written, or left by a killed run
                if now - used >= _STALE_TEMPORARY_SECONDS:
                    leftovers.append(file.path)
                continue
            entries.append((used, info.st_size, file.path))
            total += info.st_size
    return entries, total, leftovers
