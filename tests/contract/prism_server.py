"""Starting and stopping Prism, the judge of every request the contract tests send.

Prism (`@stoplight/prism-cli`, pinned in tools/package-lock.json, installed by `make test`)
serves spec/masivo.yaml as a mock: it answers a request that matches the spec with the
operation's documented example, and refuses one that does not (422 for a bad header or
body, 401 for missing credentials) with its reasons in the `sl-violations` header.
`--errors` also turns any violation it finds in its own answers into an error response.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "tools" / "node_modules" / ".bin" / "prism"
SPEC = ROOT / "spec" / "masivo.yaml"

_START_TIMEOUT = 60.0  # seconds; Prism usually listens within 2 s
_STOP_TIMEOUT = 10.0
_RESTARTS = 2


@dataclass(frozen=True)
class Prism:
    base_url: str
    log: Path  # Prism's own log of every request, for a failing test's reader


def missing_prism(prism: Path = PRISM) -> str | None:
    """Why Prism cannot be started, or None when it can."""
    if os.access(prism, os.X_OK):
        return None
    return (f"Prism is not installed ({prism} is missing): run `make test`, which installs "
            "it from tools/package-lock.json with `npm ci`")


def violations(response: httpx.Response) -> list[str]:
    """Prism's reasons for refusing a request (its `sl-violations` header), one per line."""
    raw = response.headers.get("sl-violations")
    if not raw:
        return []
    try:
        items = json.loads(raw)
    except ValueError:
        return [raw]
    return [f"{'.'.join(map(str, v.get('location', [])))}: {v.get('message')}" for v in items]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop Prism and anything it started: it runs in its own process group."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=_STOP_TIMEOUT)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=_STOP_TIMEOUT)


def _start(log: Path, spec: Path, options: tuple[str, ...]) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(PRISM), "mock", str(spec), "--host", "127.0.0.1", "--port", str(port),
             "--errors", *options],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown stops node too
        )
    return process, port


def start_prism(
    log: Path, *, timeout: float = _START_TIMEOUT, spec: Path = SPEC,
    options: tuple[str, ...] = (),
) -> tuple[subprocess.Popen[bytes], str]:
    """Start Prism mocking `spec` (the Masivo spec by default) with more command-line
    `options`, wait until it listens, return it and its base URL.

    Raises RuntimeError with Prism's log when it does not listen in time.
    """
    process, port = _start(log, spec, options)
    restarts = 0
    deadline = time.monotonic() + timeout
    while not _listening(port):
        if process.poll() is not None and restarts < _RESTARTS:
            # Most likely the port was taken between choosing and binding it: again.
            restarts += 1
            process, port = _start(log, spec, options)
        elif process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(
                f"Prism did not start listening (exit code {process.poll()}); its log:\n"
                + log.read_text(errors="replace")
            )
        time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}"


def stop_prism(process: subprocess.Popen[bytes]) -> None:
    _stop(process)
