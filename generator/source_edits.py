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
from dataclasses import dataclass

FUTURE_IMPORT = "from __future__ import annotations\n"
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


def source_lines(source: str) -> list[str]:
    """The lines of `source` as the tokenizer counts them, each with its line end."""
    starts = [0, *(m.end() for m in _LINE_END.finditer(source))]
    if starts[-1] == len(source):
        starts.pop()
    return [source[start:end] for start, end in zip(starts, [*starts[1:], len(source)],
                                                    strict=True)]


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
    head, found, rest = source.partition(FUTURE_IMPORT)
    if not found:
        return imports + source
    return head + FUTURE_IMPORT + imports + rest


@dataclass(frozen=True)
class Edit:
    """Insertions into a source (offsets of the original), and the import statements
    they need, added right after `from __future__` (empty: none)."""

    insertions: tuple[tuple[int, str], ...] = ()
    imports: str = ""

    def applied(self, source: str) -> str:
        if not self.insertions:
            return source
        return add_imports(apply(source, list(self.insertions)), self.imports)

    def then(self, other: Edit) -> Edit:
        """This edit and `other`, both of the same original (where both insert at one
        offset, this one's text comes first), this one's imports first."""
        used = [edit for edit in (self, other) if edit.insertions]
        return Edit(tuple(i for edit in used for i in edit.insertions),
                    "".join(edit.imports for edit in used))
