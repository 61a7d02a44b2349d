"""Which failures are retried, and the exact waits between attempts."""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from masivo_client import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
)
from runtime_helpers import CONTACT, NOW, Fakes, call, migrated

pytestmark = pytest.mark.anyio

Make = Callable[..., Any]
TOKEN = "fixed-token-abcdef"


async def migrate(client: Any, **kwargs: Any) -> Any:
    return await call(client.contacts.migrate(contacts=[CONTACT], **kwargs))


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
async def test_retryable_statuses_are_retried_with_backoff(
    make: Make, api: respx.MockRouter, fakes: Fakes, status: int
) -> None:
    route = api.post("/contacts/migrate").mock(
        side_effect=[httpx.Response(status), httpx.Response(status), migrated()]
    )
    client = make(token=TOKEN)
    result = await migrate(client)
    assert result.data.message == "Contacts batch enqueued successfully"
    assert route.call_count == 3
    assert fakes.sleeps == [0.5, 1.0]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 410, 418, 422])
async def test_final_statuses_are_not_retried(
    make: Make, api: respx.MockRouter, fakes: Fakes, status: int
) -> None:
    route = api.post("/contacts/migrate").mock(return_value=httpx.Response(status))
    client = make(token=TOKEN)
    with pytest.raises(APIStatusError) as info:
        await migrate(client)
    assert info.value.status_code == status
    assert route.call_count == 1
    assert fakes.sleeps == []


async def test_retries_are_exhausted_then_the_error_is_raised(
    make: Make, api: respx.MockRouter, fakes: Fakes
) -> None:
    route = api.post("/contacts/migrate").mock(return_value=httpx.Response(503))
    client = make(token=TOKEN, max_retries=4)
    with pytest.raises(InternalServerError):
        await migrate(client)
    assert route.call_count == 5
    assert fakes.sleeps == [0.5, 1.0, 2.0, 4.0]


async def test_backoff_is_capped_at_eight_seconds_and_jittered(
    make: Make, api: respx.MockRouter, fakes: Fakes
) -> None:
    api.post("/contacts/migrate").mock(return_value=httpx.Response(500))
    fakes.rand = 0.5  # jitter: 87.5% of the base wait
    client = make(token=TOKEN, max_retries=6)
    with pytest.raises(InternalServerError):
        await migrate(client)
    assert fakes.sleeps == pytest.approx([0.4375, 0.875, 1.75, 3.5, 7.0, 7.0])


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "1500", "retry-after": "30"}, 1.5),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "2.25"}, 2.25),
        ({"retry-after": email.utils.formatdate(NOW + 12, usegmt=True)}, 12.0),
        ({"retry-after": "60"}, 60.0),  # at the cap: honoured
        ({"retry-after": "0"}, 0.5),  # no guidance: backoff
        ({"retry-after": "-3"}, 0.5),
        ({"retry-after": "later"}, 0.5),
        ({"retry-after": email.utils.formatdate(NOW - 60, usegmt=True)}, 0.5),
        ({"retry-after-ms": "nope", "retry-after": "4"}, 4.0),
    ],
)
async def test_server_wait_under_every_header_form(
    make: Make,
    api: respx.MockRouter,
    fakes: Fakes,
    headers: dict[str, str],
    expected: float,
) -> None:
    api.post("/contacts/migrate").mock(
        side_effect=[httpx.Response(429, headers=headers), migrated()]
    )
    client = make(token=TOKEN)
    await migrate(client)
    assert fakes.sleeps == [pytest.approx(expected)]


