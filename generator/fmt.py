"""Formatting with black, in process: one style for every generated file."""

from __future__ import annotations

from functools import cache
from typing import Any

from .cache import cached
from .errors import GeneratorError


@cache
def _mode() -> Any:
    from black.mode import Mode, TargetVersion

    return Mode(target_versions={TargetVersion.PY311}, line_length=88)


def format_python(source: str, path: str) -> str:
    return cached("black", "black", source, lambda: _format(source, path))


def _format(source: str, path: str) -> str:
    import black

    try:
        return str(black.format_str(source, mode=_mode()))
    except Exception as exc:  # black raises InvalidInput and others; all are our bug
        detail = " ".join(str(exc).split())  # black's message spans lines; ours is one
        raise GeneratorError(f"generated {path} is not valid Python ({detail}); "
                             "this is a bug in a template") from exc
