"""with_raw_response: same arguments, status and headers next to the parsed model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from masivo_client import APIResponse, APIResponseValidationError, NotFoundError
from masivo_client.models import AuthorizeResponse, MigrateContactsResponse
from runtime_helpers import API_KEY, CONTACT, Fakes, authorize_route, call, jwt

pytestmark = pytest.mark.anyio

Make = Callable[..., Any]


async def test_raw_response_of_migrate(make: Make, api: respx.MockRouter, fakes: Fakes) -> None:
    authorize_route(api, jwt())
    api.post("/contacts/migrate").mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(
                201,
                json={"data": {"message": "Contacts batch enqueued successfully"}},
                headers={"x-ratelimit-remaining": "249"},
            ),
        ]
    )
    client = make(api_key=API_KEY)
    raw = await call(client.with_raw_response.contacts.migrate(contacts=[CONTACT]))
    assert isinstance(raw, APIResponse)
    assert raw.status_code == 201
    assert raw.headers["x-ratelimit-remaining"] == "249"
    assert raw.retries_taken == 1
    assert raw.http_response.status_code == 201
    assert raw.request.method == "POST"
    assert raw.method == "POST"
    assert raw.url.path.endswith("/contacts/migrate")
    assert raw.json() == {"data": {"message": "Contacts batch enqueued successfully"}}
    parsed = raw.parse()
    assert isinstance(parsed, MigrateContactsResponse)
    assert parsed.data.message == "Contacts batch enqueued successfully"
    assert raw.parse() is parsed  # parsed once
    assert repr(raw) == "<APIResponse [201 Created] POST /api/storefront/v1/contacts/migrate>"
    # the raw wrapper did not leak into the next plain call
    api.post("/contacts/migrate").mock(
        return_value=httpx.Response(201, json={"data": {"message": "again"}})
    )
    plain = await call(client.contacts.migrate(contacts=[CONTACT]))
    assert isinstance(plain, MigrateContactsResponse)


async def test_raw_response_keeps_the_wrapped_signature_and_docs(make: Make) -> None:
    client = make(token="fixed-token-abcdef")
    wrapped = client.with_raw_response.contacts.migrate
    assert wrapped.__doc__ == client.contacts.migrate.__doc__
    assert wrapped.__name__ == "migrate"


async def test_raw_response_of_authorize(make: Make, api: respx.MockRouter) -> None:
    token = jwt()
    authorize_route(api, token)
    client = make(api_key=API_KEY)
    raw = await call(client.with_raw_response.auth.authorize())
    assert raw.retries_taken == 0
    parsed = raw.parse()
    assert isinstance(parsed, AuthorizeResponse)
    assert parsed.data == token


async def test_raw_response_body_is_validated_on_parse(make: Make, api: respx.MockRouter) -> None:
    api.post("/contacts/migrate").mock(return_value=httpx.Response(201, json={"oops": 1}))
    client = make(token="fixed-token-abcdef", strict_response_validation=True)
    raw = await call(client.with_raw_response.contacts.migrate(contacts=[CONTACT]))
    assert raw.status_code == 201  # headers are available even though the body is wrong
    with pytest.raises(APIResponseValidationError):
        raw.parse()


async def test_raw_response_errors_are_raised(make: Make, api: respx.MockRouter) -> None:
    api.post("/contacts/migrate").mock(return_value=httpx.Response(404))
    client = make(token="fixed-token-abcdef")
    with pytest.raises(NotFoundError):
        await call(client.with_raw_response.contacts.migrate(contacts=[CONTACT]))


async def test_the_token_exchange_inside_a_raw_call_is_not_raw(
    make: Make, api: respx.MockRouter
) -> None:
    token = jwt()
    auth = authorize_route(api, token)
    route = api.post("/contacts/migrate").mock(
        return_value=httpx.Response(201, json={"data": {"message": "ok"}})
    )
    client = make(api_key=API_KEY)
    raw = await call(client.with_raw_response.contacts.migrate(contacts=[CONTACT]))
    assert auth.call_count == 1
    assert route.calls.last.request.headers["authorization"] == f"Bearer {token}"
    assert raw.parse().data.message == "ok"


def test_the_raw_flag_is_taken_once_and_restored() -> None:
    from masivo_client._response import take_raw_response_request, to_raw_response_wrapper

    seen: list[bool] = []

    def fake_method() -> Any:
        seen.append(take_raw_response_request())  # the client's request() reads it...
        seen.append(take_raw_response_request())  # ...and a nested request() would not
        return APIResponse(
            http_response=httpx.Response(200, request=httpx.Request("GET", "https://x/y")),
            retries_taken=0,
            parser=lambda r: None,
        )

    to_raw_response_wrapper(fake_method)()
    assert seen == [True, False]
    assert take_raw_response_request() is False  # nothing leaks after the call


def test_a_wrapped_function_that_bypasses_the_client_is_reported() -> None:
    from masivo_client._response import to_raw_response_wrapper

    def not_a_client_call() -> int:
        return 5

    with pytest.raises(TypeError, match="did not return a raw response"):
        to_raw_response_wrapper(not_a_client_call)()
