"""What a model worker process runs: one group's models (see model_groups.py).

Each worker process imports this module as soon as it is forked (model_pool.py), so
the model generator, the slowest import of the generator, is imported beside loading
and parsing the document, and a first call on a tiny document runs the library's own
lazy imports before the first group arrives.
"""

from __future__ import annotations

import ast
import warnings
from typing import Any

import datamodel_code_generator.parser.openapi  # noqa: F401

from .errors import GeneratorError
from .model_merge import kept_part
from .model_pool import GroupInput
from .models import check_import, generate_source, generated_tree

_TINY: dict[str, Any] = {
    "openapi": "3.0.3", "info": {"title": "models", "version": "0"}, "paths": {},
    "components": {"schemas": {"Warm": {"type": "object", "properties": {
        "up": {"type": "string"}}}}}}
generate_source(_TINY, ["Warm"])


def _compiles(tree: ast.Module) -> None:
    """CPython's verdict on the models (ast accepts a few things the compiler refuses)."""
    try:
        compile(tree, "models.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise GeneratorError(f"generated models.py is not valid Python ({exc}); this is a "
                             "bug in the generator") from exc


def group_part(work: GroupInput) -> tuple[bool, str, list[str]]:
    """(True, the group's part as JSON) or (False, why not), and the model generator's
    warnings: an error and the warnings cross the process boundary as text (no exception
    type needs to be picklable; the main process reports the warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            source, tree = generated_tree(work.document, [*work.own, *work.needs],
                                          work.null_schemas)
            part = kept_part(source, tree, work.own, work.needs, check_import)
            _compiles(tree)  # here, in parallel: models.py is not compiled again (fmt.py)
            outcome = True, part.to_json()
        except GeneratorError as exc:
            outcome = False, str(exc)
    return (*outcome, [str(w.message) for w in caught])
