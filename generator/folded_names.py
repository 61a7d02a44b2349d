"""Property names that Python's identifier folding would change get an explicit alias.

Python reads identifiers in NFKC form: a field written `ﬁeld` (with the ligature) is
the field `field`. The model generator writes such a property name as the field name
without an alias, so pydantic would expect the key `field` and a closed model would
refuse `ﬁeld`, a key the spec allows. Each such field gets `Field(alias=<the name as
written>)`, placed by `ast` positions; its Python name stays the folded one.
"""

from __future__ import annotations

import ast
import unicodedata

from .source_edits import Positions, add_imports


def _has_alias(annotation: ast.expr) -> bool:
    return any(isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Field"
               and any(k.arg == "alias" for k in node.keywords)
               for node in ast.walk(annotation))


def _field_call(annotation: ast.expr) -> ast.Call | None:
    """The `Field(...)` of an `Annotated[..., Field(...)]` annotation, if it has one."""
    if (isinstance(annotation, ast.Subscript) and getattr(annotation.value, "id", "")
            == "Annotated" and isinstance(annotation.slice, ast.Tuple)):
        for item in annotation.slice.elts[1:]:
            if isinstance(item, ast.Call) and getattr(item.func, "id", "") == "Field":
                return item
    return None


def alias_folded_names(source: str) -> str:
    """`source` with an alias on every field whose written name NFKC would change."""
    tree = ast.parse(source)
    positions = Positions(source)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        for statement in node.body:
            if not (isinstance(statement, ast.AnnAssign)
                    and isinstance(statement.target, ast.Name)):
                continue
            target = statement.target
            written = source[positions.offset(target.lineno, target.col_offset):
                             positions.end_of(target)]
            if (written.isascii() or unicodedata.normalize("NFKC", written) == written
                    or _has_alias(statement.annotation)):
                continue
            alias = f"alias={written!r}"
            call = _field_call(statement.annotation)
            if call is not None:
                at = positions.end_of(call) - 1  # before the `)`
                separator = ", " if call.args or call.keywords else ""
                edits.append((at, at, f"{separator}{alias}"))
            else:
                start = positions.offset(statement.annotation.lineno,
                                         statement.annotation.col_offset)
                end = positions.end_of(statement.annotation)
                edits.append((start, end, f"Annotated[{source[start:end]}, Field({alias})]"))
    if not edits:
        return source
    for start, end, text in sorted(edits, reverse=True):
        source = source[:start] + text + source[end:]
    return add_imports(source, "from typing import Annotated\n\nfrom pydantic import Field\n")
