"""Every reference-like keyword, settled by us before any library sees the document.

Libraries follow references under their own rules (base URIs from `$id`, remote
`$schema`s, `$dynamicRef`, discriminator mappings naming other files or URLs). So
after bundling, the only reference left is a local `$ref` to something that exists:

- `$ref`: must be `#` plus a JSON pointer to a value of the document. A dangling one
  (or one in a cycle of bare `$ref`s) is dropped with a warning: the schema there
  accepts any value, and an operation that needed the parameter, body or response it
  named is left out (see `structure`).
- `$dynamicRef`, `$recursiveRef`: inside a component schema that declares the anchor
  itself (`$recursiveAnchor: true`, `$dynamicAnchor: name`), a `$ref` to that
  component (the recursion such anchors are written for); otherwise not followed,
  dropped with a warning (any value).
- `$id`, `$schema`, `$anchor`, `$dynamicAnchor`, `$recursiveAnchor`, `$vocabulary`:
  identifiers and dialects we do not follow; dropped with a warning.
- discriminator `mapping` values: a local `$ref` or a schema name in
  `components/schemas` (rewritten to its `$ref`); anything else is dropped.

Values that are data, not schema (`default`, `example`, `examples`, `enum`, `const`,
`x-` extensions) are not searched for identifiers: no library reads them as schemas.
In strict mode every warning here is an error.
"""

from __future__ import annotations

import re
from typing import Any

from .loader import LoadedSpec, escape_pointer_token, resolve_pointer

_IGNORED_IDENTIFIERS = ("$id", "$schema", "$anchor", "$dynamicAnchor", "$recursiveAnchor",
                        "$vocabulary")
_UNFOLLOWED_REFERENCES = ("$dynamicRef", "$recursiveRef")
# What `keywords` acts on: a mapping with none of them is left as it is.
_KEYWORDS = frozenset({"$ref", *_IGNORED_IDENTIFIERS, *_UNFOLLOWED_REFERENCES})
_DATA_KEYWORDS = frozenset({"default", "example", "examples", "enum", "const"})
# Maps whose keys are names, not keywords (a property may be called `$id`).
_NAME_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas", "$defs",
                        "definitions", "schemas", "parameters", "responses", "requestBodies",
                        "headers", "securitySchemes", "links", "callbacks", "pathItems",
                        "paths", "webhooks", "content", "encoding", "variables", "mapping",
                        "scopes"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def settle_references(spec: LoadedSpec) -> None:
    """Check and rewrite, in place, every reference-like keyword of `spec.data`."""
    _Settler(spec).run()


