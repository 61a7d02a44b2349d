"""The models of every group, made on every core and cached group by group.

`start_models` looks each group (model_groups.py) up in the cache, hands the others to
the worker processes (model_processes.py), largest first, and returns at once: the rest
of the client is rendered and formatted meanwhile; `ModelJob.result()` joins the
groups' parts (model_merge.py).

`CLIENTGEN_JOBS=1` makes every group here, one after another, in this process:
the same bytes (a test compares the two on a large document).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

from .cache import lookup, store
from .errors import GeneratorError
from .model_groups import Group, GroupInput, plan_groups, stub
from .model_merge import Part, join
from .model_processes import ModelPool, Outcome
from .models import prepared_schemas
from .models_module import Ahead, JoinedModels, ahead_of
from .nullability import allows_null

_LIBRARY = "datamodel-code-generator"


def group_input(openapi: str, schemas: dict[str, Any], group: Group) -> GroupInput:
    """The model generator's document for `group`, schemas in document order."""
    whole = {*group.own, *group.whole}
    stubs = set(group.stubs)
    seen = {name: schema if name in whole else stub(schema)
            for name, schema in schemas.items() if name in whole or name in stubs}
    # A stub lacks the subschemas that decide whether it allows null: that is decided
    # here, on the whole schema, and told as the simplest schema with the same answer.
    nulls = {name: {} if allows_null(schemas[name], schemas) else {"type": "object"}
             for name in seen if name in stubs}
    document = {"openapi": openapi, "info": {"title": "models", "version": "0"},
                "paths": {}, "components": {"schemas": seen}}
    return GroupInput(document, nulls, group.own, group.needs)


def _group_part(key: str) -> Outcome:
    from .model_worker import group_part

    return group_part(GroupInput.from_key(key))


class ModelJob:
    """The groups of one document, some from the cache, the rest on their way."""

    def __init__(self, components: Iterable[str], pool: ModelPool) -> None:
        self._components = tuple(components)
        self._pool = pool
        self._parts: list[Part | None] = []
        self._keys: list[str] = []
        self._here: dict[int, str] = {}  # keys of the groups made here, at `result()`

    def add(self, works: list[GroupInput]) -> None:
        """Every group, in order: from the cache, or handed to the workers (the largest
        first, so that the last one to finish is a small one), or kept to make here."""
        missing = []
        for index, work in enumerate(works, start=len(self._parts)):
            key = work.key()
            self._keys.append(key)
            found = lookup("models-group", _LIBRARY, key)
            self._parts.append(Part.from_json(found) if found is not None else None)
            if found is None:
                missing.append((index, key))
        # Made from the key, whichever the process: the same input, the same bytes.
        for index, key in sorted(missing, key=lambda m: (-len(m[1]), m[0])):
            if not self._pool.submit(index, key, len(missing)):
                self._here[index] = key

    def result(self) -> JoinedModels:
        """The models module's pieces, each group's definitions formatted."""
        for index, key in self._here.items():
            self._parts[index] = self._settle(index, _group_part(key))
        ahead = self._ahead()
        for index, outcome in self._pool.results():
            self._parts[index] = self._settle(index, outcome)
        return JoinedModels.of(join([part for part in self._parts if part is not None],
                                    self._components), ahead)

    def _ahead(self) -> Ahead | None:
        """While the workers make the last groups (an edit's one or two), the cache's
        results for the others, joined without them: looked up now, not after."""
        known = [part for part in self._parts if part is not None]
        if not known or len(known) == len(self._parts):
            return None
        try:
            return ahead_of(join(known, self._components))
        except GeneratorError:
            return None  # found again, and said, once every group is in

    def _settle(self, index: int, outcome: Outcome) -> Part:
        kind, text, library_warnings = outcome
        for message in library_warnings:  # the run reports them (pipeline.py)
            warnings.warn(message, UserWarning, stacklevel=1)
        if kind == "error":
            raise GeneratorError(text)
        if kind == "nesting":
            raise RecursionError("the document nests too deeply for the model generator")
        if kind != "ok":
            raise RuntimeError(f"a model worker failed: {text}")
        store("models-group", _LIBRARY, self._keys[index], text)
        return Part.from_json(text)


def start_models(schema_document: dict[str, Any], expected: Iterable[str],
                 pool: ModelPool) -> ModelJob:
    """Every group looked up in the cache, the others handed to `pool`."""
    schemas = prepared_schemas(schema_document)
    missing = sorted(set(expected) - schemas.keys())
    if missing:
        raise GeneratorError(f"the models would not define {', '.join(missing)}")
    openapi = str(schema_document.get("openapi", "3.1.0"))
    job = ModelJob(schemas, pool)
    job.add([group_input(openapi, schemas, group) for group in plan_groups(schemas)])
    return job


def generate_models(schema_document: dict[str, Any], expected: Iterable[str]) -> str:
    """The models module's source, every group made in this process."""
    return start_models(schema_document, expected, ModelPool(workers=1)).result().source
