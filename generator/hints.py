"""Python type hints for what a caller may pass, derived from a JSON Schema.

The pydantic models (datamodel-code-generator) describe what is validated;
these hints describe the arguments of generated methods, which are wider on
purpose: a model argument also takes a plain mapping, a list takes any
sequence, a date-time takes a `datetime` or an ISO string.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_FORMATS = {"date-time": "datetime | str", "date": "date | str", "uuid": "UUID | str"}


def _union(parts: list[str]) -> str:
    seen: list[str] = []
    for part in parts:
        for piece in part.split(" | "):
            if piece not in seen:
                seen.append(piece)
    if "None" in seen:  # None last, as people write it
        seen.remove("None")
        seen.append("None")
    return " | ".join(seen)


def input_hint(schema: Any, class_names: Mapping[str, str], enums: frozenset[str]) -> str:
    """`class_names` maps `#/components/schemas/X` to its class; `enums` lists enum classes."""
    if not isinstance(schema, dict):
        return "Any"
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = class_names.get(ref)
        if name is None:
            return "Any"
        return f"{name} | str" if name in enums else f"{name} | Mapping[str, Any]"
    for combinator in ("anyOf", "oneOf"):
        if isinstance(schema.get(combinator), list):
            return _union([input_hint(s, class_names, enums) for s in schema[combinator]])
    if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
        return input_hint(schema["allOf"][0], class_names, enums)
    if "const" in schema and isinstance(schema["const"], str | int | bool):
        return f"Literal[{schema['const']!r}]"
    if isinstance(schema.get("enum"), list) and all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in schema["enum"]
    ):
        return f"Literal[{', '.join(repr(v) for v in schema['enum'])}]"
    types = schema.get("type")
    if isinstance(types, list):
        return _union([input_hint({**schema, "type": t}, class_names, enums) for t in types])
    if types == "null":
        return "None"
    if types == "array":
        return f"Sequence[{input_hint(schema.get('items', {}), class_names, enums)}]"
    if types == "object":
        return "Mapping[str, Any]"
    if types == "string" and schema.get("format") in _FORMATS:
        return _FORMATS[str(schema["format"])]
    if isinstance(types, str) and types in _SCALARS:
        return _SCALARS[types]
    return "Any"


# What a hint needs imported, by the names that appear in it.
IMPORTS = {
    "Any": ("typing", "Any"),
    "Literal": ("typing", "Literal"),
    "Mapping": ("collections.abc", "Mapping"),
    "Sequence": ("collections.abc", "Sequence"),
    "datetime": ("datetime", "datetime"),
    "date": ("datetime", "date"),
    "UUID": ("uuid", "UUID"),
}
