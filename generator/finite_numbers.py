"""JSON has no NaN or Infinity: models refuse them where they are read.

pydantic's floats accept `float("nan")` by default, and its JSON serialiser then
writes `null`: a NaN in an export (pandas writes them for empty cells) would be
sent as null, silently. Every generated model gets `allow_inf_nan=False` in its
config, so the value is refused with an error naming the field, before sending.
"""

from __future__ import annotations

import ast

from .source_edits import Edit, Positions

_SETTING = "allow_inf_nan=False"
_BASES = frozenset({"BaseModel", "RootModel"})


def _base_names(node: ast.ClassDef) -> set[str]:
    names = set()
    for base in node.bases:
        target = base.value if isinstance(base, ast.Subscript) else base
        if isinstance(target, ast.Name):
            names.add(target.id)
    return names


def _config_call(node: ast.ClassDef) -> ast.Call | None:
    for statement in node.body:
        value: ast.expr | None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign):
            targets, value = [statement.target], statement.value
        else:
            continue
        named = any(isinstance(t, ast.Name) and t.id == "model_config" for t in targets)
        if named and isinstance(value, ast.Call):
            return value
    return None


def refuse_non_finite(source: str) -> str:
    """`source` with `allow_inf_nan=False` in the config of every pydantic model in it."""
    return non_finite_edit(source, ast.parse(source), Positions(source)).applied(source)


def non_finite_edit(source: str, tree: ast.Module, positions: Positions) -> Edit:
    """`refuse_non_finite`'s edit of `source` (parsed: `tree`)."""
    insertions: list[tuple[int, str]] = []  # (offset, text to insert)
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or "Enum" in "".join(_base_names(node)):
            continue
        call = _config_call(node)
        if call is not None:
            at = positions.end_of(call) - 1  # at the `)`
            separator = "" if source[:at].rstrip().endswith(("(", ",")) else ", "
            insertions.append((at, f"{separator}{_SETTING},"))
        elif _base_names(node) & _BASES:
            # Models that inherit from another generated model inherit its config.
            first = node.body[0]
            config = f"model_config = ConfigDict({_SETTING})"
            has_docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            if has_docstring:
                insertions.append((positions.end_of(first),
                                   f"\n{' ' * first.col_offset}{config}"))
            else:
                insertions.append((positions.offset(first.lineno, first.col_offset),
                                   f"{config}\n{' ' * first.col_offset}"))
    return Edit(tuple(insertions), "from pydantic import ConfigDict\n" if insertions else "")
