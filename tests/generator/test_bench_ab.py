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


def test_each_checkout_gets_what_make_env_builds(tmp_path: Path) -> None:
    """A worktree has no compiled templates or dataclass methods (not committed): each
    builder the checkout has is run in it, with its own package, before any timing."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import ab
    finally:
        sys.path.remove(str(ROOT / "bench"))
    checkout = tmp_path / "checkout"
    (checkout / "generator").mkdir(parents=True)
    (checkout / "generator" / "__init__.py").write_text("")
    (checkout / "generator" / "dataclass_code.py").write_text(
        "from pathlib import Path\nPath(__file__).with_name('built').write_text('yes')\n")
    ab.Arm("0", checkout, tmp_path / "work").build()
    assert (checkout / "generator" / "built").read_text() == "yes"
    ab.Arm("peer", None, tmp_path / "work").build()  # nothing to build for the peer
