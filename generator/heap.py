"""The run's use of Python's cyclic garbage collector.

A document is a few hundred thousand dicts and lists, read at the start and kept to
the end, and neither it nor the API model parsed from it holds a reference cycle.
While they are made, the collector scans them again and again and frees nothing:
OpenAI's YAML document paid 0.2-0.4 s of a first run for it, an edit of GitHub's
about 0.025 s. So the collector rests while they are made, then `freeze` moves them
out of its sight; it works as before on what the later stages make.
"""

from __future__ import annotations

import gc
from types import TracebackType


class LongLived:
    """`with LongLived() as heap:` the collector rests until `heap.settled()`.

    On leaving, the collector is as it was: running or not, and the objects frozen here
    handed back to it (a long test session builds many clients in one process)."""

    def __enter__(self) -> LongLived:
        self._was_enabled = gc.isenabled()
        # Someone else's frozen objects are theirs to hand back: ours then stay frozen.
        self._ours_to_unfreeze = gc.get_freeze_count() == 0
        self._settled = False
        gc.disable()
        return self

    def settled(self) -> None:
        """What was made so far lives to the end: never scanned again."""
        if not self._settled:
            self._settled = True
            gc.freeze()
            if self._was_enabled:
                gc.enable()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._settled and self._ours_to_unfreeze:
            gc.unfreeze()
        if self._was_enabled:
            gc.enable()
        else:
            gc.disable()


# What the last run is done with but has not freed (`keep_until_exit`).
_kept: list[object] = []


def keep_until_exit(*values: object) -> None:
    """`values`, which the run is done with, kept from being freed one object at a time:
    the command line ends with `os._exit` (cli.py), and the system takes the process's
    memory back at once. Freeing GitHub's API model and its schema copies as the build
    returned took 5 ms, after the models came. Only the last run's values are kept: a
    process that runs the generator again (the tests) frees them then."""
    _kept[:] = values
