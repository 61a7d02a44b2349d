"""validate_body: everything wrong reported before sending, and fast."""

from __future__ import annotations

import json
from typing import Any

import pytest
from masivo_client._exceptions import RequestValidationError
from masivo_client._validation import encode_body, validate_body
from masivo_client.models import Contact, Gender, MigrateContactsRequest


def test_dicts_are_validated_and_dumped_as_json() -> None:
    body = validate_body(
        MigrateContactsRequest,
        {
            "contacts": [
                {
                    "external_id": "crm-1",
                    "created_at": "2023-11-07T05:31:56Z",
                    "dob": "1990-12-25",
                    "gender": "MALE",
                }
            ]
        },
    )
    assert body == {
        "contacts": [
            {
                "external_id": "crm-1",
                "created_at": "2023-11-07T05:31:56Z",
                "dob": "1990-12-25",
                "gender": "MALE",
            }
        ]
    }


def test_only_set_fields_are_sent_and_explicit_none_is_null() -> None:
    body = validate_body(
        MigrateContactsRequest, {"contacts": [{"email": "a@b.c", "deleted_at": None}]}
    )
    assert body == {"contacts": [{"email": "a@b.c", "deleted_at": None}]}


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
def test_model_instances_are_taken_as_they_are() -> None:
    # model_construct skips validation; if validate_body validated again, the bad
    # gender would be rejected
    unchecked = Contact.model_construct(external_id="crm-9", gender="NOT-A-GENDER")
    body = validate_body(MigrateContactsRequest, {"contacts": [unchecked]})
    assert body["contacts"][0]["gender"] == "NOT-A-GENDER"


def test_model_instances_mixed_with_dicts() -> None:
    body = validate_body(
        MigrateContactsRequest,
        {"contacts": [Contact(external_id="a", gender=Gender.FEMALE), {"external_id": "b"}]},
    )
    assert body == {"contacts": [{"external_id": "a", "gender": "FEMALE"}, {"external_id": "b"}]}


def test_a_whole_request_model_is_accepted() -> None:
    request = MigrateContactsRequest(contacts=[Contact(external_id="a")])
    assert validate_body(MigrateContactsRequest, request) == {"contacts": [{"external_id": "a"}]}


def test_every_bad_record_and_field_is_named() -> None:
    contacts: list[dict[str, Any]] = [{"external_id": str(i)} for i in range(6)]
    contacts[1]["gender"] = "M"
    contacts[3]["created_at"] = "2023-11-07T05:31:56"  # no timezone
    contacts[3]["emial"] = "typo@example.com"
    contacts[5]["addresses"] = [{"city": "X"}, {"zip": "03100"}]
    with pytest.raises(RequestValidationError) as info:
        validate_body(MigrateContactsRequest, {"contacts": contacts})
    err = info.value
    locations = [loc for loc, _ in err.errors]
    assert locations == [
        "contacts[1].gender",
        "contacts[3].created_at",
        "contacts[3].emial",
        "contacts[5].addresses[1].zip",
    ]
    lines = str(err).splitlines()
    assert lines[0] == "4 invalid values:"
    assert lines[1] == "  contacts[1].gender: Input should be 'MALE' or 'FEMALE' (got 'M')"
    assert lines[2].startswith("  contacts[3].created_at: Input should have timezone info")
    assert lines[3] == "  contacts[3].emial: Extra inputs are not permitted"
    assert err.validation_error is not None


def test_a_non_object_record() -> None:
    with pytest.raises(RequestValidationError) as info:
        validate_body(MigrateContactsRequest, {"contacts": [{"external_id": "a"}, 5]})
    assert str(info.value) == (
        "contacts[1]: Input should be a valid dictionary or instance of Contact (got 5)"
    )


def test_empty_list() -> None:
    with pytest.raises(RequestValidationError) as info:
        validate_body(MigrateContactsRequest, {"contacts": []})
    assert str(info.value) == "contacts: List should have at least 1 item, not 0"


def test_too_many_contacts() -> None:
    with pytest.raises(RequestValidationError) as info:
        validate_body(MigrateContactsRequest, {"contacts": [{}] * 10_001})
    assert str(info.value) == "contacts: List should have at most 10000 items, not 10001"


def test_missing_body_field() -> None:
    with pytest.raises(RequestValidationError) as info:
        validate_body(MigrateContactsRequest, {})
    assert str(info.value) == "contacts: Field required"


def test_extra_body_is_merged_last() -> None:
    body = validate_body(
        MigrateContactsRequest,
        {"contacts": [{"external_id": "a"}]},
        extra_body={"dry_run": True, "contacts": [{"raw": 1}]},
    )
    assert body == {"contacts": [{"raw": 1}], "dry_run": True}


def test_ten_thousand_contacts_validate_in_one_call() -> None:
    # How fast is measured by `make bench` (cpu per 10,000-contact batch), not here.
    contacts = [
        {
            "external_id": f"crm-{i}",
            "first_name": "Ana",
            "last_name": "García",
            "email": f"ana{i}@example.com",
            "created_at": "2023-11-07T05:31:56Z",
            "dob": "1990-12-25",
            "gender": "FEMALE",
            "tags": {"vip": True},
            "addresses": [{"street_1": "Insurgentes Sur", "city": "CDMX", "zip_code": "03100"}],
        }
        for i in range(10_000)
    ]
    body = validate_body(MigrateContactsRequest, {"contacts": contacts})
    assert len(body["contacts"]) == 10_000
    assert body["contacts"][9999]["email"] == "ana9999@example.com"
    assert body["contacts"][0]["addresses"] == [
        {"street_1": "Insurgentes Sur", "city": "CDMX", "zip_code": "03100"}
    ]


def test_a_pattern_mismatch_does_not_print_the_regex() -> None:
    from pydantic import BaseModel, Field

    class WithPattern(BaseModel):
        email: str = Field(pattern=r"^[^@]+@[^@]+\.[a-z]+$")

    with pytest.raises(RequestValidationError) as info:
        validate_body(WithPattern, {"email": "ana@@example"})
    assert (
        str(info.value) == "email: String does not match the expected format (got 'ana@@example')"
    )


def test_encoded_body_is_the_validated_body_as_compact_json() -> None:
    contacts = [
        {"external_id": "a", "first_name": "Zoë", "order": {"value": 20.95}},
        Contact(external_id="b", gender="FEMALE"),
    ]
    data = {"contacts": contacts}
    expected = json.dumps(
        validate_body(MigrateContactsRequest, data), ensure_ascii=False, separators=(",", ":")
    ).encode()
    assert encode_body(MigrateContactsRequest, data) == expected
    with_extra = encode_body(MigrateContactsRequest, data, extra_body={"dry": True})
    assert json.loads(with_extra) == {**json.loads(expected), "dry": True}


def test_encode_body_reports_bad_records_like_validate_body() -> None:
    with pytest.raises(RequestValidationError, match=r"contacts\[1\]\.email"):
        encode_body(MigrateContactsRequest, {"contacts": [{}, {"email": "nope"}]})
