"""Instances a component schema refuses are refused by its model, with an error naming
the field: wrong JSON types, contact counts outside 1..10,000, malformed `date`,
`date-time`, `uuid` and `email` strings, and unknown values of the strict enumerations
(Gender, ContactStatus, PaymentMethod). `Payment.method` is the open enumeration: any
string is accepted and written back unchanged.

The property tests check the schema's verdict too, so a case the schema would accept
can never pass as "refused".
"""

from __future__ import annotations

import copy
import datetime
import string
import uuid
from enum import Enum
from typing import Any

import pydantic
import pytest
from canonical import canonical
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from masivo_client import models
from spec_schemas import (
    CUSTOM_FORMATS,
    component_names,
    json_schema,
    spec_document,
    validator,
)

SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                              HealthCheck.filter_too_much],
}
JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")


def refusal(model: Any, instance: Any) -> pydantic.ValidationError:
    """The model's ValidationError for `instance`; fails if the model accepts it."""
    try:
        if isinstance(model, type) and issubclass(model, Enum):
            pydantic.TypeAdapter(model).validate_python(instance)
        else:
            model.model_validate(instance)
    except pydantic.ValidationError as exc:
        return exc
    pytest.fail(f"{getattr(model, '__name__', model)} accepted {instance!r}, "
                "which its schema refuses")


def fields_named(error: pydantic.ValidationError) -> set[str]:
    """The top-level fields the errors are about."""
    return {str(e["loc"][0]) if e["loc"] else "" for e in error.errors()}


# -- wrong JSON types -------------------------------------------------------------------

