"""Arguments for an operation, built from the document's own examples and schemas.

Two candidates per operation: the first takes every example the document gives (a
parameter's `example`/`examples`, a media type's `example`, a schema's `example` or
`default`) and sends every parameter; the second is synthesised from the schemas alone
and sends only what is required. Both are deterministic: the same document gives the
same calls on every run. Strings with a `pattern` come from hypothesis, which shrinks to
the smallest match (`hypothesis.find`), so they are deterministic too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

Resolve = Callable[[Any], Any]

_FORMATS = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "email": "user@example.com",
    "uri": "https://example.com/x",
    "url": "https://example.com/x",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "byte": "ZGF0YQ==",
}
_MAX_DEPTH = 8


@functools.lru_cache(maxsize=1024)
def _matching(pattern: str) -> str | None:
    """The smallest string matching `pattern` (searched, as JSON Schema does)."""
    from hypothesis import HealthCheck, find, settings
    from hypothesis import strategies as st

    try:
        compiled = re.compile(pattern)
        return str(find(st.from_regex(compiled), lambda s: True,
                        settings=settings(database=None, max_examples=200,
                                          suppress_health_check=list(HealthCheck))))
    except Exception:  # a pattern Python cannot use: no value from it
        return None


class Sampler:
    """Values for schemas of one document; `use_examples` picks the candidate."""

    def __init__(self, resolve: Resolve, *, use_examples: bool) -> None:
        self.resolve = resolve
        self.use_examples = use_examples

    def value(self, schema: Any, depth: int = 0) -> Any:
        schema = self.resolve(schema)
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return "x"
        if "const" in schema:
            return schema["const"]
        if self.use_examples:
            for key in ("example", "default"):
                if key in schema and schema[key] is not None:
                    return schema[key]
            if isinstance(schema.get("examples"), list) and schema["examples"]:
                return schema["examples"][0]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            non_null = [v for v in schema["enum"] if v is not None]
            return non_null[0] if non_null else None
        if isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                got = self.value(part, depth + 1)
                if isinstance(got, dict):
                    merged.update(got)
                elif not merged:
                    return got
            extra = {k: v for k, v in schema.items() if k != "allOf"}
            if extra.get("properties") or extra.get("required"):
                got = self.value(extra, depth + 1)
                if isinstance(got, dict):
                    merged.update(got)
            return merged
        for combinator in ("oneOf", "anyOf"):
            options = schema.get(combinator)
            if isinstance(options, list) and options:
                for option in _unambiguous_first(options, self.resolve):
                    resolved = self.resolve(option)
                    if isinstance(resolved, dict) and resolved.get("type") != "null":
                        base = {k: v for k, v in schema.items() if k != combinator}
                        more = self.value(option, depth + 1)
                        if combinator == "oneOf" and isinstance(more, dict):
                            # Every property of the option: options that overlap on
                            # what they require still differ in what they allow.
                            for name, sub in (resolved.get("properties") or {}).items():
                                sub_schema = self.resolve(sub)
                                if name not in more and not (isinstance(sub_schema, dict)
                                                             and sub_schema.get("readOnly")):
                                    more[name] = self.value(sub_schema, depth + 1)
                        if base.get("properties"):
                            got = self.value(base, depth + 1)
                            if isinstance(got, dict) and isinstance(more, dict):
                                return {**got, **more}
                        return more
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            kind = kinds[0] if kinds else "null"
        if kind is None:
            kind = "object" if "properties" in schema else "string"
        return getattr(self, f"_{kind}", self._string)(schema, depth)

    def _null(self, schema: dict[str, Any], depth: int) -> Any:
        return None

    def _boolean(self, schema: dict[str, Any], depth: int) -> Any:
        return True

    def _integer(self, schema: dict[str, Any], depth: int) -> Any:
        return int(self._number(schema, depth, integer=True))

    def _number(self, schema: dict[str, Any], depth: int, integer: bool = False) -> Any:
        low = schema.get("minimum")
        high = schema.get("maximum")
        value: float = 1
        if isinstance(low, int | float) and not isinstance(low, bool):
            value = max(value, low)
        if isinstance(schema.get("exclusiveMinimum"), int | float) and not isinstance(
                schema.get("exclusiveMinimum"), bool):
            value = max(value, schema["exclusiveMinimum"] + 1)
        if isinstance(high, int | float) and not isinstance(high, bool):
            value = min(value, high)
        if isinstance(schema.get("exclusiveMaximum"), int | float) and not isinstance(
                schema.get("exclusiveMaximum"), bool):
            value = min(value, schema["exclusiveMaximum"] - 1)
        step = schema.get("multipleOf")
        if isinstance(step, int | float) and step > 0:
            value = step * max(1, round(value / step))
        return int(value) if integer else float(value)

    def _string(self, schema: dict[str, Any], depth: int) -> Any:
        fmt = schema.get("format")
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            typical = _FORMATS.get(str(fmt))
            if typical is not None and _searches(pattern, typical):
                return typical  # the smallest match of the pattern may break the format
            found = _matching(pattern)
            if found is not None:
                return found
        if fmt == "binary":
            return "data"
        text = _FORMATS.get(str(fmt), "string")
        low = schema.get("minLength")
        high = schema.get("maxLength")
        if isinstance(low, int) and len(text) < low:
            text = text + "x" * (low - len(text))
        if isinstance(high, int) and len(text) > high:
            text = text[:high]
        return text

    def _array(self, schema: dict[str, Any], depth: int) -> Any:
        # Two items unless the schema says otherwise: one item would not show how the
        # client delimits an array (and a lone form value reads as a string).
        count = schema.get("minItems")
        count = max(count, 2) if isinstance(count, int) else 2
        if isinstance(schema.get("maxItems"), int):
            count = min(count, schema["maxItems"])
        item = self.value(schema.get("items", {}), depth + 1)
        if count > 1 and (schema.get("uniqueItems") or not _scalar(item)):
            if isinstance(item, int) and not isinstance(item, bool):
                return [item + i for i in range(count)]
            if isinstance(item, str) and not schema.get("items", {}).get("enum"):
                return [f"{item}{i}" if i else item for i in range(count)]
            return [item]  # no second distinct value at hand
        return [item] * count

    def _object(self, schema: dict[str, Any], depth: int) -> Any:
        properties = schema.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        required = schema.get("required")
        required = required if isinstance(required, list) else []
        out: dict[str, Any] = {}
        for name in required:
            if name in properties:
                prop = self.resolve(properties[name])
                if isinstance(prop, dict) and prop.get("readOnly"):
                    continue
                out[name] = self.value(prop, depth + 1)
            else:
                out[name] = "x"
        count = schema.get("minProperties")
        if isinstance(count, int) and len(out) < count:
            for name in properties:
                if len(out) >= count:
                    break
                out.setdefault(name, self.value(properties[name], depth + 1))
        return out


def _searches(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def _unambiguous_first(options: list[Any], resolve: Resolve) -> list[Any]:
    """A plain string option first when a number option sits beside it: a number sent in
    a path, query or form reads as a string too (matching both, which `oneOf` refuses),
    while a string like "string" reads as nothing else."""
    kinds = [(resolve(o) or {}).get("type") if isinstance(resolve(o), dict) else None
             for o in options]
    if not {"integer", "number"} & set(kinds):
        return options
    plain = [o for o, kind in zip(options, kinds, strict=True) if kind == "string"
             and not {"format", "pattern", "enum"} & set(resolve(o))]
    return plain + [o for o in options if o not in plain]


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def example_of(holder: Any, resolve: Resolve) -> tuple[bool, Any]:
    """(True, value) when a parameter or media type object gives an example."""
    if not isinstance(holder, dict):
        return False, None
    if "example" in holder:
        return True, holder["example"]
    examples = holder.get("examples")
    if isinstance(examples, dict):
        for item in examples.values():
            item = resolve(item)
            if isinstance(item, dict) and "value" in item:
                return True, item["value"]
    return False, None
