"""Equality of two JSON values as the schema means them.

The models may write a value in another spelling than they read it; these are the
only differences the round-trip tests forgive, each with a regression example in
test_property_regressions.py:

- `date-time`: compared as instants together with their UTC offsets, so `+00:00`
  and `Z` are equal, and `.5` equals `.500000`; `+01:00` and `Z` at the same instant
  are not (the offset is data: it says where the contact was). Precision is the
  microsecond, Python's: digits beyond the sixth are dropped on both sides.
- `uuid`: compared case-insensitively (RFC 9562 says UUIDs are case-insensitive on
  input; the models write lower case).
- `number`: compared as IEEE 754 doubles (RFC 8259 section 6: that is the precision
  JSON numbers can be expected to keep), so `5` equals `5.0`, and an integer beyond
  2**53 given to a `number` field equals its nearest double.

Everything else compares exactly, and booleans never equal numbers (in Python
`True == 1`; in JSON they are different types).
"""

from __future__ import annotations

import datetime
from typing import Any

import jsonschema
from spec_schemas import FORMAT_CHECKER


def _matches(value: Any, schema: dict[str, Any]) -> bool:
    return jsonschema.Draft202012Validator(schema, format_checker=FORMAT_CHECKER).is_valid(value)


def _schema_types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    if declared is None:
        return set()
    return {declared} if isinstance(declared, str) else set(declared)


def canonical(value: Any, schema: dict[str, Any] | None = None) -> Any:
    schema = schema or {}
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branch = next((b for b in schema[key] if _matches(value, b)), {})
            rest = {k: v for k, v in schema.items() if k != key}
            return canonical(value, {**rest, **branch})
    if value is None:
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        if "number" in _schema_types(schema):
            return ("number", float(value))
        return ("number", value)
    if isinstance(value, str):
        fmt = schema.get("format")
        if fmt == "date-time":
            parsed = datetime.datetime.fromisoformat(value.upper())  # RFC 3339 allows t, z
            return ("date-time", parsed, parsed.utcoffset())
        if fmt == "uuid":
            return ("uuid", value.lower())
        return value
    if isinstance(value, list):
        items = schema.get("items", {})
        return [canonical(item, items) for item in value]
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", {})
        extra = extra if isinstance(extra, dict) else {}
        return {k: canonical(v, properties.get(k, extra)) for k, v in value.items()}
    raise TypeError(f"not a JSON value: {value!r}")
