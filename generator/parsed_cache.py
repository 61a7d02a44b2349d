"""The API model of a spec parsed before, taken from the cache.

`parse` is decided by the checked document (`LoadedSpec.fingerprint`, set only when
the root file's text alone decides it), the spec's hash, its file name as shown, the
options and the generator's source (the cache's salt): the key holds each. The
model's dataclasses are written as JSON with their class names and fields in order,
tuples and mappings marked, and read back only as the classes of `api` (an allow-list): the same
values, of the same types, so every later key and template sees the same model.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import api
from .cache import lookup
from .cache_writes import json_pieces, store_later
from .diagnostics import Diagnostic
from .loader import LoadedSpec

if TYPE_CHECKING:
    from .parse import ParsedSpec

_KIND = "parsed"
_CLASSES: dict[str, type[Any]] = {
    name: value for name, value in vars(api).items()
    if isinstance(value, type) and dataclasses.is_dataclass(value)
    and value.__module__ == api.__name__}
_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _CLASSES.values()}
_SCALARS = frozenset({str, int, float, bool, type(None)})
_CLASS, _FIELDS, _TUPLE, _MAPPING = "!class", "!fields", "!tuple", "!mapping"


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
    from .parse import ParsedSpec

    found = key(spec, options)
    if found is None:
        return compute()
    entry = lookup(_KIND, "", found)
    if entry is not None:
        try:
            stored = json.loads(entry)
            return ParsedSpec(api=decode(stored["api"]),
                              schema_document=stored["schema_document"],
                              warnings=[Diagnostic(str(kind), str(message), file, line,
                                                   pointer)
                                        for kind, message, file, line, pointer
                                        in stored["warnings"]])
        except (ValueError, TypeError, KeyError, AttributeError):
            pass  # a damaged entry: parse again
    parsed = compute()
    warnings = [(w.kind, w.message, w.file, w.line, w.pointer) for w in parsed.warnings]

    def stored_text() -> list[str] | None:
        # Made whole here: a value JSON cannot hold is found before anything is written.
        try:
            return list(json_pieces({"api": encode(parsed.api),
                                     "schema_document": parsed.schema_document,
                                     "warnings": warnings}))
        except (TypeError, ValueError):
            return None  # a value JSON cannot hold exactly: not cached

    # Written when the run can spare it (cache_writes.py): the model is frozen,
    # and no stage changes the schema document.
    store_later(_KIND, "", found, stored_text)
    return parsed


def encode(value: Any) -> Any:
    """`value` (the model, its tuples, mappings and JSON scalars) as plain JSON. Types
    are matched exactly: a subclass (of str, of a model class) is not written."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is not None:
        return {_CLASS: kind.__name__, _FIELDS: [encode(getattr(value, n)) for n in names]}
    if kind is tuple:
        return {_TUPLE: [encode(item) for item in value]}
    if kind is list:
        return [encode(item) for item in value]
    if kind is dict:
        if not all(type(name) is str for name in value):
            raise TypeError("a mapping with keys that are not strings")
        return {_MAPPING: {name: encode(item) for name, item in value.items()}}
    raise TypeError(f"not a value of the model: {kind.__name__}")


def decode(value: Any) -> Any:
    """What `encode` wrote, read back; ValueError for anything it cannot have written."""
    kind = type(value)
    if kind is list:
        return [decode(item) for item in value]
    if kind is not dict:
        return value
    if _FIELDS in value:
        cls = _CLASSES.get(value.get(_CLASS))
        if cls is None:
            raise ValueError(f"not a class of the model: {value.get(_CLASS)!r}")
        return cls(*[decode(item) for item in value[_FIELDS]])
    if _TUPLE in value:
        return tuple(decode(item) for item in value[_TUPLE])
    if _MAPPING in value:
        return {name: decode(item) for name, item in value[_MAPPING].items()}
    raise ValueError("a mapping that encode() does not write")
