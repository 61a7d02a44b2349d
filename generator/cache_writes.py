"""Cache entries written when the run can spare the time (see cache.py for the cache).

The load and parse stages' entries (the checked document, the parsed API) are
megabytes on a big document: serialising them is a tenth of a second, which would
otherwise sit between loading the document and handing the model workers their
groups. A run notes them (`store_later`) and writes them later (`write_deferred`), in
a forked child process, while it waits for the workers.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .cache import cache_enabled, store_pieces, trim_if_due

# Entries whose writing waits until the run can spare it (see `deferred_stores`): each
# as (kind, distribution, key, a function giving the text's pieces, or None for none).
_Deferred = tuple[str, str, str, Callable[[], Iterable[str | bytes] | None]]
_later: list[_Deferred] | None = None  # None: every entry is written at once
_writers: list[int | threading.Thread] = []  # writing in the background: processes, threads


@contextmanager
def deferred_stores() -> Iterator[None]:
    """Inside: `store_later` only notes an entry, and `write_deferred` writes those noted
    so far. Leaving the block writes the rest and waits for the ones being written,
    unless the block is inside another (which then does it, later) or is left by an
    exception (a failed run writes no more)."""
    global _later
    outer, _later = _later, []
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        pending, _later = _later, outer
        if outer is not None:
            if not failed:
                outer.extend(pending)
        else:
            if not failed:
                _write(pending)
            while _writers:
                writer = _writers.pop()
                if isinstance(writer, threading.Thread):
                    writer.join()
                else:
                    os.waitpid(writer, 0)


def store_later(kind: str, distribution: str, key: str,
                result: Callable[[], Iterable[str | bytes] | None]) -> None:
    """Store the text (or bytes) `result()` gives in pieces, now or when the run can spare it.
    `result` must give the same text then as now (it reads values no stage changes).
    With the cache off, nothing is made at all."""
    if not cache_enabled():
        return
    if _later is None:
        _write([(kind, distribution, key, result)])
    else:
        _later.append((kind, distribution, key, result))


def write_deferred(*, in_background: bool = False) -> None:
    """Write every entry noted so far. `in_background`: in a child process (forked: it
    has every value already), on the core the model workers leave idle once the last
    group is made, while this process joins the models and formats them. Serialising
    the checked document and the parsed API is a tenth of a second on a big document;
    in a thread it held this process's interpreter just when the models came back.
    Without `fork` (not on Linux or macOS), a thread does it."""
    if not _later:
        return
    batch = list(_later)
    _later.clear()
    if not in_background:
        _write(batch)
    elif hasattr(os, "fork"):
        child = os.fork()
        if child == 0:  # the writer: it writes, and ends without running anything else
            code = 1
            try:
                # Last in line for a core: the workers and the run go first, this only
                # saves the next run time.
                with contextlib.suppress(OSError):
                    os.nice(19)
                _write(batch, then_trim=True)
                code = 0
            finally:
                os._exit(code)
        _writers.append(child)
    else:
        writer = threading.Thread(target=_write, args=(batch,), kwargs={"then_trim": True},
                                  name="clientgen-cache-writer", daemon=True)
        writer.start()
        _writers.append(writer)


def _write(entries: list[_Deferred], *, then_trim: bool = False) -> None:
    """The entries written. `then_trim`: the cache kept under its budget after them, in
    the background writer, where it costs the run nothing but a core it leaves idle."""
    for kind, distribution, key, result in entries:
        pieces = result()
        if pieces is not None:
            store_pieces(kind, distribution, key, pieces)
    if then_trim:
        trim_if_due()


# `json.dumps` with its defaults, less the search for cycles: the values written here
# are trees (a document with YAML aliases is not cached). One encoder for every piece:
# `json.dumps` with any other setting makes a new one for each call.
_ENCODE = json.JSONEncoder(check_circular=False).encode


def json_pieces(value: Any, levels: int = 3) -> Iterator[str]:
    """`json.dumps(value)`, the same text, in pieces: an entry of a mapping or a list at
    a time down to `levels` deep, so that a big document is written as it is made, not
    held whole in memory first."""
    if levels and type(value) is dict and value and all(type(k) is str for k in value):
        separator = "{"
        for key, item in value.items():
            yield f"{separator}{_ENCODE(key)}: "
            yield from json_pieces(item, levels - 1)
            separator = ", "
        yield "}"
    elif levels and type(value) is list and value:
        separator = "["
        for item in value:
            yield separator
            yield from json_pieces(item, levels - 1)
            separator = ", "
        yield "]"
    else:
        yield _ENCODE(value)