def admitted_types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a (self-contained) schema lets through; every type if it says none."""
    if "anyOf" in schema or "oneOf" in schema:
        branches = schema.get("anyOf", []) + schema.get("oneOf", [])
        return set().union(*(admitted_types(b) for b in branches))
    if "enum" in schema:
        names = {bool: "boolean", int: "integer", float: "number", str: "string",
                 list: "array", dict: "object", type(None): "null"}
        return {names[type(v)] for v in schema["enum"]}
    declared = schema.get("type")
    if declared is None:
        return set(JSON_TYPES)
    types = {declared} if isinstance(declared, str) else set(declared)
    if "number" in types:
        types.add("integer")
    return types


SCALARS = st.one_of(st.integers(), st.text(max_size=5), st.booleans())
WRONG_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "boolean": st.booleans(),
    "integer": st.integers(),
    # 2.0 is an integer to JSON Schema: only non-integral numbers are wrong for `integer`.
    "number": st.floats(allow_nan=False, allow_infinity=False).filter(
        lambda x: not x.is_integer()),
    "string": st.text(max_size=10),
    "array": st.lists(SCALARS, max_size=3),
    "object": st.dictionaries(st.text(max_size=5), SCALARS, max_size=3),
}


def properties_of(name: str) -> dict[str, dict[str, Any]]:
    return dict(json_schema(name).get("properties", {}))


def required_of(name: str) -> list[str]:
    return list(json_schema(name).get("required", []))


OBJECT_COMPONENTS = [n for n in component_names() if properties_of(n)]
ENUM_COMPONENTS = [n for n in component_names() if "enum" in json_schema(n)]


def test_components_are_objects_or_enumerations() -> None:
    assert sorted(OBJECT_COMPONENTS + ENUM_COMPONENTS) == component_names()


# Deliberate: pydantic reads a number given for a `date` or `date-time` field as Unix
# time and the client sends the RFC 3339 string, which the schema accepts (see
# test_numbers_for_dates_are_read_as_unix_time). Refusing them needs a runtime type.
TIME_FORMATS = ("date", "date-time")


def wrong_value(prop_schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    # null is left out here: test_null_where_the_spec_forbids_it covers it.
    wrong = [t for t in WRONG_VALUES if t not in admitted_types(prop_schema)]
    if prop_schema.get("format") in TIME_FORMATS:
        wrong = [t for t in wrong if t not in ("integer", "number")]
    return st.one_of(*(WRONG_VALUES[t] for t in wrong)) if wrong else st.nothing()


@pytest.mark.parametrize("name", OBJECT_COMPONENTS)
def test_wrong_json_types_are_refused_naming_the_field(name: str) -> None:
    model = getattr(models, name)
    props = properties_of(name)
    check = validator(name)

    @settings(max_examples=40, **SETTINGS)
    @given(st.sampled_from(sorted(props)), st.data())
    def wrong_type(field: str, data: st.DataObject) -> None:
        value = data.draw(wrong_value(props[field]), label=f"wrong value for {field}")
        bad = {**_minimal(name), field: value}
        assert not check.is_valid(bad)
        assert fields_named(refusal(model, bad)) == {field}

    wrong_type()


@settings(max_examples=40, **SETTINGS)
@given(st.sampled_from(["created_at", "updated_at", "deleted_at", "dob"]),
       st.integers(0, 4_102_444_800 // 86_400).map(lambda days: days * 86_400))
@example("dob", 0)
def test_numbers_for_dates_are_read_as_unix_time(field: str, seconds: int) -> None:
    """The one wrong type the models take on purpose, and what they make of it."""
    instance = {field: seconds}
    assert not validator("Contact").is_valid(instance)
    written = models.Contact.model_validate(instance).model_dump(
        mode="json", by_alias=True, exclude_unset=True)
    assert validator("Contact").is_valid(written)
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    expected = moment.date().isoformat() if field == "dob" else moment
    actual = written[field] if field == "dob" else datetime.datetime.fromisoformat(
        written[field])
    assert actual == expected


@pytest.mark.parametrize("name", ENUM_COMPONENTS)
def test_enumerations_refuse_other_types(name: str) -> None:
    model = getattr(models, name)
    check = validator(name)

    @settings(max_examples=40, **SETTINGS)
    @given(st.one_of(*(WRONG_VALUES[t] for t in WRONG_VALUES if t != "string")))
    def wrong_type(value: Any) -> None:
        assert not check.is_valid(value)
        refusal(model, value)

    wrong_type()


NULLABLE = {(n, p) for n in OBJECT_COMPONENTS for p, s in properties_of(n).items()
            if "null" in admitted_types(s)}


# Request fields the reference documents as nullable; response fields may all be.
NULLABLE_IN_REQUESTS = {
    ("Contact", "deleted_at"), ("ContactInput", "deleted_at"), ("ContactUpdate", "deleted_at"),
    ("ReferralCodeRequest", "brand_id"), ("RedeemCouponRequest", "brand_id"),
    ("RewardInsert", "brand_id"), ("RewardInsert", "platforms"), ("CampaignInsert", "brand_id"),
}


def _is_request(name: str) -> bool:
    return json_schema(name).get("additionalProperties") is False or name.endswith("Insert")


def test_request_fields_are_nullable_only_where_documented() -> None:
    assert {(n, p) for n, p in NULLABLE if _is_request(n)} == NULLABLE_IN_REQUESTS


@pytest.mark.parametrize(("name", "field"), sorted(NULLABLE))
def test_null_is_accepted_where_the_spec_allows_it(name: str, field: str) -> None:
    written = getattr(models, name).model_validate({**_minimal(name), field: None}).model_dump(
        mode="json", by_alias=True, exclude_unset=True)
    assert written[field] is None
    assert validator(name).is_valid(written)


def test_null_where_the_spec_forbids_it() -> None:
    """Closed (request) models refuse null in an optional, non-nullable field, naming it;
    open (response) models read it leniently: a server's null must not break a read."""
    refused, accepted = [], []
    for name in OBJECT_COMPONENTS:
        closed = json_schema(name).get("additionalProperties") is False
        for field in properties_of(name):
            if (name, field) in NULLABLE:
                continue
            instance = {**_minimal(name), field: None}
            assert not validator(name).is_valid(instance)
            try:
                getattr(models, name).model_validate(instance)
            except pydantic.ValidationError as exc:
                assert fields_named(exc) == {field}
                refused.append((closed, f"{name}.{field}"))
            else:
                accepted.append((closed, f"{name}.{field}"))
    assert refused
    assert [f for closed, f in accepted if closed] == []
    optional_open = {f"{name}.{field}" for name in OBJECT_COMPONENTS
                     if json_schema(name).get("additionalProperties") is not False
                     for field in properties_of(name) if field not in required_of(name)}
    assert {f for closed, f in refused if not closed} & optional_open == set()
    assert "Error.details" in {f for _, f in accepted}


