"""Every documented status becomes its exception; bad 2xx bodies are reported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from masivo_client import (
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from runtime_helpers import CONTACT, call

pytestmark = pytest.mark.anyio

Make = Callable[..., Any]
TOKEN = "fixed-token-abcdef"


@pytest.mark.parametrize(
    ("status", "cls", "reason"),
    [
        (400, BadRequestError, "Bad Request"),
        (401, AuthenticationError, "Unauthorized"),
        (403, PermissionDeniedError, "Forbidden"),
        (404, NotFoundError, "Not Found"),
        (422, UnprocessableEntityError, "Unprocessable Entity"),
        (429, RateLimitError, "Too Many Requests"),
        (500, InternalServerError, "Internal Server Error"),
    ],
)
async def test_documented_statuses(
    make: Make, api: respx.MockRouter, status: int, cls: type[APIStatusError], reason: str
) -> None:
    api.post("/contacts/migrate").mock(
        return_value=httpx.Response(
            status,
            json={"error": "Invalid customer entry", "details": "contacts[0] is bad"},
            headers={"x-request-id": "req_abc"},
        )
    )
    client = make(token=TOKEN, max_retries=0)
    with pytest.raises(cls) as info:
        await call(client.contacts.migrate(contacts=[CONTACT]))
    err = info.value
    assert type(err) is cls
    assert err.status_code == status
    assert err.error == "Invalid customer entry"
    assert err.details == "contacts[0] is bad"
    assert err.request_id == "req_abc"
    assert err.body == {"error": "Invalid customer entry", "details": "contacts[0] is bad"}
    assert err.response.status_code == status
    assert err.request.method == "POST"
    assert str(err) == (
        f"POST /contacts/migrate -> {status} {reason}: Invalid customer entry (contacts[0] is bad)"
    )


async def test_non_json_error_body(make: Make, api: respx.MockRouter) -> None:
    api.post("/contacts/migrate").mock(
        return_value=httpx.Response(404, text="Not Found", headers={"content-type": "text/plain"})
    )
    client = make(token=TOKEN)
    with pytest.raises(NotFoundError) as info:
        await call(client.contacts.migrate(contacts=[CONTACT]))
    assert info.value.body == "Not Found"
    assert info.value.error is None
    assert str(info.value) == "POST /contacts/migrate -> 404 Not Found: Not Found"


@pytest.mark.parametrize("status", [200, 201, 202, 299])
async def test_any_2xx_is_success(make: Make, api: respx.MockRouter, status: int) -> None:
    api.post("/contacts/migrate").mock(
        return_value=httpx.Response(status, json={"data": {"message": "queued"}})
    )
    client = make(token=TOKEN)
    result = await call(client.contacts.migrate(contacts=[CONTACT]))
    assert result.data.message == "queued"


async def test_extra_response_fields_are_accepted(make: Make, api: respx.MockRouter) -> None:
    api.post("/contacts/migrate").mock(
        return_value=httpx.Response(201, json={"data": {"message": "ok", "batch": 7}, "v": 2})
    )
    client = make(token=TOKEN)
    result = await call(client.contacts.migrate(contacts=[CONTACT]))
    assert result.data.message == "ok"


async def test_a_2xx_body_that_does_not_match_raises_when_strict(
    make: Make, api: respx.MockRouter
) -> None:
    api.post("/contacts/migrate").mock(
        return_value=httpx.Response(201, json={"data": {"msg": "ok"}})
    )
    client = make(token=TOKEN, strict_response_validation=True)
    with pytest.raises(APIResponseValidationError) as info:
        await call(client.contacts.migrate(contacts=[CONTACT]))
    err = info.value
    assert str(err) == (
        "POST /contacts/migrate -> 201 Created: the response does not match "
        "MigrateContactsResponse: data.message: Field required"
    )
    assert err.status_code == 201
    assert err.body == {"data": {"msg": "ok"}}
    assert err.validation_error is not None
    assert err.response.status_code == 201


@pytest.mark.parametrize("content", [b"", b"<html>oops</html>", b'{"data": '])
async def test_a_2xx_body_that_is_not_json_raises_when_strict(
    make: Make, api: respx.MockRouter, content: bytes
) -> None:
    api.post("/contacts/migrate").mock(return_value=httpx.Response(200, content=content))
    client = make(token=TOKEN).with_options(strict_response_validation=True)
    with pytest.raises(APIResponseValidationError) as info:
        await call(client.contacts.migrate(contacts=[CONTACT]))
    assert str(info.value) == (
        "POST /contacts/migrate -> 200 OK: the response is not valid JSON "
        "(expected MigrateContactsResponse)"
    )
