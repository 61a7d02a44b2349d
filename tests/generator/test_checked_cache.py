"""A spec read and checked before is taken from the cache as the checks left it (its
warnings with their lines; its document made again only when read); any change to
what decides it checks again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from goldens import Fixture

from generator import limits, validate
from generator.diagnostics import StrictModeError
from generator.errors import SpecError
from generator.loader import LoadedSpec, load_spec

# A dangling $ref, a default of the wrong type, a null keyword, a duplicate key.
SPEC = """\
{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
 "paths": {"/pets": {"get": {"responses": {"200": {"description": "ok", "content": {
   "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}}}},
 "components": {"schemas": {
   "Pet": {"type": "object", "properties": {
     "name": {"type": "string", "default": 3},
     "owner": {"$ref": "#/components/schemas/Nobody"},
     "age": {"type": "integer", "maximum": null}}},
   "Pet": {"type": "object", "properties": {
     "name": {"type": "string", "default": 3},
     "owner": {"$ref": "#/components/schemas/Nobody"},
     "age": {"type": "integer", "maximum": null}}}}}}
"""


@pytest.fixture
def checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents the structural checks really ran on (a cache hit runs none)."""
    monkeypatch.delenv("CLIENTGEN_NO_CACHE", raising=False)
    monkeypatch.setenv("CLIENTGEN_CACHE_DIR", str(tmp_path / "cache"))
    roots: list[str] = []
    original = validate.check_structure

    def counting(spec: LoadedSpec) -> None:
        roots.append(str(spec.root))
        original(spec)

    monkeypatch.setattr(validate, "check_structure", counting)
    return roots


def write(tmp_path: Path, text: str, name: str = "openapi.json") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def warnings(spec: LoadedSpec) -> list[tuple[Any, ...]]:
    return [(d.kind, d.file, d.line, d.pointer, d.message) for d in spec.diagnostics.items]


def same_json(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 is not 1.0, a list not a tuple)."""
    return json.dumps(a) == json.dumps(b) and type(a) is type(b) and (
        all(same_json(a[k], b[k]) for k in a) if isinstance(a, dict) else
        all(same_json(x, y) for x, y in zip(a, b, strict=True)) if isinstance(a, list)
        else True)


def test_a_second_load_is_served_from_the_cache_as_checked(
        tmp_path: Path, checks: list[str]) -> None:
    path = write(tmp_path, SPEC)
    first = load_spec(path, meta_schema=False)
    second = load_spec(path, meta_schema=False)
    assert len(checks) == 1
    assert warnings(second) == warnings(first)
    # The document is not stored: read, it is made again, the same, its warnings not
    # added twice.
    assert same_json(second.data, first.data) and len(checks) == 2
    assert second.data is second.data and len(checks) == 2  # made once
    assert warnings(second) == warnings(first)
    assert {w[0] for w in warnings(first)} == {"duplicate-key", "default-mismatch",
                                              "dangling-ref", "malformed-schema"}
    assert all(w[2] is not None for w in warnings(second))  # located, to the line
    assert (second.sha256, second.files, second.root) == (first.sha256, first.files,
                                                          first.root)
    assert first.fingerprint is not None and second.fingerprint == first.fingerprint


@pytest.mark.parametrize("name", ["bodies", "schemas", "parameters", "security"])
def test_the_fixtures_come_back_from_the_cache_unchanged(
        tmp_path: Path, checks: list[str], name: str) -> None:
    source = Fixture(name).spec
    path = write(tmp_path, source.read_text(), source.name)
    first = load_spec(path, meta_schema=False)
    second = load_spec(path, meta_schema=False)
    assert len(checks) == 1
    assert same_json(second.data, first.data) and warnings(second) == warnings(first)


def test_another_text_or_limit_is_checked_again(
        tmp_path: Path, checks: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, SPEC)
    load_spec(path, meta_schema=False)
    edited = load_spec(write(tmp_path, SPEC.replace('"default": 3', '"default": "x"')),
                       meta_schema=False)
    assert len(checks) == 2
    assert "default-mismatch" not in {d.kind for d in edited.diagnostics.items}
    monkeypatch.setattr(limits, "MAX_VALUES", 10)
    with pytest.raises(SpecError, match="more than 10 values"):
        load_spec(path, meta_schema=False)


def test_strict_mode_is_not_served_a_lenient_result(tmp_path: Path, checks: list[str]) -> None:
    path = write(tmp_path, SPEC)
    load_spec(path, meta_schema=False)
    for _ in range(2):
        with pytest.raises(StrictModeError):
            load_spec(path, meta_schema=False, strict=True)


def test_a_spec_that_references_other_files_is_not_cached(
        tmp_path: Path, checks: list[str]) -> None:
    folder = tmp_path / "spec"
    shutil.copytree(Fixture("multifile").spec.parent, folder)
    root = folder / Fixture("multifile").spec.name
    first = load_spec(root, meta_schema=False)
    load_spec(root, meta_schema=False)
    assert len(checks) == 2 and len(first.files) > 1 and first.fingerprint is None


def test_a_refused_reference_to_another_file_is_not_cached(
        tmp_path: Path, checks: list[str]) -> None:
    # Whether `other.json` exists decides the document: the text alone does not.
    text = SPEC.replace("#/components/schemas/Nobody", "other.json#/Thing")
    path = write(tmp_path, text)
    refused = load_spec(path, meta_schema=False)
    assert "refused-ref" in {d.kind for d in refused.diagnostics.items}
    assert refused.fingerprint is None
    write(tmp_path, '{"Thing": {"type": "string"}}', "other.json")
    again = load_spec(path, meta_schema=False)
    assert "refused-ref" not in {d.kind for d in again.diagnostics.items}
    assert len(checks) == 2


def test_a_yaml_document_with_aliases_is_not_cached(tmp_path: Path, checks: list[str]) -> None:
    text = ("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n"
            "  schemas:\n    A: &a {type: object, properties: {n: {type: string}}}\n"
            "    B: *a\n")
    path = write(tmp_path, text, "openapi.yaml")
    first = load_spec(path, meta_schema=False)
    load_spec(path, meta_schema=False)
    assert len(checks) == 2
    schemas = first.data["components"]["schemas"]
    assert schemas["A"] is schemas["B"]
    assert first.fingerprint is None  # nor are the later stages


def test_a_yaml_document_keeps_its_lines(tmp_path: Path, checks: list[str]) -> None:
    text = ("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n"
            "  schemas:\n    A:\n      type: string\n      default: 3\n")
    path = write(tmp_path, text, "openapi.yaml")
    first = load_spec(path, meta_schema=False)
    second = load_spec(path, meta_schema=False)
    assert len(checks) == 1
    assert warnings(second) == warnings(first)
    assert [w[2] for w in warnings(second)] == [8]


def test_a_damaged_entry_is_checked_again(tmp_path: Path, checks: list[str]) -> None:
    path = write(tmp_path, SPEC)
    first = load_spec(path, meta_schema=False)
    for entry in (tmp_path / "cache" / "checked").rglob("*"):
        if entry.is_file():
            entry.write_text('{"data": []}')
    again = load_spec(path, meta_schema=False)
    assert len(checks) == 2 and warnings(again) == warnings(first)


def test_a_run_whose_parse_is_cached_never_makes_the_document_again(
        tmp_path: Path, checks: list[str]) -> None:
    import dataclasses

    from generator.pipeline import build_files

    fixture = Fixture("schemas")
    spec = tmp_path / fixture.spec.name
    shutil.copy(fixture.spec, spec)
    config = dataclasses.replace(fixture.config(tmp_path / "out"), spec=spec)
    first, _, first_warnings = build_files(config)
    assert len(checks) == 1
    again, _, again_warnings = build_files(config)
    assert again == first and again_warnings == first_warnings
    assert len(checks) == 1  # neither loaded nor checked again
