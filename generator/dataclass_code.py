"""The methods of the dataclasses a run defines, compiled ahead of time, when the
generator is installed.

Python's `dataclasses` writes each class's `__init__`, `__repr__`, `__eq__`... as
text and compiles that text whenever the class is defined, on every import. The model
generator (datamodel-code-generator) defines over 200 dataclasses: compiling their
methods is a sixth of the model worker's import, paid by every run that makes a model,
first runs included. `make env` therefore compiles them once, with the generator's
installation, into `generator/built_code/dataclass_methods.bin` (not committed: it is
made for the Python it runs on), as pyc files are made for modules.

The file maps each method's text to its code. A run that finds the very text
`dataclasses` is about to compile takes the code instead, which is what `compile`
makes of that text; any other text is compiled as before, so another version of a
library only misses. A file made by another Python (another marshal format and
bytecode) or at another optimisation level is not read. A run reads the file and
never writes it.
"""

from __future__ import annotations

import builtins
import dataclasses
import importlib
import importlib.util
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

BUILT = Path(__file__).resolve().parent / "built_code" / "dataclass_methods.bin"


def _header() -> bytes:
    """What the code's validity depends on: the bytecode's version, and `-O`."""
    return importlib.util.MAGIC_NUMBER + bytes([sys.flags.optimize])


class _Methods:
    """`exec` as `dataclasses` sees it: a text found in `table` runs the built code."""

    def __init__(self, table: dict[str, CodeType], *, record: bool = False) -> None:
        self.table = table
        self.record = record

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


def install(path: Path = BUILT) -> bool:
    """Let `dataclasses` use the built methods in this process and the ones it forks,
    if they were built for this Python. True when they are in use."""
    if isinstance(vars(dataclasses).get("exec"), _Methods):
        return True
    # Only CPython's dataclasses were reviewed: it compiles each method's text with
    # `exec(text, globals, namespace)`, a global name this module can stand in for.
    if sys.implementation.name != "cpython" or "exec" in vars(dataclasses):
        return False
    table = read(path)
    if not table:
        return False
    setattr(dataclasses, "exec", _Methods(table))  # noqa: B010 - a module global
    return True


def build(path: Path = BUILT) -> int:
    """Define every dataclass a run defines, recording each method's code, and write
    the table to `path`. Returns how many methods it holds."""
    recorder = _Methods({}, record=True)
    setattr(dataclasses, "exec", recorder)  # noqa: B010 - a module global
    try:
        # The main process's modules (every one of ours), and the model workers':
        # model_worker imports the model generator, and its warm-up makes the models of
        # a tiny document, which defines the dataclasses the library's first call
        # imports.
        package = Path(__file__).resolve().parent
        for module in sorted(package.glob("*.py")):
            if module.stem not in ("__main__", "__init__"):
                importlib.import_module(f"{__package__}.{module.stem}")
        importlib.import_module(f"{__package__}.model_worker").warm_up()
    finally:
        delattr(dataclasses, "exec")
    path.parent.mkdir(parents=True, exist_ok=True)
    data = _header() + marshal.dumps(dict(sorted(recorder.table.items())))
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)  # readable as the package's other files are
    os.replace(temporary, path)
    return len(recorder.table)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else BUILT
    print(f"compiled {build(target)} dataclass methods into {target}", file=sys.stderr)