_SAMPLE_FORMATS = {"date": "2024-01-02", "date-time": "2024-01-02T03:04:05Z",
                   "uuid": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "email": "a@example.com"}


def _minimal_value(schema: dict[str, Any]) -> Any:
    """The smallest valid value of a self-contained schema: required fields only, the
    fewest array items, the first enum member, a sample for each format."""
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return _minimal_value(schema["anyOf"][0])
    declared = schema.get("type", "object")
    kind = declared if isinstance(declared, str) else next(t for t in declared if t != "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {field: _minimal_value(properties[field]) for field in schema.get("required", [])}
    if kind == "array":
        return [_minimal_value(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        if "format" in schema:
            return _SAMPLE_FORMATS[schema["format"]]
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).example()
        return "x" * schema.get("minLength", 0)
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    return False if kind == "boolean" else None


def _minimal(name: str) -> dict[str, Any]:
    """The smallest valid instance: the spec's required fields, nothing else."""
    minimal = _minimal_value(json_schema(name))
    assert validator(name).is_valid(minimal)
    assert set(required_of(name)) <= set(minimal)
    return copy.deepcopy(minimal)


# -- counts -----------------------------------------------------------------------------

@pytest.mark.parametrize("count", [0, 10_001])
def test_contact_counts_outside_the_documented_bounds_are_refused(count: int) -> None:
    body = {"contacts": [{}] * count}
    assert not validator("MigrateContactsRequest").is_valid(body)
    error = refusal(models.MigrateContactsRequest, body)
    assert fields_named(error) == {"contacts"}
    assert error.errors()[0]["type"] == ("too_short" if count == 0 else "too_long")


def test_the_documented_bounds_match_the_spec() -> None:
    contacts = json_schema("MigrateContactsRequest")["properties"]["contacts"]
    assert (contacts["minItems"], contacts["maxItems"]) == (1, 10_000)


# -- formats ----------------------------------------------------------------------------

# (component, field, format) for one field of every format the spec uses
FORMAT_FIELDS = [
    ("Contact", "dob", "date"),
    ("Contact", "created_at", "date-time"),
    ("Contact", "email", "email"),
    ("Redeem", "id", "uuid"),
]
EDIT_ALPHABET = string.ascii_letters + string.digits + "-:.,+@ TZtz_/{}\n"


def test_format_fields_cover_every_format_of_the_spec() -> None:
    used: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("format"), str):
                used.add(node["format"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec_document()["components"]["schemas"])
    assert used == {fmt for _, _, fmt in FORMAT_FIELDS}


RESPELLINGS: dict[str, list[Any]] = {
    "uuid": [str.upper, lambda u: u.replace("-", ""), "{{{}}}".format, "urn:uuid:{}".format],
    "date-time": [lambda t: t.replace("T", " ", 1), lambda t: t.replace("+00:00", "+0000")],
}


@st.composite
def near_misses(draw: st.DrawFn, fmt: str) -> str:
    """A valid string of the format, maybe respelt, with zero to three characters
    inserted, removed or replaced: most are invalid, some still valid."""
    text = draw(from_schema({"type": "string", "format": fmt}, custom_formats=CUSTOM_FORMATS))
    respell = draw(st.sampled_from([None, *RESPELLINGS.get(fmt, [])]))
    if respell is not None:
        text = respell(text)
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "replace"]))
        char = draw(st.sampled_from(EDIT_ALPHABET))
        if edit == "insert":
            text = text[:where] + char + text[where:]
        elif edit == "delete":
            text = text[:where] + text[where + 1:]
        else:
            text = text[:where] + char + text[where + 1:]
    return text


def same_value_respelt(fmt: str, given: str, written: str) -> bool:
    """Whether `given`, which the schema refuses, is another standard spelling of the
    value the model wrote: an ISO 8601 date or date-time that Python reads (a space
    for the T, no seconds, +0000, or a date at midnight), or a UUID that Python reads
    (no hyphens, braces, a urn:uuid: prefix). Email addresses have no such leniency."""
    try:
        if fmt == "uuid":
            return uuid.UUID(given) == uuid.UUID(written)
        if fmt == "date-time":
            moment = datetime.datetime.fromisoformat(given.upper())
            parsed = datetime.datetime.fromisoformat(written)
            return (moment, moment.utcoffset()) == (parsed, parsed.utcoffset())
        if fmt == "date":
            moment = datetime.datetime.fromisoformat(given)
            return moment.time() == datetime.time() and moment.date().isoformat() == written
    except ValueError:
        return False
    return False


