"""Constructing clients: credentials, environment, settings, copies, closing."""

from __future__ import annotations

import platform
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from masivo_client import AsyncMasivo, ConfigurationError, Masivo
from masivo_client._constants import DEFAULT_TIMEOUT
from runtime_helpers import (
    API_KEY,
    BASE_URL,
    CONTACT,
    authorize_route,
    call,
    migrated,
    sent_headers,
)

pytestmark = pytest.mark.anyio

Make = Callable[..., Any]


async def test_no_credentials_fails_at_construction(make: Make) -> None:
    with pytest.raises(ConfigurationError) as info:
        make()
    assert str(info.value) == (
        "Masivo has no credentials: pass api_key= or token= to Masivo(), "
        "or set MASIVO_API_KEY or MASIVO_TOKEN"
    )


async def test_empty_credentials_count_as_missing(
    make: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASIVO_API_KEY", "")
    with pytest.raises(ConfigurationError):
        make(api_key="")


async def test_credentials_and_settings_from_the_environment(
    make: Make, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASIVO_API_KEY", API_KEY)
    monkeypatch.setenv("MASIVO_ACCOUNT_ID", "acc_env")
    monkeypatch.setenv("MASIVO_TIMEZONE", "America/Mexico_City")
    monkeypatch.setenv("MASIVO_BASE_URL", "https://api.masivo.ai/api/storefront/v1/")
    alt = respx.mock(base_url="https://api.masivo.ai/api/storefront/v1", assert_all_called=False)
    with alt:
        auth = authorize_route(alt)
        route = alt.post("/contacts/migrate").mock(return_value=migrated())
        client = make(account_id=None)
        assert client.base_url == "https://api.masivo.ai/api/storefront/v1"
        await call(client.contacts.migrate(contacts=[CONTACT]))
    assert sent_headers(auth)["x-api-key"] == API_KEY
    headers = sent_headers(route)
    assert headers["x-account-id"] == "acc_env"
    assert headers["x-timezone"] == "America/Mexico_City"


async def test_arguments_win_over_the_environment(
    make: Make, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASIVO_TOKEN", "env-token-value")
    monkeypatch.setenv("MASIVO_ACCOUNT_ID", "acc_env")
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(token="arg-token-value", account_id="acc_arg")
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert sent_headers(route)["authorization"] == "Bearer arg-token-value"
    assert sent_headers(route)["x-account-id"] == "acc_arg"


@pytest.mark.parametrize("url", ["ftp://example.com", "not a url", "/relative/path"])
async def test_invalid_base_url(make: Make, url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        make(api_key=API_KEY, base_url=url)


@pytest.mark.parametrize("value", [-1, 1.5, True])
async def test_invalid_max_retries(make: Make, value: Any) -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        make(api_key=API_KEY, max_retries=value)


async def test_wrong_http_client_type(flavor: str) -> None:
    wrong: Any = httpx.AsyncClient() if flavor == "sync" else httpx.Client()
    cls: Any = Masivo if flavor == "sync" else AsyncMasivo
    with pytest.raises(TypeError, match="http_client must be"):
        cls(api_key=API_KEY, http_client=wrong)
    await call(wrong.aclose() if flavor == "sync" else wrong.close())


async def test_repr_shows_settings_but_no_secret(make: Make) -> None:
    client = make(api_key=API_KEY, token="tok-SECRET-123456")
    text = repr(client)
    assert "base_url='https://app.masivo.ai/api/storefront/v1'" in text
    assert "credentials=['api_key', 'token']" in text
    assert API_KEY not in text
    assert "tok-SECRET-123456" not in text
    assert text.startswith(("Masivo(", "AsyncMasivo("))


async def test_user_agent_and_default_headers(make: Make, api: respx.MockRouter) -> None:
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(token="tok-123456", default_headers={"X-Trace": "t-1"})
    await call(client.contacts.migrate(contacts=[CONTACT]))
    headers = sent_headers(route)
    major, minor, _ = platform.python_version_tuple()
    assert headers["user-agent"] == (
        f"masivo_client/1.0.0 python/{major}.{minor} httpx/{httpx.__version__}"
    )
    assert headers["accept"] == "application/json"
    assert headers["content-type"] == "application/json"
    assert headers["x-trace"] == "t-1"


async def test_default_timeout_is_finite(make: Make, api: respx.MockRouter) -> None:
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(token="tok-123456")
    assert client.timeout == DEFAULT_TIMEOUT == httpx.Timeout(60.0, connect=5.0)
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert route.calls.last.request.extensions["timeout"] == {
        "connect": 5.0,
        "read": 60.0,
        "write": 60.0,
        "pool": 60.0,
    }


async def test_client_timeout_and_per_call_timeout(make: Make, api: respx.MockRouter) -> None:
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(token="tok-123456", timeout=20.0)
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert route.calls.last.request.extensions["timeout"]["read"] == 20.0
    await call(client.contacts.migrate(contacts=[CONTACT], timeout=httpx.Timeout(3.0, connect=1.0)))
    assert route.calls.last.request.extensions["timeout"] == {
        "connect": 1.0,
        "read": 3.0,
        "write": 3.0,
        "pool": 3.0,
    }
    await call(client.contacts.migrate(contacts=[CONTACT], timeout=None))
    assert route.calls.last.request.extensions["timeout"]["read"] is None


async def test_with_options_changes_only_what_is_given(make: Make, api: respx.MockRouter) -> None:
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(token="tok-123456", timeout=20.0, default_headers={"X-A": "1"})
    copy = client.with_options(account_id="acc_other", max_retries=5, default_headers={"X-B": "2"})
    assert type(copy) is type(client)
    assert copy.max_retries == 5 and client.max_retries == 2
    assert copy.timeout == client.timeout
    assert copy.base_url == client.base_url
    await call(copy.contacts.migrate(contacts=[CONTACT]))
    headers = sent_headers(route)
    assert headers["x-account-id"] == "acc_other"
    assert headers["authorization"] == "Bearer tok-123456"
    assert (headers["x-a"], headers["x-b"]) == ("1", "2")
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert sent_headers(route)["x-account-id"] == "acc_123"
    assert "x-b" not in sent_headers(route)


async def test_with_options_shares_the_pool_and_the_token(
    make: Make, api: respx.MockRouter
) -> None:
    auth = authorize_route(api)
    route = api.post("/contacts/migrate").mock(return_value=migrated())
    client = make(api_key=API_KEY)
    await call(client.contacts.migrate(contacts=[CONTACT]))
    copy = client.with_options(timezone="Europe/Madrid")
    assert copy._http is client._http
    assert copy._sleep is client._sleep
    await call(copy.contacts.migrate(contacts=[CONTACT]))
    assert auth.call_count == 1  # the copy reused the cached token
    assert sent_headers(route)["x-timezone"] == "Europe/Madrid"
    await call(copy.close())
    assert not client.is_closed  # closing a copy leaves the shared pool open

    # another server is another token issuer: the cache is not shared
    elsewhere = client.with_options(base_url="https://api.masivo.ai/api/storefront/v1")
    assert elsewhere._token_caches is not client._token_caches
    assert copy._token_caches is client._token_caches

    other = client.with_options(api_key="mk_live_OTHER_key_987654")
    await call(other.contacts.migrate(contacts=[CONTACT]))
    assert auth.call_count == 2  # new credentials, new token
    assert sent_headers(auth)["x-api-key"] == "mk_live_OTHER_key_987654"


async def test_context_managers_close_an_owned_pool(flavor: str) -> None:
    if flavor == "sync":
        with Masivo(token="tok-123456") as client:
            assert not client.is_closed
        assert client.is_closed
    else:
        async with AsyncMasivo(token="tok-123456") as aclient:
            assert not aclient.is_closed
        assert aclient.is_closed
        other = AsyncMasivo(token="tok-123456")
        await other.aclose()
        assert other.is_closed


async def test_a_callers_http_client_is_used_and_not_closed(flavor: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return migrated()

    transport: Any
    if flavor == "sync":
        transport = httpx.MockTransport(handler)
        http = httpx.Client(transport=transport, headers={"X-Proxy-Tenant": "t1"})
        with Masivo(token="tok-123456", account_id="a", http_client=http) as client:
            client.contacts.migrate(contacts=[CONTACT])
        assert not http.is_closed
        http.close()
    else:
        transport = httpx.MockTransport(handler)
        ahttp = httpx.AsyncClient(transport=transport, headers={"X-Proxy-Tenant": "t1"})
        async with AsyncMasivo(token="tok-123456", account_id="a", http_client=ahttp) as aclient:
            await aclient.contacts.migrate(contacts=[CONTACT])
        assert not ahttp.is_closed
        await ahttp.aclose()
    assert len(seen) == 1
    assert seen[0].url == f"{BASE_URL}/contacts/migrate"
    assert seen[0].headers["x-proxy-tenant"] == "t1"  # the caller's client settings apply
    assert seen[0].headers["authorization"] == "Bearer tok-123456"


async def test_a_callers_http_client_timeout_is_kept(flavor: str) -> None:
    if flavor == "sync":
        http = httpx.Client(timeout=12.0)
        assert Masivo(token="tok-123456", http_client=http).timeout == httpx.Timeout(12.0)
        # httpx's own 5 s default is not a choice: ours applies
        assert Masivo(token="tok-123456", http_client=httpx.Client()).timeout == DEFAULT_TIMEOUT
    else:
        ahttp = httpx.AsyncClient(timeout=12.0)
        assert AsyncMasivo(token="tok-123456", http_client=ahttp).timeout == httpx.Timeout(12.0)
        await ahttp.aclose()
