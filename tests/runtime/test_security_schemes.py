"""Every security scheme on the wire: http basic, http bearer (and other http schemes),
apiKey in header/query/cookie, oauth2 and openIdConnect with a given token, the
oauth2 client-credentials flow fetching and refreshing its own token, alternatives,
requirements needing several schemes at once, and optional security (`{}`)."""

from __future__ import annotations

import base64
import logging
from typing import Any

import httpx
import pytest
import respx
from masivo_client._base_client import (
    ApiKeyAuth,
    AsyncAPIClient,
    BasicAuth,
    BearerAuth,
    ClientConfig,
    ClientCredentials,
    CredentialSpec,
    Operation,
    SyncAPIClient,
)
from masivo_client._exceptions import AuthenticationError, ConfigurationError
from runtime_helpers import Fakes, call

pytestmark = pytest.mark.anyio

BASE = "https://secure.example/v1"
NAMES = ("username", "password", "token", "oidc_token", "client_id", "client_secret",
         "api_key", "query_key", "cookie_key", "token_2")
CONFIG = ClientConfig(
    package="masivo_client",
    version="0.0.1",
    client_name="Secure",
    env_prefix="SECURE",
    default_base_url=BASE,
    credentials=tuple(CredentialSpec(name=n, env=f"SECURE_{n.upper()}") for n in NAMES),
    security_schemes={
        "basic": BasicAuth(username="username", password="password"),
        "oauth": BearerAuth(
            credential="token",
            client_credentials=ClientCredentials(
                token_url="/oauth/token", client_id="client_id", client_secret="client_secret"
            ),
        ),
        "oidc": BearerAuth(credential="oidc_token"),
        "header": ApiKeyAuth(credential="api_key", location="header", name="X-Key"),
        "query": ApiKeyAuth(credential="query_key", location="query", name="key"),
        "cookie": ApiKeyAuth(credential="cookie_key", location="cookie", name="sid"),
        "custom": BearerAuth(credential="token_2", prefix="Token"),
    },
    credentials_required=False,
)


def op(*requirements: tuple[str, ...]) -> Operation:
    return Operation(method="GET", path="/thing", security=requirements)


class Secure(SyncAPIClient):
    def __init__(self, **kwargs: Any) -> None:
        creds = {k: kwargs.pop(k, None) for k in NAMES}
        super().__init__(config=CONFIG, credentials=creds, param_defaults={}, **kwargs)


class AsyncSecure(AsyncAPIClient):
    def __init__(self, **kwargs: Any) -> None:
        creds = {k: kwargs.pop(k, None) for k in NAMES}
        super().__init__(config=CONFIG, credentials=creds, param_defaults={}, **kwargs)


@pytest.fixture
def api() -> Any:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def client(flavor: str, fakes: Fakes, **kwargs: Any) -> Any:
    c = Secure(**kwargs) if flavor == "sync" else AsyncSecure(**kwargs)
    fakes.install(c)
    return c


async def sent(flavor: str, fakes: Fakes, api: respx.MockRouter, operation: Operation,
               **kwargs: Any) -> httpx.Request:
    route = api.get("/thing").mock(return_value=httpx.Response(200, json={}))
    c = client(flavor, fakes, **kwargs)
    await call(c.request(operation, cast_to=None))
    await call(c.close())
    return route.calls.last.request


async def test_http_basic(flavor: str, fakes: Fakes, api: respx.MockRouter) -> None:
    request = await sent(flavor, fakes, api, op(("basic",)), username="ann", password="pa:ss")
    expected = base64.b64encode(b"ann:pa:ss").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"


