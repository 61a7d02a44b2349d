"""The worker processes that make the models, group by group (model_pool.py).

`ModelPool` is started first thing in a run (this module imports next to nothing, so
that it starts early): one supervisor process is forked, before the main process
starts any thread; it imports the model generator (model_worker.py) while the main
process loads and parses the document, then forks the other workers, which so start
with it imported, and makes groups itself while a thread of it watches them: a worker
that dies is reported, not waited for, and if the run dies they are all stopped.
Forked processes start no interpreter, open no socket and re-import nothing of the
caller's program.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from .errors import GeneratorError


def worker_count() -> int:
    """`CLIENTGEN_JOBS`, else one worker per core this process may use."""
    wanted = os.environ.get("CLIENTGEN_JOBS", "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# How long the run waits for a group's models before it gives up (a worker that hangs).
_GROUP_DEADLINE_SECONDS = 600.0


class ModelPool:
    """Worker processes for model groups, or none (one worker: all in the caller)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = worker_count() if workers is None else workers
        self._supervisor: Any = None
        self._waiting = 0
        self._submitted = False
        self._closing = self._failed = False
        if self.workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self._tasks: Any = context.Queue()
            self._results: Any = context.Queue()
            self._cancelled = context.Event()
            self._supervisor = context.Process(
                target=_supervise, name="clientgen-models",
                args=(self._tasks, self._results, self._cancelled, self.workers,
                      os.getpid()))
            self._supervisor.start()

    def submit(self, index: int, key: str, batch: int) -> bool:
        """Hand a group (its input as text, model_groups.GroupInput.key) to the workers,
        one of `batch` handed over together; False when there are none (make it here)."""
        if self._supervisor is None:
            return False
        self._tasks.put((index, key, batch))
        self._waiting += 1
        self._submitted = True
        return True

    def results(self) -> Iterator[tuple[int, Outcome]]:
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

    def close(self, *, wait: bool = True) -> None:
        """Let the workers go. After a failed run the groups still queued are skipped;
        after a good one the processes are waited for (they end at once), so that none
        outlives the run and no thread of this one is left behind. `wait` False: they
        are told to end now and waited for by the next `close` (once the output is
        written: they end meanwhile)."""
        if self._supervisor is None:
            return
        if self._closing:
            self._join()
            return
        if not self._submitted:
            # Every group came from the cache (a warm run): the supervisor, still
            # importing or waiting for a first group, has nothing to do and has forked no
            # worker (they come with the first groups); it is stopped, not waited for.
            self._cancelled.set()
            self._supervisor.terminate()
            self._supervisor.join()
            self._supervisor = None
            return
        self._closing = True
        self._failed = self._waiting > 0
        if self._failed:
            self._cancelled.set()
        for _ in range(self.workers):
            self._tasks.put(None)
        self._tasks.close()
        if self._failed:
            # Groups still queued are not needed, and the workers may be gone: waiting to
            # hand them over could wait for ever. The workers end on `cancelled`.
            self._tasks.cancel_join_thread()
        if wait:
            self._join()

    def _join(self) -> None:
        if not self._failed:
            self._tasks.join_thread()  # the queue's feeder thread ends here
            self._supervisor.join(timeout=5.0)
        self._supervisor = None


# A group's outcome: (kind, text, the model generator's warnings); see
# model_worker.group_part.
Outcome = tuple[str, str, list[str]]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process took the number: ours is gone
        return False
    return True


