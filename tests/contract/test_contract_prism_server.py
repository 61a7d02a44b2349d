"""The Prism fixture's own behaviour: it fails loudly when Prism is missing, and stopping
Prism stops its whole process group and frees the port."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from prism_server import missing_prism, start_prism, stop_prism

pytestmark = pytest.mark.prism


def test_a_missing_prism_says_to_run_make_test(tmp_path: Path) -> None:
    problem = missing_prism(tmp_path / "node_modules" / ".bin" / "prism")
    assert problem is not None
    assert "run `make test`" in problem


def test_the_installed_prism_is_found() -> None:
    assert missing_prism() is None, missing_prism()


def test_stopping_prism_ends_its_process_group_and_frees_the_port(tmp_path: Path) -> None:
    process, base_url = start_prism(tmp_path / "prism.log")
    try:
        assert base_url.startswith("http://127.0.0.1:")
        port = int(base_url.rsplit(":", 1)[1])
    finally:
        stop_prism(process)
    assert process.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)
    with socket.socket() as sock, pytest.raises(OSError):
        sock.settimeout(0.5)
        sock.connect(("127.0.0.1", port))
