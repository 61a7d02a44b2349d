"""Example argument values for the package README, from the spec's own `example`s.

Docs only: the value is shown in a Markdown code block, never run. It is still a plain
Python literal, with backticks escaped so that no spec text can end the code block.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

_MISSING = object()
_FIELDS_SHOWN = 3  # an example item shows this many fields: enough to see the shape


def _spec_example(schema: dict[str, Any]) -> Any:
    if "example" in schema:
        return schema["example"]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    return _MISSING


def example_source(schema: Any, resolve: Callable[[Any], Any]) -> str | None:
    """Python source of an example for an argument of this schema, or None.

    The schema's own example if it has one; for an array of objects, one item made of
    the first few plain-string property examples (a batch of contacts, say).
    """
    schema = resolve(schema)
    if not isinstance(schema, dict):
        return None
    value = _spec_example(schema)
    if value is _MISSING and schema.get("type") == "array":
        item = resolve(schema.get("items"))
        properties = item.get("properties") if isinstance(item, dict) else None
        sample: dict[str, Any] = {}
        for name, prop in (properties or {}).items():
            prop = resolve(prop)
            if not isinstance(prop, dict) or "format" in prop:
                continue
            found = _spec_example(prop)
            if isinstance(found, str):
                sample[str(name)] = found
            if len(sample) == _FIELDS_SHOWN:
                break
        value = [sample] if sample else _MISSING
    return None if value is _MISSING else _literal(value)


def _literal(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("`", "\\x60")
    if isinstance(value, int | float):
        return repr(value) if value == value and abs(value) != float("inf") else "..."
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(str(k))}: {_literal(v)}"
                               for k, v in value.items()) + "}"
    return "..."


_FORMAT_SAMPLES = {"date-time": "2024-06-01T12:00:00Z", "date": "2024-06-01",
                   "uuid": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "email": "ana@example.com"}
_RECORD_DEPTH = 4


def example_record(schema: Any, resolve: Callable[[Any], Any]) -> str | None:
    """One record of a bulk array as a JSON line, for the README's worked examples: its
    required fields and the properties the spec gives an example for, nested arrays
    with one element. Backticks are escaped so the line cannot end a code block."""
    value = _record(schema, resolve, 0)
    if not isinstance(value, dict) or not value:
        return None
    return json.dumps(value, ensure_ascii=False).replace("`", "\\u0060")


def _record(schema: Any, resolve: Callable[[Any], Any], depth: int) -> Any:
    schema = resolve(schema)
    if not isinstance(schema, dict) or depth > _RECORD_DEPTH:
        return _MISSING
    found = _spec_example(schema)
    if found is not _MISSING and not isinstance(found, dict | list):
        return found
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or isinstance(schema.get("properties"), dict):
        required = set(schema.get("required") or [])
        record: dict[str, Any] = {}
        for name, prop in (schema.get("properties") or {}).items():
            resolved = resolve(prop)
            if name not in required and not (
                    isinstance(resolved, dict) and _spec_example(resolved) is not _MISSING
                    and not isinstance(_spec_example(resolved), dict | list)):
                continue
            value = _record(prop, resolve, depth + 1)
            if value is not _MISSING:
                record[str(name)] = value
        return record
    if kind == "array":
        item = _record(schema.get("items"), resolve, depth + 1)
        return [item] if item is not _MISSING else []
    if kind == "string":
        return _FORMAT_SAMPLES.get(str(schema.get("format")), "...")
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return True
    return _MISSING