class _Settler:
    def __init__(self, spec: LoadedSpec) -> None:
        self.spec = spec
        self.doc = spec.data
        components = self.doc.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        self.schema_names = set(schemas) if isinstance(schemas, dict) else set()
        self.bare_refs: list[tuple[dict[str, Any], str]] = []  # every `$ref` kept
        # Per component schema: its `$recursiveAnchor: true`, its `$dynamicAnchor` name.
        self.anchors: dict[str, tuple[bool, str | None]] = {}

    def run(self) -> None:
        self.visit(self.doc, "", None)
        self.break_cycles()

    def visit(self, value: Any, pointer: str, parent_key: str | None) -> None:
        # The hottest loop of loading a big document: a scalar is skipped before its
        # pointer is made, and a key is escaped only if it needs it.
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, (dict, list)):
                    self.visit(item, f"{pointer}/{index}", None)
            return
        if not isinstance(value, dict):
            return
        keys_are_names = parent_key in _NAME_MAPS
        if not keys_are_names and not _KEYWORDS.isdisjoint(value):
            self.keywords(value, pointer)
        for key, item in list(value.items()):
            if not isinstance(item, (dict, list)):
                continue  # a scalar holds no keyword
            if not keys_are_names and (key in _DATA_KEYWORDS or key.startswith("x-")):
                continue
            token = escape_pointer_token(key) if "/" in key or "~" in key else key
            child = f"{pointer}/{token}"
            if key == "discriminator" and isinstance(item, dict):
                self.mapping(item, child)
            self.visit(item, child, None if keys_are_names else key)

    def keywords(self, value: dict[str, Any], pointer: str) -> None:
        component = _component(pointer)
        if component == pointer:
            # A component's own anchors are honoured (below), so they are not warned about.
            recursive = value.pop("$recursiveAnchor", None) is True
            dynamic = value.pop("$dynamicAnchor", None)
            self.anchors[pointer] = (recursive, dynamic if isinstance(dynamic, str) else None)
        if component is not None and "$ref" not in value:
            self.anchored(value, component)
        if "$ref" in value:
            self.ref(value, pointer)
        for keyword in _UNFOLLOWED_REFERENCES:
            if keyword in value:
                del value[keyword]
                self.spec.warn("unfollowed-reference", f"{keyword} is not followed; the "
                               "schema here accepts any value",
                               f"{pointer}/{escape_pointer_token(keyword)}")
        for keyword in _IGNORED_IDENTIFIERS:
            if keyword in value:
                del value[keyword]
                self.spec.warn("ignored-identifier", f"{keyword} is ignored: clientgen "
                               "follows only local $refs",
                               f"{pointer}/{escape_pointer_token(keyword)}")

    def anchored(self, value: dict[str, Any], component: str) -> None:
        """`$recursiveRef: "#"` or `$dynamicRef: "#name"` inside a component schema that
        declares that anchor itself: the recursion the author meant, as a local `$ref`."""
        recursive, dynamic = self.anchors.get(component, (False, None))
        if value.get("$recursiveRef") == "#" and recursive:
            del value["$recursiveRef"]
            value["$ref"] = f"#{component}"
        elif dynamic is not None and value.get("$dynamicRef") == f"#{dynamic}":
            del value["$dynamicRef"]
            value["$ref"] = f"#{component}"

    def problem(self, ref: Any) -> str | None:
        """Why `ref` cannot be followed, or None."""
        if not isinstance(ref, str):
            return f"$ref must be a string, not {type(ref).__name__}"
        if _CONTROL.search(ref):
            return f"$ref {ref!r} holds a control character"
        if not ref.startswith("#"):
            return f"$ref {ref!r} was not resolved"  # the bundler has inlined every file
        if ref != "#" and not ref.startswith("#/"):
            return f"$ref {ref!r} names an anchor; only JSON pointers are followed"
        try:
            target = resolve_pointer(self.doc, ref[1:])
        except KeyError:
            return f"$ref {ref!r} points to nothing"
        if not isinstance(target, dict | bool):
            # Every object OpenAPI lets a `$ref` name is a mapping (or a boolean schema).
            return f"$ref {ref!r} points to a {type(target).__name__}, not an object"
        return None

    def ref(self, value: dict[str, Any], pointer: str) -> None:
        problem = self.problem(value["$ref"])
        if problem is None:
            self.bare_refs.append((value, pointer))
        else:
            del value["$ref"]
            self.spec.warn("dangling-ref", f"{problem}; left out (a schema there accepts any "
                           "value; an operation that needs anything else is left out)",
                           f"{pointer}/$ref")

    def mapping(self, discriminator: dict[str, Any], pointer: str) -> None:
        mapping = discriminator.get("mapping")
        if mapping is None:
            return
        if not isinstance(mapping, dict):
            del discriminator["mapping"]
            self.spec.warn("malformed", "discriminator mapping must be a mapping; ignored",
                           f"{pointer}/mapping")
            return
        for key, target in list(mapping.items()):
            here = f"{pointer}/mapping/{escape_pointer_token(key)}"
            if isinstance(target, str) and target in self.schema_names:
                mapping[key] = f"#/components/schemas/{escape_pointer_token(target)}"
                continue
            problem = self.problem(target)
            if problem is not None:
                del mapping[key]
                self.spec.warn("dangling-ref", f"discriminator mapping: {problem}; this "
                               "value is left out", here)

    def break_cycles(self) -> None:
        """A `$ref` whose chain of bare `$ref`s comes back to itself names no value."""
        for node, pointer in self.bare_refs:
            seen = {pointer}
            current: Any = node
            while isinstance(current, dict) and isinstance(current.get("$ref"), str):
                target = current["$ref"][1:]
                if target == pointer:
                    ref = node.pop("$ref")
                    self.spec.warn("circular-ref", f"$ref {ref!r} is part of a cycle of "
                                   "references that names no value; left out (any value)",
                                   f"{pointer}/$ref")
                    break
                if target in seen:
                    break  # a cycle further on: handled when its members come up
                seen.add(target)
                try:
                    current = resolve_pointer(self.doc, target)
                except KeyError:
                    break


def _component(pointer: str) -> str | None:
    """The component schema `pointer` is inside (`/components/schemas/Name`), if any."""
    if not pointer.startswith("/components/schemas/"):
        return None
    return "/".join(pointer.split("/", 4)[:4])
