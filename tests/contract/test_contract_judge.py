"""The judge judges: requests the spec forbids, sent with plain httpx, are refused by Prism.

Each bad request differs from a good one in one thing, and Prism must name that thing.
The same bad contacts given to the generated client are refused before anything is
sent, naming the same field: the client and Prism agree on what the spec forbids.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import yaml
from contract_data import (
    ACCOUNT_ID,
    API_KEY,
    FULL_CONTACT,
    FULL_CUSTOMER,
    MIGRATED_EVENT,
    MIGRATED_TRANSACTION,
    TOKEN,
)
from masivo_client import Masivo, RequestValidationError
from prism_server import SPEC, Prism, violations

pytestmark = pytest.mark.prism

GOOD_HEADERS = {"authorization": f"Bearer {TOKEN}", "x-account-id": ACCOUNT_ID}


def migrate(prism: Prism, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(f"{prism.base_url}/contacts/migrate", json=body,
                      headers=GOOD_HEADERS if headers is None else headers)


@contextmanager
def recording_client(prism: Prism) -> Iterator[tuple[Masivo, list[httpx.Request]]]:
    """A client of Prism and the list of the requests it sends."""
    sent: list[httpx.Request] = []
    with (httpx.Client(event_hooks={"request": [sent.append]}) as http,
          Masivo(token=TOKEN, account_id=ACCOUNT_ID, base_url=prism.base_url,
                 http_client=http) as client):
        yield client, sent


def with_change(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    """FULL_CONTACT with the value at `path` replaced (or added)."""
    contact = copy.deepcopy(FULL_CONTACT)
    target: Any = contact
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return contact


def test_a_good_request_passes(prism: Prism) -> None:
    response = migrate(prism, {"contacts": [FULL_CONTACT]})
    assert response.status_code == 201, violations(response)
    assert violations(response) == []


def test_missing_account_header_is_refused(prism: Prism) -> None:
    response = migrate(prism, {"contacts": [FULL_CONTACT]},
                       headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 422
    assert any("x-account-id" in v for v in violations(response)), violations(response)


def test_missing_bearer_token_is_refused(prism: Prism) -> None:
    response = migrate(prism, {"contacts": [FULL_CONTACT]}, headers={"x-account-id": ACCOUNT_ID})
    assert response.status_code == 401
    assert any("security" in v for v in violations(response)), violations(response)


def test_authorize_without_api_key_is_refused(prism: Prism) -> None:
    response = httpx.get(f"{prism.base_url}/auth/authorize")
    assert response.status_code == 401
    ok = httpx.get(f"{prism.base_url}/auth/authorize", headers={"x-api-key": API_KEY})
    assert ok.status_code == 200


def test_a_body_that_is_not_json_is_refused(prism: Prism) -> None:
    response = httpx.post(f"{prism.base_url}/contacts/migrate", content=b"contacts=1",
                          headers={**GOOD_HEADERS, "content-type": "text/plain"})
    assert response.status_code == 422
    assert any("application/json" in v for v in violations(response)), violations(response)


# (what is wrong, the bad contacts, where Prism locates it, what Prism says, where the
# client's validation error locates it)
BAD_BODIES = [
    ("empty contacts list", [], "request.body.contacts", "must NOT have fewer than 1 items",
     "contacts"),
    ("10,001 contacts", [{}] * 10_001, "request.body.contacts",
     "must NOT have more than 10000 items", "contacts"),
    ("unknown contact field", [with_change(("loyalty_points",), 10)], "request.body.contacts.0",
     "must NOT have additional properties; found 'loyalty_points'", "contacts[0].loyalty_points"),
    ("unknown nested field", [with_change(("order", "products", 0, "colour"), "red")],
     "request.body.contacts.0.order.products.0", "must NOT have additional properties",
     "contacts[0].order.products[0].colour"),
    ("email without a domain", [with_change(("email",), "ana.garcia")],
     "request.body.contacts.0.email", 'must match format "email"', "contacts[0].email"),
    ("email with a space", [with_change(("email",), "ana garcia@example.com")],
     "request.body.contacts.0.email", 'must match format "email"', "contacts[0].email"),
    ("email without a dot in the host", [with_change(("email",), "ana@localhost")],
     "request.body.contacts.0.email", 'must match format "email"', "contacts[0].email"),
    ("wrong gender", [with_change(("gender",), "OTHER")], "request.body.contacts.0.gender",
     "must be equal to one of the allowed values", "contacts[0].gender"),
    ("wrong status", [with_change(("status",), "DELETED")], "request.body.contacts.0.status",
     "must be equal to one of the allowed values", "contacts[0].status"),
    ("wrong order payment method", [with_change(("order", "payment_method"), "PAYPAL")],
     "request.body.contacts.0.order.payment_method", "must be equal to one of the allowed values",
     "contacts[0].order.payment_method"),
    ("date of birth not a date", [with_change(("dob",), "25/12/1990")],
     "request.body.contacts.0.dob", 'must match format "date"', "contacts[0].dob"),
    ("created_at without an offset", [with_change(("created_at",), "2023-11-07T05:31:56")],
     "request.body.contacts.0.created_at", 'must match format "date-time"',
     "contacts[0].created_at"),
    ("redeem id not a UUID", [with_change(("order", "redeem", 0, "id"), "reward-1")],
     "request.body.contacts.0.order.redeem.0.id", 'must match format "uuid"',
     "contacts[0].order.redeem[0].id"),
    ("product amount as a string", [with_change(("order", "products", 0, "amount"), "2")],
     "request.body.contacts.0.order.products.0.amount", "must be integer",
     "contacts[0].order.products[0].amount"),
    ("order value as a string", [with_change(("order", "value"), "20.95")],
     "request.body.contacts.0.order.value", "must be number", "contacts[0].order.value"),
    ("email_verified as a number", [with_change(("email_verified",), 1)],
     "request.body.contacts.0.email_verified", "must be boolean", "contacts[0].email_verified"),
    ("first name as a number", [with_change(("first_name",), 7)],
     "request.body.contacts.0.first_name", "must be string", "contacts[0].first_name"),
    ("tags as a list", [with_change(("tags",), ["vip"])], "request.body.contacts.0.tags",
     "must be object", "contacts[0].tags"),
]


@pytest.mark.parametrize(("what", "contacts", "location", "message", "client_location"),
                         BAD_BODIES, ids=[case[0] for case in BAD_BODIES])
def test_prism_and_the_client_refuse_what_the_spec_forbids(
    prism: Prism, what: str, contacts: list[Any], location: str, message: str,
    client_location: str,
) -> None:
    response = migrate(prism, {"contacts": contacts})
    found = violations(response)
    assert response.status_code == 422, f"Prism accepted a body with {what}"
    assert any(v.startswith(f"{location}:") and message in v for v in found), found

    with (recording_client(prism) as (client, sent),
          pytest.raises(RequestValidationError) as caught):
        client.contacts.migrate(contacts=contacts)
    assert sent == []
    assert client_location in str(caught.value)


def test_open_payment_method_is_accepted_by_prism_too(prism: Prism) -> None:
    contact = with_change(("payments", 0, "method"), "MERCADO_PAGO")
    response = migrate(prism, {"contacts": [contact]})
    assert response.status_code == 201, violations(response)


def test_bad_requests_cover_every_strict_enumeration() -> None:
    """Every property typed by an enumeration (strict, not inside anyOf) has a case above."""
    schemas = yaml.safe_load(SPEC.read_text())["components"]["schemas"]
    enums = {f"#/components/schemas/{name}" for name, schema in schemas.items() if "enum" in schema}
    strict_properties = {
        name
        for schema in schemas.values()
        for name, prop in schema.get("properties", {}).items()
        if prop.get("$ref") in enums
    }
    assert strict_properties == {"gender", "status", "payment_method", "type"}
    tested = {case[4].rsplit(".", 1)[-1] for case in BAD_BODIES}
    tested |= {case[5].rsplit(".", 1)[-1] for case in BAD_MIGRATIONS}
    assert strict_properties <= tested


def _customer(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(FULL_CUSTOMER), **changes}


def _with_events(*events: Any) -> dict[str, Any]:
    return {"id": "cust-1", "events": list(events)}


def _with_transactions(*transactions: Any) -> dict[str, Any]:
    return {"id": "cust-1", "transactions": list(transactions)}


# (what, path, the bad customers, where Prism locates it, what Prism says, where the
# client's validation error locates it)
BAD_MIGRATIONS = [
    ("customer gender", "/customers/migrate", [_customer(gender="OTHER")],
     "request.body.customers.0.gender", "must be equal to one of the allowed values",
     "customers[0].gender"),
    ("customer without id", "/customers/migrate", [{"name": "Ana"}],
     "request.body.customers.0", "must have required property 'id'", "customers[0].id"),
    ("1,001 customers", "/customers/migrate", [{"id": "c"}] * 1001,
     "request.body.customers", "must NOT have more than 1000 items", "customers"),
    ("balance reward not a UUID", "/customers/migrate",
     [_customer(balance=[{"reward_id": "points", "amount": 1}])],
     "request.body.customers.0.balance.0.reward_id", 'must match format "uuid"',
     "customers[0].balance[0].reward_id"),
    ("customer without events", "/customers/migrate/events", [_with_events()],
     "request.body.customers.0.events", "must NOT have fewer than 1 items",
     "customers[0].events"),
    ("event without issued_at", "/customers/migrate/events",
     [_with_events({k: v for k, v in MIGRATED_EVENT.items() if k != "issued_at"})],
     "request.body.customers.0.events.0", "must have required property 'issued_at'",
     "customers[0].events[0].issued_at"),
    ("transaction type", "/customers/migrate/transactions",
     [_with_transactions({**MIGRATED_TRANSACTION, "type": "BONUS"})],
     "request.body.customers.0.transactions.0.type",
     "must be equal to one of the allowed values", "customers[0].transactions[0].type"),
    ("transaction amount as a string", "/customers/migrate/transactions",
     [_with_transactions({**MIGRATED_TRANSACTION, "amount": "250"})],
     "request.body.customers.0.transactions.0.amount", "must be number",
     "customers[0].transactions[0].amount"),
]

_METHODS = {"/customers/migrate": "migrate_customers",
            "/customers/migrate/events": "migrate_events",
            "/customers/migrate/transactions": "migrate_transactions"}


@pytest.mark.parametrize(("what", "path", "customers", "location", "message", "client_location"),
                         BAD_MIGRATIONS, ids=[case[0] for case in BAD_MIGRATIONS])
def test_prism_and_the_client_refuse_bad_migrations(
    prism: Prism, what: str, path: str, customers: list[Any], location: str, message: str,
    client_location: str,
) -> None:
    response = httpx.post(f"{prism.base_url}{path}", json={"customers": customers},
                          headers=GOOD_HEADERS)
    found = violations(response)
    assert response.status_code == 422, f"Prism accepted a body with {what}"
    assert any(v.startswith(f"{location}:") and message in v for v in found), found

    with (recording_client(prism) as (client, sent),
          pytest.raises(RequestValidationError) as caught):
        getattr(client.customers, _METHODS[path])(customers=customers)
    assert sent == []
    assert client_location in str(caught.value)


def test_null_for_a_non_nullable_field_is_refused_before_sending(prism: Prism) -> None:
    body = {"contacts": [{"external_id": "crm-1", "email": None}]}
    response = migrate(prism, body)
    assert response.status_code == 422
    assert any("contacts.0.email" in v and "must be string" in v for v in violations(response))

    with (recording_client(prism) as (client, sent),
          pytest.raises(RequestValidationError) as caught):
        client.contacts.migrate(contacts=body["contacts"])
    assert sent == []
    assert "contacts[0].email" in str(caught.value)


def test_null_is_sent_where_the_spec_allows_it(prism: Prism) -> None:
    contacts = [{"external_id": "crm-1", "deleted_at": None}]
    with recording_client(prism) as (client, sent):
        result = client.contacts.migrate(contacts=contacts)
    assert result.data.message
    assert json.loads(sent[0].content) == {"contacts": contacts}
