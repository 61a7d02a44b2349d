"""JSON has no NaN or Infinity: models refuse them where they are read.

pydantic's floats accept `float("nan")` by default, and its JSON serialiser then
writes `null`: a NaN in an export (pandas writes them for empty cells) would be
sent as null, silently. Every generated model gets `allow_inf_nan=False` in its
config, so the value is refused with an error naming the field, before sending.
"""

from __future__ import annotations

import ast

from .source_edits import add_imports

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
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []  # (line index, column, text to insert)
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or "Enum" in "".join(_base_names(node)):
            continue
        call = _config_call(node)
        if call is not None and call.end_lineno is not None and call.end_col_offset is not None:
            line, column = call.end_lineno - 1, call.end_col_offset - 1  # at the `)`
            before = "".join(lines[:line]) + lines[line][:column]
            separator = "" if before.rstrip().endswith(("(", ",")) else ", "
            edits.append((line, column, f"{separator}{_SETTING},"))
        elif call is None and _base_names(node) & _BASES:
            # Models that inherit from another generated model inherit its config.
            first = node.body[0]
            has_docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            at = (first.end_lineno or first.lineno) if has_docstring else first.lineno - 1
            config = f"{' ' * first.col_offset}model_config = ConfigDict({_SETTING})\n"
            edits.append((at, 0, config))
    if not edits:
        return source
    lines.append("")  # an insertion may land after the last line
    for line, column, text in sorted(edits, reverse=True):
        lines[line] = lines[line][:column] + text + lines[line][column:]
    return add_imports("".join(lines), "from pydantic import ConfigDict\n")
