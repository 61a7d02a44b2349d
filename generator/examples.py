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
