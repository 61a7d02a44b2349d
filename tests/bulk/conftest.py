"""Fixtures of the bulk tests (helpers they share live in bulk_support.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bulk_support import INTERVAL
from loopback import Limits, MigrateServer


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No MASIVO_* variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("MASIVO_"):
            monkeypatch.delenv(name)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server() -> Iterator[MigrateServer]:
    with MigrateServer(limits=Limits(min_interval=INTERVAL, max_items=50)) as srv:
        yield srv


