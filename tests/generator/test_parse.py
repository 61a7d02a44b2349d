"""The API model built from the fixture specs: the naming and typing decisions the golden
trees show, asserted one by one so that a failure says which decision broke."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from goldens import Fixture

from generator import api
from generator.loader import load_spec
from generator.parse import ParsedSpec, parse


@cache
def parsed(name: str) -> ParsedSpec:
    return parse(load_spec(Fixture(name).spec),
                 {"package": f"{name}_client", "client_name": name.title(),
                  "env_prefix": name.upper()})


def operation(name: str, resource: str, method: str) -> api.Operation:
    (found,) = [o for r in parsed(name).api.resources if r.attribute == resource
                for o in r.operations if o.name == method]
    return found


def test_path_parameters_are_positional_in_url_order() -> None:
    op = operation("parameters", "items", "get_item")
    assert op.path == "/stores/{store_id}/items/{itemId}"
    assert [p.name for p in op.params_in("path")] == ["store_id", "item_id"]


def test_names_that_clash_get_a_suffix() -> None:
    items = {o.operation_id: o for r in parsed("parameters").api.resources
             for o in r.operations}
    assert items["list"].name == "list"
    assert items["List"].name == "list_2"  # same snake name, same resource
    assert items["str"].name == "str_2"  # would shadow `str` in the class's annotations
    arguments = {p.wire_name: p.name for p in items["str"].parameters}
    assert arguments["isinstance"] == "isinstance_2"  # the method body calls isinstance()
    assert arguments["dict"] == "dict_2"
    query = {p.wire_name: p.name for p in items["list"].parameters}
    assert query["timeout"] == "timeout_2"  # the per-call option keeps its name
    assert query["class"] == "class_"


def test_a_tag_named_like_a_keyword_is_a_usable_attribute() -> None:
    resources = {r.tag: r for r in parsed("parameters").api.resources}
    assert (resources["import"].attribute, resources["import"].class_name) == (
        "import_", "Import")


def test_schemas_named_like_imports_are_renamed_without_underscores() -> None:
    names = set(parsed("schemas").api.schema_names)
    assert {"Field2", "BaseModel2", "Operation2", "Query2", "Schemas2",
            "NotFoundError2"} <= names
    assert not names & {"Field", "BaseModel", "Operation", "Query", "Schemas",
                        "NotFoundError"}
    assert not any("_" in n for n in names)


def test_a_bare_array_response_is_parsed_not_dropped() -> None:
    op = operation("schemas", "pets", "list_pets")
    assert op.success_model == "ListPetsResponse"
    schema = parsed("schemas").schema_document["components"]["schemas"]["ListPetsResponse"]
    assert schema == {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}


def test_models_used_lists_every_model_of_a_union_and_no_typing_names() -> None:
    op = operation("schemas", "pets", "create_owner")
    assert set(op.models_used) == {"BaseModel2", "Color", "Operation2", "Owner", "Pet",
                                   "Query2"}
    item = operation("parameters", "items", "get_item")
    assert "UUID" not in item.models_used


def test_models_used_lists_the_models_of_every_answer() -> None:
    # An operation with several 2xx answers returns `A | B | None`: each model must be
    # imported by the resource module (GitHub's stats endpoints answer 200 and 202).
    op = operation("schemas", "pets", "list_pets")
    both = replace(op, returns="ListPetsResponse | PetPage2 | None")
    assert {"ListPetsResponse", "PetPage2"} <= set(both.models_used)


def test_a_non_finite_default_is_kept_for_pyrepr() -> None:
    op = operation("parameters", "items", "str_2")
    (ratio,) = [p for p in op.parameters if p.wire_name == "ratio"]
    assert ratio.default == float("inf")


MINIMAL = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /a:
    post:
      operationId: a
      x-rate-limit: 5 per second
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                items: {type: array, maxItems: 3, items: {$ref: '#/components/schemas/I'}}
                match: {type: string}
                type: {type: string}
      responses:
        200:
          description: an unquoted status code
          content:
            application/json:
              schema: {type: object, properties: {on: {type: boolean}}}
components:
  schemas:
    I: {type: object, properties: {x: {type: string}}}
"""


@pytest.fixture
def minimal(tmp_path: Path) -> ParsedSpec:
    (tmp_path / "openapi.yaml").write_text(MINIMAL)
    return parse(load_spec(tmp_path / "openapi.yaml"),
                 {"package": "m", "client_name": "M", "env_prefix": "M"})


def test_yaml_keys_are_strings_as_in_json(minimal: ParsedSpec) -> None:
    """`200:` is the status "200" and `on:` the property "on", not an int and a bool."""
    (resource,) = minimal.api.resources
    (op,) = resource.operations
    assert [r.status for r in op.responses] == ["200"]
    response: dict[str, Any] = minimal.schema_document["components"]["schemas"]["AResponse"]
    assert list(response["properties"]) == ["on"]


def test_an_extension_of_the_wrong_shape_is_ignored(minimal: ParsedSpec) -> None:
    (resource,) = minimal.api.resources
    (op,) = resource.operations
    assert op.bulk is not None and op.bulk.min_interval_seconds is None


def test_soft_keywords_stay_as_they_are(minimal: ParsedSpec) -> None:
    (resource,) = minimal.api.resources
    (op,) = resource.operations
    assert op.body is not None
    assert [f.name for f in op.body.fields] == ["items", "match", "type"]


UNION_BODY = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /records:
    post:
      operationId: createRecord
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [type]
              properties:
                type: {type: string, enum: [A, MX]}
              anyOf:
                - {type: object, required: [type, value], properties: {value: {type: string}}}
                - {type: object, required: [type, priority],
                   properties: {priority: {type: integer}}}
      responses:
        '204': {description: created}
"""


def test_a_union_body_beside_properties_is_taken_whole(tmp_path: Path) -> None:
    # Arguments for the shared `type` alone could never pass `value` or `priority`.
    (tmp_path / "openapi.yaml").write_text(UNION_BODY)
    parsed = parse(load_spec(tmp_path / "openapi.yaml"),
                   {"package": "u", "client_name": "U", "env_prefix": "U"})
    ((op,),) = [r.operations for r in parsed.api.resources]
    assert op.body is not None
    assert op.body.fields == ()  # one `body` argument: the whole JSON object
    assert op.body.type_hint == "Mapping[str, Any]"


def _containers(value: Any) -> list[Any]:
    """Every dict and list inside `value`."""
    if isinstance(value, dict):
        return [value, *(c for item in value.values() for c in _containers(item))]
    if isinstance(value, list):
        return [value, *(c for item in value for c in _containers(item))]
    return []


@pytest.mark.parametrize("name", ["bodies", "schemas", "parameters"])
def test_parsing_leaves_the_document_as_read_and_shares_nothing_with_the_models(
        name: str) -> None:
    # The meta-schema check may read the document after the models were made from it.
    spec = load_spec(Fixture(name).spec)
    before = json.dumps(spec.data)
    result = parse(spec, {"package": f"{name}_client", "client_name": name.title(),
                          "env_prefix": name.upper()})
    assert json.dumps(spec.data) == before
    document = {id(c) for c in _containers(spec.data)}
    assert not any(id(c) in document for c in _containers(result.schema_document))
    refs = [c["$ref"] for c in _containers(result.schema_document)
            if isinstance(c, dict) and isinstance(c.get("$ref"), str)]
    assert (refs or name == "bodies") and all(r.removeprefix("#/components/schemas/")
                        in result.schema_document["components"]["schemas"] for r in refs)
