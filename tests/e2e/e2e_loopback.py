"""A stand-in for the Masivo API: the standard library's HTTP server, on loopback.

It runs in a thread on a free port of 127.0.0.1, records every request exactly as it
arrived (method, path, headers, body bytes) and answers from a small routing table,
so a test can drive the generated client over real sockets and check what it sent.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = "/api/storefront/v1"  # the path of the spec's server URL
AUTHORIZE = f"{PREFIX}/auth/authorize"
MIGRATE = f"{PREFIX}/contacts/migrate"
ENQUEUED = {"data": {"message": "Contacts batch enqueued successfully"}}


def make_jwt(claims: dict[str, Any]) -> str:
    """An unsigned JWT: the client reads `exp` from it, the API checks the signature."""
    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


JWT = make_jwt({"sub": "acc_1", "iat": 4_000_000_000, "exp": 4_000_003_600})


@dataclass(frozen=True)
class Received:
    method: str
    path: str  # with the query string, as sent
    headers: dict[str, str]  # names in lower case
    header_names: tuple[str, ...]  # every header line, to catch duplicates
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LoopbackAPI:
    base_url: str = ""
    received: list[Received] = field(default_factory=list)
    # (method, path) -> (status, JSON body); anything else is a 404.
    routes: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=lambda: {
        ("GET", AUTHORIZE): (200, {"data": JWT}),
        ("POST", MIGRATE): (201, ENQUEUED),
    })

    def requests_to(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path.split("?")[0] == path]


def _handler(api: LoopbackAPI, lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real server would

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with lock:
                api.received.append(Received(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    header_names=tuple(k.lower() for k in self.headers),
                    body=body,
                ))
            status, payload = api.routes.get((self.command, self.path.split("?")[0]),
                                             (404, {"error": "Not found"}))
            content = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads `api.received` instead."""

    return Handler


@contextmanager
def serve() -> Iterator[LoopbackAPI]:
    api = LoopbackAPI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api, threading.Lock()))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    api.base_url = f"http://{host!s}:{port}{PREFIX}"
    # A short poll interval: shutdown() waits up to one interval.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              name="loopback-api", daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
