"""Where a run's time goes, stage by stage, for `make bench` and for curious users.

A run records each stage's wall time; when `CLIENTGEN_TIMINGS` names a file, the
breakdown is written there as JSON (`{"load": 0.12, ...}`) at the end of the run.
A stage that runs beside another (the meta-schema check in its child process)
is recorded as the time the run spent waiting for it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_seconds: dict[str, float] = {}


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the time spent inside the block to stage `name`."""
    start = time.perf_counter()
    try:
        yield
    finally:
        _seconds[name] = _seconds.get(name, 0.0) + time.perf_counter() - start


def recorded() -> dict[str, float]:
    return dict(_seconds)


def write_if_asked() -> None:
    """Write the breakdown to `$CLIENTGEN_TIMINGS`, if it is set."""
    target = os.environ.get("CLIENTGEN_TIMINGS")
    if target:
        Path(target).write_text(json.dumps({k: round(v, 4) for k, v in _seconds.items()}))
