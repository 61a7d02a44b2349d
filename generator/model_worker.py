"""What a model worker process runs: one group's models (see model_groups.py).

The supervisor imports this module as soon as it is forked (model_processes.py), so
the model generator, the slowest import of the generator, is imported beside loading
and parsing the document; `warm_up` runs the library's own lazy imports before the
other workers are forked.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

# pydantic's plugins (any installed package may declare one) have no business in the
# model generator's own validation: none is loaded, and none is looked for (a read of
# every installed package's metadata, on the first model the library validates).
os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"

import datamodel_code_generator.parser.openapi  # noqa: F401

from .errors import GeneratorError
from .model_groups import GroupInput
from .model_merge import kept_part
from .models import check_import, generate_source, generated

# The library's first call imports and compiles more (its templates for enums and root
# models, its word inflection for the models of array items, its patterns).
_TINY: dict[str, Any] = {
    "openapi": "3.0.3", "info": {"title": "models", "version": "0"}, "paths": {},
    "components": {"schemas": {
        "Warm": {"type": "object", "required": ["up"], "properties": {
            "up": {"type": "string", "format": "date-time", "nullable": True},
            "kind": {"type": "string", "enum": ["one", "two"]},
            "names": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 9},
            "entries": {"type": "array", "items": {"type": "object", "properties": {
                "size": {"type": "integer", "minimum": 0}}}},
            "either": {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/Tags"}]},
        }},
        "Tags": {"type": "array", "items": {"type": "string"}},
    }}}


def warm_up() -> None:
    """The library's first call, on a tiny document: made once before the other workers
    are forked, not once in each on its first group. A process that makes the only group
    itself has no need of it: that group's own first call imports the same, and the tiny
    document's models (9 ms) would only delay it."""
    generate_source(_TINY, ["Warm", "Tags"])


def _compiles(source: str) -> None:
    """CPython's verdict on the models (ast accepts a few things the compiler refuses),
    from the text: compiling our syntax tree would first copy it back into C's."""
    try:
        compile(source, "models.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise GeneratorError(f"generated models.py is not valid Python ({exc}); this is a "
                             "bug in the generator") from exc


def group_part(work: GroupInput) -> tuple[str, str, list[str]]:
    """A group's outcome: (kind, text, the model generator's warnings). Kind "ok": text
    is the group's part as JSON; "error": a problem for the user; "nesting": the
    document nests too deeply; "internal": a bug, `Type: message`. Everything crosses
    the process boundary as text (no exception type needs to be picklable), and the
    main process raises what it would have raised making the group itself."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            made = generated(work.document, [*work.own, *work.needs], work.null_schemas)
            part = kept_part(made.source, made.tree, work.own, work.needs, check_import,
                             made.edit)
            # Here, in parallel: models.py is not compiled again (fmt.py).
            _compiles(made.edit.applied(made.source))
            outcome = "ok", part.to_json()
        except GeneratorError as exc:
            outcome = "error", str(exc)
        except RecursionError:
            outcome = "nesting", ""
        except Exception as exc:  # reported by the main process as an internal error
            outcome = "internal", f"{type(exc).__name__}: {exc}"
    return (*outcome, [str(w.message) for w in caught])
