"""The dataclasses' methods compiled ahead of time (generator/dataclass_code.py, issue 8):
the code a run takes from the table is what `compile` makes of the same text, a class
defined with it behaves as without it, and a file this Python cannot use is ignored."""

from __future__ import annotations

import dataclasses
import importlib.util
import marshal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from cli_support import ROOT

from generator import dataclass_code


@pytest.fixture(autouse=True)
def _dataclasses_as_they_were() -> Iterator[None]:
    """`install` sets a global of the dataclasses module: taken away after each test."""
    before = vars(dataclasses).get("exec")
    vars(dataclasses).pop("exec", None)
    yield
    vars(dataclasses).pop("exec", None)
    if before is not None:
        vars(dataclasses)["exec"] = before


def _recorded(define: Any) -> dict[str, Any]:
    """The method texts and their code that defining classes with `define()` compiles."""
    recorder = dataclass_code._Methods({}, record=True)
    vars(dataclasses)["exec"] = recorder
    try:
        define()
    finally:
        vars(dataclasses).pop("exec")
    return recorder.table


def _classes() -> tuple[type[Any], ...]:
    """Dataclasses of every kind of method dataclasses writes."""

    @dataclasses.dataclass(frozen=True, order=True)
    class Point:
        x: int
        y: int = 0
        tags: list[str] = dataclasses.field(default_factory=list, compare=False)

    @dataclasses.dataclass(slots=True, kw_only=True)
    class Slotted:
        name: str
        size: int = 3
        total: int = dataclasses.field(init=False, default=0)
        unit: ClassVar[str] = "b"

        def __post_init__(self) -> None:
            self.total = self.size * 2

    @dataclasses.dataclass(unsafe_hash=True)
    class Hashed:
        key: str
        value: float = 1.5

    return Point, Slotted, Hashed


def _behaviour(point: type[Any], slotted: type[Any], hashed: type[Any]) -> list[object]:
    seen: list[object] = [repr(point(1)), point(1, 2) < point(2, 1), point(1) == point(1, 0),
                          repr(slotted(name="a")), slotted(name="a", size=4).total,
                          hash(hashed("k")) == hash(hashed("k")), repr(hashed("k", 2.0))]
    try:
        point(1).x = 2
    except dataclasses.FrozenInstanceError as exc:
        seen.append(type(exc).__name__)
    try:
        slotted("positional")
    except TypeError as exc:
        seen.append(str(exc))
    return seen


def _write(folder: Path, table: dict[str, Any], header: bytes | None = None,
           part: str = "main") -> Path:
    """`table` as the built file of `part` in `folder`; the folder."""
    header = dataclass_code._header() if header is None else header
    folder.mkdir(exist_ok=True)
    (folder / f"{part}.bin").write_bytes(header + marshal.dumps(table))
    return folder


def test_a_class_defined_with_the_table_behaves_as_one_defined_without(tmp_path: Path) -> None:
    table = _recorded(_classes)
    assert any("def __init__" in text for text in table)
    assert any("def __repr__" in text for text in table)
    before = _behaviour(*_classes())
    assert dataclass_code.install("main", _write(tmp_path / "built", table))
    found: list[str] = []
    methods = vars(dataclasses)["exec"]
    lookup = methods.table.get
    methods.table = type("Counting", (dict,), {"get": lambda self, text: (
        found.append(text), lookup(text))[1]})(table)
    after = _behaviour(*_classes())
    assert after == before
    assert found and all(text in table for text in found)  # every method from the table


def test_a_text_found_runs_the_code_in_the_table(tmp_path: Path) -> None:
    """The table is what runs: a planted code for one text shows it (so a hit is not a
    silent compile)."""
    def define() -> type[Any]:
        @dataclasses.dataclass
        class Plain:
            a: int
        return Plain

    table = _recorded(define)
    text = next(text for text in table if "def __repr__" in text)
    planted = text.replace("return ", "return 'from the table' or ", 1)
    assert planted != text
    table[text] = compile(planted, "<string>", "exec", dont_inherit=True)
    assert dataclass_code.install("main", _write(tmp_path / "built", table))
    assert repr(define()(1)) == "from the table"


