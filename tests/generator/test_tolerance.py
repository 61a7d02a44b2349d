"""The input side of the tolerance policy, stage by stage: JSON read as JSON with its
lines, defects normalised with a located warning, unusable parts left out, validator
messages kept whole, reference cycles located."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.errors import SpecError
from generator.json_lines import scan
from generator.loader import load_spec
from generator.validate import _reason


def _load(tmp_path: Path, doc: dict[str, Any] | str, name: str = "openapi.json") -> Any:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=1))
    return load_spec(path, meta_schema=False)


def _doc(**schemas: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": schemas}}


def _warnings(spec: Any) -> list[tuple[str, str | None, str]]:
    return [(d.kind, d.pointer, d.message) for d in spec.diagnostics.items]


def test_json_lines_name_members_items_and_duplicates() -> None:
    text = '{\n "a": {\n  "b": [\n   1,\n   {"c": "x\\"y"}\n  ],\n  "b": 2\n }\n}\n'
    found = scan(text)
    assert found.lines["/a"] == 2
    assert found.lines["/a/b"] == 3
    assert found.lines["/a/b/1"] == 5
    assert found.lines["/a/b/1/c"] == 5
    assert found.duplicates == [("/a", "b", 7)]


def test_a_json_document_is_read_as_json(tmp_path: Path) -> None:
    # Raw C1 control characters, an escaped surrogate pair, an exponent and a 1,000-digit
    # integer: all valid JSON, none of it valid for a YAML reader.
    text = json.dumps(_doc(Thing={"type": "number", "description": "a\u0085b\u009fc",
                                  "maximum": "BIG", "multipleOf": "SMALL",
                                  "title": "EMOJI"}), ensure_ascii=False)
    text = (text.replace('"BIG"', "1" * 1000).replace('"SMALL"', "1e-2")
            .replace('"EMOJI"', '"\\ud83d\\ude00"'))
    spec = _load(tmp_path, text)
    thing = spec.data["components"]["schemas"]["Thing"]
    assert thing["description"] == "a\u0085b\u009fc"
    assert thing["maximum"] == int("1" * 1000)
    assert thing["multipleOf"] == 0.01
    assert thing["title"] == "\U0001f600"


def test_duplicate_keys_in_json_are_a_located_warning(tmp_path: Path) -> None:
    spec = _load(tmp_path, '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},\n'
                           ' "paths": {},\n "paths": {}}\n')
    assert [(d.kind, d.line, d.pointer) for d in spec.diagnostics.items] == [
        ("duplicate-key", 3, "")]


def test_versions_keywords_are_read_the_way_the_document_meant(tmp_path: Path) -> None:
    spec = _load(tmp_path, _doc(
        Thing={"type": "integer", "minimum": 1, "exclusiveMinimum": True},
        Maybe={"type": "string", "nullable": True}))
    schemas = spec.data["components"]["schemas"]
    assert schemas["Thing"] == {"type": "integer", "exclusiveMinimum": 1}
    assert schemas["Maybe"] == {"type": ["string", "null"]}
    assert {k for k, _, _ in _warnings(spec)} == {"version-keyword"}

    old = _doc(Thing={"type": "integer", "exclusiveMaximum": 9})
    old["openapi"] = "3.0.3"
    spec = _load(tmp_path, old, "old.json")
    assert spec.data["components"]["schemas"]["Thing"] == {
        "type": "integer", "maximum": 9, "exclusiveMaximum": True}


def test_duplicates_and_mismatched_defaults_are_normalised(tmp_path: Path) -> None:
    spec = _load(tmp_path, _doc(Thing={
        "type": "object", "required": ["a", "a"],
        "properties": {"a": {"type": "string", "enum": ["x", "y", "x"], "default": "z",
                             "example": 3}}}))
    thing = spec.data["components"]["schemas"]["Thing"]
    assert thing["required"] == ["a"]
    assert thing["properties"]["a"] == {"type": "string", "enum": ["x", "y"]}
    assert _warnings(spec) == [
        ("duplicate-required", "/components/schemas/Thing/required",
         "required lists 'a' more than once; kept once"),
        ("duplicate-enum", "/components/schemas/Thing/properties/a/enum",
         "enum lists 'x' more than once; kept once"),
        ("default-mismatch", "/components/schemas/Thing/properties/a/default",
         "default 'z' is not one of the enum's values; ignored"),
        ("example-mismatch", "/components/schemas/Thing/properties/a/example",
         "example 3 is not of type 'string'; ignored"),
    ]


def test_items_without_type_array_reads_as_any_value(tmp_path: Path) -> None:
    # JSON Schema: `items` constrains arrays only, so an object is valid here too.
    spec = _load(tmp_path, _doc(Thing={"type": "object", "properties": {
        "loose": {"items": {"type": "string"}},
        "list": {"type": "array", "items": {"type": "string"}}}}))
    properties = spec.data["components"]["schemas"]["Thing"]["properties"]
    assert properties["loose"] == {}
    assert properties["list"] == {"type": "array", "items": {"type": "string"}}
    assert _warnings(spec) == [
        ("items-without-type", "/components/schemas/Thing/properties/loose/items",
         "items without type: array constrains arrays only; read as any value")]


def test_a_cycle_of_refs_is_located_and_left_out(tmp_path: Path) -> None:
    spec = _load(tmp_path, _doc(A={"$ref": "#/components/schemas/B"},
                                B={"$ref": "#/components/schemas/A"}))
    (kind, pointer, message), = _warnings(spec)
    assert kind == "circular-ref"
    assert pointer in ("/components/schemas/A/$ref", "/components/schemas/B/$ref")
    assert "is part of a cycle of references that names no value" in message
    assert spec.diagnostics.items[0].line is not None


def test_strict_mode_raises_every_warning_at_once(tmp_path: Path) -> None:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(_doc(Thing={"type": "object", "required": ["a", "a"],
                                           "format": "weird"}), indent=1))
    with pytest.raises(SpecError) as raised:
        load_spec(path, meta_schema=False, strict=True)
    lines = str(raised.value).split("\nclientgen: error: ")
    assert [line.rsplit(" [", 1)[1] for line in lines] == ["duplicate-required]",
                                                           "unknown-format]"]


def test_an_operation_without_its_path_parameter_is_left_out_alone(tmp_path: Path) -> None:
    doc = _doc()
    ok = {"responses": {"200": {"description": "ok"}}}
    doc["paths"] = {"/a/{id}": {"get": ok}, "/b": {"get": ok}}
    spec = _load(tmp_path, doc)
    assert "get" not in spec.data["paths"]["/a/{id}"]
    assert "get" in spec.data["paths"]["/b"]
    assert _warnings(spec) == [("left-out", "/paths/~1a~1{id}/get",
                                "operation GET /a/{id} left out: path parameter 'id' is not "
                                "declared")]


def test_nothing_usable_left_is_an_error(tmp_path: Path) -> None:
    doc = _doc()
    doc["paths"] = {"/a/{id}": {"get": {"responses": {"200": {"description": "ok"}}}}}
    with pytest.raises(SpecError, match="none of the document's 1 operations can be generated"):
        _load(tmp_path, doc)


class _Error:
    def __init__(self, instance: Any, message: str) -> None:
        self.instance = instance
        self.message = message


def test_validator_messages_keep_their_reason() -> None:
    huge = {f"key{i}": "v" * 50 for i in range(200)}
    message = f"{huge!r} is not valid under any of the given schemas"
    reason = _reason(_Error(huge, message))
    assert reason.endswith(" is not valid under any of the given schemas")
    assert len(reason) < 300


def test_recursive_and_dynamic_refs_to_their_own_component_become_local_refs(
        tmp_path: Path) -> None:
    spec = _load(tmp_path, _doc(
        Filter={"$recursiveAnchor": True, "type": "object", "properties": {
            "filters": {"type": "array", "items": {"$recursiveRef": "#"}}}},
        Tree={"$dynamicAnchor": "node", "type": "object", "properties": {
            "children": {"type": "array", "items": {"$dynamicRef": "#node"}},
            "other": {"$dynamicRef": "#elsewhere"}}}))
    schemas = spec.data["components"]["schemas"]
    assert schemas["Filter"]["properties"]["filters"]["items"] == {
        "$ref": "#/components/schemas/Filter"}
    assert schemas["Tree"]["properties"]["children"]["items"] == {
        "$ref": "#/components/schemas/Tree"}
    assert schemas["Tree"]["properties"]["other"] == {}
    assert _warnings(spec) == [
        ("unfollowed-reference", "/components/schemas/Tree/properties/other/$dynamicRef",
         "$dynamicRef is not followed; the schema here accepts any value")]


def test_half_a_surrogate_pair_becomes_a_replacement_character(tmp_path: Path) -> None:
    text = json.dumps(_doc(Thing={"type": "string", "description": "SURROGATE"}), indent=1)
    spec = _load(tmp_path, text.replace("SURROGATE", "broken \\ud83d here"))
    assert spec.data["components"]["schemas"]["Thing"]["description"] == "broken \ufffd here"
    (warning,) = spec.diagnostics.items
    assert (warning.kind, warning.pointer, warning.line) == (
        "lone-surrogate", "/components/schemas/Thing/description", _line_of(text, "SURROGATE"))


@pytest.mark.parametrize("written, read", [
    ("\\ude00 \\ud83d", "\ufffd \ufffd"),  # a low half, then a high one: no pair
    ("\\ud83d\\ud83d\\ude00", "\ufffd\U0001f600"),  # a high half twice, then a low
    ("\\ud83d\\ude00\\ude00", "\U0001f600\ufffd"),  # one low half too many
    ("\\ud83d\\ude00 and \\ud83d", "\U0001f600 and \ufffd"),  # the last one alone
])
def test_every_half_pair_is_found_among_whole_ones(tmp_path: Path, written: str,
                                                   read: str) -> None:
    text = json.dumps(_doc(Thing={"type": "string", "description": "SURROGATE"}), indent=1)
    spec = _load(tmp_path, text.replace("SURROGATE", written))
    assert spec.data["components"]["schemas"]["Thing"]["description"] == read
    assert {w.kind for w in spec.diagnostics.items} == {"lone-surrogate"}


def test_whole_pairs_written_by_an_ascii_only_writer_read_as_their_characters(
        tmp_path: Path) -> None:
    # json.dumps escapes every non-ASCII character: an emoji becomes a pair of escapes.
    text = json.dumps(_doc(Thing={"type": "string", "description": "a \U0001f600 b \u00e9",
                                  "title": "\\ud83d is text here"}))
    assert "\\ud83d\\ude00" in text
    thing = _load(tmp_path, text).data["components"]["schemas"]["Thing"]
    assert thing["description"] == "a \U0001f600 b \u00e9"
    assert thing["title"] == "\\ud83d is text here"  # an escaped backslash, then text
    assert _load(tmp_path, text).diagnostics.items == []


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def _operation_doc(**operation: Any) -> dict[str, Any]:
    doc = _doc()
    doc["paths"] = {"/a/{id}": {"get": {
        "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok"}}, **operation}}}
    return doc


def test_parameters_are_read_as_openapi_says(tmp_path: Path) -> None:
    doc = _operation_doc()
    doc["paths"]["/a/{id}"]["get"]["parameters"].append(
        {"name": "Content-Type", "in": "header", "schema": {"type": "string"}})
    spec = _load(tmp_path, doc)
    (path_parameter,) = spec.data["paths"]["/a/{id}"]["get"]["parameters"]
    assert path_parameter["required"] is True
    assert [(k, p) for k, p, _ in _warnings(spec)] == [
        ("malformed", "/paths/~1a~1{id}/get/parameters/0"),
        ("ignored-parameter", "/paths/~1a~1{id}/get/parameters/1")]


def test_a_content_length_parameter_is_left_to_the_transport(tmp_path: Path) -> None:
    doc = _operation_doc()
    doc["paths"]["/a/{id}"]["get"]["parameters"].append(
        {"name": "Content-Length", "in": "header", "required": True,
         "schema": {"type": "number"}})
    spec = _load(tmp_path, doc)
    assert [p["name"] for p in spec.data["paths"]["/a/{id}"]["get"]["parameters"]] == ["id"]
    assert _warnings(spec)[-1] == (
        "ignored-parameter", "/paths/~1a~1{id}/get/parameters/1",
        "header parameter 'Content-Length' is ignored: the HTTP transport sets it from the "
        "body it sends")


def test_a_ref_to_something_that_is_not_an_object_is_left_out(tmp_path: Path) -> None:
    spec = _load(tmp_path, _doc(Thing={"type": "object", "properties": {
        "r": {"$ref": "#/info/title"}}}))
    assert spec.data["components"]["schemas"]["Thing"]["properties"]["r"] == {}
    assert _warnings(spec)[0][2].startswith(
        "$ref '#/info/title' points to a str, not an object; left out")


def test_a_security_scheme_that_is_not_a_mapping_is_ignored(tmp_path: Path) -> None:
    doc = _doc()
    doc["components"]["securitySchemes"] = {"odd": "bearer please", "key": {
        "type": "apiKey", "in": "header", "name": "x-key"}}
    spec = _load(tmp_path, doc)
    assert list(spec.data["components"]["securitySchemes"]) == ["key"]
    assert _warnings(spec) == [("malformed", "/components/securitySchemes/odd",
                                "security scheme 'odd' is not a mapping; ignored")]


def test_a_list_of_types_in_a_3_0_document_is_spelt_the_3_0_way(tmp_path: Path) -> None:
    doc = _doc(Maybe={"type": ["string", "null"]}, Many={"type": ["string", "integer"]})
    doc["openapi"] = "3.0.3"
    spec = _load(tmp_path, doc)
    schemas = spec.data["components"]["schemas"]
    assert schemas["Maybe"] == {"type": "string", "nullable": True}
    assert schemas["Many"] == {"type": ["string", "integer"]}
    assert [k for k, _, _ in _warnings(spec)] == ["version-keyword", "version-keyword"]


def test_a_null_keyword_is_ignored_and_a_null_default_kept(tmp_path: Path) -> None:
    spec = _load(tmp_path, _doc(Thing={"type": ["object", "null"], "properties": None,
                                       "required": None, "default": None}))
    assert spec.data["components"]["schemas"]["Thing"] == {"type": ["object", "null"],
                                                           "default": None}
    assert [(k, p) for k, p, _ in _warnings(spec)] == [
        ("malformed-schema", "/components/schemas/Thing/properties"),
        ("malformed-schema", "/components/schemas/Thing/required")]


def test_a_declared_tag_must_be_a_mapping_with_a_name(tmp_path: Path) -> None:
    doc = _doc()
    doc["tags"] = ["loose", {"description": "no name"}, {"name": "kept"}]
    spec = _load(tmp_path, doc)
    assert spec.data["tags"] == [{"name": "kept"}]
    assert [(k, p) for k, p, _ in _warnings(spec)] == [("malformed", "/tags/0"),
                                                       ("malformed", "/tags/1")]


def test_boolean_schemas_keep_their_meaning(tmp_path: Path) -> None:
    spec = _load(tmp_path, _doc(Thing={
        "type": "object", "additionalProperties": False,
        "properties": {"any": True, "none": False, "list": {"type": "array", "items": True}}}))
    thing = spec.data["components"]["schemas"]["Thing"]
    assert thing["additionalProperties"] is False  # read as a boolean by the model generator
    assert thing["properties"] == {"any": {}, "none": {"not": {}},
                                   "list": {"type": "array", "items": {}}}
    assert _warnings(spec) == []