def _supervise(tasks: Any, results: Any, cancelled: Any, workers: int, main: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    # The cycle collector is off in these processes: the import's objects live as long as
    # the process, and a group's are collected at once when it is done (`_serve`).
    # Collecting as they are made cost a tenth of the import and a twentieth of a group.
    gc.disable()
    from .dataclass_code import install

    install("worker")  # with ours, which the caller installed
    from .model_worker import warm_up  # imported once, here, for every worker

    children: list[Any] = []
    served = threading.Event()  # set when this process makes no more groups
    # Watching before reading the queue: a run that died while sending a group leaves a
    # read waiting for ever, which only the watcher ends.
    watcher = threading.Thread(target=_watch, args=(children, results, cancelled, main,
                                                    served), daemon=True)
    watcher.start()
    # The library's warm-up serves the workers forked for several groups (each would pay
    # it on its first), or fills time spent waiting anyway: a group already waiting
    # alone (an edit) is made at once, and its own first call imports what it needs.
    taken = _waiting(tasks)
    if _warm_up_first(taken):
        warm_up()
    # What is imported now is never garbage: frozen, the collector of each worker neither
    # walks it nor touches (and so copies) the memory pages it shares with this process.
    gc.freeze()

    def fork_the_others() -> None:
        context = multiprocessing.get_context("fork")
        for _ in range(workers - 1):
            child = context.Process(target=_work, args=(tasks, results, cancelled, main))
            child.start()
            children.append(child)

    # This process makes groups too. The other workers are forked with the first group
    # handed over, and only if more come with it: after an edit one group is made, here,
    # with no process sharing this one's memory (a forked process's first group costs a
    # quarter more: a page written on either side of a fork is copied first).
    try:
        _serve(tasks, results, cancelled, main, fork_the_others, taken)
    finally:
        served.set()
    watcher.join()
    _close(results, cancelled, main)


def _watch(children: list[Any], results: Any, cancelled: Any, main: int,
           served: threading.Event) -> None:
    """The supervisor's watch over its workers (`children`, as they are forked) and over
    the run, beside the groups it makes itself (until `served`)."""
    running: dict[Any, Any] = {}
    watched: set[Any] = set()
    while True:
        for child in list(children):
            if child not in watched:
                watched.add(child)
                running[child.sentinel] = child
        if not running and served.is_set():
            return
        if running:
            ready = multiprocessing.connection.wait(list(running), timeout=1.0)
        else:
            ready = []
            served.wait(0.2)
        if not ready and not _alive(main):
            # The run has ended (killed, or failed). Its workers are stopped, not waited
            # for, and so is this process: one may be blocked for ever reading a group the
            # run never finished sending. They only compute; nobody will read it.
            cancelled.set()
            for child in running.values():
                child.terminate()
            os._exit(0)
        for sentinel, child in list(running.items()):
            if sentinel not in ready:
                continue
            del running[sentinel]
            child.join()
            if child.exitcode != 0 and not cancelled.is_set():
                results.put((-1, ("error", "a model worker process ended abnormally (exit "
                                           f"code {child.exitcode}; out of memory?)", [])))


def _ended(cancelled: Any, main: int, parent: int) -> bool:
    """Whether the run ended without saying so (killed)."""
    return cancelled.is_set() or not _alive(main) or os.getppid() != parent


def _work(tasks: Any, results: Any, cancelled: Any, main: int) -> None:
    """A forked worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _serve(tasks, results, cancelled, main, None)
    _close(results, cancelled, main)


def _waiting(tasks: Any) -> list[Any]:
    """The task in the queue already (taken from it), if any: [] when none is."""
    try:
        return [tasks.get_nowait()]
    except queue.Empty:
        return []


def _warm_up_first(taken: list[Any]) -> bool:
    """Whether the supervisor warms the library up before its first group: while none is
    waiting (the time is spent waiting anyway), or when it comes with others (the
    workers forked for them start warm). Not for a group waiting alone, nor to stop."""
    return not taken or (taken[0] is not None and taken[0][2] > 1)


def _serve(tasks: Any, results: Any, cancelled: Any, main: int,
           first_of_several: Callable[[], None] | None, taken: list[Any] | None = None,
           ) -> None:
    """Make groups until told to stop (`None`), or until the run is gone.
    `first_of_several`: called once, when a group comes with others (its batch).
    `taken`: tasks taken from the queue already, done first."""
    parent = os.getppid()
    taken = list(taken or ())
    while True:
        try:
            task = taken.pop(0) if taken else tasks.get(timeout=1.0)
        except queue.Empty:
            if _ended(cancelled, main, parent):
                break  # the run ended without saying so (killed): so do we
            continue
        if task is None:
            break
        index, key, batch = task
        if first_of_several is not None and batch > 1:
            first_of_several()
            first_of_several = None
        if not cancelled.is_set():
            from .model_groups import GroupInput
            from .model_worker import group_part

            results.put((index, group_part(GroupInput.from_key(key))))
            gc.collect()  # the group's garbage, and only it (the rest is frozen)


def _close(results: Any, cancelled: Any, main: int) -> None:
    results.close()
    if cancelled.is_set() or not _alive(main):
        # Nobody will read the answers still buffered: waiting to write them would
        # wait for ever.
        results.cancel_join_thread()
    else:
        results.join_thread()  # every answer written before the process ends
