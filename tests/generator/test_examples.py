"""README example values come from the spec's own examples, as inert Python literals."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from generator.examples import example_source

SCHEMAS: dict[str, Any] = {
    "Contact": {"type": "object", "properties": {
        "created_at": {"type": "string", "format": "date-time", "example": "2023-11-07"},
        "external_id": {"type": "string", "example": "crm-1"},
        "count": {"type": "integer", "example": 3},
        "tags": {"type": "object", "example": {}},
        "first_name": {"$ref": "#/components/schemas/Name"},
        "email": {"type": "string", "examples": ["a@example.com", "b@example.com"]},
        "city": {"type": "string", "example": "not shown: three fields are enough"},
    }},
    "Name": {"type": "string", "example": "Ana"},
}


def resolve(value: Any) -> Any:
    while isinstance(value, dict) and "$ref" in value:
        value = SCHEMAS[value["$ref"].rsplit("/", 1)[1]]
    return value


@pytest.mark.parametrize(("schema", "expected"), [
    ({"type": "string", "example": "UTC"}, '"UTC"'),
    ({"type": "integer", "examples": [5, 6]}, "5"),
    ({"type": "boolean", "example": False}, "False"),
    ({"type": ["string", "null"], "example": None}, "None"),
    ({"type": "object", "example": {"a": [1, True, None]}}, '{"a": [1, True, None]}'),
    ({"type": "array", "items": {"$ref": "#/components/schemas/Contact"}},
     '[{"external_id": "crm-1", "first_name": "Ana", "email": "a@example.com"}]'),
    ({"type": "array", "items": {"type": "string"}}, None),
    ({"type": "string"}, None),
    ({"$ref": "#/components/schemas/Name"}, '"Ana"'),
    ({"type": "number", "example": float("inf")}, "..."),
])
def test_example_source(schema: dict[str, Any], expected: str | None) -> None:
    assert example_source(schema, resolve) == expected


@pytest.mark.parametrize("text", ['"""', "```\n<script>", "\\", "'; import os; '", "\u2028"])
def test_example_strings_are_literals_that_cannot_end_a_code_block(text: str) -> None:
    source = example_source({"type": "string", "example": text}, resolve)
    assert source is not None
    assert "`" not in source and "\n" not in source
    assert ast.literal_eval(source) == text
