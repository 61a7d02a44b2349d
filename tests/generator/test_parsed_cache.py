"""The API model of a spec parsed before comes from the cache equal, field for field and
type for type; another spec, file name or option parses again."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from goldens import Fixture

from generator import parse as parse_module
from generator import parsed_cache
from generator.loader import load_spec
from generator.parse import ParsedSpec, parse

OPTIONS = {"package": "pets_client", "client_name": "Pets", "env_prefix": "PETS"}
# Two operations with one operationId: a warning from the parser itself.
SPEC = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
    "/a": {"get": {"operationId": "same", "responses": {"200": {"description": "ok"}}}},
    "/b": {"get": {"operationId": "same", "parameters": [
        {"name": "limit", "in": "query", "schema": {"type": "number", "default": 1.0}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}}}}}}}}


@pytest.fixture
def parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The specs really parsed (a cache hit parses none)."""
    monkeypatch.delenv("CLIENTGEN_NO_CACHE", raising=False)
    monkeypatch.setenv("CLIENTGEN_CACHE_DIR", str(tmp_path / "cache"))
    specs: list[str] = []
    original = parse_module._parse

    def counting(spec: Any, options: dict[str, Any]) -> ParsedSpec:
        specs.append(str(spec.root))
        return original(spec, options)

    monkeypatch.setattr(parse_module, "_parse", counting)
    return specs


def write(tmp_path: Path, document: dict[str, Any], name: str = "openapi.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=1))
    return path


def summary(parsed: ParsedSpec) -> tuple[Any, ...]:
    return (parsed.api, repr(parsed.api), json.dumps(parsed.schema_document),
            [(w.kind, w.message, w.file, w.line, w.pointer) for w in parsed.warnings])


def test_a_second_parse_is_served_from_the_cache_equal(tmp_path: Path, parses: list[str]) -> None:
    path = write(tmp_path, SPEC)
    first = parse(load_spec(path, meta_schema=False), OPTIONS)
    second = parse(load_spec(path, meta_schema=False), OPTIONS)
    assert len(parses) == 1
    assert summary(second) == summary(first)
    assert [w.kind for w in second.warnings] == ["duplicate-operation-id"]
    assert second.warnings[0].line is not None


@pytest.mark.parametrize("name", ["bodies", "parameters", "schemas", "security"])
def test_the_fixtures_models_come_back_equal(tmp_path: Path, parses: list[str],
                                             name: str) -> None:
    source = Fixture(name).spec
    path = tmp_path / source.name
    shutil.copy(source, path)
    options = {"package": f"{name}_client", "client_name": name.title(),
               "env_prefix": name.upper()}
    first = parse(load_spec(path, meta_schema=False), options)
    second = parse(load_spec(path, meta_schema=False), options)
    assert len(parses) == 1 and summary(second) == summary(first)
    assert parsed_cache.decode(json.loads(json.dumps(parsed_cache.encode(first.api)))) \
        == first.api


def test_another_spec_option_or_file_name_parses_again(tmp_path: Path,
                                                       parses: list[str]) -> None:
    path = write(tmp_path, SPEC)
    first = parse(load_spec(path, meta_schema=False), OPTIONS)
    other = parse(load_spec(path, meta_schema=False), {**OPTIONS, "client_name": "Other"})
    edited = {**SPEC, "info": {"title": "another", "version": "1"}}
    changed = parse(load_spec(write(tmp_path, edited), meta_schema=False), OPTIONS)
    renamed = parse(load_spec(write(tmp_path, SPEC, "renamed.json"), meta_schema=False),
                    OPTIONS)
    assert len(parses) == 4
    assert other.api.options["client_name"] == "Other"
    assert changed.api.title == "another" and first.api.title == "t"
    assert renamed.api.spec_name == "renamed.json"
    assert renamed.warnings[0].file.endswith("renamed.json")


def test_a_spec_of_several_files_is_parsed_every_time(tmp_path: Path,
                                                      parses: list[str]) -> None:
    folder = tmp_path / "spec"
    shutil.copytree(Fixture("multifile").spec.parent, folder)
    root = folder / Fixture("multifile").spec.name
    options = {"package": "multi_client", "client_name": "Multi", "env_prefix": "MULTI"}
    spec = load_spec(root, meta_schema=False)
    assert spec.fingerprint is None
    parse(spec, options)
    parse(load_spec(root, meta_schema=False), options)
    assert len(parses) == 2


def test_a_damaged_entry_parses_again(tmp_path: Path, parses: list[str]) -> None:
    path = write(tmp_path, SPEC)
    first = parse(load_spec(path, meta_schema=False), OPTIONS)
    for entry in (tmp_path / "cache" / "parsed").rglob("*"):
        if entry.is_file():
            entry.write_text(json.dumps({"api": {"!class": "Api", "!fields": [1]},
                                         "schema_document": {}, "warnings": []}))
    again = parse(load_spec(path, meta_schema=False), OPTIONS)
    assert len(parses) == 2 and summary(again) == summary(first)


def test_only_the_models_classes_are_read_back() -> None:
    with pytest.raises(ValueError, match="not a class of the model"):
        parsed_cache.decode({"!class": "Path", "!fields": ["/etc/passwd"]})
    with pytest.raises(ValueError):
        parsed_cache.decode({"unknown": 1})
    with pytest.raises(TypeError):
        parsed_cache.encode({1: "a key that is not a string"})
    with pytest.raises(TypeError):
        parsed_cache.encode({"a set": {1}})
    value = {"t": (1, 1.0, True, None, "s", [2, (3,)]), "inf": float("inf")}
    assert repr(parsed_cache.decode(json.loads(json.dumps(parsed_cache.encode(value))))) \
        == repr(value)


@pytest.mark.parametrize("name", ["schemas", "hostile", "bodies"])
def test_a_run_writes_the_entries_its_stages_made_later_but_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """A run writes the load and parse stages' entries while it waits for the models:
    what it writes then is what the stages made (no later stage changed it)."""
    from generator.pipeline import build_files

    fixture = Fixture(name)
    spec = tmp_path / fixture.spec.name  # a copy: the fixture's own folder stays clean
    shutil.copy(fixture.spec, spec)
    monkeypatch.delenv("CLIENTGEN_NO_CACHE", raising=False)

    def entries(cache: Path) -> dict[str, bytes]:
        return {str(p.relative_to(cache)): p.read_bytes()
                for kind in ("checked", "parsed") for p in (cache / kind).rglob("*")
                if p.is_file()}

    monkeypatch.setenv("CLIENTGEN_CACHE_DIR", str(tmp_path / "run"))
    config = fixture.config(tmp_path / "out")
    build_files(dataclasses.replace(config, spec=spec))
    monkeypatch.setenv("CLIENTGEN_CACHE_DIR", str(tmp_path / "at-once"))
    parse(load_spec(spec, meta_schema=False), fixture.config(tmp_path / "out").options())
    written = entries(tmp_path / "run")
    assert len(written) == 2 and written == entries(tmp_path / "at-once")
