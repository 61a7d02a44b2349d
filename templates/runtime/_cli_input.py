"""Reading records from files for the command line: JSON lines and CSV.

Both readers are lazy (one record in memory at a time) and give each record its
line number. A ``.gz`` file is decompressed on the fly; ``-`` reads standard input.

JSON lines (``.jsonl``, ``.ndjson``): one JSON object per line, validated straight
from its JSON text. Blank lines are skipped (their numbers still count).

CSV (``.csv``), the first row naming the columns:

- a column ``name`` sets the field ``name``; a dotted column sets a nested field:
  ``order.purchase_id`` sets ``{"order": {"purchase_id": ...}}``, and a number
  selects an element of an array: ``addresses.0.city``, ``addresses.1.city``;
- an empty cell sets nothing (the field is omitted);
- a cell is read by the type of the field it sets, from the item model's JSON
  schema: an object or array field takes JSON (``tags`` = ``{"vip": true}``,
  ``addresses`` = ``[{"city": "Puebla"}]``); a ``boolean`` field takes
  ``true``/``false`` (also ``1``/``0``, ``yes``/``no``, in any case); an ``integer``
  field ``42``; a ``number`` field ``20.95``; every other field (strings, dates,
  enumerations) takes the text as it is, so ``03100`` stays ``"03100"`` and
  ``[draft]`` stays ``"[draft]"``. A cell that does not read as its field's type is
  passed on as text, and validation reports it, with its line; invalid JSON in an
  object or array cell makes the row invalid;
- array elements left with no value are dropped, so ``addresses.1.city`` alone
  gives a one-element array;
- a JSON object cell and dotted columns below it merge (``order`` =
  ``{"value": 20.95}`` with ``order.purchase_id``); a field set twice (the same
  column twice, or ``order.value`` next to that cell) makes the row invalid, as do
  invalid JSON in a cell and a row with more cells than the header has columns.

A record's line is the line where its row starts (a quoted cell may span lines).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, Literal

import pydantic

from ._bulk import SourceRecord

__all__ = ["Source", "cell_reader", "column_path", "open_source", "row_to_record"]

Format = Literal["jsonl", "csv"]
_BOM = b"\xef\xbb\xbf"
_FORMATS: dict[str, Format] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


class _Counting(io.RawIOBase):
    """A binary stream that counts the bytes read through it (for the progress)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


@dataclass
class Source:
    """An open input: its records, and how far through the file reading is."""

    records: Iterator[SourceRecord]
    fraction: Callable[[], float | None]
    close: Callable[[], None]


def detect_format(path: str) -> Format | None:
    name = path.lower().removesuffix(".gz")
    return _FORMATS.get(os.path.splitext(name)[1])


def open_source(
    path: str, model: type[pydantic.BaseModel], fmt: Format | None = None
) -> Source:
    """Open ``path`` (``-`` for standard input) as ``fmt`` or by its extension; CSV
    cells are typed by the fields of ``model``.

    Raises ``ValueError`` when the format cannot be told, ``OSError`` when the file
    cannot be opened.
    """
    fmt = fmt or ("jsonl" if path == "-" else detect_format(path))
    if fmt is None:
        raise ValueError(
            f"cannot tell the format of {path}: name it .jsonl or .csv, or pass --format"
        )
    if path == "-":
        raw: IO[bytes] = sys.stdin.buffer
        size = None
    else:
        raw = open(path, "rb")  # noqa: SIM115 - closed by Source.close
        size = os.fstat(raw.fileno()).st_size
    counting = _Counting(raw)
    buffered: IO[bytes] = io.BufferedReader(counting, buffer_size=1 << 16)
    if path.lower().endswith(".gz"):
        buffered = gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[assignment]

    def fraction() -> float | None:
        return min(counting.count / size, 1.0) if size else None

    if fmt == "jsonl":
        records = _jsonl(buffered)
    else:
        text = io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")
        records = _csv(text, model.model_json_schema())
    return Source(records=records, fraction=fraction, close=buffered.close)


def _jsonl(stream: IO[bytes]) -> Iterator[SourceRecord]:
    for number, line in enumerate(stream, start=1):
        if number == 1 and line.startswith(_BOM):
            line = line[len(_BOM) :]
        if line.strip():
            yield SourceRecord(line=number, text=line.rstrip(b"\r\n"))


def column_path(name: str) -> tuple[str | int, ...]:
    """``"addresses.0.city"`` -> ``("addresses", 0, "city")``."""
    return tuple(
        int(part) if part.isdigit() else part for part in name.strip().split(".")
    )


def _csv(stream: IO[str], schema: Mapping[str, Any]) -> Iterator[SourceRecord]:
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    paths = [column_path(name) for name in header]
    readers = [cell_reader(schema, path) for path in paths]
    start = reader.line_num + 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        yield row_to_record(header, paths, row, line, readers)


class _CellError(ValueError):
    pass


CellReader = Callable[[str], object]
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


def _as_text(cell: str) -> object:
    return cell


def _as_bool(cell: str) -> object:
    folded = cell.strip().lower()
    return True if folded in _TRUE else False if folded in _FALSE else cell


def _as_int(cell: str) -> object:
    try:
        return int(cell.strip())
    except ValueError:
        return cell


