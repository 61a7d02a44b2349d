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
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import __version__

_GENERATOR_DIR = Path(__file__).resolve().parent
STAMP_NAME = ".clientgen-stamp.json"


def _sources(spec_files: Iterable[Path], templates: Iterable[Path | None]) -> list[Path]:
    paths = list(spec_files)
    for folder in (_GENERATOR_DIR, *templates):
        if folder is not None and folder.is_dir():
            paths += sorted(p for p in folder.rglob("*")
                            if p.is_file() and "__pycache__" not in p.parts)
    return paths


def input_digest(spec_files: Iterable[Path], templates: Iterable[Path | None],
                 options: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(f"{__version__}\n{json.dumps(options, sort_keys=True)}".encode())
    for path in _sources(spec_files, templates):
        digest.update(str(path).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _tree_digests(target: Path) -> dict[str, str]:
    return {
        p.relative_to(target).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(target.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def is_fresh(stamp: Path, target: Path, templates: Iterable[Path | None],
             options: Mapping[str, Any]) -> bool:
    try:
        recorded = json.loads(stamp.read_text())
        spec_files = [Path(p) for p in recorded["spec_files"]]
        return bool(
            recorded["inputs"] == input_digest(spec_files, templates, options)
            and recorded["outputs"] == _tree_digests(target)
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


def write_stamp(stamp: Path, target: Path, spec_files: list[Path],
                templates: Iterable[Path | None], options: Mapping[str, Any]) -> None:
    record = {
        "spec_files": [str(p) for p in spec_files],
        "inputs": input_digest(spec_files, templates, options),
        "outputs": _tree_digests(target),
    }
    stamp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
