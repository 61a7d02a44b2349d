"""The hostile corpus (hostile_corpus.py), each case with its outcome: a located error in
one paragraph (exit 1, nothing written), or a client whose every module compiles and
whose warnings name what was worked around. Then the planted links, the hostile stamp
and the command-line cases, and the tolerance policy's strict mode."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from cli_support import run_cli, seeded_project, snapshot
from hostile_corpus import CASES, HostileCase, base

from generator.cli import main


def _generate(spec: Path, out: Path, capsys: pytest.CaptureFixture[str],
              *extra: str) -> tuple[int, str]:
    code = main(["--config", os.devnull, "--spec", str(spec), "--output", str(out),
                 "--package", "hostile_client", "--force", "--verbose", *extra])
    _, err = capsys.readouterr()
    return code, err


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_document_has_its_outcome(case: HostileCase, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CLIENTGEN_NO_CACHE", "1")
    folder = tmp_path / "spec"
    folder.mkdir()
    spec = case.write(folder)
    out = tmp_path / "out"

    code, err = _generate(spec, out, capsys, *(["--strict"] if case.strict else []))

    if case.error is not None:
        assert code == 1, err
        where = re.escape(str(spec))
        if case.line is not None:
            text = spec.read_text(encoding="utf-8", errors="replace")
            line = next(n for n, t in enumerate(text.splitlines(), 1) if case.line in t)
            where += f":{line}"
        else:
            where += r":\d+"
        if case.pointer is not None:
            where += " at " + re.escape(case.pointer) + r"[^:]*"
        assert re.fullmatch(f"clientgen: error: {where}: {case.error}[^\n]*\n", err), err
        assert not out.exists()
        return
    assert code == 0, err
    assert "Traceback" not in err
    kinds = set(re.findall(r"^clientgen: warning: .* \[([a-z-]+)\]$", err, re.MULTILINE))
    assert set(case.warnings) <= kinds, err
    located = [w for w in err.splitlines() if w.startswith("clientgen: warning: ")
               and "[library]" not in w]
    for warning in located:  # every warning of ours names the file, the line, the pointer
        assert re.match(rf"clientgen: warning: {re.escape(str(spec))}:\d+ at /", warning), warning
    modules = sorted((out / "hostile_client").rglob("*.py"))
    assert len(modules) > 5
    for module in modules:
        compile(module.read_bytes(), str(module), "exec")


def test_tolerated_defects_are_normalised_in_the_generated_models(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CLIENTGEN_NO_CACHE", "1")
    case = next(c for c in CASES if c.id == "tolerated-defects")
    (tmp_path / "spec").mkdir()
    spec = case.write(tmp_path / "spec")
    code, err = _generate(spec, tmp_path / "out", capsys)
    assert code == 0, err
    package = tmp_path / "out" / "hostile_client"
    models = (package / "models.py").read_text()
    assert "big" not in models  # the default that broke its type is gone
    # Left out: the operations that could not be generated, and only those.
    resources = "".join(p.read_text() for p in (package / "resources").glob("*.py"))
    assert "getThing" in resources or "get_thing" in resources
    for left_out in ("undeclared", "upload", "dangling"):
        assert f"def {left_out}(" not in resources
    assert "operation GET /undeclared/{id} left out: path parameter 'id' is not declared" in err
    assert ("operation POST /upload left out: its request body is multipart/form-data; the "
            "client sends JSON (application/json) only") in err


def test_strict_makes_every_warning_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CLIENTGEN_NO_CACHE", "1")
    case = next(c for c in CASES if c.id == "tolerated-defects")
    (tmp_path / "spec").mkdir()
    spec = case.write(tmp_path / "spec")
    code, err = _generate(spec, tmp_path / "out", capsys, "--strict")
    assert code == 1
    errors = err.splitlines()
    assert len(errors) >= 10
    assert all(re.match(rf"clientgen: error: {re.escape(str(spec))}:\d+ at /", e)
               for e in errors), err
    assert not (tmp_path / "out").exists()


def test_strict_in_the_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    doc = base()
    doc["components"]["schemas"]["Thing"]["required"] = ["name", "name"]
    (tmp_path / "openapi.json").write_text(json.dumps(doc, indent=1))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.clientgen]\nspec = "openapi.json"\npackage = "c"\nstrict = true\n')
    monkeypatch.chdir(tmp_path)
    assert main(["--force"]) == 1
    _, err = capsys.readouterr()
    line = _line(tmp_path / "openapi.json", '"required": [')
    assert err == (f"clientgen: error: openapi.json:{line}"
                   " at /components/schemas/Thing/required: required lists 'name' more than "
                   "once; kept once\n")


def _line(path: Path, needle: str) -> int:
    return next(n for n, t in enumerate(path.read_text().splitlines(), 1) if needle in t)


def test_warnings_are_summarised_by_kind_without_verbose(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CLIENTGEN_NO_CACHE", "1")
    doc = base()
    doc["components"]["schemas"]["Thing"]["required"] = ["name", "name"]
    doc["tags"] = [{"name": "a"}, {"name": "a"}]
    (tmp_path / "openapi.json").write_text(json.dumps(doc, indent=1))
    code = main(["--config", os.devnull, "--spec", str(tmp_path / "openapi.json"), "--output",
                 str(tmp_path / "out"), "--package", "c", "--force"])
    _, err = capsys.readouterr()
    assert code == 0
    assert err == ("clientgen: 2 warnings: 1 duplicate-required, 1 duplicate-tag "
                   "(--verbose lists each, --strict makes them errors)\n")


# -- what the writer must never follow -----------------------------------------------------

def _project(tmp_path: Path) -> Path:
    masivo = Path(__file__).resolve().parents[2] / "spec" / "masivo.yaml"
    return seeded_project(tmp_path, {"spec/openapi.yaml": masivo.read_bytes()})


@pytest.mark.parametrize("planted", [".clientgen-stamp.json", "masivo_client",
                                     ".masivo_client.old"])
def test_a_planted_link_is_refused_and_its_target_untouched(
        planted: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    link = project / "generated" / planted
    if link.is_dir():
        import shutil

        shutil.rmtree(link)
    os.symlink(victim / "precious.txt" if planted.endswith(".json") else victim, link)
    monkeypatch.chdir(project)
    monkeypatch.setenv("CLIENTGEN_NO_CACHE", "1")

    for _ in range(2):  # refused every time, with the same clear message; never half-done
        assert main(["--force"]) == 1
        _, err = capsys.readouterr()
        assert err == (f"clientgen: error: {Path('generated') / planted} is a symbolic link; "
                       "clientgen follows no link it did not create. Remove it (and check "
                       "who planted it).\n")
    assert (victim / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in victim.iterdir()) == ["precious.txt"]
    link.unlink()  # once removed, the run succeeds
    assert main(["--force"]) == 0


def test_a_stamp_naming_dev_zero_is_not_read(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert run_cli(cwd=project).returncode == 0
    stamp = project / "generated" / ".clientgen-stamp.json"
    record = json.loads(stamp.read_text())
    record["spec_files"] = ["/dev/zero", *record["spec_files"]]
    stamp.write_text(json.dumps(record))

    result = run_cli(cwd=project, timeout=120)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_output_naming_a_file_is_one_paragraph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path)
    (project / "afile").write_text("not a folder")
    before = snapshot(project)
    monkeypatch.chdir(project)
    assert main(["--output", "afile", "--force"]) == 1
    _, err = capsys.readouterr()
    assert err == ("clientgen: error: afile is not a folder: --output (or `output`) names the "
                   "folder that receives the package folder\n")
    assert snapshot(project) == before


def test_anything_unexpected_is_one_paragraph_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr("generator.pipeline.run", broken)
    assert main(["--config", os.devnull, "--spec", "x.yaml"]) == 2
    _, err = capsys.readouterr()
    assert err == ("clientgen: internal error: KeyError: 'surprise'. This is a bug in "
                   "clientgen (please report it with the spec); nothing was written.\n")


def test_a_spec_that_is_not_a_regular_file_is_not_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _generate(Path("/dev/zero"), tmp_path / "out", capsys)
    assert code == 1
    assert err == "clientgen: error: /dev/zero: not a regular file\n"


def test_a_spec_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("generator.limits.MAX_FILE_BYTES", 1024 * 1024)
    spec = tmp_path / "openapi.json"
    doc = base()
    doc["info"]["description"] = "x" * (1024 * 1024)
    spec.write_text(json.dumps(doc))
    code, err = _generate(spec, tmp_path / "out", capsys)
    assert code == 1
    assert err.startswith(f"clientgen: error: {spec}: the spec is larger than 1 MiB (limit: ")