async def test_bearer_given_for_oauth2_and_openid_connect(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    request = await sent(flavor, fakes, api, op(("oidc",)), oidc_token="oidc-abc")
    assert request.headers["Authorization"] == "Bearer oidc-abc"
    request = await sent(flavor, fakes, api, op(("oauth",)), token="given-token")
    assert request.headers["Authorization"] == "Bearer given-token"
    assert not [c for c in api.calls if c.request.url.path.endswith("/oauth/token")]


async def test_other_http_scheme_uses_its_own_word(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    request = await sent(flavor, fakes, api, op(("custom",)), token_2="t-123")
    assert request.headers["Authorization"] == "Token t-123"


async def test_api_keys_in_header_query_and_cookie_at_once(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    request = await sent(flavor, fakes, api, op(("header", "query", "cookie")),
                         api_key="hk-1234", query_key="qk 5678", cookie_key="ck-9012")
    assert request.headers["X-Key"] == "hk-1234"
    assert request.url.params["key"] == "qk 5678"
    assert request.headers["Cookie"] == "sid=ck-9012"


async def test_alternatives_use_the_first_satisfied(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    request = await sent(flavor, fakes, api, op(("basic",), ("header",)), api_key="hk-1234")
    assert request.headers["X-Key"] == "hk-1234"
    assert "Authorization" not in request.headers


async def test_optional_security_sends_credentials_when_it_has_them(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    request = await sent(flavor, fakes, api, op((), ("header",)), api_key="hk-1234")
    assert request.headers["X-Key"] == "hk-1234"
    request = await sent(flavor, fakes, api, op((), ("header",)))
    assert "X-Key" not in request.headers


async def test_missing_credentials_name_arguments_and_variables(
    flavor: str, fakes: Fakes
) -> None:
    c = client(flavor, fakes)
    with pytest.raises(ConfigurationError) as info:
        await call(c.request(op(("oauth",), ("basic", "header")), cast_to=None))
    assert str(info.value) == (
        "GET /thing needs credentials: pass username= and password= and api_key= or "
        "token= or client_id= and client_secret= to Secure(), or set SECURE_USERNAME and "
        "SECURE_PASSWORD and SECURE_API_KEY or SECURE_TOKEN or SECURE_CLIENT_ID and "
        "SECURE_CLIENT_SECRET"
    )
    await call(c.close())


async def test_no_credentials_at_construction_when_every_operation_needs_some() -> None:
    config = ClientConfig(
        package="masivo_client", version="0", client_name="Strict", env_prefix="STRICT",
        default_base_url=BASE,
        credentials=(CredentialSpec(name="username", env="STRICT_USERNAME"),
                     CredentialSpec(name="password", env="STRICT_PASSWORD")),
        security_schemes={"basic": BasicAuth(username="username", password="password")},
    )
    with pytest.raises(ConfigurationError) as info:
        SyncAPIClient(config=config, credentials={}, param_defaults={})
    assert str(info.value) == (
        "Strict has no credentials: pass username= and password= to Strict(), "
        "or set STRICT_USERNAME and STRICT_PASSWORD"
    )


def token_answer(token: str, expires_in: int = 3600) -> httpx.Response:
    return httpx.Response(200, json={"access_token": token, "token_type": "Bearer",
                                     "expires_in": expires_in})


async def test_client_credentials_fetch_cache_and_refresh(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    tokens = api.post("/oauth/token").mock(
        side_effect=[token_answer("tok-one", 600), token_answer("tok-two", 600)]
    )
    thing = api.get("/thing").mock(return_value=httpx.Response(200, json={}))
    c = client(flavor, fakes, client_id="app-1", client_secret="s3cret-value")
    await call(c.request(op(("oauth",)), cast_to=None))
    await call(c.request(op(("oauth",)), cast_to=None))
    assert tokens.call_count == 1  # cached
    form = tokens.calls.last.request
    assert form.content == b"grant_type=client_credentials"
    assert form.headers["Authorization"] == "Basic " + base64.b64encode(
        b"app-1:s3cret-value").decode()
    assert form.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert thing.calls.last.request.headers["Authorization"] == "Bearer tok-one"
    fakes.now += 600 - 60  # expires_in minus the leeway
    await call(c.request(op(("oauth",)), cast_to=None))
    assert tokens.call_count == 2
    assert thing.calls.last.request.headers["Authorization"] == "Bearer tok-two"
    await call(c.close())


async def test_client_credentials_token_refetched_once_on_401(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    tokens = api.post("/oauth/token").mock(
        side_effect=[token_answer("tok-old"), token_answer("tok-new")]
    )
    thing = api.get("/thing").mock(side_effect=[
        httpx.Response(401, json={"error": "expired"}), httpx.Response(200, json={})])
    c = client(flavor, fakes, client_id="app-1", client_secret="s3cret-value")
    await call(c.request(op(("oauth",)), cast_to=None))
    assert tokens.call_count == 2
    assert thing.calls.last.request.headers["Authorization"] == "Bearer tok-new"
    await call(c.close())


async def test_client_credentials_refused_is_an_authentication_error(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    api.post("/oauth/token").mock(return_value=httpx.Response(401, json={"error": "bad"}))
    c = client(flavor, fakes, client_id="app-1", client_secret="s3cret-value")
    with pytest.raises(AuthenticationError) as info:
        await call(c.request(op(("oauth",)), cast_to=None))
    assert "s3cret-value" not in str(info.value)
    await call(c.close())


async def test_secrets_are_redacted_from_logs_and_reprs(
    flavor: str, fakes: Fakes, api: respx.MockRouter, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SECURE_LOG", "debug")
    caplog.set_level(logging.DEBUG)
    api.post("/oauth/token").mock(return_value=token_answer("tok-fetched-secret"))
    api.get("/thing").mock(return_value=httpx.Response(200, json={}))
    c = client(flavor, fakes, client_id="app-1", client_secret="s3cret-value",
               username="ann", password="pw-secret-1")
    await call(c.request(op(("oauth",)), cast_to=None))
    await call(c.request(op(("basic",)), cast_to=None))
    basic = base64.b64encode(b"ann:pw-secret-1").decode()
    for secret in ("s3cret-value", "tok-fetched-secret", "pw-secret-1", basic):
        assert secret not in caplog.text
        assert secret not in repr(c)
    assert "[REDACTED]" in caplog.text
    await call(c.close())
