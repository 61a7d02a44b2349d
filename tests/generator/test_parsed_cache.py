"""The API model of a spec parsed before comes from the cache equal, field for field and
type for type; another spec, file name or option parses again."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import pickle
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
    assert same_types(second.api, first.api)
    again = parsed_cache.read(parsed_cache.write(first))
    assert again is not None and summary(again) == summary(first)


def same_types(a: Any, b: Any) -> bool:
    """Whether two equal values are made of the same types, all the way down."""
    if type(a) is not type(b):
        return False
    if dataclasses.is_dataclass(a):
        return all(same_types(getattr(a, f.name), getattr(b, f.name))
                   for f in dataclasses.fields(a))
    if isinstance(a, dict):
        return all(same_types(k, k2) and same_types(v, v2)
                   for (k, v), (k2, v2) in zip(a.items(), b.items(), strict=True))
    if isinstance(a, list | tuple):
        return all(same_types(x, y) for x, y in zip(a, b, strict=True))
    return True


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


@pytest.mark.parametrize("damage", ["not a pickle", "truncated", "names another class",
                                    "another shape"])
def test_a_damaged_entry_parses_again(tmp_path: Path, parses: list[str], damage: str) -> None:
    path = write(tmp_path, SPEC)
    first = parse(load_spec(path, meta_schema=False), OPTIONS)
    for entry in (tmp_path / "cache" / "parsed").rglob("*"):
        if entry.is_file():
            good = entry.read_bytes()
            entry.write_bytes({
                "not a pickle": b"{}",
                "truncated": good[:len(good) // 2],
                "names another class": pickle.dumps((Path("/etc/passwd"), {}, [])),
                "another shape": pickle.dumps(([], {}, [])),
            }[damage])
    again = parse(load_spec(path, meta_schema=False), OPTIONS)
    assert len(parses) == 2 and summary(again) == summary(first)


def test_only_the_models_classes_are_read_back() -> None:
    """An entry that names any other class (one whose loading would run code) is refused
    before anything is made of it."""
    class Runs:
        def __reduce__(self) -> tuple[Any, ...]:
            return (print, ("ran",))

    for planted in (Runs(), Path("/etc/passwd"), os.system):
        assert parsed_cache.read(pickle.dumps((planted, {}, []))) is None
    with pytest.raises(pickle.UnpicklingError, match="not a class of the model"):
        parsed_cache._ModelUnpickler(io.BytesIO(pickle.dumps(Runs()))).load()


def test_only_values_of_the_models_types_are_written(tmp_path: Path) -> None:
    """A subclass of a built-in type would come back as another type: such a parse is
    not cached. Every built-in value comes back as it was, types and all."""
    class Name(str):
        pass

    parsed = parse(load_spec(write(tmp_path, SPEC), meta_schema=False), OPTIONS)
    with pytest.raises(TypeError, match="not a value of the model: Name"):
        parsed_cache.write(dataclasses.replace(parsed, schema_document={"a": Name("x")}))
    value = {"t": (1, 1.0, True, None, "s", [2, (3,)]), "inf": float("inf"), "set": {1}}
    again = parsed_cache.read(parsed_cache.write(dataclasses.replace(
        parsed, schema_document=value)))
    assert again is not None
    assert repr(again.schema_document) == repr(value)
    assert same_types(again.schema_document, value)


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