@pytest.mark.parametrize(("name", "field", "fmt"), FORMAT_FIELDS,
                         ids=[fmt for _, _, fmt in FORMAT_FIELDS])
def test_format_verdicts_of_model_and_schema_agree(name: str, field: str, fmt: str) -> None:
    """On near misses of valid values the model follows the schema: it accepts what the
    schema accepts, writing back the same value; it refuses what the schema refuses,
    naming the field, except other standard spellings of a valid value (deliberate,
    see same_value_respelt), which it rewrites in the schema's form."""
    model = getattr(models, name)
    check = validator(name)
    field_schema = properties_of(name)[field]

    @settings(max_examples=100, **SETTINGS)
    @given(near_misses(fmt))
    def agree(value: str) -> None:
        instance = {field: value}
        try:
            written = model.model_validate(instance).model_dump(
                mode="json", by_alias=True, exclude_unset=True)
        except pydantic.ValidationError as exc:
            assert not check.is_valid(instance), f"the model refused {value!r}: {exc}"
            assert fields_named(exc) == {field}
            return
        assert check.is_valid(written), f"the model wrote {written!r}, which the schema refuses"
        if check.is_valid(instance):
            assert canonical(written[field], field_schema) == canonical(value, field_schema)
        else:
            assert same_value_respelt(fmt, value, written[field]), (
                f"the model accepted {value!r}, which the schema refuses")

    agree()


# -- enumerations -----------------------------------------------------------------------

STRICT_ENUM_FIELDS = [
    ("Contact", "gender", "Gender"), ("Contact", "status", "ContactStatus"),
    ("ContactInput", "gender", "Gender"), ("ContactInput", "status", "ContactStatus"),
    ("ContactUpdate", "gender", "Gender"), ("ContactUpdate", "status", "ContactStatus"),
    ("CustomerRegistration", "gender", "Gender"),
    ("CustomerRegistration", "status", "ContactStatus"),
    ("CustomerUpdate", "gender", "Gender"), ("MigratedCustomer", "gender", "Gender"),
    ("MigratedTransaction", "type", "TransactionType"),
    ("Order", "payment_method", "PaymentMethod"), ("RewardInsert", "type", "RewardType"),
]


def test_strict_enum_fields_are_the_ones_the_spec_types_by_an_enumeration() -> None:
    schemas = spec_document()["components"]["schemas"]
    found = {
        (name, field, prop["$ref"].rsplit("/", 1)[-1])
        for name, schema in schemas.items()
        for field, prop in schema.get("properties", {}).items()
        if "$ref" in prop and "enum" in schemas[prop["$ref"].rsplit("/", 1)[-1]]
    }
    assert found == set(STRICT_ENUM_FIELDS)


@pytest.mark.parametrize(("name", "field", "enum"), STRICT_ENUM_FIELDS,
                         ids=[f"{n}.{f}" for n, f, _ in STRICT_ENUM_FIELDS])
def test_unknown_values_of_strict_enumerations_are_refused(
    name: str, field: str, enum: str
) -> None:
    model = getattr(models, name)
    known = json_schema(enum)["enum"]

    @settings(max_examples=50, **SETTINGS)
    @given(st.text(max_size=15))
    @example("female")  # case matters
    @example("OTHER")
    @example("")
    def unknown(value: str) -> None:
        assume(value not in known)
        instance = {**_minimal(name), field: value}
        assert not validator(name).is_valid(instance)
        assert fields_named(refusal(model, instance)) == {field}
        refusal(getattr(models, enum), value)

    unknown()


@settings(max_examples=80, **SETTINGS)
@given(st.one_of(st.text(max_size=20), st.sampled_from(json_schema("PaymentMethod")["enum"])))
@example("PAYPAL")
@example("credit")
def test_open_payment_method_accepts_any_string_unchanged(value: str) -> None:
    assert validator("Payment").is_valid({"method": value})
    payment = models.Payment.model_validate({"method": value})
    written = payment.model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert written == {"method": value}
    if value in json_schema("PaymentMethod")["enum"]:
        assert payment.method == models.PaymentMethod(value)
