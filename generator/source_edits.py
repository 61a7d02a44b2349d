"""Small edits of generated Python source shared by the model post-processors."""

from __future__ import annotations

_FUTURE = "from __future__ import annotations\n"


def add_imports(source: str, imports: str) -> str:
    """`source` with `imports` added right after `from __future__`, which must stay first."""
    head, found, rest = source.partition(_FUTURE)
    if not found:
        return imports + source
    return head + _FUTURE + imports + rest
