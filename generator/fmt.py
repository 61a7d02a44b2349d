"""Formatting, in process: unused imports dropped, the rest merged and sorted by isort,
then black, for every generated file. Templates and the model generator each add
imports; isort gives them one block in the order `ruff check --select I` expects.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import version
from typing import Any

from .cache import cached
from .errors import GeneratorError
from .source_edits import prune_unused_imports

LINE_LENGTH = 88


@cache
def _mode() -> Any:
    from black.mode import Mode, TargetVersion

    return Mode(target_versions={TargetVersion.PY311}, line_length=LINE_LENGTH)


@cache
def _isort_config() -> Any:
    import isort

    # The black profile: parenthesised, one name a line with a trailing comma when too long,
    # which black then keeps as is. Our packages import each other relatively only.
    return isort.Config(profile="black", line_length=LINE_LENGTH, quiet=True)


@cache
def _isort_version() -> str:
    return version("isort")


def format_python(source: str, path: str) -> str:
    # The cache salt names black's version; isort's goes into the key.
    key = f"isort=={_isort_version()}\0{source}"
    return cached("black", "black", key, lambda: _format(source, path))


def _format(source: str, path: str) -> str:
    import black
    import isort

    try:
        compile(source, path, "exec", dont_inherit=True)
        pruned = prune_unused_imports(source)
        return str(black.format_str(isort.code(pruned, config=_isort_config()), mode=_mode()))
    except Exception as exc:  # compile, isort and black raise many types; all are our bug
        detail = " ".join(str(exc).split())  # black's message spans lines; ours is one
        raise GeneratorError(f"generated {path} is not valid Python ({detail}); "
                             "this is a bug in the generator or a template") from exc
