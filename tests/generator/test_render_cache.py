"""Rendered files are cached by everything that decides them: a hit gives the bytes a
render would, and any change to a template or to the model a file shows renders it again."""

from __future__ import annotations

import shutil
from dataclasses import replace
from functools import cache
from pathlib import Path

import jinja2
import pytest
from goldens import Fixture

from generator import render
from generator.loader import load_spec
from generator.parse import ParsedSpec, parse
from generator.render import TEMPLATES, render_package

RESOURCE = "package/resources/resource.py.jinja"


@cache
def parsed() -> ParsedSpec:
    return parse(load_spec(Fixture("parameters").spec),
                 {"package": "parameters_client", "client_name": "Parameters",
                  "env_prefix": "PARAMETERS"})


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CLIENTGEN_NO_CACHE", raising=False)
    monkeypatch.setenv("CLIENTGEN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The templates Jinja really renders (a cache hit renders none)."""
    rendered: list[str] = []
    original = jinja2.Template.render

    def counting(self: jinja2.Template, *args: object, **kwargs: object) -> str:
        rendered.append(str(self.name))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", counting)
    return rendered


def uncached(monkeypatch: pytest.MonkeyPatch, *args: object) -> dict[str, str]:
    with monkeypatch.context() as patch:
        patch.setenv("CLIENTGEN_NO_CACHE", "1")
        return render_package(*args)[0]  # type: ignore[arg-type]


def test_a_second_render_is_served_from_the_cache_with_the_same_text(
        cache_dir: Path, renders: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    model = parsed().api
    first, _ = render_package(model, "# models\n", "1.0", None)
    count = len(renders)
    second, _ = render_package(model, "# models\n", "1.0", None)
    assert second == first
    assert len(renders) == count  # nothing rendered again
    assert second == uncached(monkeypatch, model, "# models\n", "1.0", None)


def test_a_changed_resource_renders_that_module_alone_again(
        cache_dir: Path, renders: list[str]) -> None:
    model = parsed().api
    before, _ = render_package(model, "", "1.0", None)
    changed = replace(model.resources[0], description="Another description.")
    edited = replace(model, resources=(changed, *model.resources[1:]))
    renders.clear()
    after, _ = render_package(edited, "", "1.0", None)
    module = f"resources/{changed.module}.py"
    assert "Another description." in after[module] and after[module] != before[module]
    # The resource module and the files showing the whole API: not the other resources.
    assert renders.count(RESOURCE) == 1
    assert {p: t for p, t in after.items() if p.startswith("resources/") and p != module
            and p != "resources/__init__.py"} == {
        p: t for p, t in before.items() if p.startswith("resources/") and p != module
        and p != "resources/__init__.py"}


def test_a_changed_model_source_or_version_renders_again(cache_dir: Path) -> None:
    model = parsed().api
    first, _ = render_package(model, "# one\n", "1.0", None)
    second, _ = render_package(model, "# two\n", "1.0", None)
    third, _ = render_package(model, "# two\n", "2.0", None)
    assert "# one" in first["models.py"] and "# two" in second["models.py"]
    assert first["_version.py"] != third["_version.py"]


def test_a_changed_template_renders_again(cache_dir: Path, tmp_path: Path) -> None:
    model = parsed().api
    user = tmp_path / "templates"
    (user / "package").mkdir(parents=True)
    shutil.copy(TEMPLATES / "package" / "_macros.jinja", user / "package" / "_macros.jinja")
    before, _ = render_package(model, "", "1.0", user)
    # A template the resource template imports (not the one it names) changes.
    macros = user / "package" / "_macros.jinja"
    macros.write_text(macros.read_text().replace("{% macro returns(op) -%}\n",
                                                 "{% macro returns(op) -%}\nUserType", 1))
    after, _ = render_package(model, "", "1.0", user)
    module = f"resources/{model.resources[0].module}.py"
    assert "UserType" in after[module] and "UserType" not in before[module]


def test_a_template_reached_by_an_expression_keys_on_every_variable(
        cache_dir: Path, tmp_path: Path) -> None:
    user = tmp_path / "templates"
    (user / "package").mkdir(parents=True)
    (user / "package" / "_version.py.jinja").write_text(
        '{% include "package/" ~ "part.jinja" %}\n')
    (user / "package" / "part.jinja").write_text("VERSION = {{ generator_version|pyrepr }}\n")
    model = parsed().api
    assert render_package(model, "", "1.0", user)[0]["_version.py"] == "VERSION = '1.0'\n"
    assert render_package(model, "", "2.0", user)[0]["_version.py"] == "VERSION = '2.0'\n"


def test_names_used_follow_imports_and_includes() -> None:
    env = render.environment(None)
    used = render._names_used(env, RESOURCE).split("\n")
    assert "resource" in used and "api" not in used and "models_source" not in used
    assert "models_source" in render._names_used(env, "package/models.py.jinja").split(
        "\n")


def test_names_are_the_same_whether_noted_while_compiling_or_parsed_apart(
        monkeypatch: pytest.MonkeyPatch) -> None:
    compiling = render.environment(None)
    compiling.bytecode_cache = None  # every template compiled, so parsed, here
    noted = render._names_used(compiling, RESOURCE)
    assert RESOURCE in compiling.names_in  # read while compiling, not parsed again
    from_bytecode = render.environment(None)
    # As when Jinja loads each template from its bytecode cache: compiled, never parsed.
    monkeypatch.setattr(from_bytecode, "get_template", lambda name: None)
    assert render._names_used(from_bytecode, RESOURCE) == noted
    assert "resource" in noted.split("\n")


def test_a_broken_template_is_not_cached_and_still_names_the_problem(
        cache_dir: Path, tmp_path: Path) -> None:
    user = tmp_path / "templates"
    (user / "package").mkdir(parents=True)
    (user / "package" / "_version.py.jinja").write_text("{% if %}\n")
    with pytest.raises(render.GeneratorError, match="template error"):
        render_package(parsed().api, "", "1.0", user)
    with pytest.raises(render.GeneratorError, match="template error"):
        render_package(parsed().api, "", "1.0", user)


def test_a_file_showing_parts_of_the_api_renders_again_when_one_of_them_changes(
        cache_dir: Path, renders: list[str]) -> None:
    model = parsed().api
    render_package(model, "", "1.0", None)
    changed = replace(model.resources[-1], description="Changed.")
    renders.clear()
    render_package(replace(model, resources=(*model.resources[:-1], changed)), "", "1.0",
                   None)
    assert "package/README.md.jinja" in renders
    assert "package/resources/__init__.py.jinja" in renders
    renders.clear()
    render_package(replace(model, title="Another title"), "", "1.0", None)
    assert "package/README.md.jinja" in renders  # it shows the title
    assert "package/resources/__init__.py.jinja" not in renders  # it shows the resources


def test_a_new_spec_hash_renders_again_only_the_files_that_show_it(
        cache_dir: Path, renders: list[str]) -> None:
    model = parsed().api
    before, _ = render_package(model, "", "1.0", None)
    renders.clear()
    after, _ = render_package(replace(model, spec_sha256="f" * 64), "", "1.0", None)
    assert renders == ["package/_version.py.jinja"]  # the one template that reads it
    assert "f" * 64 in after["_version.py"] and "f" * 64 not in before["_version.py"]
    assert {p: t for p, t in after.items() if p != "_version.py"} == {
        p: t for p, t in before.items() if p != "_version.py"}


@pytest.mark.parametrize("shows", [
    "{{ api.spec_sha256 }}",
    "{{ api['spec_sha256'] }}",
    "{{ api }}",  # the repr, hash included
    "{{ api|attr('spec_' ~ 'sha256') }}",
    "{% set whole = api %}{{ whole.spec_sha256 }}",
    "{% macro show(value) %}{{ value.spec_sha256 }}{% endmacro %}{{ show(api) }}",
    "{% include 'package/part.jinja' %}",  # which shows it
])
def test_a_template_that_may_show_the_hash_renders_again_for_a_new_one(
        cache_dir: Path, tmp_path: Path, shows: str) -> None:
    user = tmp_path / "templates"
    (user / "package").mkdir(parents=True)
    (user / "package" / "README.md.jinja").write_text(f"{{{{ api.title }}}} {shows}\n")
    (user / "package" / "part.jinja").write_text("{{ api.spec_sha256 }}")
    model = parsed().api
    for digest in ("a" * 64, "b" * 64):
        readme = render_package(replace(model, spec_sha256=digest), "", "1.0", user)[0]
        assert digest in readme["README.md"]


def test_reads_are_noted_by_attribute_and_whole() -> None:
    tree = jinja2.Environment().parse(
        "{{ api.title }}{{ api['version'] }}{% for r in api.resources %}{{ r.name }}"
        "{% endfor %}{{ package }}{% set x = 1 %}")
    assert render._reads(tree) == {"api.title", "api.version", "api.resources", "r.name",
                                   "package.*"}


def test_built_names_of_another_format_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import template_code

    env = render.environment(None)
    source = env.loader.get_source(env, RESOURCE)[0]  # type: ignore[union-attr]
    settings = template_code.compile_settings(env)
    assert template_code.built_names(settings, RESOURCE, source) is not None
    index = {**template_code._built_index(), "format": 1}
    monkeypatch.setattr(template_code, "_built_index", lambda: index)
    assert template_code.built_names(settings, RESOURCE, source) is None
