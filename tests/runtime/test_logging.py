"""Logging switched on by MASIVO_LOG; no credential ever appears in a log, a repr or
an exception message."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from masivo_client import APIStatusError, RateLimitError
from masivo_client._logging import Redactor
from runtime_helpers import API_KEY, CONTACT, NOW, authorize_route, call, jwt

pytestmark = pytest.mark.anyio

Make = Callable[..., Any]


def records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "masivo_client"]


async def test_debug_logs_are_redacted(
    make: Make,
    api: respx.MockRouter,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("MASIVO_LOG", "debug")
    first, second = jwt(NOW + 3600, sub="first"), jwt(NOW + 3600, sub="second")
    authorize_route(api, first, second)
    api.post("/contacts/migrate").mock(
        side_effect=[
            httpx.Response(503, headers={"set-cookie": f"session={first}"}),
            httpx.Response(401),
            httpx.Response(
                429,
                json={"error": f"slow down {second}", "details": f"key {API_KEY}"},
                headers={"retry-after": "600", "x-echo": second},
            ),
        ]
    )
    caplog.set_level(logging.DEBUG)
    client = make(api_key=API_KEY)
    with pytest.raises(RateLimitError) as info:
        await call(client.contacts.migrate(contacts=[CONTACT]))

    text = caplog.text
    for secret in (API_KEY, first, second):
        assert secret not in text
        assert secret not in str(info.value)
        assert secret not in repr(info.value)
        assert secret not in repr(client)
    assert str(info.value) == (
        "POST /contacts/migrate -> 429 Too Many Requests: slow down [REDACTED] "
        "(key [REDACTED]) [retry after 600 s]"
    )
    ours = records(caplog)
    messages = [r.getMessage() for r in ours]
    assert any("'x-api-key': '[REDACTED]'" in m for m in messages)
    assert any("'authorization': '[REDACTED]'" in m for m in messages)
    assert any("'set-cookie': '[REDACTED]'" in m for m in messages)
    assert any("'x-echo': '[REDACTED]'" in m for m in messages)  # a header echoing a token
    assert any("retrying in 0.50 s (retry 1 of 2)" in m for m in messages)
    assert any("fetched a new access token" in m for m in messages)
    assert {r.levelno for r in ours} == {logging.DEBUG, logging.INFO}


async def test_info_level_logs_retries_but_not_requests(
    make: Make,
    api: respx.MockRouter,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("MASIVO_LOG", "info")
    api.post("/contacts/migrate").mock(
        side_effect=[httpx.Response(500), httpx.Response(201, json={"data": {"message": "ok"}})]
    )
    caplog.set_level(logging.DEBUG, logger="httpx")
    client = make(token="fixed-token-abcdef")
    await call(client.contacts.migrate(contacts=[CONTACT]))
    messages = [r.getMessage() for r in records(caplog)]
    assert messages == [
        "POST /contacts/migrate: 500 Internal Server Error; retrying in 0.50 s (retry 1 of 2)"
    ]


async def test_silent_without_the_variable(
    make: Make, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.post("/contacts/migrate").mock(
        side_effect=[httpx.Response(500), httpx.Response(201, json={"data": {"message": "ok"}})]
    )
    client = make(token="fixed-token-abcdef")
    await call(client.contacts.migrate(contacts=[CONTACT]))
    assert records(caplog) == []


async def test_status_error_messages_are_scrubbed_for_fixed_tokens(
    make: Make, api: respx.MockRouter
) -> None:
    api.post("/contacts/migrate").mock(
        return_value=httpx.Response(403, json={"error": "token fixed-token-abcdef has no access"})
    )
    client = make(token="fixed-token-abcdef")
    with pytest.raises(APIStatusError) as info:
        await call(client.contacts.migrate(contacts=[CONTACT]))
    assert str(info.value) == (
        "POST /contacts/migrate -> 403 Forbidden: token [REDACTED] has no access"
    )


async def test_connection_error_messages_are_scrubbed(make: Make, api: respx.MockRouter) -> None:
    api.post("/contacts/migrate").mock(
        side_effect=httpx.ConnectError("proxy said: bad header Bearer fixed-token-abcdef")
    )
    client = make(token="fixed-token-abcdef", max_retries=0)
    with pytest.raises(Exception) as info:
        await call(client.contacts.migrate(contacts=[CONTACT]))
    assert "fixed-token-abcdef" not in str(info.value)
    assert "[REDACTED]" in str(info.value)


def test_redactor_always_hides_common_credential_headers() -> None:
    headers = {name: "v" for name in ("Authorization", "X-Api-Key", "Cookie", "Set-Cookie")}
    assert set(Redactor().headers(headers).values()) == {"[REDACTED]"}


def test_redactor_unit() -> None:
    redactor = Redactor(["x-custom-key"])
    redactor.add_secret("s3cr3t/value+1")
    redactor.add_secret("abc")  # too short to scrub without blanking ordinary words
    redactor.add_secret(None)
    assert redactor.scrub("a s3cr3t/value+1 b") == "a [REDACTED] b"
    assert redactor.scrub("q=s3cr3t%2Fvalue%2B1") == "q=[REDACTED]"  # URL-encoded form
    assert redactor.scrub("abc") == "abc"
    assert redactor.headers({"X-Custom-Key": "v", "Authorization": "x", "Accept": "json"}) == {
        "X-Custom-Key": "[REDACTED]",
        "Authorization": "[REDACTED]",
        "Accept": "json",
    }
