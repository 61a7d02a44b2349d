"""User code calling the client: ``mypy --strict`` must accept all of it.

Checked by ``test_typing.py``; never run. ``assert_type`` pins what a user's editor
and type checker see.
"""

from __future__ import annotations

from typing import assert_type

import httpx
from masivo_client import (
    NOT_GIVEN,
    APIConnectionError,
    APIResponse,
    APIResponseValidationError,
    APIStatusError,
    AsyncMasivo,
    ConfigurationError,
    Masivo,
    RateLimitError,
    RequestValidationError,
)
from masivo_client.models import AuthorizeResponse, Contact, MigrateContactsResponse


def sync_usage() -> None:
    with Masivo(
        api_key="mk_live_example",
        account_id="acc_123",
        timeout=httpx.Timeout(10.0, connect=2.0),
        max_retries=3,
        default_headers={"X-App": "crm-sync"},
    ) as client:
        result = client.contacts.migrate(
            contacts=[Contact(external_id="crm-1"), {"external_id": "crm-2"}],
            timezone="America/Mexico_City",
            extra_headers={"X-Trace": "1"},
            extra_query={"dry_run": True},
            extra_body={"source": "crm"},
            timeout=5.0,
            max_retries=NOT_GIVEN,
        )
        assert_type(result, MigrateContactsResponse)
        message: str = result.data.message
        print(message)

        raw = client.with_raw_response.contacts.migrate(contacts=[{"email": "a@b.c"}])
        assert_type(raw, APIResponse[MigrateContactsResponse])
        status: int = raw.status_code
        remaining: str | None = raw.headers.get("x-ratelimit-remaining")
        retries: int = raw.retries_taken
        http_response: httpx.Response = raw.http_response
        assert_type(raw.parse(), MigrateContactsResponse)
        print(status, remaining, retries, http_response)

        token = client.auth.authorize()
        assert_type(token, AuthorizeResponse)
        assert_type(client.with_raw_response.auth.authorize().parse(), AuthorizeResponse)

        copy = client.with_options(timeout=None, max_retries=0)
        assert_type(copy, Masivo)
        base_url: str = copy.base_url
        print(base_url)

    client = Masivo(token="jwt", http_client=httpx.Client())
    try:
        client.contacts.migrate(contacts=[])
    except RateLimitError as exc:
        wait: float | None = exc.retry_after
        limit: int | None = exc.rate_limit_limit
        left: int | None = exc.rate_limit_remaining
        reset: int | None = exc.rate_limit_reset
        print(wait, limit, left, reset)
    except APIStatusError as exc:
        code: int = exc.status_code
        error: str | None = exc.error
        details: str | None = exc.details
        request_id: str | None = exc.request_id
        body: object = exc.body
        response: httpx.Response = exc.response
        print(code, error, details, request_id, body, response)
    except APIResponseValidationError as exc:
        print(exc.validation_error, exc.body)
    except APIConnectionError as exc:
        request: httpx.Request = exc.request
        print(request)
    except RequestValidationError as exc:
        problems: list[tuple[str, str]] = exc.errors
        print(problems)
    except ConfigurationError as exc:
        print(exc)
    finally:
        client.close()


async def async_usage() -> None:
    async with AsyncMasivo(token="jwt", account_id="acc_123") as client:
        result = await client.contacts.migrate(contacts=[{"email": "a@b.c"}])
        assert_type(result, MigrateContactsResponse)

        raw = await client.with_raw_response.contacts.migrate(contacts=[Contact()])
        assert_type(raw, APIResponse[MigrateContactsResponse])
        assert_type(raw.parse(), MigrateContactsResponse)

        copy = client.with_options(max_retries=0)
        assert_type(copy, AsyncMasivo)
        await copy.aclose()

    other = AsyncMasivo(api_key="mk_live_example", http_client=httpx.AsyncClient())
    assert_type(await other.auth.authorize(), AuthorizeResponse)
    await other.close()
