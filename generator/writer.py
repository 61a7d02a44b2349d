"""Putting the generated files in place: all of them or none.

The new tree is written beside the old one, then swapped in with renames, so
an interrupted or failed run leaves the previous output as it was, and files
the new output no longer has disappear.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from .errors import GeneratorError

_SAFE_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")


def check_paths(files: Mapping[str, bytes]) -> None:
    """Every path stays inside the output folder, whatever the spec said."""
    for path in files:
        if not _SAFE_PATH.match(path) or ".." in path.split("/"):
            raise GeneratorError(f"refusing to write {path!r}: not a plain relative path")


def old_folder(target: Path) -> Path:
    """Where the previous output waits during the swap."""
    return target.parent / f".{target.name}.old"


def differences(files: Mapping[str, bytes], target: Path) -> list[str]:
    """What writing `files` into `target` would change, as `+ added`, `- removed`, `~ changed`.

    A link inside `target` is never read through: it is a change (the new tree replaces it).
    """
    existing: set[str] = set()
    links: set[str] = set()
    if target.is_dir() and not target.is_symlink():
        for p in target.rglob("*"):
            if "__pycache__" in p.parts:
                continue
            relative = p.relative_to(target).as_posix()
            if p.is_symlink():
                links.add(relative)
            elif p.is_file():
                existing.add(relative)
    changes = [f"+ {p}" for p in sorted(files.keys() - existing - links)]
    changes += [f"- {p}" for p in sorted((existing | links) - files.keys())]
    changes += [f"~ {p}" for p in sorted(files.keys() & links)]
    changes += [f"~ {p}" for p in sorted(files.keys() & existing)
                if (target / p).read_bytes() != files[p]]
    return sorted(changes, key=lambda c: c[2:])


def refuse_link(path: Path) -> None:
    """Writing through a link the generator did not create would change a file it never
    made: refuse, every time, until someone removes it."""
    if path.is_symlink():
        raise GeneratorError(f"{path} is a symbolic link; clientgen follows no link it did "
                             "not create. Remove it (and check who planted it).")


def write_tree(files: Mapping[str, bytes], target: Path) -> None:
    """Replace `target` with exactly `files`, atomically with respect to failures."""
    # Imported here: the checks above are made before a run forks its model workers,
    # which should start as early as they can.
    import shutil
    import tempfile

    check_paths(files)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GeneratorError(f"could not create {target.parent}: {exc.strerror or exc}") from exc
    old = old_folder(target)
    for planted in (target, old):
        refuse_link(planted)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; the output is an ordinary folder
        for relative, content in sorted(files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            target.rename(old)
        try:
            staging.rename(target)
        except OSError:
            if old.exists():
                old.rename(target)  # put the previous output back
            raise
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise GeneratorError(f"could not write {target}: {exc}") from exc
