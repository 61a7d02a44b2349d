"""Small edits of generated Python source shared by the model post-processors.

Every edit is placed by `ast` positions, converted here to string offsets the way the
tokenizer counts: lines end only at `\\n`, `\\r\\n` or `\\r` (not at U+2028, U+0085,
form feed or vertical tab, which `str.splitlines()` would also split at), and columns
are UTF-8 byte offsets. A description holding any of those characters sits in a
docstring; counting lines differently would put an edit inside it.
"""

from __future__ import annotations

import ast
import re

_FUTURE = "from __future__ import annotations\n"
_LINE_END = re.compile(r"\r\n|\r|\n")


class Positions:
    """`ast` (line, column) -> offset in the source string."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._starts = [0, *(m.end() for m in _LINE_END.finditer(source))]

    def offset(self, line: int, column: int) -> int:
        start = self._starts[line - 1]
        end = self._starts[line] if line < len(self._starts) else len(self._source)
        text = self._source[start:end].encode("utf-8")[:column]
        return start + len(text.decode("utf-8"))

    def end_of(self, node: ast.stmt | ast.expr) -> int:
        assert node.end_lineno is not None and node.end_col_offset is not None
        return self.offset(node.end_lineno, node.end_col_offset)


def apply(source: str, insertions: list[tuple[int, str]]) -> str:
    """`source` with each text inserted at its offset (offsets of the original source)."""
    parts: list[str] = []
    previous = 0
    for at, text in sorted(insertions, key=lambda item: item[0]):
        parts.append(source[previous:at])
        parts.append(text)
        previous = at
    parts.append(source[previous:])
    return "".join(parts)


def add_imports(source: str, imports: str) -> str:
    """`source` with `imports` added right after `from __future__`, which must stay first."""
    head, found, rest = source.partition(_FUTURE)
    if not found:
        return imports + source
    return head + _FUTURE + imports + rest


def _used_names(tree: ast.Module) -> set[str]:
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    for node in tree.body:  # `__all__ = [...]` re-exports count as uses
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__"
                                                 for t in node.targets)
                and isinstance(node.value, ast.List | ast.Tuple)):
            used |= {e.value for e in node.value.elts
                     if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return used


def prune_unused_imports(source: str) -> str:
    """`source` without the names its top-level `from ... import` statements import and
    nothing uses: templates import for the general case, the module may not need all."""
    tree = ast.parse(source)
    used = _used_names(tree)
    positions = Positions(source)
    edits: list[tuple[int, int, str]] = []
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or node.module == "__future__":
            continue
        kept = [alias for alias in node.names if (alias.asname or alias.name) in used]
        if len(kept) == len(node.names):
            continue
        start = positions.offset(node.lineno, node.col_offset)
        replacement = ast.unparse(ast.ImportFrom(node.module, kept, node.level)) if kept else ""
        edits.append((start, positions.end_of(node), replacement))
    for start, end, replacement in sorted(edits, reverse=True):
        source = source[:start] + replacement + source[end:]
    return source
