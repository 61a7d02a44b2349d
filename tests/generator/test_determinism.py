"""Two runs in fresh processes with different hash seeds write identical bytes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import ROOT, snapshot
from goldens import Fixture

# The Masivo spec, and the fixtures with the most names to order (sets, dicts); these
# are not held to our spec's `strict = true` (one has a cookie parameter on purpose).
SPECS = {
    "masivo": (),
    "schemas": ("--spec", str(Fixture("schemas").spec), "--package", "schemas_client",
                "--no-strict"),
    "parameters": ("--spec", str(Fixture("parameters").spec), "--package",
                   "parameters_client", "--no-strict"),
    "degenerate": ("--spec", str(Fixture("degenerate").spec), "--package",
                   "degenerate_client", "--no-strict"),
}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_two_runs_with_different_hash_seeds_are_identical(name: str, tmp_path: Path) -> None:
    runs = {}
    for seed in ("1", "4242"):  # both at once: each is a cold start of a few seconds
        output = tmp_path / f"seed-{seed}"
        runs[output] = subprocess.Popen(
            [sys.executable, "-m", "generator", "--force", "--output", str(output),
             *SPECS[name]],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            # No result cache: the second run must compute everything again.
            env={**os.environ, "PYTHONHASHSEED": seed, "CLIENTGEN_NO_CACHE": "1"})
    trees = []
    for output, process in runs.items():
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
        (package,) = [p for p in output.iterdir() if p.is_dir()]
        trees.append(snapshot(package))
    first, second = trees
    assert len(first) > 10
    assert first.keys() == second.keys()
    differing = sorted(p for p in first if first[p] != second[p])
    assert differing == [], f"files that differ between hash seeds: {differing}"
