"""Helpers shared by the runtime tests (imported by name; conftest puts this folder
on ``sys.path``)."""

from __future__ import annotations

import base64
import inspect
import json
from typing import Any

import httpx
import respx

BASE_URL = "https://app.masivo.ai/api/storefront/v1"
API_KEY = "mk_live_SECRET_api_key_0123456789"
NOW = 1_700_000_000.0


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def jwt(exp: float | None = NOW + 3600, **claims: Any) -> str:
    """An unsigned JWT; the client only reads its ``exp``."""
    payload = dict(claims)
    if exp is not None:
        payload["exp"] = exp
    return f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(payload)}.c2lnbmF0dXJl"


def make_client(flavor: str, **kwargs: Any) -> Any:
    from masivo_client import AsyncMasivo, Masivo

    kwargs.setdefault("account_id", "acc_123")
    cls = Masivo if flavor == "sync" else AsyncMasivo
    return cls(**kwargs)


async def call(value: Any) -> Any:
    """The result of a sync call, or of awaiting an async one."""
    if inspect.isawaitable(value):
        return await value
    return value


class Fakes:
    """Injected sleep, clock and random: tests take no real time and are exact."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.now = NOW
        self.rand = 0.0

    def install(self, client: Any) -> None:
        from masivo_client._base_client import AsyncAPIClient

        def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            self.now += seconds

        async def async_sleep(seconds: float) -> None:
            sleep(seconds)

        client._sleep = async_sleep if isinstance(client, AsyncAPIClient) else sleep
        client._clock = lambda: self.now
        client._random = lambda: self.rand


def migrated(message: str = "Contacts batch enqueued successfully") -> httpx.Response:
    return httpx.Response(201, json={"data": {"message": message}})


def authorize_route(api: respx.MockRouter, *tokens: str) -> respx.Route:
    """``GET /auth/authorize`` answering each token in turn (the last one repeats)."""
    queue = list(tokens or (jwt(),))
    served: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        token = queue[min(len(served), len(queue) - 1)]
        served.append(token)
        return httpx.Response(200, json={"data": token})

    return api.get("/auth/authorize").mock(side_effect=answer)


def sent_headers(route: respx.Route, index: int = -1) -> httpx.Headers:
    return route.calls[index].request.headers


CONTACT = {"external_id": "crm-1", "email": "ana@example.com"}
