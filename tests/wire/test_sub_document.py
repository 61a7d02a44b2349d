"""The sample of a large document and the sub-document Prism mocks for it."""

from __future__ import annotations

from typing import Any

from sub_document import operations, sample, sub_document


def _document(count: int) -> dict[str, Any]:
    paths: dict[str, Any] = {
        f"/things/{i:03}": {"get": {"responses": {"200": {"description": "ok"}}}}
        for i in range(count)}
    paths["/things/000"]["parameters"] = [{"$ref": "#/components/parameters/Id"}]
    paths["/things/001"]["get"]["responses"]["200"] = {"$ref": "#/components/responses/Pet"}
    paths["/things/002"]["get"]["security"] = [{"key": []}]
    paths["/z-last"] = {"delete": {"responses": {"204": {"description": "gone"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {
            "parameters": {"Id": {"name": "id", "in": "query", "schema": {"type": "string"}}},
            "responses": {"Pet": {"description": "a pet", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Pet"}}}}},
            "schemas": {
                "Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}],
                        "discriminator": {"propertyName": "kind", "mapping": {
                            "cat": "Cat", "dog": "#/components/schemas/Dog"}}},
                "Cat": {"type": "object", "properties": {
                    "friend": {"$ref": "#/components/schemas/Pet/oneOf/0"}}},
                "Dog": {"type": "object"},
                "Unused": {"type": "object"},
            },
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "k"},
                                "other": {"type": "http", "scheme": "basic"}},
        },
    }


def test_the_sample_is_every_kth_operation_and_every_method() -> None:
    document = _document(200)
    chosen = sample(document, size=60)
    every = operations(document)
    assert len(chosen) >= 60
    assert chosen[:3] == [every[0], every[3], every[6]]  # stride 201 // 60 = 3
    assert ("delete", "/z-last") in chosen  # the stride misses it; its method is new
    assert chosen == sample(document, size=60)  # the same choice on every run


def test_a_small_document_is_sampled_whole() -> None:
    document = _document(10)
    assert sample(document, size=60) == operations(document)


def test_the_sub_document_holds_what_the_sample_references_and_nothing_else() -> None:
    document = _document(5)
    sub = sub_document(document, [("get", "/things/000"), ("get", "/things/001"),
                                  ("get", "/things/002")])
    assert sorted(sub["paths"]) == ["/things/000", "/things/001", "/things/002"]
    assert sub["paths"]["/things/000"]["parameters"] == [
        {"$ref": "#/components/parameters/Id"}]  # path-level fields kept
    components = sub["components"]
    assert set(components["parameters"]) == {"Id"}
    assert set(components["responses"]) == {"Pet"}
    # Transitively, through a pointer into a schema and both forms of mapping target.
    assert set(components["schemas"]) == {"Pet", "Cat", "Dog"}
    assert set(components["securitySchemes"]) == {"key"}
    assert sub["info"] == document["info"]
    assert document["components"]["schemas"]["Unused"] == {"type": "object"}  # untouched
