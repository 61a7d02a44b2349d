"""The methods of the dataclasses a run defines, compiled ahead of time, when the
generator is installed.

Python's `dataclasses` writes each class's `__init__`, `__repr__`, `__eq__`... as
text and compiles that text whenever the class is defined, on every import. The model
generator (datamodel-code-generator) defines over 200 dataclasses: compiling their
methods is a sixth of the model worker's import, paid by every run that makes a model,
first runs included. `make env` therefore compiles them once, with the generator's
installation, into `generator/built_code/` (not committed: it is made for the Python it
runs on), as pyc files are made for modules: `main.bin` holds the methods of our own
modules, which the main process reads before it forks the model workers, and
`worker.bin` the model generator's, which only the model worker supervisor reads (the
main process's peak memory is the run's on OpenAI's document: 2 MiB more with both).

Each file maps each method's text to its code. A run that finds the very text
`dataclasses` is about to compile takes the code instead, which is what `compile`
makes of that text; any other text is compiled as before, so another version of a
library only misses. A file made by another Python (another marshal format and
bytecode) or at another optimisation level is not read. A run reads the files and
never writes them.
"""

from __future__ import annotations

import builtins
import dataclasses
import importlib
import importlib.util
import marshal
import sys
from pathlib import Path
from types import CodeType
from typing import Any

BUILT = Path(__file__).resolve().parent / "built_code"
# Whose methods each file holds: our modules', and what the model worker adds to them.
PARTS = ("main", "worker")


def _header() -> bytes:
    """What the code's validity depends on: the bytecode's version, and `-O`."""
    return importlib.util.MAGIC_NUMBER + bytes([sys.flags.optimize])


class _Methods:
    """`exec` as `dataclasses` sees it: a text found in `table` runs the built code."""

    def __init__(self, table: dict[str, CodeType], *, record: bool = False) -> None:
        self.table = table
        self.record = record
        self.parts: set[str] = set()  # the built files the table holds

    def __call__(self, source: Any, globals: Any = None, locals: Any = None) -> None:
        if isinstance(source, str):
            code = self.table.get(source)
            if code is None:
                # As `exec` compiles a text for dataclasses.py, a module without any
                # `from __future__` import: none of this module's flags.
                code = compile(source, "<string>", "exec", dont_inherit=True)
                if self.record:
                    self.table[source] = code
            source = code
        # What dataclasses itself runs: its own text, or the code compiled from it.
        builtins.exec(source, globals, locals)  # noqa: S102


def read(path: Path) -> dict[str, CodeType] | None:
    """The table in `path`, or None: no file, or one this Python cannot use."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header = _header()
    if not data.startswith(header):
        return None
    try:
        # As trusted as the package's pyc files: made beside them, by `make env`.
        table = marshal.loads(memoryview(data)[len(header):])  # noqa: S302
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(table, dict) or not all(
            isinstance(text, str) and isinstance(code, CodeType)
            for text, code in table.items()):
        return None
    return table


def install(part: str, folder: Path = BUILT) -> bool:
    """Let `dataclasses` use the built methods of `part` (one of `PARTS`) in this process
    and the ones it forks, if they were built for this Python: added to those in use
    already (the main process's, in a model worker). True when some are in use."""
    methods = vars(dataclasses).get("exec")
    if methods is not None and not isinstance(methods, _Methods):
        return False
    # Only CPython's dataclasses were reviewed: it compiles each method's text with
    # `exec(text, globals, namespace)`, a global name this module can stand in for.
    if sys.implementation.name != "cpython":
        return False
    if methods is not None and part in methods.parts:
        return True
    table = read(folder / f"{part}.bin")
    if methods is not None:
        if table:
            methods.table.update(table)
            methods.parts.add(part)
        return True
    if not table:
        return False
    installed = _Methods(table)
    installed.parts.add(part)
    setattr(dataclasses, "exec", installed)  # noqa: B010 - a module global
    return True


def build(folder: Path = BUILT) -> dict[str, int]:
    """Define every dataclass a run defines, recording each method's code, and write
    each part's table into `folder`. Returns how many methods each holds."""
    recorder = _Methods({}, record=True)
    setattr(dataclasses, "exec", recorder)  # noqa: B010 - a module global
    try:
        # The main process's modules: every one of ours (model_worker imports the model
        # generator, which only the model workers import).
        package = Path(__file__).resolve().parent
        for module in sorted(package.glob("*.py")):
            if module.stem not in ("__main__", "__init__", "model_worker"):
                importlib.import_module(f"{__package__}.{module.stem}")
        ours = dict(recorder.table)
        # The model workers': the model generator, and its warm-up, which makes the models
        # of a tiny document and so defines the dataclasses the library's first call
        # imports.
        importlib.import_module(f"{__package__}.model_worker").warm_up()
    finally:
        delattr(dataclasses, "exec")
    from .writer import write_tree

    tables = {"main": ours,
              "worker": {t: c for t, c in recorder.table.items() if t not in ours}}
    # The folder replaced as a whole, as template_code.py replaces its own.
    folder.parent.mkdir(parents=True, exist_ok=True)
    write_tree({f"{part}.bin": _header() + marshal.dumps(dict(sorted(table.items())))
                for part, table in tables.items()}, folder)
    return {part: len(table) for part, table in tables.items()}


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else BUILT
    counts = ", ".join(f"{count} in {part}.bin" for part, count in build(target).items())
    print(f"compiled the dataclass methods into {target}: {counts}", file=sys.stderr)
