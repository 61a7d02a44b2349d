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


def _listing(target: Path) -> tuple[set[str], set[str]]:
    """The files in `target` and the links in it (a link is never read through)."""
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
    return existing, links


class PendingWrite:
    """The output folder's new contents, given in parts: most files while the run still
    waits for the models, the models when they come. Each part is compared with the
    folder as it comes and, unless the run only checks, written into a staging folder
    beside it; `commit` then puts that folder in place (`write_tree`'s swap: all or
    nothing). What is left when the run fails is removed (`discard`)."""

    def __init__(self, target: Path, *, stage: bool) -> None:
        self.target = target
        self.files: dict[str, bytes] = {}
        self.digests: dict[str, str] = {}  # sha256 of each file, for the stamp
        self._changed: set[str] = set()  # files the folder holds with other bytes
        self._existing, self._links = _listing(target)
        self._stage = stage
        self._staging: Path | None = None

    def add(self, files: Mapping[str, bytes]) -> None:
        """Files of the new contents (one given again replaces the first)."""
        import hashlib

        check_paths(files)
        new = {path: content for path, content in files.items()
               if self.files.get(path) != content}
        if self._stage and new and self._staging is None:
            self._staging = _staging_folder(self.target)
        for path, content in new.items():
            self.files[path] = content
            self.digests[path] = hashlib.sha256(content).hexdigest()
            self._changed.discard(path)
            if path in self._existing and (self.target / path).read_bytes() != content:
                self._changed.add(path)
        if self._staging is not None:
            staging = self._staging
            self._staging = None  # removed by `_stage` if it fails
            _stage(staging, new, self.target)
            self._staging = staging

    def changes(self) -> list[str]:
        """What `commit` changes, as `+ added`, `- removed`, `~ changed`."""
        files, existing, links = self.files.keys(), self._existing, self._links
        changes = [f"+ {p}" for p in sorted(files - existing - links)]
        changes += [f"- {p}" for p in sorted((existing | links) - files)]
        changes += [f"~ {p}" for p in sorted(files & links)]
        changes += [f"~ {p}" for p in sorted(self._changed & files)]
        return sorted(changes, key=lambda c: c[2:])

    def commit(self) -> None:
        """The folder replaced by the files given, staged already."""
        if self._staging is None:
            self._staging = _staging_folder(self.target)
        staging, self._staging = self._staging, None
        _swap(staging, self.target)

    def discard(self) -> None:
        """The staging folder removed (nothing to do once committed)."""
        if self._staging is not None:
            _remove(self._staging)
            self._staging = None


def refuse_link(path: Path) -> None:
    """Writing through a link the generator did not create would change a file it never
    made: refuse, every time, until someone removes it."""
    if path.is_symlink():
        raise GeneratorError(f"{path} is a symbolic link; clientgen follows no link it did "
                             "not create. Remove it (and check who planted it).")


def write_tree(files: Mapping[str, bytes], target: Path) -> None:
    """Replace `target` with exactly `files`, atomically with respect to failures."""
    check_paths(files)
    staging = _staging_folder(target)
    _stage(staging, files, target)
    _swap(staging, target)


def _staging_folder(target: Path) -> Path:
    """A new, empty folder beside `target`, for its next contents."""
    # Imported here: `check_paths` and `refuse_link` are used before a run forks its
    # model workers, which should start as early as they can.
    import tempfile

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GeneratorError(f"could not create {target.parent}: {exc.strerror or exc}") from exc
    for planted in (target, old_folder(target)):
        refuse_link(planted)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    except OSError as exc:
        raise GeneratorError(f"could not write {target}: {exc}") from exc
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; the output is an ordinary folder
    except OSError as exc:
        _remove(staging)
        raise GeneratorError(f"could not write {target}: {exc}") from exc
    return staging


def _stage(staging: Path, files: Mapping[str, bytes], target: Path) -> None:
    """`files` written into `staging`, the folder that will replace `target`; on a
    failure the staging folder is removed and the failure named."""
    try:
        for relative, content in sorted(files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    except OSError as exc:
        _remove(staging)
        raise GeneratorError(f"could not write {target}: {exc}") from exc


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _swap(staging: Path, target: Path) -> None:
    """`staging` put in the place of `target` (the previous output kept until then, and
    put back if the rename fails); `staging` removed on any failure."""
    import shutil

    old = old_folder(target)
    try:
        for planted in (target, old):
            refuse_link(planted)  # again: the run took a while
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
        _remove(staging)
        raise GeneratorError(f"could not write {target}: {exc}") from exc
    except GeneratorError:
        _remove(staging)
        raise
