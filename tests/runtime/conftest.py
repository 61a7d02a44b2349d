"""Shared fixtures of the runtime tests, which drive the committed client in generated/."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import respx

HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parents[1] / "generated"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(PACKAGE_ROOT))

from runtime_helpers import BASE_URL, Fakes, call, make_client  # noqa: E402


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def package_root() -> Path:
    return PACKAGE_ROOT


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No MASIVO_* variable of the developer's shell leaks into a test; the package
    logger is restored afterwards."""
    for name in list(os.environ):
        if name.startswith("MASIVO_"):
            monkeypatch.delenv(name)
    logger = logging.getLogger("masivo_client")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers


@pytest.fixture(params=["sync", "async"])
def flavor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


@pytest.fixture
async def make(flavor: str, fakes: Fakes, anyio_backend: str) -> AsyncIterator[Callable[..., Any]]:
    """``make(**kwargs)``: a Masivo or AsyncMasivo (per ``flavor``) with fake sleep,
    clock and random installed; closed after the test."""
    created: list[Any] = []

    def _make(**kwargs: Any) -> Any:
        client = make_client(flavor, **kwargs)
        fakes.install(client)
        created.append(client)
        return client

    yield _make
    for client in created:
        await call(client.close())


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router
