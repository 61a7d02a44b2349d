"""Every instance a component schema accepts is accepted by its generated model, and the
model writes it back as JSON the schema still accepts and that equals the input.

Instances come from hypothesis-jsonschema, drawn from the schemas exactly as written in
spec/masivo.yaml (spec_schemas.py); "equals" is canonical.py's comparison.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
from canonical import canonical
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema
from masivo_client import models
from spec_schemas import CUSTOM_FORMATS, component_names, json_schema, validator

# Examples per schema (a third when every property is set, each example then being the
# biggest). The big nested schemas and the ones with free-form objects cost the most per
# example; these bounds keep the whole property suite under 30 s on two busy cores.
EXAMPLES = {"MigrateContactsRequest": 10, "Contact": 24, "Order": 20, "Product": 30,
            "Shipping": 30, "MigrateContactsResponse": 30}
DEFAULT_EXAMPLES = 45
SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                              HealthCheck.filter_too_much],
}


def model_of(name: str) -> Any:
    model = getattr(models, name, None)
    assert model is not None, f"the generated models lack {name}, a component schema of the spec"
    return model


def to_json(model: Any, value: Any) -> Any:
    """The model's JSON form, as the client sends it."""
    if isinstance(model, type) and issubclass(model, Enum):
        return model(value).value
    return model.model_validate(value).model_dump(mode="json", by_alias=True, exclude_unset=True)


def test_every_component_schema_has_a_model() -> None:
    assert component_names()
    for name in component_names():
        model_of(name)


def every_property_required(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with each of its own properties required: every draw sets all of them."""
    if "properties" not in schema:
        return schema
    return {**schema, "required": sorted(schema["properties"])}


@pytest.mark.parametrize("fields", ["as-written", "all-set"])
@pytest.mark.parametrize("name", component_names())
def test_schema_valid_instances_round_trip(name: str, fields: str) -> None:
    model = model_of(name)
    schema = json_schema(name)
    check = validator(name)
    draw_from = every_property_required(schema) if fields == "all-set" else schema
    examples = EXAMPLES.get(name, DEFAULT_EXAMPLES)
    if fields == "all-set":
        examples = max(examples // 3, 5)

    @settings(max_examples=examples, **SETTINGS)
    @given(from_schema(draw_from, custom_formats=CUSTOM_FORMATS))
    def round_trip(instance: Any) -> None:
        check.validate(instance)  # hypothesis-jsonschema drew a valid instance
        written = to_json(model, instance)
        errors = [e.message for e in check.iter_errors(written)]
        assert not errors, f"the model wrote JSON its schema refuses: {errors}"
        assert canonical(written, schema) == canonical(instance, schema)

    round_trip()


@pytest.mark.parametrize("size", [1, 10_000])
def test_contact_lists_round_trip_at_their_bounds(size: int) -> None:
    """1 and 10,000 contacts, the documented bounds, are accepted and written back."""
    contact = {"external_id": "crm-1", "email": "ana@example.com", "dob": "1990-12-25",
               "addresses": [{"city": "Monterrey"}], "order": {"value": 20.95}}
    body = {"contacts": [contact] * size}
    assert validator("MigrateContactsRequest").is_valid({"contacts": [contact]})
    assert to_json(models.MigrateContactsRequest, body) == body