async def test_a_wait_above_the_cap_is_raised_not_slept(
    make: Make, api: respx.MockRouter, fakes: Fakes
) -> None:
    route = api.post("/contacts/migrate").mock(
        return_value=httpx.Response(
            429,
            json={"error": "Too many requests"},
            headers={
                "retry-after": "120",
                "x-ratelimit-limit": "250",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": "118",
            },
        )
    )
    client = make(token=TOKEN)
    with pytest.raises(RateLimitError) as info:
        await migrate(client)
    err = info.value
    assert route.call_count == 1
    assert fakes.sleeps == []
    assert err.retry_after == 120.0
    assert (err.rate_limit_limit, err.rate_limit_remaining, err.rate_limit_reset) == (250, 0, 118)
    assert str(err) == (
        "POST /contacts/migrate -> 429 Too Many Requests: Too many requests [retry after 120 s]"
    )


async def test_a_5xx_wait_above_the_cap_is_raised_too(
    make: Make, api: respx.MockRouter, fakes: Fakes
) -> None:
    route = api.post("/contacts/migrate").mock(
        return_value=httpx.Response(503, headers={"retry-after": "3600"})
    )
    client = make(token=TOKEN)
    with pytest.raises(InternalServerError):
        await migrate(client)
    assert route.call_count == 1
    assert fakes.sleeps == []


async def test_connection_errors_are_retried(
    make: Make, api: respx.MockRouter, fakes: Fakes
) -> None:
    route = api.post("/contacts/migrate").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.RemoteProtocolError("reset"), migrated()]
    )
    client = make(token=TOKEN)
    await migrate(client)
    assert route.call_count == 3
    assert fakes.sleeps == [0.5, 1.0]


async def test_connection_errors_exhausted(make: Make, api: respx.MockRouter, fakes: Fakes) -> None:
    route = api.post("/contacts/migrate").mock(
        side_effect=httpx.ConnectError("[Errno 111] refused")
    )
    client = make(token=TOKEN)
    with pytest.raises(APIConnectionError) as info:
        await migrate(client)
    assert not isinstance(info.value, APITimeoutError)
    assert route.call_count == 3
    assert fakes.sleeps == [0.5, 1.0]
    assert str(info.value) == (
        "POST /contacts/migrate: connection failed after 3 attempts: ConnectError: "
        "[Errno 111] refused"
    )
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert info.value.request.url.path.endswith("/contacts/migrate")


async def test_timeouts_are_retried_then_raised(
    make: Make, api: respx.MockRouter, fakes: Fakes
) -> None:
    route = api.post("/contacts/migrate").mock(side_effect=httpx.ReadTimeout("timed out"))
    client = make(token=TOKEN, max_retries=1)
    with pytest.raises(APITimeoutError) as info:
        await migrate(client)
    assert route.call_count == 2
    assert fakes.sleeps == [0.5]
    assert str(info.value) == (
        "POST /contacts/migrate: no response within the timeout after 2 attempts (ReadTimeout)"
    )


async def test_per_call_max_retries(make: Make, api: respx.MockRouter, fakes: Fakes) -> None:
    route = api.post("/contacts/migrate").mock(return_value=httpx.Response(500))
    client = make(token=TOKEN)
    with pytest.raises(InternalServerError):
        await migrate(client, max_retries=0)
    assert route.call_count == 1
    with pytest.raises(InternalServerError):
        await migrate(client, max_retries=3)
    assert route.call_count == 1 + 4
    assert fakes.sleeps == [0.5, 1.0, 2.0]


async def test_with_options_max_retries(make: Make, api: respx.MockRouter, fakes: Fakes) -> None:
    route = api.post("/contacts/migrate").mock(return_value=httpx.Response(500))
    client = make(token=TOKEN).with_options(max_retries=0)
    with pytest.raises(InternalServerError):
        await migrate(client)
    assert route.call_count == 1
    assert fakes.sleeps == []  # the copy kept the injected sleep (nothing slept)


async def test_each_attempt_is_a_fresh_request(make: Make, api: respx.MockRouter) -> None:
    route = api.post("/contacts/migrate").mock(side_effect=[httpx.Response(502), migrated()])
    client = make(token=TOKEN)
    await migrate(client)
    first, second = (c.request for c in route.calls)
    assert first is not second
    assert first.content == second.content
    assert first.headers["authorization"] == second.headers["authorization"]
