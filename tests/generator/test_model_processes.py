"""The model worker processes never outlive the run, however it ends (issue 8)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from cli_support import ROOT

# The run hands the workers groups far bigger than a pipe holds, and dies at once: the
# queue's feeder thread dies in the middle of a group, and a worker that starts reading
# it waits for the rest, which never comes.
DIES_WHILE_SENDING = textwrap.dedent("""
    import os
    from generator.model_processes import ModelPool

    pool = ModelPool(workers=2)
    for index in range(4):
        pool.submit(index, "x" * 1_000_000, 4)
    print(pool._supervisor.pid, flush=True)
    os._exit(1)
""")


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_no_worker_outlives_a_run_that_died_while_sending_a_group() -> None:
    run = subprocess.Popen([sys.executable, "-c", DIES_WHILE_SENDING], cwd=ROOT,
                           stdout=subprocess.PIPE, text=True, start_new_session=True)
    supervisor = int(run.stdout.readline()) if run.stdout else 0
    assert run.wait(timeout=60) == 1
    assert supervisor > 0
    deadline = time.monotonic() + 30.0
    while _group_alive(run.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _group_alive(run.pid)
    if left:
        os.killpg(run.pid, signal.SIGKILL)
    assert not left, "the supervisor or a worker was still running 30 s after the run died"


def test_the_other_workers_are_forked_only_when_groups_come_several_at_once() -> None:
    """After an edit the one group is made by the supervisor alone: no process shares its
    memory, whose pages a fork would make it copy as it writes them."""
    import queue
    import threading

    from generator import model_processes

    cancelled = threading.Event()
    cancelled.set()  # the groups themselves are skipped: only the decision is looked at
    calls: list[int] = []
    for batch, forks in ((1, 0), (3, 1)):
        tasks: queue.Queue[object] = queue.Queue()
        for index in range(batch):
            tasks.put((index, "{}", batch))
        tasks.put(None)
        calls.clear()
        model_processes._serve(tasks, None, cancelled, os.getpid(), lambda: calls.append(1))
        assert len(calls) == forks
        assert tasks.empty()


def test_tasks_taken_already_are_made_first_then_the_queue() -> None:
    """The supervisor takes a group waiting when its import ends (to decide on the
    warm-up): that group is made first, then those still queued, none twice."""
    import queue
    import threading

    from generator import model_processes

    made: list[int] = []

    class Results:
        def put(self, item: tuple[int, object]) -> None:
            made.append(item[0])

    key = "[{}, {}, [], []]"  # an empty group's input (model_groups.GroupInput)
    tasks: queue.Queue[object] = queue.Queue()
    for index in (1, 0):
        tasks.put((index, key, 2))
    tasks.put(None)
    taken = model_processes._waiting(tasks)
    assert taken == [(1, key, 2)]
    import generator.model_worker

    original = generator.model_worker.group_part
    generator.model_worker.group_part = lambda work: ("ok", "", [])  # type: ignore[assignment, return-value]
    try:
        model_processes._serve(tasks, Results(), threading.Event(), os.getpid(), None,
                               taken)
    finally:
        generator.model_worker.group_part = original
    assert made == [1, 0]
    assert tasks.empty()
    assert model_processes._waiting(queue.Queue()) == []


def test_the_library_is_warmed_up_unless_a_group_waits_alone() -> None:
    """An edit's one group, waiting when the import ends, is made at once: its own first
    call imports what the warm-up would. Several groups: the workers forked for them
    start warm. None yet: the warm-up fills time spent waiting."""
    from generator.model_processes import _warm_up_first

    assert _warm_up_first([])
    assert _warm_up_first([(0, "{}", 3)])
    assert not _warm_up_first([(0, "{}", 1)])
    assert not _warm_up_first([None])
