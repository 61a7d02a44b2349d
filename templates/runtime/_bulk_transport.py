"""Sending a request body that is already encoded, with exactly one attempt.

The bulk engine validates each record once and has pydantic's serializer write the
batch's bytes once; ``client.request`` would encode the body again, and it retries
timeouts, which must not happen blindly to an endpoint without an idempotency key.
So the engine sends the bytes it hashed, and decides about retries itself.

This is the one place that uses the client's private steps (``_prepare``,
``_send``): credentials, token refresh (and the one refetch after a 401), headers,
logging and the mapping of errors stay the client's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ._base_client import AsyncAPIClient, SyncAPIClient, _Prepared
from ._config import Operation, RequestOptions

__all__ = ["Prepared", "prepare", "send_async", "send_sync"]

Prepared = _Prepared


def prepare(
    client: SyncAPIClient | AsyncAPIClient,
    operation: Operation,
    params: Mapping[str, object],
    options: RequestOptions,
) -> Prepared:
    """Resolve parameters and credentials once for every batch of a job.

    Raises ``ConfigurationError`` (a missing required parameter, no credentials for
    the operation) before anything is read or sent. Automatic retries are off: the
    caller retries what is safe to retry.
    """
    no_retries = dataclasses.replace(options, max_retries=0)
    return client._prepare(operation, params, None, no_retries)


def _with_body(prepared: Prepared, content: bytes) -> Prepared:
    headers = {**prepared.headers, "Content-Type": "application/json"}
    return dataclasses.replace(prepared, content=content, headers=headers)


def send_sync(client: SyncAPIClient, prepared: Prepared, content: bytes) -> int:
    """POST ``content`` once; the 2xx status, or the client's exception."""
    response, _ = client._send(_with_body(prepared, content))
    return response.status_code


async def send_async(client: AsyncAPIClient, prepared: Prepared, content: bytes) -> int:
    """As ``send_sync``, on the async client."""
    response, _ = await client._send(_with_body(prepared, content))
    return response.status_code
