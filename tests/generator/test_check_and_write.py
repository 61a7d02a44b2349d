"""`--check`, the atomic write, stale files, user templates and the no-op fast path."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from cli_support import GENERATED, ROOT, run_cli, snapshot

from generator import writer
from generator.errors import GeneratorError

PACKAGE = "masivo_client"


@pytest.fixture
def output(tmp_path: Path) -> Path:
    """An output folder holding a copy of the committed client (no stamp)."""
    folder = tmp_path / "out"
    shutil.copytree(GENERATED / PACKAGE, folder / PACKAGE,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def leftovers(folder: Path) -> list[str]:
    """Staging or backup folders a write may leave beside the package."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{PACKAGE}."))


def test_check_exits_0_and_writes_nothing_when_up_to_date(output: Path) -> None:
    before = snapshot(output)
    result = run_cli("--output", str(output), "--check", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{output / PACKAGE} is up to date\n"
    assert snapshot(output) == before  # not even a stamp


def test_check_exits_1_lists_changes_and_writes_nothing(output: Path) -> None:
    package = output / PACKAGE
    (package / "models.py").write_text((package / "models.py").read_text() + "# edited\n")
    (package / "py.typed").unlink()
    (package / "stale.py").write_text("x = 1\n")
    before = snapshot(output)

    result = run_cli("--output", str(output), "--check", cwd=ROOT)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{package} is out of date; `make generate` would change:\n"
        "  ~ models.py\n"
        "  + py.typed\n"
        "  - stale.py\n"
    )
    assert snapshot(output) == before


def test_generate_replaces_the_tree_and_stale_files_disappear(output: Path) -> None:
    package = output / PACKAGE
    (package / "models.py").write_text("broken = True\n")
    (package / "stale.py").write_text("x = 1\n")
    (package / "resources" / "old_tag.py").write_text("x = 1\n")

    result = run_cli("--output", str(output), cwd=ROOT)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {package} (3 files changed)\n"
    assert snapshot(package) == snapshot(GENERATED / PACKAGE)
    assert leftovers(output) == []


def test_noop_run_is_detected_and_an_edited_output_is_repaired(output: Path) -> None:
    first = run_cli("--output", str(output), cwd=ROOT)
    assert first.returncode == 0, first.stderr
    assert (output / ".clientgen-stamp.json").is_file()
    models = output / PACKAGE / "models.py"
    stamp_time = models.stat().st_mtime_ns

    again = run_cli("--output", str(output), cwd=ROOT)
    assert again.returncode == 0, again.stderr
    assert again.stdout == f"{output / PACKAGE} is up to date\n"
    assert models.stat().st_mtime_ns == stamp_time  # nothing rewritten

    models.write_text("hand edited\n")
    repaired = run_cli("--output", str(output), cwd=ROOT)
    assert repaired.returncode == 0, repaired.stderr
    assert repaired.stdout == f"wrote {output / PACKAGE} (1 files changed)\n"
    assert models.read_bytes() == (GENERATED / PACKAGE / "models.py").read_bytes()


def test_pointing_at_another_spec_is_not_a_noop(output: Path, tmp_path: Path) -> None:
    first = run_cli("--output", str(output), cwd=ROOT)
    assert first.returncode == 0, first.stderr
    other = tmp_path / "other.yaml"
    other.write_text((ROOT / "spec" / "masivo.yaml").read_text() + "# edited\n")

    edited = run_cli("--output", str(output), "--spec", str(other), cwd=ROOT)
    assert edited.returncode == 0, edited.stderr
    assert "is up to date" not in edited.stdout  # the stamp named the other spec
    digest = hashlib.sha256(other.read_bytes()).hexdigest()
    assert f"spec sha256: {digest}" in (output / PACKAGE / "__init__.py").read_text()


BROKEN_TEMPLATES = {
    "jinja-syntax": ("{% if %}\n", r"_version.py.jinja:1: template error: Expected an expression"),
    "undefined-name": ("{{ no_such_name }}\n",
                       "template package/_version.py.jinja failed while rendering _version.py: "
                       "'no_such_name' is undefined"),
    "invalid-python": ("x = (\n",
                       "generated _version.py is not valid Python ('(' was never closed"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN_TEMPLATES))
