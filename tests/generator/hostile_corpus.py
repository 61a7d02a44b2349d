"""The hostile corpus: documents built to break the input side, each with the outcome
it must have (a located error, or a client and the warnings that say what was worked
around). Small cases are fixture files in tests/fixtures/hostile_input/; large ones
(100,000 nested arrays, a million-value enum) are built here, so the repository does
not carry megabytes of brackets."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hostile_input"

# A small valid document every built case starts from.
BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Hostile", "version": "1"},
    "paths": {"/things/{id}": {"get": {
        "operationId": "getThing",
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Thing"}}}}},
    }}},
    "components": {"schemas": {"Thing": {
        "type": "object", "properties": {"name": {"type": "string"}}}}},
}


def base() -> dict[str, Any]:
    return json.loads(json.dumps(BASE))


@dataclass(frozen=True)
class HostileCase:
    id: str
    write: Callable[[Path], Path]  # writes the spec into a folder, returns its path
    error: str | None = None  # the message (a regular expression) when the run must fail
    line: str | None = None  # the error's line: the first line holding this text
    pointer: str | None = None  # the error's pointer (a prefix, for very deep ones)
    warnings: tuple[str, ...] = field(default=())  # kinds a generated client must report
    strict: bool = False  # run with --strict


def fixture(name: str) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        target = folder / name
        target.write_bytes((FIXTURES / name).read_bytes())
        return target
    return write


def json_text(text: str | Callable[[], str], name: str = "openapi.json") -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        target = folder / name
        target.write_text(text() if callable(text) else text, encoding="utf-8")
        return target
    return write


def document(edit: Callable[[dict[str, Any]], None], *, indent: int | None = 1) -> Callable[
        [Path], Path]:
    def text() -> str:
        doc = base()
        edit(doc)
        return json.dumps(doc, indent=indent)
    return json_text(text)


def _schema(name: str, schema: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc["components"]["schemas"][name] = schema
    return edit


def _ref_cycle(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    schemas["A"] = {"$ref": "#/components/schemas/B"}
    schemas["B"] = {"$ref": "#/components/schemas/A"}
    schemas["Thing"]["properties"]["a"] = {"$ref": "#/components/schemas/A"}


def _nested_objects(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {"type": "object", "properties": {}}
    current = root
    for level in range(depth):
        inner: dict[str, Any] = {"type": "object", "properties": {}}
        current["properties"][f"p{level}"] = inner
        current = inner
    return root


def _symlinked_ref(folder: Path) -> Path:
    outside = folder.parent / f"{folder.name}-outside.yaml"
    outside.write_text("Secret: {type: string}\n")
    os.symlink(outside, folder / "shared.yaml")
    doc = base()
    doc["components"]["schemas"]["Thing"]["properties"]["s"] = {"$ref": "shared.yaml#/Secret"}
    target = folder / "openapi.json"
    target.write_text(json.dumps(doc, indent=1))
    return target


def _nul_ref(doc: dict[str, Any]) -> None:
    doc["components"]["schemas"]["Thing"]["properties"]["x"] = {"$ref": "x\u0000.yaml#/X"}


def _remote_ref(doc: dict[str, Any]) -> None:
    doc["components"]["schemas"]["Thing"]["properties"]["x"] = {
        "$ref": "http://127.0.0.1:9/x.json#/X"}


def _c1_and_emoji() -> str:
    text = json.dumps(base(), indent=1, ensure_ascii=True)
    # A C1 control character written raw, and an emoji written as an escaped surrogate pair.
    return text.replace('"Hostile"', '"Hostile \u0085 \\ud83d\\ude00"')


def _exponent_numbers(doc: dict[str, Any]) -> None:
    doc["components"]["schemas"]["Thing"]["properties"]["ratio"] = {
        "type": "number", "minimum": 0, "maximum": 1, "multipleOf": "MULTIPLE"}


def _exponent_text() -> str:
    doc = base()
    _exponent_numbers(doc)
    return json.dumps(doc, indent=1).replace('"MULTIPLE"', "1e-2")


def _big_integer_text(digits: int) -> str:
    doc = base()
    doc["components"]["schemas"]["Thing"]["properties"]["n"] = {
        "type": "integer", "maximum": "BIG"}
    return json.dumps(doc, indent=1).replace('"BIG"', "9" * digits)


CASES = [
    HostileCase("alias-bomb", fixture("alias_bomb.yaml"),
                error=r"the document holds more than 1,000,000 values \(YAML aliases count "
                      r"each time they are used\)", line=None, pointer="/x-"),
    HostileCase("self-referencing-alias", fixture("self_alias.yaml"),
                error="a YAML alias refers to a value that contains it", line="again:",
                pointer="/components/schemas/Loop/properties/again"),
    HostileCase("yaml-binary-tag", fixture("binary_tag.yaml"),
                error="YAML tag '!!binary' is not a JSON value", line="!!binary",
                pointer="/x-blob"),
    HostileCase("yaml-set-tag", fixture("set_tag.yaml"),
                error="YAML tag '!!set' is not a JSON value", line="!!set", pointer="/x-set"),
    HostileCase("yaml-timestamp-tag", fixture("timestamp_tag.yaml"),
                error="YAML tag '!!timestamp' is not a JSON value", line="!!timestamp",
                pointer="/x-when"),
    HostileCase("integer-of-5000-digits", json_text(lambda: _big_integer_text(5000)),
                error=r"an integer of 5000 digits \(more than 4300, Python's limit\)",
                line="9999", pointer="/components/schemas/Thing/properties/n/maximum"),
    HostileCase("100000-nested-arrays",
                json_text('{"openapi": "3.1.0",\n "x-deep": ' + "[" * 100_000 + "]" * 100_000
                          + "}\n"),
                error="values nest deeper than 100 levels", line="x-deep", pointer="/x-deep/0/0/0"),
    HostileCase("100000-nested-yaml-lists",
                json_text("openapi: 3.1.0\nx-deep: " + "[" * 100_000 + "]" * 100_000 + "\n",
                          "openapi.yaml"),
                error="values nest deeper than 100 levels", line="x-deep"),
    HostileCase("100-nested-object-schemas",
                document(_schema("Deep", _nested_objects(100))),
                error="values nest deeper than 100 levels",
                pointer="/components/schemas/Deep/properties/p0/properties/p1/"),
    HostileCase("million-value-enum",
                document(_schema("Big", {"type": "string",
                                         "enum": [f"v{i}" for i in range(1_000_000)]}),
                         indent=None),
                error="the document holds more than 1,000,000 values", line="openapi",
                pointer="/components/schemas/Big/enum/"),
    HostileCase("10000-value-enum",
                document(_schema("Big", {"type": "string",
                                         "enum": [f"v{i}" for i in range(10_000)]}),
                         indent=None),
                error=r"an enum of 10,000 values \(the limit is 5,000\)", line="openapi",
                pointer="/components/schemas/Big/enum"),
    # A reference our rules refuse: an error in strict mode, left out otherwise.
    HostileCase("nul-in-ref", document(_nul_ref), strict=True,
                error=r"\$ref 'x\\x00.yaml' holds a control character",
                pointer="/components/schemas/Thing/properties/x/$ref"),
    HostileCase("url-ref", document(_remote_ref), strict=True,
                error=r"\$ref 'http://127.0.0.1:9/x.json' points to a URL",
                pointer="/components/schemas/Thing/properties/x/$ref"),
    HostileCase("symlink-out-of-the-folder", _symlinked_ref, strict=True,
                error=r"\$ref 'shared.yaml' points outside the spec's folder",
                pointer="/components/schemas/Thing/properties/s/$ref"),
    HostileCase("nul-in-ref-lenient", document(_nul_ref), warnings=("refused-ref",)),
    HostileCase("url-ref-lenient", document(_remote_ref), warnings=("refused-ref",)),
    HostileCase("symlink-out-of-the-folder-lenient", _symlinked_ref,
                warnings=("refused-ref",)),
    HostileCase("cycle-of-local-refs", document(_ref_cycle), warnings=("circular-ref",)),
    HostileCase("reference-keywords", fixture("ref_keywords.yaml"),
                warnings=("ignored-identifier", "unfollowed-reference", "dangling-ref")),
    HostileCase("catastrophic-pattern-against-default",
                document(_schema("Slow", {"type": "string", "pattern": "^(a+)+$",
                                          "default": "a" * 60 + "!"}))),
    HostileCase("c1-control-and-escaped-surrogate-pair", json_text(_c1_and_emoji)),
    HostileCase("exponent-numbers", json_text(_exponent_text)),
    HostileCase("integer-of-300-digits", json_text(lambda: _big_integer_text(300))),
    HostileCase("tolerated-defects", fixture("tolerant.yaml"),
                warnings=("dangling-ref", "duplicate-tag", "duplicate-required",
                          "duplicate-enum", "version-keyword", "default-mismatch",
                          "unknown-format", "left-out")),
]