def test_a_text_not_found_is_compiled_as_dataclasses_would(tmp_path: Path) -> None:
    """Compiled without this module's `from __future__ import annotations`: a return
    annotation stays an object, as without the table."""
    assert dataclass_code.install("main", _write(tmp_path / "built", {"unused": compile(
        "", "<string>", "exec")}))

    @dataclasses.dataclass
    class Plain:
        a: int

    assert Plain(1).a == 1
    assert Plain.__init__.__annotations__["return"] is None


def test_the_worker_adds_its_part_to_the_main_process_s(tmp_path: Path) -> None:
    """The supervisor, forked with ours installed, adds the model generator's methods;
    each part is read once."""
    code = compile("x = 1", "<string>", "exec")
    folder = _write(tmp_path / "built", {"ours": code})
    _write(folder, {"theirs": code}, part="worker")
    assert dataclass_code.install("main", folder)
    assert dataclass_code.install("worker", folder)
    methods = vars(dataclasses)["exec"]
    assert set(methods.table) == {"ours", "theirs"} and methods.parts == {"main", "worker"}
    (folder / "worker.bin").unlink()
    assert dataclass_code.install("worker", folder)  # read already: not again
    vars(dataclasses).pop("exec")
    assert dataclass_code.install("worker", folder / "elsewhere") is False


# What each process compiles, recorded in a fresh process (the main process's modules,
# then the model worker's import and warm-up), against the tables built in another one.
_COMPILED = """
import dataclasses, importlib, sys
from pathlib import Path
from generator import dataclass_code
folder = Path(sys.argv[1])
ours, theirs = (dataclass_code.read(folder / f"{part}.bin") for part in ("main", "worker"))
recorder = dataclass_code._Methods({}, record=True)
dataclasses.exec = recorder
for module in ("cli", "pipeline", "loader", "parse", "render", "fmt", "model_pool", "writer"):
    importlib.import_module(f"generator.{module}")
main = dict(recorder.table)
import generator.model_worker
generator.model_worker.warm_up()
worker = [text for text in recorder.table if text not in main]
print(len(main), sum(text not in ours for text in main), sum(text in theirs for text in main),
      len(worker), sum(text not in theirs for text in worker))
"""


def test_the_built_tables_hold_every_method_each_process_compiles(tmp_path: Path) -> None:
    """Built in a fresh process, as `make env` does: every method the main process's
    modules define is in `main.bin`, every one the model generator's import and first
    call add is in `worker.bin` (and not in the main process's), each code equal to its
    text's compiled afresh."""
    folder = tmp_path / "built"
    subprocess.run([sys.executable, "-m", "generator.dataclass_code", str(folder)],
                   cwd=ROOT, check=True, capture_output=True)
    for part in dataclass_code.PARTS:
        table = dataclass_code.read(folder / f"{part}.bin")
        assert table is not None
        for text, code in table.items():
            assert code == compile(text, "<string>", "exec", dont_inherit=True)
    done = subprocess.run([sys.executable, "-c", _COMPILED, str(folder)], cwd=ROOT,
                          check=True, capture_output=True, text=True)
    main, main_missing, main_in_worker, worker, worker_missing = map(int, done.stdout.split())
    assert main > 50 and main_missing == 0 and main_in_worker == 0
    assert worker > 500  # the model generator defines over 200 dataclasses
    assert worker_missing == 0


@pytest.mark.parametrize("damage", ["other magic", "other optimisation", "truncated",
                                    "not a mapping", "not code", "no file"])
def test_a_table_this_python_cannot_use_is_ignored(damage: str, tmp_path: Path) -> None:
    folder = tmp_path / "built"
    folder.mkdir()
    path = folder / "main.bin"
    code = compile("x = 1", "<string>", "exec")
    header = dataclass_code._header()
    if damage == "other magic":
        _write(folder, {"t": code}, b"\0\0\r\n" + header[4:])
    elif damage == "other optimisation":
        _write(folder, {"t": code}, importlib.util.MAGIC_NUMBER + bytes([header[-1] + 1]))
    elif damage == "truncated":
        path.write_bytes(header + marshal.dumps({"t": code})[:-5])
    elif damage == "not a mapping":
        path.write_bytes(header + marshal.dumps([code]))
    elif damage == "not code":
        _write(folder, {"t": "x = 1"})
    assert dataclass_code.read(path) is None
    assert not dataclass_code.install("main", folder)
    assert "exec" not in vars(dataclasses)
