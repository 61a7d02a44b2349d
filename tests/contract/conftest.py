"""Prism, started once per session on a free loopback port, as the judge of every request.

Prism (`@stoplight/prism-cli`, pinned in tools/package-lock.json, installed by `make test`)
serves spec/masivo.yaml as a mock: it answers a request that matches the spec with the
operation's documented example, and refuses one that does not (422 for a bad header or
body, 401 for missing credentials) with its reasons in the `sl-violations` header.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from prism_server import Prism, missing_prism, start_prism, stop_prism


@pytest.fixture(scope="session")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prism]:
    problem = missing_prism()
    if problem is not None:
        pytest.fail(problem, pytrace=False)  # not a skip: `make test` always installs it
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    try:
        process, base_url = start_prism(log)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield Prism(base_url=base_url, log=log)
    finally:
        stop_prism(process)


@pytest.fixture(autouse=True)
def _no_masivo_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials and settings come from the test, never from the developer's shell."""
    for name in list(os.environ):
        if name.startswith("MASIVO_"):
            monkeypatch.delenv(name)
