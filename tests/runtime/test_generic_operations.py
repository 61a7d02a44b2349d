"""Runtime features the Masivo spec does not use yet: path and query parameters, API
keys in the query or a cookie, anonymous operations, other return types."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
import respx
from masivo_client._base_client import (
    ApiKeyAuth,
    AsyncAPIClient,
    ClientConfig,
    CredentialSpec,
    Operation,
    PathParam,
    QueryParam,
    RequestOptions,
    SyncAPIClient,
)
from masivo_client._exceptions import ConfigurationError, RequestValidationError
from pydantic import BaseModel
from runtime_helpers import Fakes, call

pytestmark = pytest.mark.anyio

BASE = "https://shop.example/api"
KEY = "query-key-SECRET-42"
CONFIG = ClientConfig(
    package="masivo_client",
    version="0.0.1",
    client_name="Shop",
    env_prefix="SHOP",
    default_base_url=BASE,
    credentials=(CredentialSpec(name="key", env="SHOP_KEY"), CredentialSpec(name="session")),
    security_schemes={
        "queryKey": ApiKeyAuth(credential="key", location="query", name="api_key"),
        "cookieKey": ApiKeyAuth(credential="session", location="cookie", name="sid"),
    },
)

GET_ITEM = Operation(
    method="get",
    path="/stores/{store}/items/{item_id}",
    security=(("cookieKey",), ("queryKey",)),
    path_params=(PathParam(wire="store", name="store"), PathParam(wire="item_id", name="item_id")),
    query_params=(
        QueryParam(wire="expand", name="expand", required=False, default="none"),
        QueryParam(wire="limit", name="limit", required=True),
    ),
)
LIST_TAGS = Operation(method="GET", path="/tags", security=((),))  # anonymous is fine
DELETE = Operation(
    method="DELETE",
    path="/items/{id}",
    security=(("queryKey",),),
    path_params=(PathParam(wire="id", name="id"),),
)


class Item(BaseModel):
    id: str


class Shop(SyncAPIClient):
    def __init__(self, **kwargs: Any) -> None:
        creds = {k: kwargs.pop(k, None) for k in ("key", "session")}
        super().__init__(config=CONFIG, credentials=creds, param_defaults={}, **kwargs)


class AsyncShop(AsyncAPIClient):
    def __init__(self, **kwargs: Any) -> None:
        creds = {k: kwargs.pop(k, None) for k in ("key", "session")}
        super().__init__(config=CONFIG, credentials=creds, param_defaults={}, **kwargs)


@pytest.fixture
def shop_api() -> Any:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def shop(flavor: str, fakes: Fakes, **kwargs: Any) -> Any:
    client = Shop(**kwargs) if flavor == "sync" else AsyncShop(**kwargs)
    fakes.install(client)
    return client


async def req(client: Any, op: Operation, cast_to: Any, params: Mapping[str, object]) -> Any:
    return await call(client.request(op, cast_to=cast_to, params=params))


async def test_path_and_query_parameters_and_a_query_key(
    flavor: str,
    fakes: Fakes,
    shop_api: respx.MockRouter,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHOP_LOG", "debug")
    caplog.set_level(logging.DEBUG)
    route = shop_api.get(path__regex=r"/stores/.*").mock(
        return_value=httpx.Response(200, json={"id": "i-1"})
    )
    client = shop(flavor, fakes, key=KEY)
    item = await req(client, GET_ITEM, Item, {"store": "north/east", "item_id": 7, "limit": 10})
    assert item == Item(id="i-1")
    url = route.calls.last.request.url
    assert url.raw_path.startswith(b"/api/stores/north%2Feast/items/7?")
    assert dict(url.params) == {"expand": "none", "limit": "10", "api_key": KEY}
    assert KEY not in caplog.text  # the key in the URL is redacted, from httpx's logs too
    assert "api_key=[REDACTED]" in caplog.text
    await call(client.close())


async def test_missing_required_query_parameter(flavor: str, fakes: Fakes) -> None:
    client = shop(flavor, fakes, key=KEY)
    with pytest.raises(RequestValidationError) as info:
        await req(client, GET_ITEM, Item, {"store": "s", "item_id": "i"})
    assert info.value.errors == [
        (
            "limit",
            "GET /stores/{store}/items/{item_id}: missing required parameter limit "
            "(query parameter limit); pass limit=",
        )
    ]
    await call(client.close())


async def test_first_satisfiable_requirement_wins(
    flavor: str, fakes: Fakes, shop_api: respx.MockRouter
) -> None:
    route = shop_api.get(path__regex=r"/stores/.*").mock(
        return_value=httpx.Response(200, json={"id": "x"})
    )
    client = shop(flavor, fakes, key=KEY, session="sess-abcdef")
    await req(client, GET_ITEM, Item, {"store": "s", "item_id": "i", "limit": 1})
    request = route.calls.last.request
    assert request.headers["cookie"] == "sid=sess-abcdef"
    assert "api_key" not in request.url.params
    await call(client.close())


async def test_anonymous_operation_and_other_return_types(
    flavor: str, fakes: Fakes, shop_api: respx.MockRouter
) -> None:
    shop_api.get("/tags").mock(return_value=httpx.Response(200, json=["a", "b"]))
    shop_api.delete("/items/9").mock(return_value=httpx.Response(204))
    client = shop(flavor, fakes, key=KEY)
    assert await req(client, LIST_TAGS, list[str], {}) == ["a", "b"]
    assert await req(client, DELETE, None, {"id": 9}) is None
    await call(client.close())


async def test_an_operation_the_credentials_cannot_satisfy(flavor: str, fakes: Fakes) -> None:
    client = shop(flavor, fakes, session="sess-abcdef")
    with pytest.raises(ConfigurationError) as info:
        await req(client, DELETE, None, {"id": 9})
    assert (
        str(info.value)
        == "DELETE /items/{id} needs credentials: pass key= to Shop(), or set SHOP_KEY"
    )
    await call(client.close())


async def test_per_call_max_retries_is_validated(flavor: str, fakes: Fakes) -> None:
    client = shop(flavor, fakes, key=KEY)
    with pytest.raises(ConfigurationError, match="max_retries"):
        await call(client.request(LIST_TAGS, cast_to=None, options=RequestOptions(max_retries=-1)))
    await call(client.close())


def test_config_mistakes_fail_at_import_time() -> None:
    with pytest.raises(ValueError, match="unknown credential"):
        ClientConfig(
            package="p",
            version="1",
            client_name="C",
            env_prefix="C",
            default_base_url=BASE,
            security_schemes={"k": ApiKeyAuth(credential="nope", location="header", name="x")},
        )
