"""Optional is not nullable: a field the spec lets you leave out may still refuse `null`.

pydantic models type an optional field `X | None = None`, so they would accept
an explicit `None` and the client would send `null`, which the spec forbids
(Prism answers 422). For every optional property whose schema does not allow
null, we add a `mode="before"` field validator to its model that refuses `None`
with an error naming the field; leaving the field out still works. Only closed
models (`additionalProperties: false`, what we send) are this strict; open
ones, what we read, stay lenient.
"""

from __future__ import annotations

import ast
from typing import Any

from .source_edits import Edit, Positions

_VALIDATOR = '''
    @field_validator({fields}, mode="before")
    @classmethod
    def _refuse_null(cls, value: Any) -> Any:
        # Optional in the spec, but not nullable: leave the field out instead.
        if value is None:
            raise ValueError("null is not allowed; leave the field out instead")
        return value
'''


def allows_null(schema: Any, schemas: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    if not isinstance(schema, dict):
        return True
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        return name not in seen and allows_null(schemas.get(name), schemas, seen | {name})
    types = schema.get("type")
    if types is None and not any(k in schema for k in ("anyOf", "oneOf", "allOf", "enum",
                                                        "const", "properties", "items")):
        return True  # an unconstrained schema accepts null too
    if types == "null" or (isinstance(types, list) and "null" in types):
        return True
    if schema.get("nullable") is True or None in (schema.get("enum") or []):
        return True
    return any(allows_null(s, schemas, seen) for key in ("anyOf", "oneOf")
               for s in schema.get(key) or [])


def _field_aliases(node: ast.ClassDef) -> dict[str, str]:
    """Wire name -> Python field name, from `Field(alias=...)` where there is one."""
    fields: dict[str, str] = {}
    for statement in node.body:
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
            continue
        python_name = statement.target.id
        wire = python_name
        for call in ast.walk(statement):
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "Field":
                for keyword in call.keywords:
                    if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
                        wire = str(keyword.value.value)
        fields[wire] = python_name
    return fields


def refuse_null(source: str, schemas: dict[str, Any]) -> str:
    """`source` with a null-refusing validator added to each model that needs one."""
    return null_edit(ast.parse(source), Positions(source), schemas).applied(source)


def null_edit(tree: ast.Module, positions: Positions, schemas: dict[str, Any]) -> Edit:
    """`refuse_null`'s edit of the source parsed as `tree`."""
    insertions: list[tuple[int, str]] = []
    for node in tree.body:
        schema = schemas.get(node.name) if isinstance(node, ast.ClassDef) else None
        if not isinstance(node, ast.ClassDef) or not isinstance(schema, dict):
            continue
        properties = schema.get("properties")
        if not isinstance(properties, dict) or schema.get("additionalProperties") is not False:
            continue  # open models are read leniently: responses may carry nulls
        required = set(schema.get("required") or [])
        aliases = _field_aliases(node)
        refused = [aliases[wire] for wire, sub in properties.items()
                   if wire not in required and wire in aliases
                   and not allows_null(sub, schemas)]
        if refused:
            names = ", ".join(repr(name) for name in refused)
            # Right after the class's last statement, at its indentation.
            text = "\n" + _VALIDATOR.format(fields=names).rstrip("\n")
            insertions.append((positions.end_of(node), text))
    validator_imports = "from typing import Any\n\nfrom pydantic import field_validator\n"
    return Edit(tuple(insertions), validator_imports if insertions else "")
