"""Templates compiled with the generator's installation (generator/template_code.py):
used only while they match the template, its Jinja and its compile settings."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest

from generator import render, template_code
from generator.template_code import TemplateBytecode, build, built_names, compile_settings

RESOURCE = "package/resources/resource.py.jinja"


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Our templates built into a folder of the test's, which runs then read."""
    folder = tmp_path / "built"
    build(folder)
    monkeypatch.setattr(template_code, "BUILT", folder)
    template_code._built_index.cache_clear()
    yield folder
    template_code._built_index.cache_clear()


def _compiled_here(env: render._Environment) -> list[str]:
    """Wrap `env` so that it lists the templates it compiles (parses) itself."""
    parsed: list[str] = []
    parse = env._parse

    def noting(source: str, name: str | None, filename: str | None) -> jinja2.nodes.Template:
        parsed.append(str(name))
        return parse(source, name, filename)

    env._parse = noting  # type: ignore[method-assign]
    return parsed


def test_a_run_compiles_none_of_our_templates_once_they_are_built(
        built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTGEN_NO_CACHE", "1")
    env = render.environment(None)
    compiled = _compiled_here(env)
    names = render.our_templates(env)
    assert len(names) > 5 and len(list(built.glob("*.bc"))) == len(names)
    for name in names:
        env.get_template(name)
    assert compiled == []
    # The names the render cache needs come from the index, equal to parsing them.
    (built.parent / "other").mkdir()
    fresh = render.environment(None, building=built.parent / "other")
    assert render._names_used(env, RESOURCE) == render._names_used(fresh, RESOURCE)
    assert compiled == []


def test_built_templates_render_what_compiled_ones_do(built: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTGEN_NO_CACHE", "1")
    from_built = render.environment(None)
    (tmp_path / "scratch").mkdir()
    compiled = render.environment(None, building=tmp_path / "scratch")
    api = SimpleNamespace(version="1.2", spec_sha256="ab")
    context = {"generator_version": "9.9", "package": "p", "api": api}
    name = "package/_version.py.jinja"
    assert from_built.get_template(name).render(**context) == \
        compiled.get_template(name).render(**context)


def test_a_template_changed_since_the_build_is_compiled_again(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "t.jinja").write_text("one {{ x }}\n")
    settings = "settings"

    def environment(built: Path | None, cache: Path | None) -> jinja2.Environment:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)))
        env.bytecode_cache = TemplateBytecode(settings, cache=cache, built=built)
        return env

    shipped = tmp_path / "built"
    shipped.mkdir()
    environment(None, shipped).get_template("t.jinja")  # as `build` writes it
    assert environment(shipped, None).get_template("t.jinja").render(x=1) == "one 1"
    (folder / "t.jinja").write_text("two {{ x }}\n")
    assert environment(shipped, None).get_template("t.jinja").render(x=1) == "two 1"


def test_other_compile_settings_make_another_key() -> None:
    plain = jinja2.Environment()
    trimmed = jinja2.Environment(trim_blocks=True)
    assert compile_settings(plain) != compile_settings(trimmed)
    keys = [TemplateBytecode(compile_settings(env), cache=None, built=None).get_cache_key(
        "t", "/t")
            for env in (plain, trimmed)]
    assert keys[0] != keys[1]


def test_built_names_are_refused_for_another_source_or_settings(built: Path) -> None:
    env = render.environment(None)
    settings = compile_settings(env)
    source = render._source(env, RESOURCE)
    names = built_names(settings, RESOURCE, source)
    assert names is not None and "resource" in names[0]
    assert built_names(settings, RESOURCE, source + " ") is None
    assert built_names(settings + "x", RESOURCE, source) is None
    assert built_names(settings, "package/missing.jinja", source) is None


def test_building_again_replaces_the_folder_and_leaves_nothing_beside_it(
        built: Path) -> None:
    (built / "stale.bc").write_bytes(b"old")
    build(built)
    assert not (built / "stale.bc").exists()
    assert sorted(p.name for p in built.parent.iterdir()) == ["built"]
    assert (built / "names.json").stat().st_mode & 0o777 == 0o644
