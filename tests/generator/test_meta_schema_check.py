"""The meta-schema check may run in a child process; its verdict is the in-process one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator import validate
from generator.errors import SpecError
from generator.loader import load_spec

SPEC = Path(__file__).resolve().parents[2] / "spec" / "masivo.yaml"


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLIENTGEN_NO_CACHE", raising=False)
    monkeypatch.setenv("CLIENTGEN_CACHE_DIR", str(tmp_path / "cache"))


def broken_spec(tmp_path: Path) -> Path:
    # A defect only the meta-schema check finds (the structural check reads no title).
    text = SPEC.read_text().replace("title: Masivo Storefront API", "title: [Masivo]", 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    return path


def verdict(path: Path, *, in_background: bool) -> str:
    spec = load_spec(path, meta_schema=False, strict=True)
    try:
        validate.MetaSchemaCheck(spec, in_background=in_background).wait()
    except SpecError as exc:
        return str(exc)
    return "valid"


def test_the_child_and_the_parent_agree_on_an_invalid_spec(tmp_path: Path) -> None:
    path = broken_spec(tmp_path)
    in_child = verdict(path, in_background=True)
    assert in_child.startswith(f"{path}:")
    assert "not a valid OpenAPI document" in in_child
    assert in_child == verdict(path, in_background=False)


def test_a_valid_spec_is_checked_once_then_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    assert verdict(SPEC, in_background=True) == "valid"

    def no_child(document: str) -> None:
        raise AssertionError("a remembered success must not start a child")

    monkeypatch.setattr(validate, "_start_child", no_child)
    assert verdict(SPEC, in_background=True) == "valid"


def test_a_child_that_fails_is_reported_not_replaced_by_the_check_in_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child runs under an audit hook (no network, no foreign files); if that is what
    stopped it, running the same check here, without the hook, would undo it."""
    def crashing_child(document: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"],
                                stdout=subprocess.PIPE)

    monkeypatch.setattr(validate, "_start_child", crashing_child)
    path = broken_spec(tmp_path)
    assert verdict(path, in_background=True) == (
        f"{path}: the OpenAPI meta-schema check failed (exit code 3)")


def test_without_a_child_the_check_runs_here(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate, "_start_child", lambda document: None)
    assert "not a valid OpenAPI document" in verdict(broken_spec(tmp_path), in_background=True)


def test_a_child_past_its_deadline_is_stopped_and_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def sleeping_child(document: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                                stdout=subprocess.PIPE)

    monkeypatch.setattr(validate, "_start_child", sleeping_child)
    monkeypatch.setenv("CLIENTGEN_CHILD_DEADLINE", "0.5")
    assert "the OpenAPI meta-schema check did not finish within 0.5 s" in verdict(
        broken_spec(tmp_path), in_background=True)
    # Lenient: the run goes on, with the missing check as a warning.
    spec = load_spec(broken_spec(tmp_path), meta_schema=False)
    validate.MetaSchemaCheck(spec).wait()
    assert [d.kind for d in spec.diagnostics.items] == ["meta-schema"]
    assert "did not finish within 0.5 s; skipped" in spec.diagnostics.items[0].message


def test_lenient_mode_turns_each_finding_into_a_located_warning(tmp_path: Path) -> None:
    spec = load_spec(broken_spec(tmp_path), meta_schema=False)
    validate.MetaSchemaCheck(spec).wait()
    (warning,) = spec.diagnostics.items
    assert (warning.kind, warning.pointer, warning.line) == ("meta-schema", "/info/title", 3)
    assert warning.message == "not a valid OpenAPI document: ['Masivo'] is not of type 'string'"


def test_findings_are_remembered_too_and_located_afresh(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = verdict(broken_spec(tmp_path), in_background=True)

    def no_child(document: str) -> None:
        raise AssertionError("remembered findings must not start a child")

    monkeypatch.setattr(validate, "_start_child", no_child)
    assert verdict(broken_spec(tmp_path), in_background=True) == first
    # The same content two lines lower: the same finding, at its new line.
    moved = tmp_path / "moved.yaml"
    moved.write_text("# a comment\n# another\n" + broken_spec(tmp_path).read_text())
    assert verdict(moved, in_background=True) == first.replace(
        f"{tmp_path / 'broken.yaml'}:3", f"{moved}:5")


def run_on(path: Path, tmp_path: Path, *flags: str) -> tuple[int, str]:
    from generator.cli import main

    out = tmp_path / "out"
    code = main(["--config", "/dev/null", "--spec", str(path), "--output", str(out),
                 "--package", "checked_client", "--force", "--verbose", *flags])
    return code, str(out)


def test_the_full_check_runs_where_it_pays(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Lenient and not asked: no meta-schema check (the structural one reads no title);
    `--validate`: a located warning; strict mode (which asks for it): an error."""
    path = broken_spec(tmp_path)
    assert run_on(path, tmp_path)[0] == 0
    assert "meta-schema" not in capsys.readouterr().err
    assert run_on(path, tmp_path, "--validate")[0] == 0
    assert f"{path}:3 at /info/title" in capsys.readouterr().err
    assert run_on(path, tmp_path, "--strict")[0] == 1
    assert "not a valid OpenAPI document" in capsys.readouterr().err


def test_a_run_that_fails_is_explained_by_the_full_check(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import pipeline
    from generator.errors import GeneratorError

    def broken_render(*_: object) -> None:
        raise GeneratorError("rendering failed")

    monkeypatch.setattr("generator.render.render_package", broken_render)
    assert pipeline  # the pipeline imports render_package when it runs
    code, _ = run_on(broken_spec(tmp_path), tmp_path)
    err = capsys.readouterr().err
    assert code == 1 and "rendering failed" in err
    assert "/info/title" in err  # the meta-schema check ran to explain it


def test_a_remembered_verdict_is_found_by_the_fingerprint_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert verdict(SPEC, in_background=True) == "valid"
    spec = load_spec(SPEC, meta_schema=False, strict=True)
    assert spec.fingerprint is not None
    written: list[object] = []
    real = validate.json.dumps

    def dumps(value: object, **options: object) -> str:
        written.append(value)
        return real(value, **options)  # type: ignore[arg-type]

    def no_child(document: str) -> None:
        raise AssertionError("a remembered success must not start a child")

    monkeypatch.setattr(validate.json, "dumps", dumps)
    monkeypatch.setattr(validate, "_start_child", no_child)
    validate.MetaSchemaCheck(spec).wait()
    assert not any(value is spec.data for value in written)  # not written out as a key
