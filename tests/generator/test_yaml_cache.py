"""A YAML document read before is taken from the cache as it was read (values, lines,
warnings); another text, a failure or a document with aliases is read again."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import loader, yaml_reader
from generator.errors import SpecError

SPEC = """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
components:
  schemas:
    Pet:
      type: object
      description: "a pet"
      properties:
        name: {type: string}
        name: {type: integer}
        born: {type: string, default: 2023-12-25}
        weight: {type: number, default: .inf}
"""


@pytest.fixture
def parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.delenv("CLIENTGEN_NO_CACHE", raising=False)
    monkeypatch.setenv("CLIENTGEN_CACHE_DIR", str(tmp_path / "cache"))
    texts: list[str] = []
    original = yaml_reader._parse_yaml

    def counting(text: str, *args: object) -> loader._File:
        texts.append(text)
        return original(text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(yaml_reader, "_parse_yaml", counting)
    return texts


def read(tmp_path: Path, text: str) -> loader._File:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return loader._read(path, "spec.yaml")


def test_a_second_read_is_served_from_the_cache_as_first_read(
        tmp_path: Path, parses: list[str]) -> None:
    first = read(tmp_path, SPEC)
    second = read(tmp_path, SPEC)
    assert len(parses) == 1
    assert second.data == first.data and second.yaml_lines == first.yaml_lines
    assert second.warnings == first.warnings and second.has_refs is first.has_refs is True
    assert {kind for kind, *_ in second.warnings} == {"duplicate-key"}
    assert second.data["components"]["schemas"]["Pet"]["properties"]["weight"][
        "default"] == float("inf")
    assert second.data["components"]["schemas"]["Pet"]["properties"]["born"][
        "default"] == "2023-12-25"
    assert second.line("/components/schemas/Pet/properties/born") == 20


def test_another_text_is_read_again(tmp_path: Path, parses: list[str]) -> None:
    read(tmp_path, SPEC)
    changed = read(tmp_path, SPEC.replace("type: object", "type: object\n      title: P"))
    assert len(parses) == 2
    assert changed.data["components"]["schemas"]["Pet"]["title"] == "P"


def test_a_document_with_aliases_is_not_cached(tmp_path: Path, parses: list[str]) -> None:
    text = SPEC.replace("      properties:", "      properties: &props") + "x-copy: *props\n"
    first = read(tmp_path, text)
    second = read(tmp_path, text)
    assert len(parses) == 2
    assert first.shared and second.shared
    assert second.data["x-copy"] is second.data["components"]["schemas"]["Pet"]["properties"]


def test_a_failure_is_not_cached(tmp_path: Path, parses: list[str]) -> None:
    for _ in range(2):
        with pytest.raises(SpecError, match="YAML tag"):
            read(tmp_path, SPEC + "x-when: !!timestamp 2023-12-25\n")


def test_a_damaged_entry_is_read_again(tmp_path: Path, parses: list[str]) -> None:
    first = read(tmp_path, SPEC)
    for entry in (tmp_path / "cache").rglob("*"):
        if entry.is_file():
            entry.write_text('{"data": 1}')
    assert read(tmp_path, SPEC).data == first.data
    assert len(parses) == 2


def test_a_root_alone_is_cached_with_its_checks_not_twice(
        tmp_path: Path, parses: list[str]) -> None:
    path = tmp_path / "openapi.yaml"
    path.write_text(SPEC)
    loader.load_spec(path, meta_schema=False)
    loader.load_spec(path, meta_schema=False)
    assert len(parses) == 1  # the second from the checked document's cache
    assert not (tmp_path / "cache" / "yaml").exists()


def test_a_root_referencing_other_files_and_those_files_are_cached(
        tmp_path: Path, parses: list[str]) -> None:
    (tmp_path / "pet.yaml").write_text("Pet:\n  type: object\n"
                                       "  properties: {name: {type: string}}\n")
    path = tmp_path / "openapi.yaml"
    path.write_text(SPEC.replace('"#/components/schemas/Pet"', '"pet.yaml#/Pet"'))
    first = loader.load_spec(path, meta_schema=False)
    second = loader.load_spec(path, meta_schema=False)
    assert len(parses) == 2  # each file once
    assert second.data == first.data and len(second.files) == 2
