"""Golden snapshots: the generator's output, byte for byte, against committed trees.

`generated/masivo_client` for the Masivo spec, `tests/golden/<name>/` for each fixture
spec. A failure shows a unified diff and says how to update (`make goldens`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from goldens import (
    ALL_FIXTURES,
    GENERATED,
    ROOT,
    Fixture,
    generate,
    masivo_config,
    read_tree,
    runtime_files,
    spec_driven,
    tree_differences,
    without_header,
)


def test_masivo_client_matches_generated(tmp_path: Path) -> None:
    actual = generate(masivo_config(tmp_path))
    expected_root = GENERATED / "masivo_client"
    problems = tree_differences(actual, read_tree(expected_root), expected_root)
    if problems:
        pytest.fail(problems, pytrace=False)


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.name)
def test_fixture_matches_its_golden_tree(fixture: Fixture, tmp_path: Path) -> None:
    actual = spec_driven(generate(fixture.config(tmp_path)))
    problems = tree_differences(actual, read_tree(fixture.golden), fixture.golden)
    if problems:
        pytest.fail(problems, pytrace=False)


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.name)
def test_fixture_runtime_is_the_masivo_runtime(fixture: Fixture, tmp_path: Path) -> None:
    """The runtime modules left out of the fixture goldens: identical in every client."""
    files = generate(fixture.config(tmp_path))
    masivo = read_tree(GENERATED / "masivo_client")
    runtime = runtime_files()
    assert runtime, "templates/runtime/ has no module"
    bulk = {p for p in runtime if p.startswith(("_bulk", "_cli"))}
    assert bulk, "the bulk engine's modules are named _bulk*/_cli*"
    pages = {p for p in runtime if p.startswith("_pagination")}
    assert pages, "the pagination runtime is _pagination.py"
    present = runtime & files.keys()
    assert runtime - bulk - pages <= present
    # The bulk engine comes with a bulk operation (and its `python -m` entry) only.
    assert present & bulk == (bulk if "__main__.py" in files else set())
    # The pagination runtime comes with an `x-pagination` operation only.
    paginated = any("_pagination.iterate_" in text.decode() for path, text in files.items()
                    if path.startswith("resources/"))
    assert present & pages == (pages if paginated else set())
    for path in sorted(present):
        assert without_header(files[path]) == without_header(masivo[path]), (
            f"{path} of the {fixture.name} client differs from generated/masivo_client/{path} "
            "beyond the header; run `make goldens`")


def test_difference_report_names_files_and_shows_a_diff(tmp_path: Path) -> None:
    """The failure message itself: missing, extra and changed files, a diff, the fix."""
    expected = {"a.py": b"x = 1\ny = 2\n", "gone.py": b""}
    actual = {"a.py": b"x = 1\ny = 3\n", "new.py": b""}
    report = tree_differences(actual, expected, tmp_path)
    assert "missing from the generator's output: gone.py" in report
    assert "not in the golden tree (new file): new.py" in report
    assert "--- golden/a.py\n+++ generated-now/a.py\n" in report
    assert "-y = 2\n+y = 3\n" in report
    assert "make goldens" in report
    assert tree_differences(expected, expected, tmp_path) == ""


def test_golden_trees_pass_mypy_strict(tmp_path: Path) -> None:
    """Every golden tree, with the shared runtime added back, and the Masivo client:
    one mypy run for all, so that the slow start is paid once."""
    packages = tmp_path / "packages"
    shutil.copytree(GENERATED / "masivo_client", packages / "masivo_client",
                    ignore=shutil.ignore_patterns("__pycache__"))
    runtime = runtime_files()
    for fixture in ALL_FIXTURES:
        target = packages / fixture.package
        shutil.copytree(fixture.golden, target)
        for path in runtime:
            shutil.copyfile(GENERATED / "masivo_client" / path, target / path)
    names = ["masivo_client", *(f.package for f in ALL_FIXTURES)]
    command = [sys.executable, "-m", "mypy", "--strict", "--config-file=",
               # Beside `make lint`'s cache: httpx and pydantic are checked once, not per run.
               "--cache-dir", str(ROOT / ".mypy_cache" / "goldens"), "--no-error-summary"]
    for name in names:
        command += ["-p", name]
    result = subprocess.run(command, cwd=packages, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