def test_a_failed_run_leaves_the_old_output(kind: str, output: Path, tmp_path: Path) -> None:
    text, message = BROKEN_TEMPLATES[kind]
    templates = tmp_path / "templates"
    (templates / "package").mkdir(parents=True)
    (templates / "package" / "_version.py.jinja").write_text(text)
    (output / PACKAGE / "stale.py").write_text("x = 1\n")  # would be removed by a success
    before = snapshot(output)

    result = run_cli("--output", str(output), "--templates", str(templates), "--force",
                     cwd=ROOT)

    assert result.returncode == 1
    assert result.stderr.startswith("clientgen: error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert snapshot(output) == before
    assert leftovers(output) == []


def test_a_user_template_overrides_one_file(output: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    (templates / "package").mkdir(parents=True)
    (templates / "package" / "README.md.jinja").write_text("# {{ package }}, our way\n")

    result = run_cli("--output", str(output), "--templates", str(templates), cwd=ROOT)

    assert result.returncode == 0, result.stderr
    readme = (output / PACKAGE / "README.md").read_text()
    assert readme.endswith("\n# masivo_client, our way\n")
    assert readme.startswith("<!--\nGenerated by clientgen ")
    ours = snapshot(GENERATED / PACKAGE)
    theirs = snapshot(output / PACKAGE)
    assert {p for p in ours if ours[p] != theirs.get(p)} == {"README.md"}


def test_a_failed_swap_puts_the_old_output_back(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The last step, renaming the staged tree into place, fails: the old tree returns."""
    target = tmp_path / PACKAGE
    target.mkdir()
    (target / "old.py").write_text("old = True\n")
    real_rename = Path.rename

    def failing_rename(self: Path, destination: Path) -> Path:
        if self.name.startswith(f".{PACKAGE}.new-"):
            raise OSError(28, "No space left on device")
        return real_rename(self, destination)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(GeneratorError, match=r"could not write .*No space left on device"):
        writer.write_tree({"new.py": b"new = True\n"}, target)

    assert snapshot(target) == {"old.py": b"old = True\n"}
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("path", ["../evil.py", "/etc/evil.py", "a/../../b.py", ".hidden",
                                  "a//b.py", "a\\b.py"])
def test_the_writer_refuses_paths_outside_the_package(path: str, tmp_path: Path) -> None:
    with pytest.raises(GeneratorError, match="not a plain relative path"):
        writer.write_tree({path: b""}, tmp_path / PACKAGE)
    assert not (tmp_path / PACKAGE).exists()


def test_a_template_changed_during_a_run_makes_the_next_run_do_the_work(
        output: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stamp records the inputs as the run found them when it started: one changed
    after it rendered is not vouched for (the output does not show it)."""
    from generator import pipeline
    from generator.config import load_config

    templates = tmp_path / "templates"
    (templates / "package").mkdir(parents=True)
    readme = templates / "package" / "README.md.jinja"
    readme.write_text("# before\n")
    config = load_config(ROOT / "pyproject.toml", {"output": str(output),
                                                    "templates": str(templates)})
    original = pipeline.build_files

    def then_edited(*args: object, **kwargs: object) -> object:
        built = original(*args, **kwargs)  # type: ignore[arg-type]
        readme.write_text("# after\n")  # once rendered, before the stamp is written
        return built

    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "build_files", then_edited)
        assert not pipeline.run(config).up_to_date
    assert (output / PACKAGE / "README.md").read_text().endswith("# before\n")
    again = pipeline.run(config)
    assert not again.up_to_date and "~ README.md" in again.changes
    assert (output / PACKAGE / "README.md").read_text().endswith("# after\n")
    assert pipeline.run(config).up_to_date


def test_a_run_that_fails_after_staging_its_first_files_leaves_the_old_output(
        output: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file but the models is staged while the models are made: a failure then
    removes the staging folder, and the folder is as it was."""
    from generator import model_pool, pipeline
    from generator.config import load_config

    staged: list[list[str]] = []
    original_add = writer.PendingWrite.add

    def noting(self: writer.PendingWrite, files: dict[str, bytes]) -> None:
        original_add(self, files)
        staged.append(leftovers(output))

    def failing(self: model_pool.ModelJob) -> object:
        raise GeneratorError("the models failed")

    monkeypatch.setattr(writer.PendingWrite, "add", noting)
    monkeypatch.setattr(model_pool.ModelJob, "result", failing)
    before = snapshot(output)
    config = load_config(ROOT / "pyproject.toml", {"output": str(output)})
    with pytest.raises(GeneratorError, match="the models failed"):
        pipeline.run(config, force=True)
    assert len(staged) == 1 and len(staged[0]) == 1  # staged before the models came
    assert snapshot(output) == before and leftovers(output) == []


def test_staging_in_parts_changes_and_writes_what_one_write_would(tmp_path: Path) -> None:
    target = tmp_path / PACKAGE
    target.mkdir()
    for name, text in (("same.py", "same\n"), ("changed.py", "old\n"), ("gone.py", "x\n")):
        (target / name).write_text(text)
    (target / "linked.py").symlink_to(target / "same.py")
    files = {"same.py": b"same\n", "changed.py": b"new\n", "added.py": b"+\n",
             "linked.py": b"real\n", "sub/models.py": b"models\n"}
    expected = ["+ added.py", "~ changed.py", "- gone.py", "~ linked.py", "+ sub/models.py"]
    whole = writer.PendingWrite(target, stage=False)  # what one write of them changes
    whole.add(files)
    assert whole.changes() == expected
    pending = writer.PendingWrite(target, stage=True)
    pending.add({p: c for p, c in files.items() if p != "sub/models.py"})
    assert len(leftovers(tmp_path)) == 1  # the staging folder, beside the target
    pending.add(files)  # all of them: those given already are not written again
    assert pending.changes() == expected
    pending.commit()
    pending.discard()  # nothing left to discard
    assert snapshot(target) == files and leftovers(tmp_path) == []
    assert pending.digests["sub/models.py"] == hashlib.sha256(b"models\n").hexdigest()


def test_a_check_stages_nothing(output: Path) -> None:
    pending = writer.PendingWrite(output / PACKAGE, stage=False)
    pending.add({"README.md": b"other\n"})
    assert "~ README.md" in pending.changes() and leftovers(output) == []


def test_the_stamp_check_asks_for_the_tool_digest_only_once_the_spec_is_unchanged(
        output: Path, tmp_path: Path) -> None:
    """After an edit of the spec the run starts its model workers without first reading
    and hashing the generator and its templates (they are hashed after)."""
    from generator import stamp

    spec = tmp_path / "openapi.yaml"
    shutil.copy(ROOT / "spec" / "masivo.yaml", spec)
    result = run_cli("--output", str(output), "--spec", str(spec), cwd=ROOT)
    assert result.returncode == 0, result.stderr
    asked: list[int] = []

    def tool() -> str | None:
        asked.append(1)
        return "not this run's"

    record = output / stamp.STAMP_NAME
    assert not stamp.is_fresh(record, output / PACKAGE, tool, tmp_path)  # another tool
    assert asked == [1]
    spec.write_text(spec.read_text() + "\n# edited\n")
    assert not stamp.is_fresh(record, output / PACKAGE, tool, tmp_path)
    assert asked == [1]  # the spec changed: not asked


def test_the_tool_digest_covers_the_modules_and_templates_not_what_make_env_builds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A module or a template changed: another digest (the next run does the work). A
    file built from them (compiled templates, dataclass methods) changed: the same, and
    a no-op run never reads it."""
    from generator import stamp

    package = tmp_path / "generator"
    (package / "built_code").mkdir(parents=True)
    (package / "built_templates").mkdir()
    (package / "stage.py").write_text("x = 1\n")
    (package / "built_code" / "main.bin").write_bytes(b"code")
    (package / "built_templates" / "t.bc").write_bytes(b"bytecode")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "client.py.jinja").write_text("{{ x }}")
    monkeypatch.setattr(stamp, "_GENERATOR_DIR", package)

    def digest() -> str | None:
        return stamp.tool_digest([templates], {})

    first = digest()
    (package / "built_code" / "main.bin").write_bytes(b"other code")
    (package / "built_templates" / "t.bc").write_bytes(b"other bytecode")
    assert digest() == first
    (templates / "client.py.jinja").write_text("{{ y }}")
    second = digest()
    assert second != first
    (package / "stage.py").write_text("x = 2\n")
    assert digest() not in (first, second)
