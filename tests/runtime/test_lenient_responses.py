"""A 2xx never raises because of its body: the request succeeded, and raising would
invite the caller to send it again. The body is returned as well as it can be read,
with a warning; ``strict_response_validation=True`` raises instead."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from masivo_client import MigrateContactsResponse, response_validation_error
from runtime_helpers import CONTACT, call

pytestmark = pytest.mark.anyio

Make = Callable[..., Any]
TOKEN = "fixed-token-abcdef"


@pytest.mark.parametrize("content", [b"", b"<html>queued</html>", b'{"data": '])
async def test_an_empty_or_non_json_2xx_returns_a_default_model_and_warns(
    make: Make, api: respx.MockRouter, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    route = api.post("/contacts/migrate").mock(return_value=httpx.Response(201, content=content))
    client = make(token=TOKEN)
    with caplog.at_level(logging.WARNING, logger="masivo_client"):
        result = await call(client.contacts.migrate(contacts=[CONTACT]))
    assert isinstance(result, MigrateContactsResponse)
    assert result.data is None  # required, absent from the body
    error = response_validation_error(result)
    assert error is not None and error.status_code == 201
    assert error.body == (content.decode() if content else None)
    assert route.call_count == 1  # not retried
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "POST /contacts/migrate -> 201 Created: the response is not valid JSON" in (
        record.getMessage()
    )
    assert "strict_response_validation=True" in record.getMessage()


async def test_json_of_another_shape_is_kept_as_sent(
    make: Make, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"data": {"msg": "queued"}, "job": 7}
    api.post("/contacts/migrate").mock(return_value=httpx.Response(201, json=body))
    client = make(token=TOKEN)
    with caplog.at_level(logging.WARNING, logger="masivo_client"):
        result = await call(client.contacts.migrate(contacts=[CONTACT]))
    assert isinstance(result, MigrateContactsResponse)
    assert result.data == {"msg": "queued"}  # the raw JSON, unvalidated
    assert result.model_extra == {"job": 7}  # unknown fields kept
    error = response_validation_error(result)
    assert error is not None and error.body == body
    assert "data.message: Field required" in caplog.text


async def test_a_matching_body_is_validated_and_carries_no_error(
    make: Make, api: respx.MockRouter
) -> None:
    api.post("/contacts/migrate").mock(
        return_value=httpx.Response(201, json={"data": {"message": "ok"}})
    )
    client = make(token=TOKEN)
    result = await call(client.contacts.migrate(contacts=[CONTACT]))
    assert result.data.message == "ok" and response_validation_error(result) is None


async def test_with_options_keeps_and_changes_strictness(make: Make, api: respx.MockRouter) -> None:
    from masivo_client import APIResponseValidationError

    api.post("/contacts/migrate").mock(return_value=httpx.Response(201, content=b""))
    strict = make(token=TOKEN, strict_response_validation=True)
    with pytest.raises(APIResponseValidationError):
        await call(strict.with_options(timeout=3).contacts.migrate(contacts=[CONTACT]))
    lenient = strict.with_options(strict_response_validation=False)
    assert isinstance(
        await call(lenient.contacts.migrate(contacts=[CONTACT])), MigrateContactsResponse
    )


async def test_an_error_status_body_is_never_read_leniently(
    make: Make, api: respx.MockRouter
) -> None:
    from masivo_client import BadRequestError

    api.post("/contacts/migrate").mock(return_value=httpx.Response(400, content=b"nope"))
    client = make(token=TOKEN, max_retries=0)
    with pytest.raises(BadRequestError):
        await call(client.contacts.migrate(contacts=[CONTACT]))


@pytest.mark.parametrize("body", [{"items": [1], "ok": True}, ["a", 2], "text"])
def test_a_root_model_is_built_from_the_whole_body(body: object) -> None:
    # A root model has no fields to map a JSON object onto: the body is its root.
    import pydantic
    from masivo_client import APIResponseValidationError
    from masivo_client._response import read_leniently

    class Names(pydantic.RootModel[list[str]]):
        pass

    response = httpx.Response(200, json=body, request=httpx.Request("GET", "http://x/names"))
    error = APIResponseValidationError("does not match", response=response, body=body)
    result = read_leniently(Names, error)
    assert isinstance(result, Names)
    assert result.root == body
    assert response_validation_error(result) is error
