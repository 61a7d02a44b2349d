"""Parameters: per call > client (argument or environment) > spec default; extras."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from masivo_client import ConfigurationError, RequestValidationError
from masivo_client.models import Contact
from runtime_helpers import CONTACT, call, migrated, sent_headers

pytestmark = pytest.mark.anyio

Make = Callable[..., Any]
TOKEN = "fixed-token-abcdef"


async def test_spec_default_applies_when_nothing_else_is_set(
    make: Make, api: respx.MockRouter
) -> None:
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(token=TOKEN)
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert sent_headers(route)["x-timezone"] == "UTC"
    assert sent_headers(route)["x-account-id"] == "acc_123"


async def test_precedence(
    make: Make, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    monkeypatch.setenv("MASIVO_TIMEZONE", "Europe/Madrid")
    client = make(token=TOKEN)
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert sent_headers(route)["x-timezone"] == "Europe/Madrid"  # env > spec default

    client = make(token=TOKEN, timezone="America/Bogota")
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert sent_headers(route)["x-timezone"] == "America/Bogota"  # argument > env

    await call(client.contacts.migrate(contacts=[CONTACT], timezone="Asia/Tokyo"))
    assert sent_headers(route)["x-timezone"] == "Asia/Tokyo"  # per call > client
    await call(client.contacts.migrate(contacts=[CONTACT], account_id="acc_call"))
    assert sent_headers(route)["x-account-id"] == "acc_call"


async def test_missing_required_parameter_fails_before_sending(
    make: Make, api: respx.MockRouter
) -> None:
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(token=TOKEN, account_id=None)
    with pytest.raises(ConfigurationError) as info:
        await call(client.contacts.migrate(contacts=[CONTACT]))
    assert str(info.value) == (
        "POST /contacts/migrate: missing required parameter account_id (header x-account-id); "
        "pass account_id= to this call or to Masivo(), or set MASIVO_ACCOUNT_ID"
    )
    assert route.call_count == 0


async def test_an_invalid_body_is_never_sent(make: Make, api: respx.MockRouter) -> None:
    auth = api.get("/auth/authorize").mock(return_value=httpx.Response(200, json={"data": "t"}))
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(api_key="mk_live_SECRET_api_key_0123456789")
    contacts: list[Any] = [CONTACT, CONTACT, CONTACT, {"email": "x@y.z", "gender": "OTHER"}]
    with pytest.raises(RequestValidationError) as info:
        await call(client.contacts.migrate(contacts=contacts))
    assert info.value.errors == [
        ("contacts[3].gender", "Input should be 'MALE' or 'FEMALE' (got 'OTHER')")
    ]
    assert route.call_count == 0
    assert auth.call_count == 0  # not even a token was fetched


async def test_the_body_sent(make: Make, api: respx.MockRouter) -> None:
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(token=TOKEN)
    await call(
        client.contacts.migrate(
            contacts=[Contact(external_id="crm-1", first_name="Ana"), {"external_id": "crm-2"}]
        )
    )
    request = route.calls.last.request
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "contacts": [{"external_id": "crm-1", "first_name": "Ana"}, {"external_id": "crm-2"}]
    }
    assert request.content.startswith(b'{"contacts":[{')  # compact


async def test_extra_headers_query_and_body(make: Make, api: respx.MockRouter) -> None:
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(token=TOKEN)
    await call(
        client.contacts.migrate(
            contacts=[CONTACT],
            extra_headers={"X-Debug": "1", "x-timezone": "Etc/GMT+5"},
            extra_query={"dry_run": True, "tags": ["a", "b"]},
            extra_body={"source": "crm"},
        )
    )
    request = route.calls.last.request
    assert request.headers["x-debug"] == "1"
    assert request.headers["x-timezone"] == "Etc/GMT+5"  # extra headers win
    assert request.url.params.multi_items() == [("dry_run", "true"), ("tags", "a"), ("tags", "b")]
    assert json.loads(request.content) == {"contacts": [CONTACT], "source": "crm"}


async def test_extra_headers_can_replace_the_authorization(
    make: Make, api: respx.MockRouter
) -> None:
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(token=TOKEN)
    await call(
        client.contacts.migrate(contacts=[CONTACT], extra_headers={"Authorization": "Bearer other"})
    )
    assert sent_headers(route)["authorization"] == "Bearer other"
