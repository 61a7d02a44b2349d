"""Where a JSON Schema holds subschemas, by the shape of the keyword's value: one list
of them, a map of names to them, or one subschema. The structural check and the model
step walk the same positions, so that an `example` or a property called `items` is
never read as a schema."""

from __future__ import annotations

SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
# One subschema each. `items` (a list of them in old drafts) is read apart by each user.
SCHEMA_ONES = ("additionalProperties", "not", "if", "then", "else", "contains",
               "propertyNames", "unevaluatedProperties", "unevaluatedItems")
