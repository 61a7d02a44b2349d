"""Whatever path the models take, the output is the same bytes (issue 8).

On a large real-world document (GitHub's, 4.2 MB, about 35 groups of models): the
groups made in worker processes, made one after another in one process
(`CLIENTGEN_JOBS=1`), and regenerated after an edit with most groups from the cache,
each against a full run with no cache at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import ROOT, snapshot

DOCUMENT = ROOT.parent / "shared" / "specs" / "github_ghes-3.6.json"
pytestmark = pytest.mark.skipif(not DOCUMENT.is_file(), reason=f"{DOCUMENT} not present")


def generate(spec: Path, output: Path, *, jobs: str, cache: Path | None) -> dict[str, bytes]:
    env = {**os.environ, "CLIENTGEN_JOBS": jobs}
    env.pop("CLIENTGEN_CACHE_DIR", None)
    env.pop("CLIENTGEN_NO_CACHE", None)
    if cache is None:
        env["CLIENTGEN_NO_CACHE"] = "1"
    else:
        env["CLIENTGEN_CACHE_DIR"] = str(cache)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "--config", "/dev/null", "--spec", str(spec),
         "--output", str(output), "--package", "github_client", "--force", "--quiet"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    return snapshot(output / "github_client")


def differing(first: dict[str, bytes], second: dict[str, bytes]) -> list[str]:
    return sorted(p for p in first.keys() | second.keys() if first.get(p) != second.get(p))


def test_workers_and_one_process_write_the_same_bytes(tmp_path: Path) -> None:
    parallel = generate(DOCUMENT, tmp_path / "parallel", jobs="2", cache=None)
    serial = generate(DOCUMENT, tmp_path / "serial", jobs="1", cache=None)
    assert len(parallel["models.py"]) > 500_000
    assert differing(parallel, serial) == []


def test_an_edit_regenerated_from_the_cache_is_a_full_run_of_the_edit(tmp_path: Path) -> None:
    data = json.loads(DOCUMENT.read_bytes())
    schemas = data["components"]["schemas"]
    schemas["simple-user"]["properties"]["added_by_the_test"] = {"type": "string"}
    schemas["repository"]["description"] = "Edited by the test."
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data))
    cache = tmp_path / "cache"
    generate(DOCUMENT, tmp_path / "first", jobs="2", cache=cache)
    incremental = generate(edited, tmp_path / "incremental", jobs="2", cache=cache)
    full = generate(edited, tmp_path / "full", jobs="2", cache=None)
    assert b"added_by_the_test" in incremental["models.py"]
    assert differing(incremental, full) == []


def test_the_model_generators_warnings_reach_the_report_from_the_workers(
        tmp_path: Path) -> None:
    """A worker's library warning is one of the run's warnings, never raw stderr."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n    Disk:\n      type: object\n      properties:\n"
        "        size: {type: integer, format: uint32}\n")
    env = {**os.environ, "CLIENTGEN_JOBS": "2", "CLIENTGEN_NO_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "generator", "--config", "/dev/null", "--spec", str(spec),
         "--output", str(tmp_path / "out"), "--package", "disk_client", "--verbose"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "format of 'uint32' not understood for 'integer' - using default [library]" in (
        done.stderr)
    assert all(line.startswith("clientgen: ") for line in done.stderr.splitlines()), (
        done.stderr)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_bug_in_a_group_is_an_internal_error_in_workers_and_in_process(
        jobs: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Made in a worker (forked, so it inherits the patch) or here: exit 2, one line."""
    import generator.model_worker
    from generator.cli import main

    def broken(*_: object) -> None:
        raise ValueError("broken on purpose")

    monkeypatch.setattr(generator.model_worker, "kept_part", broken)
    monkeypatch.setenv("CLIENTGEN_JOBS", jobs)
    monkeypatch.setenv("CLIENTGEN_NO_CACHE", "1")
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
                    "components:\n  schemas:\n    Disk: {type: object, properties: "
                    "{size: {type: integer}}}\n")
    code = main(["--config", "/dev/null", "--spec", str(spec), "--output",
                 str(tmp_path / "out"), "--package", "disk_client"])
    err = capsys.readouterr().err
    assert code == 2
    assert "internal error: RuntimeError: a model worker failed: ValueError: broken on " \
           "purpose" in err
