"""A spec file read and checked before: its warnings from the cache, its document
made again only if a stage reads it.

Reading a big document and applying the structural checks (`references`,
`structure`) cost more than the rest of a warm run together. For a spec that
references no other file, what they produce (the normalised document and the
warnings, in order) is decided by its bytes, `strict`, the generator's source,
PyYAML's and Python's versions and the limits: the key holds each (the bytes by
their hash). Its hash becomes the spec's `fingerprint`, by which the later stages
(parse, the meta-schema check) cache what they make of the document: a run whose
later stages are all cached never reads the document, so it is not stored (a
megabyte document cost a run more to write than the rest of its cache), and a run
that does read it checks the text again (`loader.checked_document`). A document
with YAML aliases (one value at several places, which JSON cannot hold) or with
references to other files (their meaning depends on the folder too) is not cached. A
run that failed stored nothing; the lines of warnings are found afresh, from the text.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from . import limits
from .cache import lookup
from .cache_writes import json_pieces, store_later
from .loader import LoadedSpec, _File, add_file_warnings, checked_document

_KIND = "checked"
_DISTRIBUTION = "pyyaml"  # reads the YAML ones; the salt adds the generator's source


def key(sha256: str, strict: bool) -> str:
    """What decides the checked document of a spec whose root file's bytes have the
    hash `sha256` (the bytes decide the text)."""
    bounds = sorted((name, value) for name, value in vars(limits).items() if name.isupper())
    return f"{sys.version}\0{bounds}\0{strict}\0{sha256}"


def fingerprint(key: str) -> str:
    """`LoadedSpec.fingerprint` of a spec cached (or cacheable) here, from its key."""
    return hashlib.sha256(key.encode()).hexdigest()


def save(loaded: LoadedSpec, root: _File, found: int, checked: str) -> None:
    """Store `loaded`, read from `root` alone, under the key `checked`; its first
    `found` warnings came from reading the file (`root.warnings`), the others from the
    checks. Later stages may then cache by its fingerprint."""
    checks = [(d.kind, d.message, d.pointer) for d in loaded.diagnostics.items[found:]]
    read, is_json, lines = list(root.warnings), root.is_json, root.yaml_lines
    # Written when the run has time (cache_writes.py). The document itself is not: the
    # stages after this one cache what they make of it by its fingerprint, and a run
    # that needs it checks the text again (`restore`). Writing it took a big document's
    # run a third of its writing (GitHub: 4 MB, 30 ms).
    store_later(_KIND, _DISTRIBUTION, checked, lambda: json_pieces({
        "is_json": is_json, "lines": lines, "read": read, "checks": checks}))
    loaded.fingerprint = fingerprint(checked)


def restore(path: Path, shown: str, raw: bytes, text: str, strict: bool,
            checked: str) -> LoadedSpec | None:
    """The spec as `save` stored it under the key `checked` (made from `raw`), or None."""
    entry = lookup(_KIND, _DISTRIBUTION, checked)
    if entry is None:
        return None
    try:
        stored = json.loads(entry)
        lines = stored["lines"]
        root = _File(path=path, shown=shown, data=None, raw=raw, text=text,
                     is_json=bool(stored["is_json"]),
                     yaml_lines=None if lines is None else dict(lines),
                     warnings=[(str(kind), str(message), str(pointer),
                                None if line is None else int(line))
                               for kind, message, pointer, line in stored["read"]])
        loaded = LoadedSpec(document=lambda: checked_document(path, shown, raw, text),
                            root=path, files=[path],
                            sha256=hashlib.sha256(raw).hexdigest(),  # as `_bundle` does
                            mounts={"": (root, "")}, strict=strict,
                            fingerprint=fingerprint(checked))
        add_file_warnings(loaded, root)
        for kind, message, pointer in stored["checks"]:
            loaded.diagnostics.warn(str(kind), str(message),
                                    None if pointer is None else str(pointer))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None  # a damaged entry: read and check the text again
    return loaded
