"""End-to-end tests: the committed client (generated/masivo_client) against a local
HTTP server. tests/conftest.py puts generated/ on sys.path."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from e2e_loopback import LoopbackAPI, serve

_PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def _hermetic_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No MASIVO_* setting or proxy of the developer's shell reaches the client."""
    for name in list(os.environ):
        if name.startswith("MASIVO_") or name.upper() in _PROXIES:
            monkeypatch.delenv(name)


@pytest.fixture
def api() -> Iterator[LoopbackAPI]:
    with serve() as running:
        yield running


@pytest.fixture(params=["sync", "async"])
def flavor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def run(flavor: str) -> Callable[..., list[Any]]:
    """`run([step, ...], **client_settings)`: builds a Masivo or an AsyncMasivo, calls
    each `step(client)` in turn (awaiting it on the async client), closes the client
    and returns the steps' results."""
    from masivo_client import AsyncMasivo, Masivo

    def _run(steps: list[Callable[[Any], Any]], **settings: Any) -> list[Any]:
        if flavor == "sync":
            client = Masivo(**settings)
            try:
                return [step(client) for step in steps]
            finally:
                client.close()

        async def main() -> list[Any]:
            client = AsyncMasivo(**settings)
            try:
                return [await step(client) for step in steps]
            finally:
                await client.close()

        return asyncio.run(main())

    return _run
