"""The API model of a spec parsed before, taken from the cache.

`parse` is decided by the checked document (`LoadedSpec.fingerprint`, set only when
the root file's text alone decides it), the spec's hash, its file name as shown, the
options and the generator's source (the cache's salt): the key holds each. The entry is
the model, the schema document and the warnings as a pickle (made and read by the C
pickler: on GitHub's document a third of JSON's time each way, where the JSON had to be
made from the model and the model from it in Python). Only exact values are written:
the model's classes and the built-in containers and scalars (a subclass of str or of
a model class is not: a value read back is of the very type the parse made). Reading
back, only the classes of `api` can be named (an allow-list), so an entry can make
nothing but the model's values; anything else is a damaged entry, and the spec is
parsed again.
"""

from __future__ import annotations

import dataclasses
import io
import pickle
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import api
from .cache import lookup_bytes
from .cache_writes import store_later
from .diagnostics import Diagnostic
from .loader import LoadedSpec

if TYPE_CHECKING:
    from .parse import ParsedSpec

_KIND = "parsed"
_CLASSES: dict[str, type[Any]] = {
    name: value for name, value in vars(api).items()
    if isinstance(value, type) and dataclasses.is_dataclass(value)
    and value.__module__ == api.__name__}
_MODEL_TYPES = frozenset(_CLASSES.values())


def key(spec: LoadedSpec, options: dict[str, Any]) -> str | None:
    """The cache key of parsing `spec` with `options`, or None if it cannot be cached."""
    if spec.fingerprint is None or "" not in spec.mounts:
        return None
    shown = spec.mounts[""][0].shown  # the file warnings name
    return "\0".join([spec.fingerprint, spec.sha256, str(spec.root), shown,
                      repr(sorted(options.items()))])


def cached_parse(spec: LoadedSpec, options: dict[str, Any],
                 compute: Callable[[], ParsedSpec]) -> ParsedSpec:
    """`compute()`, or its earlier result for the same spec and options."""
    found = key(spec, options)
    if found is None:
        return compute()
    entry = lookup_bytes(_KIND, "", found)
    if entry is not None:
        stored = read(entry)
        if stored is not None:
            return stored
    parsed = compute()

    def stored_bytes() -> list[bytes] | None:
        try:
            return [write(parsed)]
        except TypeError:
            return None  # a value of another type than the model's: not cached

    # Written when the run can spare it (cache_writes.py): the model is frozen,
    # and no stage changes the schema document.
    store_later(_KIND, "", found, stored_bytes)
    return parsed


class _ModelPickler(pickle.Pickler):
    """Refuses every value but the model's classes' and the built-in types'. The C
    pickler asks this only about the others (it writes exact built-in values itself)."""

    def reducer_override(self, obj: Any) -> Any:
        # A model value, and its class (named by the value's pickle), are pickled as usual.
        if type(obj) in _MODEL_TYPES or (isinstance(obj, type) and obj in _MODEL_TYPES):
            return NotImplemented
        raise TypeError(f"not a value of the model: {type(obj).__name__}")


class _ModelUnpickler(pickle.Unpickler):
    """Reads an entry that names no class but the model's."""

    def find_class(self, module: str, name: str) -> Any:
        found = _CLASSES.get(name) if module == api.__name__ else None
        if found is None:
            raise pickle.UnpicklingError(f"not a class of the model: {module}.{name}")
        return found


def write(parsed: ParsedSpec) -> bytes:
    """The entry of a parse; TypeError for a value of another type than the model's."""
    out = io.BytesIO()
    warnings = [(w.kind, w.message, w.file, w.line, w.pointer) for w in parsed.warnings]
    _ModelPickler(out, protocol=5).dump((parsed.api, parsed.schema_document, warnings))
    return out.getvalue()


def read(entry: bytes) -> ParsedSpec | None:
    """The parse an entry holds, or None for an entry that is not one `write` made."""
    from .parse import ParsedSpec

    try:
        model, schema_document, warnings = _ModelUnpickler(io.BytesIO(entry)).load()
        if type(model) is not api.Api or type(schema_document) is not dict:
            return None
        return ParsedSpec(api=model, schema_document=schema_document,
                          warnings=[Diagnostic(str(kind), str(message), file, line, pointer)
                                    for kind, message, file, line, pointer in warnings])
    except Exception:  # whatever a damaged entry raises: parse again
        return None
