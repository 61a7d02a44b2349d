"""Typing is a feature: user code type-checks under ``mypy --strict`` and mistakes are
reported. One mypy run checks both files (a warm cache makes it take a few seconds)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
GOOD = HERE / "typing_usage.py"
BAD = HERE / "typing_misuse.py"
CACHE = Path(tempfile.gettempdir()) / "clientgen-runtime-typing-mypy-cache"
LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<msg>.*?)(?:  \[(?P<code>[a-z-]+)\])?$"
)


@pytest.fixture(scope="module")
def mypy_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[int, str, str]]]:
    package_root = str(_package_root())
    config = tmp_path_factory.mktemp("mypy") / "mypy.ini"
    config.write_text("[mypy]\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(config),
            "--cache-dir",
            str(CACHE),
            "--show-error-codes",
            "--no-color-output",
            "--no-error-summary",
            str(GOOD),
            str(BAD),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "MYPYPATH": package_root},
        timeout=300,
        check=False,
    )
    errors: dict[str, list[tuple[int, str, str]]] = {}
    for raw in proc.stdout.splitlines():
        match = LINE.match(raw)
        if match:
            name = Path(match["file"]).name
            errors.setdefault(name, []).append(
                (int(match["line"]), match["code"] or "", match["msg"])
            )
        elif ": note:" not in raw and raw.strip():
            errors.setdefault("(other)", []).append((0, "", raw))
    if proc.returncode not in (0, 1) or proc.stderr.strip():
        errors.setdefault("(other)", []).append((0, "", proc.stderr))
    return errors


def _package_root() -> Path:
    import masivo_client

    return Path(masivo_client.__file__).resolve().parents[1]


def test_user_code_passes_mypy_strict(mypy_errors: dict[str, list[tuple[int, str, str]]]) -> None:
    assert mypy_errors.get(GOOD.name, []) == []
    assert mypy_errors.get("(other)", []) == []
    # errors inside the package itself would show up under its own file names
    assert set(mypy_errors) <= {GOOD.name, BAD.name}


def test_misuse_is_reported(mypy_errors: dict[str, list[tuple[int, str, str]]]) -> None:
    expected: dict[int, str] = {}
    for number, text in enumerate(BAD.read_text().splitlines(), start=1):
        if "# expect: " in text:
            expected[number] = text.split("# expect: ", 1)[1].strip()
    assert len(expected) >= 10
    reported: dict[int, set[str]] = {}
    for line, code, _ in mypy_errors.get(BAD.name, []):
        reported.setdefault(line, set()).add(code)
    missing = {
        line: code for line, code in expected.items() if code not in reported.get(line, set())
    }
    unexpected = {line: codes for line, codes in reported.items() if line not in expected}
    assert missing == {}, f"mypy did not report: {missing}; it reported {mypy_errors.get(BAD.name)}"
    assert unexpected == {}
