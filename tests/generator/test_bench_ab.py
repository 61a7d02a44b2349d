"""`bench/ab.py` runs each checkout it is given, in alternation, and reports them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_two_checkouts_are_each_timed_and_compared() -> None:
    done = subprocess.run(
        [sys.executable, "bench/ab.py", "--doc", "masivo", "--runs", "2", ".", str(ROOT)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    lines = done.stdout.splitlines()
    assert lines[0] == "masivo, first run, 2 runs each, in alternation"
    assert [line.split()[0] for line in lines[1:3]] == ["0:.", f"1:{ROOT}"]
    assert all(" wall " in line and " cpu " in line for line in lines[1:3])
    assert lines[3].startswith("  second - first, paired: ")


def test_an_edit_needs_a_json_document() -> None:
    done = subprocess.run(
        [sys.executable, "bench/ab.py", "--doc", "masivo", "--runs", "1", "--edit", "."],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "not a JSON document" in done.stderr
