"""The generated Masivo client, sync and async, over real sockets to a loopback server:
the method, path, headers and JSON body the server receives, byte for byte where it
matters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from e2e_loopback import AUTHORIZE, JWT, MIGRATE, LoopbackAPI
from masivo_client import (
    AuthorizeResponse,
    Contact,
    MigrateContactsResponse,
    RequestValidationError,
    UnprocessableEntityError,
)

Run = Callable[..., list[Any]]

ANA = {"external_id": "crm-000123", "first_name": "Ana", "email": "ana@example.com",
       "created_at": "2023-11-07T05:31:56Z", "tags": {"vip": True}}
LUIS = {"external_id": "crm-000124", "first_name": "Luis", "gender": "MALE",
        "dob": "1990-12-25"}


def migrate(**arguments: Any) -> Callable[[Any], Any]:
    return lambda client: client.contacts.migrate(**arguments)


def test_migrate_fetches_a_token_then_posts_the_batch(api: LoopbackAPI, run: Run) -> None:
    ana = Contact(external_id="crm-000123", first_name="Ana", email="ana@example.com",
                  created_at=datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC), tags={"vip": True})

    (result,) = run([migrate(contacts=[ana, LUIS])], api_key="key-123", account_id="acc_1",
                    base_url=api.base_url)

    assert isinstance(result, MigrateContactsResponse)
    assert result.data.message == "Contacts batch enqueued successfully"
    authorize, posted = api.received
    assert (authorize.method, authorize.path, authorize.body) == ("GET", AUTHORIZE, b"")
    assert authorize.headers["x-api-key"] == "key-123"
    assert "authorization" not in authorize.headers

    assert (posted.method, posted.path) == ("POST", MIGRATE)
    assert posted.headers["authorization"] == f"Bearer {JWT}"
    assert posted.headers["x-account-id"] == "acc_1"
    assert posted.headers["x-timezone"] == "UTC"  # the spec's default, sent when not given
    assert posted.headers["content-type"] == "application/json"
    assert "x-api-key" not in posted.headers  # the key goes to the token exchange only
    assert len(posted.header_names) == len(set(posted.header_names))  # no duplicates
    # Only the fields given, under their wire names; the model's datetime in ISO form.
    assert posted.json() == {"contacts": [ANA, LUIS]}


def test_contacts_as_models_or_dicts_send_the_same_body(api: LoopbackAPI, run: Run) -> None:
    as_models = [Contact.model_validate(ANA), Contact.model_validate(LUIS)]
    run([migrate(contacts=as_models), migrate(contacts=[ANA, LUIS])],
        api_key="k", account_id="acc_1", base_url=api.base_url)

    first, second = api.requests_to(MIGRATE)
    assert first.body == second.body
    assert first.json() == {"contacts": [ANA, LUIS]}
    assert len(api.requests_to(AUTHORIZE)) == 1  # the token is kept for the second call


def test_account_id_from_the_client_and_overridden_per_call(api: LoopbackAPI,
                                                            run: Run) -> None:
    run([migrate(contacts=[LUIS]), migrate(contacts=[LUIS], account_id="acc_other"),
         migrate(contacts=[LUIS])],
        api_key="k", account_id="acc_client", base_url=api.base_url)

    sent = [r.headers["x-account-id"] for r in api.requests_to(MIGRATE)]
    assert sent == ["acc_client", "acc_other", "acc_client"]


def test_timezone_default_client_setting_and_per_call(api: LoopbackAPI, run: Run) -> None:
    run([migrate(contacts=[LUIS], account_id="a")], api_key="k", base_url=api.base_url)
    run([migrate(contacts=[LUIS]), migrate(contacts=[LUIS], timezone="Europe/Madrid")],
        api_key="k", account_id="a", timezone="America/New_York", base_url=api.base_url)

    sent = [r.headers["x-timezone"] for r in api.requests_to(MIGRATE)]
    assert sent == ["UTC", "America/New_York", "Europe/Madrid"]


@pytest.mark.parametrize(("size", "complaint"), [(0, "at least 1"), (10_001, "at most 10000")])
def test_a_batch_out_of_bounds_is_refused_before_anything_is_sent(
        size: int, complaint: str, api: LoopbackAPI, run: Run) -> None:
    contacts = [{"external_id": f"crm-{n}"} for n in range(size)]
    with pytest.raises(RequestValidationError, match=f"(?s)contacts.*{complaint}"):
        run([migrate(contacts=contacts)], api_key="k", account_id="a", base_url=api.base_url)
    assert api.received == []  # not even the token exchange


def test_a_misspelt_field_is_refused_before_anything_is_sent(api: LoopbackAPI,
                                                             run: Run) -> None:
    with pytest.raises(RequestValidationError, match=r"contacts\[1\]\.frist_name"):
        run([migrate(contacts=[LUIS, {"frist_name": "Ana"}])], api_key="k", account_id="a",
            base_url=api.base_url)
    assert api.received == []


def test_authorize_sends_the_api_key_and_returns_the_token(api: LoopbackAPI,
                                                           run: Run) -> None:
    (result,) = run([lambda client: client.auth.authorize()], api_key="key-9",
                    base_url=api.base_url)

    assert isinstance(result, AuthorizeResponse)
    assert result.data == JWT
    (request,) = api.received
    assert (request.method, request.path) == ("GET", AUTHORIZE)
    assert request.headers["x-api-key"] == "key-9"


def test_a_given_token_is_used_without_an_exchange(api: LoopbackAPI, run: Run) -> None:
    run([migrate(contacts=[LUIS])], token="given.jwt.token", account_id="a",
        base_url=api.base_url)

    (request,) = api.received
    assert request.path == MIGRATE
    assert request.headers["authorization"] == "Bearer given.jwt.token"


def test_an_error_status_raises_its_exception_with_the_body(api: LoopbackAPI,
                                                           run: Run) -> None:
    api.routes[("POST", MIGRATE)] = (422, {"error": "Invalid customer entry",
                                           "details": "email"})
    with pytest.raises(UnprocessableEntityError) as caught:
        run([migrate(contacts=[LUIS])], api_key="k", account_id="a", base_url=api.base_url)

    assert caught.value.status_code == 422
    assert "Invalid customer entry" in str(caught.value)
    assert len(api.requests_to(MIGRATE)) == 1  # a 422 is not retried
