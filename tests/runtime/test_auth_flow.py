"""Bearer tokens: exchange, cache, refresh before expiry, refetch once on 401."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from masivo_client import (
    APIResponseValidationError,
    AsyncMasivo,
    AuthenticationError,
    ConfigurationError,
    Masivo,
)
from runtime_helpers import (
    API_KEY,
    CONTACT,
    NOW,
    Fakes,
    authorize_route,
    call,
    jwt,
    migrated,
    sent_headers,
)

pytestmark = pytest.mark.anyio

Make = Callable[..., Any]
UNAUTHORIZED = httpx.Response(401, json={"error": "Unauthorized"})


async def test_api_key_is_exchanged_once_and_the_token_cached(
    make: Make, api: respx.MockRouter
) -> None:
    token = jwt(NOW + 3600)
    auth = authorize_route(api, token)
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(api_key=API_KEY)
    assert auth.call_count == 0  # nothing is fetched before it is needed
    for _ in range(3):
        await call(client.contacts.migrate(contacts=[CONTACT]))
    assert auth.call_count == 1
    assert route.call_count == 3
    exchange = sent_headers(auth)
    assert exchange["x-api-key"] == API_KEY
    assert "authorization" not in exchange
    for sent in route.calls:
        assert sent.request.headers["authorization"] == f"Bearer {token}"
        assert "x-api-key" not in sent.request.headers  # the key only goes to the exchange


async def test_token_is_refreshed_leeway_seconds_before_exp(
    make: Make, api: respx.MockRouter, fakes: Fakes
) -> None:
    first, second = jwt(NOW + 3600), jwt(NOW + 7200)
    auth = authorize_route(api, first, second)
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(api_key=API_KEY)
    await call(client.contacts.migrate(contacts=[CONTACT]))
    fakes.now = NOW + 3600 - 300 - 1  # one second before the refresh point
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert auth.call_count == 1
    assert sent_headers(route)["authorization"] == f"Bearer {first}"
    fakes.now = NOW + 3600 - 300  # the refresh point: 300 s before exp
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert auth.call_count == 2
    assert sent_headers(route)["authorization"] == f"Bearer {second}"


async def test_token_without_exp_lasts_one_hour(
    make: Make, api: respx.MockRouter, fakes: Fakes
) -> None:
    auth = authorize_route(api, "opaque-token-one", "opaque-token-two")
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(api_key=API_KEY)
    await call(client.contacts.migrate(contacts=[CONTACT]))
    fakes.now = NOW + 3300 - 1
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert auth.call_count == 1
    fakes.now = NOW + 3300
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert auth.call_count == 2
    assert sent_headers(route)["authorization"] == "Bearer opaque-token-two"


async def test_401_refetches_the_token_once_and_retries_once(
    make: Make, api: respx.MockRouter, fakes: Fakes
) -> None:
    first, second = jwt(NOW + 3600), jwt(NOW + 3601)
    auth = authorize_route(api, first, second)
    route = api.post("/contacts/migrate").mock(side_effect=[UNAUTHORIZED, migrated()])
    client = make(api_key=API_KEY)
    result = await call(client.contacts.migrate(contacts=[CONTACT]))
    assert result.data.message == "Contacts batch enqueued successfully"
    assert auth.call_count == 2
    assert [c.request.headers["authorization"] for c in route.calls] == [
        f"Bearer {first}",
        f"Bearer {second}",
    ]
    assert fakes.sleeps == []  # not a retry with backoff: an immediate second try


async def test_a_second_401_is_raised(make: Make, api: respx.MockRouter, fakes: Fakes) -> None:
    auth = authorize_route(api, jwt(NOW + 3600), jwt(NOW + 3601))
    route = api.post("/contacts/migrate").mock(return_value=UNAUTHORIZED)
    client = make(api_key=API_KEY)
    with pytest.raises(AuthenticationError) as info:
        await call(client.contacts.migrate(contacts=[CONTACT]))
    assert str(info.value) == (
        "POST /contacts/migrate -> 401 Unauthorized: Unauthorized (also with a newly fetched token)"
    )
    assert auth.call_count == 2
    assert route.call_count == 2
    assert fakes.sleeps == []


async def test_a_fixed_token_is_never_refreshed(
    make: Make, api: respx.MockRouter, fakes: Fakes
) -> None:
    auth = authorize_route(api)
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(token="fixed-token-abcdef")
    fakes.now = NOW + 10 * 3600
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert sent_headers(route)["authorization"] == "Bearer fixed-token-abcdef"
    route.mock(return_value=UNAUTHORIZED)
    with pytest.raises(AuthenticationError) as info:
        await call(client.contacts.migrate(contacts=[CONTACT]))
    assert "newly fetched" not in str(info.value)
    assert route.call_count == 2  # no second try
    assert auth.call_count == 0


async def test_a_fixed_token_with_an_api_key_falls_back_to_the_exchange(
    make: Make, api: respx.MockRouter
) -> None:
    fresh = jwt(NOW + 3600)
    auth = authorize_route(api, fresh)
    route = api.post("/contacts/migrate").mock(side_effect=[UNAUTHORIZED, migrated()])
    client = make(token="stale-token-abcdef", api_key=API_KEY)
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert auth.call_count == 1
    assert [c.request.headers["authorization"] for c in route.calls] == [
        "Bearer stale-token-abcdef",
        f"Bearer {fresh}",
    ]


async def test_a_rejected_api_key_is_not_retried(
    make: Make, api: respx.MockRouter, fakes: Fakes
) -> None:
    auth = api.get("/auth/authorize").mock(
        return_value=httpx.Response(401, json={"error": "Invalid API key"})
    )
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(api_key=API_KEY)
    with pytest.raises(AuthenticationError) as info:
        await call(client.contacts.migrate(contacts=[CONTACT]))
    assert str(info.value) == "GET /auth/authorize -> 401 Unauthorized: Invalid API key"
    assert auth.call_count == 1
    assert route.call_count == 0
    assert fakes.sleeps == []


async def test_the_exchange_is_retried_like_any_request(
    make: Make, api: respx.MockRouter, fakes: Fakes
) -> None:
    token = jwt()
    auth = api.get("/auth/authorize").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"data": token})]
    )
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(api_key=API_KEY)
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert auth.call_count == 2
    assert fakes.sleeps == [0.5]
    assert sent_headers(route)["authorization"] == f"Bearer {token}"


@pytest.mark.parametrize("body", [{"data": 5}, {"data": ""}, {"token": "x"}, [1], "text"])
async def test_an_exchange_without_a_token(make: Make, api: respx.MockRouter, body: Any) -> None:
    api.get("/auth/authorize").mock(return_value=httpx.Response(200, json=body))
    client = make(api_key=API_KEY)
    with pytest.raises(APIResponseValidationError) as info:
        await call(client.contacts.migrate(contacts=[CONTACT]))
    assert str(info.value) == (
        "GET /auth/authorize -> 200 OK: no token (a non-empty string) at /data in the response"
    )


async def test_authorize_uses_the_api_key(make: Make, api: respx.MockRouter) -> None:
    token = jwt()
    auth = authorize_route(api, token)
    client = make(api_key=API_KEY)
    result = await call(client.auth.authorize())
    assert result.data == token
    assert sent_headers(auth)["x-api-key"] == API_KEY


async def test_authorize_without_an_api_key_names_what_to_set(
    make: Make, api: respx.MockRouter
) -> None:
    auth = authorize_route(api)
    client = make(token="fixed-token-abcdef")
    with pytest.raises(ConfigurationError) as info:
        await call(client.auth.authorize())
    assert str(info.value) == (
        "GET /auth/authorize needs credentials: pass api_key= to Masivo(), or set MASIVO_API_KEY"
    )
    assert auth.call_count == 0


async def test_concurrent_async_requests_share_one_fetch(
    api: respx.MockRouter, fakes: Fakes
) -> None:
    started = 0

    async def slow_authorize(request: httpx.Request) -> httpx.Response:
        nonlocal started
        started += 1
        await asyncio.sleep(0.01)  # every task reaches the lock while this one fetches
        return httpx.Response(200, json={"data": jwt()})

    api.get("/auth/authorize").mock(side_effect=slow_authorize)
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    async with AsyncMasivo(api_key=API_KEY, account_id="acc") as client:
        fakes.install(client)
        await asyncio.gather(*(client.contacts.migrate(contacts=[CONTACT]) for _ in range(10)))
    assert started == 1
    assert route.call_count == 10


async def test_concurrent_async_401s_share_one_refetch(api: respx.MockRouter, fakes: Fakes) -> None:
    first, second = jwt(NOW + 3600), jwt(NOW + 3601)
    auth = authorize_route(api, first, second)

    def migrate(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == f"Bearer {first}":
            return httpx.Response(401)
        return migrated()

    api.post("/contacts/migrate").mock(side_effect=migrate)
    async with AsyncMasivo(api_key=API_KEY, account_id="acc") as client:
        fakes.install(client)
        await client.contacts.migrate(contacts=[CONTACT])  # caches `first`
        await asyncio.gather(*(client.contacts.migrate(contacts=[CONTACT]) for _ in range(5)))
    assert auth.call_count == 2


def test_concurrent_threads_share_one_fetch(api: respx.MockRouter, fakes: Fakes) -> None:
    calls = 0
    lock = threading.Lock()
    gate = threading.Event()

    def authorize(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        with lock:
            calls += 1
        gate.wait(0.05)  # hold the fetch so that the other threads pile up on the lock
        return httpx.Response(200, json={"data": jwt()})

    api.get("/auth/authorize").mock(side_effect=authorize)
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    errors: list[BaseException] = []
    with Masivo(api_key=API_KEY, account_id="acc") as client:
        fakes.install(client)

        def work() -> None:
            try:
                client.contacts.migrate(contacts=[CONTACT])
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert calls == 1
    assert route.call_count == 8
