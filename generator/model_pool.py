"""The models of every group, made on every core and cached group by group.

`ModelPool` starts at the beginning of a run: its worker processes are forked from a
supervisor that imports the model generator (model_worker.py) while this process
loads and parses the document. `start_models` then hands each group that the cache
does not hold to the workers and returns at once: the rest of the client is rendered
and formatted meanwhile; `ModelJob.result()` joins the groups' parts.

`CLIENTGEN_JOBS=1` makes every group here, one after another, in this process:
the same bytes (a test compares the two on a large document).
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import multiprocessing.connection
import os
import queue
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .cache import lookup, store
from .errors import GeneratorError
from .model_groups import Group, plan_groups, stub
from .model_merge import Part, join
from .models import prepared_schemas
from .nullability import allows_null

_LIBRARY = "datamodel-code-generator"


def worker_count() -> int:
    """`CLIENTGEN_JOBS`, else one worker per core this process may use."""
    wanted = os.environ.get("CLIENTGEN_JOBS", "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class GroupInput:
    """Everything one group's models are made from (and so its cache key)."""

    document: dict[str, Any]  # what the model generator sees (model_groups.py)
    null_schemas: dict[str, Any]  # what decides which references allow null
    own: tuple[str, ...]
    needs: tuple[str, ...]

    def key(self) -> str:
        return json.dumps([self.document, self.null_schemas, self.own, self.needs],
                          sort_keys=True)


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


# How long the run waits for a group's models before it gives up (a worker that hangs).
_GROUP_DEADLINE_SECONDS = 600.0


class ModelPool:
    """Worker processes for model groups, or none (one worker: all in this process).

    At the start of a run, before this process starts any thread, one supervisor
    process is forked; it imports the model generator (model_worker.py) while this
    process loads and parses the document, then forks the workers, which so start
    with it imported, and watches them: a worker that dies is reported, not waited
    for. Forked processes start no interpreter, open no socket and re-import nothing
    of the caller's program.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = worker_count() if workers is None else workers
        self._supervisor: Any = None
        self._waiting = 0
        if self.workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self._tasks: Any = context.Queue()
            self._results: Any = context.Queue()
            self._cancelled = context.Event()
            self._supervisor = context.Process(
                target=_supervise, name="clientgen-models",
                args=(self._tasks, self._results, self._cancelled, self.workers))
            self._supervisor.start()

    def submit(self, index: int, work: GroupInput) -> bool:
        """Hand a group to the workers; False when there are none (make it here)."""
        if self._supervisor is None:
            return False
        self._tasks.put((index, work))
        self._waiting += 1
        return True

    def results(self) -> Iterator[tuple[int, tuple[bool, str]]]:
        """(index, outcome) of every group handed over, as each is made."""
        deadline = time.monotonic() + _GROUP_DEADLINE_SECONDS
        while self._waiting:
            try:
                index, outcome = self._results.get(timeout=0.2)
            except queue.Empty:
                if not self._supervisor.is_alive():
                    raise GeneratorError("the model worker processes ended before every "
                                         "group was made (out of memory?)") from None
                if time.monotonic() > deadline:
                    raise GeneratorError("the models were not made within "
                                         f"{_GROUP_DEADLINE_SECONDS:.0f} s") from None
                continue
            if index < 0:  # the supervisor's word: a worker died
                raise GeneratorError(outcome[1])
            self._waiting -= 1
            yield index, outcome

    def close(self) -> None:
        """Let the workers go: each ends once the groups still queued are skipped."""
        if self._supervisor is None:
            return
        if self._waiting:
            self._cancelled.set()  # a failed run: the rest of the groups are not needed
        for _ in range(self.workers):
            self._tasks.put(None)
        self._supervisor = None


def _supervise(tasks: Any, results: Any, cancelled: Any, workers: int) -> None:
    import generator.model_worker  # noqa: F401 - imported once, here, for every worker

    # What is imported now is never garbage: frozen, the collector of each worker neither
    # walks it nor touches (and so copies) the memory pages it shares with this process.
    gc.freeze()
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_serve, args=(tasks, results, cancelled))
                for _ in range(workers)]
    for child in children:
        child.start()
    running = {child.sentinel: child for child in children}
    while running:
        ready = multiprocessing.connection.wait(list(running))
        for sentinel, child in list(running.items()):
            if sentinel not in ready:
                continue
            del running[sentinel]
            child.join()
            if child.exitcode != 0 and not cancelled.is_set():
                results.put((-1, (False, "a model worker process ended abnormally (exit "
                                         f"code {child.exitcode}; out of memory?)")))


def _serve(tasks: Any, results: Any, cancelled: Any) -> None:
    while (task := tasks.get()) is not None:
        index, work = task
        if not cancelled.is_set():
            results.put((index, _group_part(work)))
    results.close()
    results.join_thread()  # every answer written before the process ends


def _group_part(work: GroupInput) -> tuple[bool, str]:
    from .model_worker import group_part

    return group_part(work.document, work.null_schemas, work.own, work.needs)


class ModelJob:
    """The groups of one document, some from the cache, the rest on their way."""

    def __init__(self, components: Iterable[str], pool: ModelPool) -> None:
        self._components = tuple(components)
        self._pool = pool
        self._parts: list[Part | None] = []
        self._keys: list[str] = []
        self._here: dict[int, GroupInput] = {}  # made in this process, at `result()`

    def add(self, work: GroupInput) -> None:
        index = len(self._parts)
        key = work.key()
        self._keys.append(key)
        found = lookup("models-group", _LIBRARY, key)
        self._parts.append(Part.from_json(found) if found is not None else None)
        if found is None and not self._pool.submit(index, work):
            self._here[index] = work

    def result(self) -> str:
        """The models module's source (unformatted, no header)."""
        for index, work in self._here.items():
            self._parts[index] = self._settle(index, _group_part(work))
        for index, outcome in self._pool.results():
            self._parts[index] = self._settle(index, outcome)
        return join([part for part in self._parts if part is not None], self._components)

    def _settle(self, index: int, outcome: tuple[bool, str]) -> Part:
        ok, text = outcome
        if not ok:
            raise GeneratorError(text)
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
    for group in plan_groups(schemas):
        job.add(group_input(openapi, schemas, group))
    return job


def generate_models(schema_document: dict[str, Any], expected: Iterable[str]) -> str:
    """The models module's source, every group made in this process."""
    return start_models(schema_document, expected, ModelPool(workers=1)).result()
