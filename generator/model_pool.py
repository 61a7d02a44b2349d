"""The models of every group, made on every core and cached group by group.

`start_models` looks each group (model_groups.py) up in the cache, hands the others to
the worker processes (model_processes.py), largest first, and returns at once: the rest
of the client is rendered and formatted meanwhile; `ModelJob.result()` joins the
groups' parts (model_merge.py).

`CLIENTGEN_JOBS=1` makes every group here, one after another, in this process:
the same bytes (a test compares the two on a large document).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .cache import lookup, store
from .errors import GeneratorError
from .fmt import format_sources
from .model_groups import Group, plan_groups, stub
from .model_merge import Part, join
from .model_processes import ModelPool, Outcome
from .models import prepared_schemas
from .models_module import JoinedModels
from .nullability import allows_null

_LIBRARY = "datamodel-code-generator"


@dataclass(frozen=True)
class GroupInput:
    """Everything one group's models are made from (and so its cache key)."""

    document: dict[str, Any]  # what the model generator sees (model_groups.py)
    null_schemas: dict[str, Any]  # what decides which references allow null
    own: tuple[str, ...]
    needs: tuple[str, ...]

    def key(self) -> str:
        """The input as JSON text, in its own order (the order of a schema's properties
        is the order of the model's fields). It is also what crosses to a worker
        process: one string, not a tree of objects for this process to pickle while it
        renders the rest of the client."""
        return json.dumps([self.document, self.null_schemas, self.own, self.needs],
                          ensure_ascii=False, check_circular=False)

    @classmethod
    def from_key(cls, key: str) -> GroupInput:
        document, null_schemas, own, needs = json.loads(key)
        return cls(document, null_schemas, tuple(own), tuple(needs))


def group_input(openapi: str, schemas: dict[str, Any], group: Group) -> GroupInput:
    """The model generator's document for `group`, schemas in document order."""
    whole = {*group.own, *group.whole}
    stubs = set(group.stubs)
    seen = {name: schema if name in whole else stub(schema)
            for name, schema in schemas.items() if name in whole or name in stubs}
    # A stub lacks the subschemas that decide whether it allows null: that is decided
    # here, on the whole schema, and told as the simplest schema with the same answer.
    nulls = {name: ({} if allows_null(schemas[name], schemas) else {"type": "object"})
             if name in stubs else schema for name, schema in seen.items()}
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
            if not self._pool.submit(index, key):
                self._here[index] = key

    def result(self) -> JoinedModels:
        """The models module's pieces, each group's definitions formatted."""
        for index, key in self._here.items():
            self._parts[index] = self._settle(index, _group_part(key))
        for index, outcome in self._pool.results():
            self._parts[index] = self._settle(index, outcome)
        joined = join([part for part in self._parts if part is not None], self._components)
        # Each group's definitions formatted on their own (and cached so): after an edit,
        # only the groups it changed are formatted again; the module, formatted as a
        # whole afterwards (models_module.py), is then formatted already but for its
        # imports.
        names = [f"models_part{index:04d}.py" for index in range(len(joined.bodies))]
        formatted = format_sources(dict(zip(names, joined.bodies, strict=True)),
                                   compiled=True, fixes=None)
        return JoinedModels(joined, [formatted[name] for name in names])

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