def _as_number(cell: str) -> object:
    try:
        value = float(cell.strip())
    except ValueError:
        return cell
    return value if math.isfinite(value) else cell


def _as_json(cell: str) -> object:
    try:
        return json.loads(cell)
    except ValueError as exc:
        raise _CellError(f"invalid JSON ({exc})") from None


def cell_reader(schema: Mapping[str, Any], path: tuple[str | int, ...]) -> CellReader:
    """How to read a cell of the column ``path``, from the JSON types of its field."""
    types = _types_at(schema, schema, path)
    if not types or "string" in types:
        return _as_text
    if "object" in types or "array" in types:
        return _as_json
    if "boolean" in types:
        return _as_bool
    if "number" in types:
        return _as_number
    if "integer" in types:
        return _as_int
    return _as_text


def _resolve(root: Mapping[str, Any], node: Any) -> list[Mapping[str, Any]]:
    """``node`` with ``$ref`` followed, split into its ``anyOf``/``oneOf`` options."""
    if not isinstance(node, Mapping):
        return []
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _resolve(root, root.get("$defs", {}).get(ref.removeprefix("#/$defs/")))
    for combinator in ("anyOf", "oneOf"):
        options = node.get(combinator)
        if isinstance(options, list):
            return [n for option in options for n in _resolve(root, option)]
    return [node]


def _types_at(
    root: Mapping[str, Any], node: Any, path: tuple[str | int, ...]
) -> set[str]:
    options = _resolve(root, node)
    if not path:
        types: set[str] = set()
        for option in options:
            kind = option.get("type")
            if "enum" in option or "const" in option:
                types.add("string")
            elif isinstance(kind, str):
                types.add(kind)
            elif isinstance(kind, list):
                types.update(k for k in kind if isinstance(k, str))
        types.discard("null")
        return types
    key, rest = path[0], path[1:]
    found: set[str] = set()
    for option in options:
        if isinstance(key, int):
            child = option.get("items")
        else:
            child = (option.get("properties") or {}).get(key)
        if child is not None:
            found |= _types_at(root, child, rest)
    return found


class _Unset:
    """An array slot no column has filled (yet)."""


_UNSET = _Unset()


def row_to_record(
    header: list[str],
    paths: list[tuple[str | int, ...]],
    row: list[str],
    line: int | None,
    readers: list[CellReader] | None = None,
) -> SourceRecord:
    """One CSV row as a record (see the module's mapping rules); ``readers`` type the
    cells of each column (``cell_reader``; text when not given)."""
    data: dict[str, Any] = {}
    errors: list[str] = []
    if len(row) > len(header):
        errors.append(f"{len(row)} cells, but the header has {len(header)} columns")
    cell_readers = readers or [_as_text] * len(header)
    for name, path, cell, read in zip(header, paths, row, cell_readers, strict=False):
        if cell == "":
            continue
        try:
            value = read(cell)
        except _CellError as exc:
            errors.append(f"column {name}: {exc}")
            value = cell
        try:
            _put(data, path, value)
        except _CellError as exc:
            errors.append(f"column {name}: {exc}")
    record = _compact(data)
    if errors:
        return SourceRecord(line=line, data=record, error="; ".join(errors))
    return SourceRecord(line=line, data=record)


def _put(data: dict[str, Any], path: tuple[str | int, ...], value: object) -> None:
    if not path or path[0] == "" or isinstance(path[0], int):
        raise _CellError("a column name must start with a field name")
    node: Any = data
    for key, after in zip(path, path[1:], strict=False):
        child: Any = {} if isinstance(after, str) else []
        node = _step(node, key, child)
    last = path[-1]
    if isinstance(last, int):
        _grow(node, last)
        if node[last] is not _UNSET:
            raise _CellError("this element is set twice")
        node[last] = value
    elif last not in node:
        node[last] = value
    elif isinstance(node[last], dict) and isinstance(value, dict):
        _merge(node[last], value)
    else:
        raise _CellError(f"field {last!r} is set twice")


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    """An object cell joining dotted columns below it (``order`` and ``order.value``)."""
    for key, value in other.items():
        if key not in into:
            into[key] = value
        elif isinstance(into[key], dict) and isinstance(value, dict):
            _merge(into[key], value)
        else:
            raise _CellError(f"field {key!r} is set twice")


def _step(node: Any, key: str | int, child: Any) -> Any:
    if isinstance(key, int):
        if not isinstance(node, list):
            raise _CellError(
                "a number selects an array element, but this field is not an array"
            )
        _grow(node, key)
        if node[key] is _UNSET:
            node[key] = child
        existing = node[key]
    else:
        if not isinstance(node, dict):
            raise _CellError(f"{key!r} names a field, but this is an array")
        existing = node.setdefault(key, child)
    if type(existing) is not type(child):
        raise _CellError("a field is set twice, as a value and as an object or array")
    return existing


def _grow(node: list[Any], index: int) -> None:
    if index > 10_000:
        raise _CellError(f"array index {index} is too large")
    while len(node) <= index:
        node.append(_UNSET)


def _compact(value: Any) -> Any:
    """Drop array elements that no column filled."""
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value if v is not _UNSET]
    return value
