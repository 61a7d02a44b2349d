"""A loopback stand-in for a bulk endpoint: it enforces the documented limits with time
scaled down, injects faults on chosen requests, and records every record it accepts.

Used by the bulk tests and by ``bench/bulk_bench.py``. Standard library only: a
``ThreadingHTTPServer`` on 127.0.0.1, port 0, in a daemon thread.

Endpoints: the four migrate endpoints (``ROUTES``): contacts (records keyed by
``external_id``), customers, customers' events and customers' transactions (keyed by
the customer ``id``). They count against **one** pace, as the API's migration limit
is per account: a client that paces each operation on its own gets ``429``. The
events and transactions endpoints also check the nested bound
(``Limits.max_nested``: events or transactions in all the customers of a request,
each customer with at least one) and answer ``400`` when it is broken.

Limits (checked when a request's headers have arrived, on accepted requests only):

- at most one request every ``min_interval`` seconds;
- at most ``max_per_window`` requests in any ``window`` seconds (the scaled hourly cap);

a request that breaks one gets ``429`` with ``Retry-After`` (decimal seconds, as
time is scaled) and is not recorded; its outcome is ``"429-interval"`` or
``"429-window"``.

Faults, by 1-based number among the requests that kept the pace (a request refused
for pacing does not take a number), e.g. ``faults={3: "500"}``:

- ``"429"``: 429 with ``Retry-After: <retry_after>``; nothing recorded;
- ``"500"``: that status, no ``Retry-After``; nothing recorded;
- ``"503"``: that status with ``Retry-After: <retry_after>``; nothing recorded;
- ``"422"``: the batch is refused; nothing recorded;
- ``"401"``: refused credentials; nothing recorded;
- ``"drop"``: the body is read, then the connection closed without an answer;
  nothing recorded (the client cannot know that);
- ``"drop_after"``: as ``"drop"`` but the batch *is* recorded first (processed,
  answer lost);
- ``"slow"``: the batch is recorded, then the answer waits ``slow_seconds`` (longer
  than the client's read timeout);
- ``"504"``: the batch is recorded, then 504 (a gateway that gave up waiting);
- ``"empty201"``: the batch is recorded, then 201 with an empty body;
- ``"odd201"``: the batch is recorded, then 201 with JSON of another shape;
- ``"hold"``: the request waits until ``release()`` (or the server stops), then is
  dropped without being recorded: a test kills the client meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "test-token"
ACCOUNT = "acc_test"
PATH = "/contacts/migrate"
# path -> (array field, key of a record, nested array counted against max_nested)
ROUTES: dict[str, tuple[str, str, str | None]] = {
    PATH: ("contacts", "external_id", None),
    "/customers/migrate": ("customers", "id", None),
    "/customers/migrate/events": ("customers", "id", "events"),
    "/customers/migrate/transactions": ("customers", "id", "transactions"),
}


@dataclass
class Seen:
    """One request as the server saw it."""

    number: int
    arrived: float
    outcome: str
    ids: tuple[str, ...] = ()  # the key of each record in the body
    path: str = PATH


@dataclass
class Limits:
    """The endpoint's limits, time scaled. ``tolerance``: the server runs in the client's
    interpreter, so its arrival times lag the wire by up to a few milliseconds (thread
    switches); it forgives that much, far less than any unpaced client would need."""

    min_interval: float = 0.05
    max_per_window: int | None = None
    window: float = 1.0
    max_items: int = 10_000
    tolerance: float = 0.005
    max_nested: int = 1000


@dataclass
class _State:
    limits: Limits
    faults: dict[int, str]
    retry_after: float
    slow_seconds: float
    lock: threading.Condition = field(default_factory=lambda: threading.Condition())
    accepted_times: deque[float] = field(default_factory=deque)
    last_accepted: float = -1e9
    count: int = 0
    seen: list[Seen] = field(default_factory=list)
    recorded: Counter[str] = field(default_factory=Counter)
    batches: list[list[str]] = field(default_factory=list)
    nested: list[tuple[str, int]] = field(default_factory=list)  # (path, count) per batch
    released: threading.Event = field(default_factory=threading.Event)
    holding: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def parse_request(self) -> bool:
        self.arrived = time.monotonic()
        return super().parse_request()

    def do_POST(self) -> None:
        state = self.server.state
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        number = 0

        def seen(outcome: str) -> None:
            with state.lock:
                parsed = self._parse(body)
                ids = tuple(parsed[0]) if parsed else ()
                state.seen.append(Seen(number, self.arrived, outcome, ids, self.path))
                state.lock.notify_all()

        if self.path not in ROUTES:
            return self._answer(404, {"error": "Not found"}, seen, "404")
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._answer(401, {"error": "Unauthorized"}, seen, "401")
        if self.path == PATH and self.headers.get("x-account-id") != ACCOUNT:
            return self._answer(403, {"error": "Forbidden"}, seen, "403")
        early = self._pace_violation()
        if early is not None:
            which, wait = early
            return self._answer(429, {"error": "Too many requests"}, seen, which, wait)
        with state.lock:
            state.count += 1
            number = state.count
        fault = state.faults.get(number)
        if fault == "401":
            return self._answer(401, {"error": "Unauthorized"}, seen, "401")
        if fault == "429":
            return self._answer(429, {"error": "Too many requests"}, seen, "429", state.retry_after)
        if fault == "503":
            return self._answer(503, {"error": "Unavailable"}, seen, fault, state.retry_after)
        if fault in ("500", "422"):
            return self._answer(int(fault), {"error": "Injected"}, seen, fault)
        if fault == "hold":
            seen("hold")
            state.holding.set()
            state.released.wait(30)
            return self._drop()
        parsed = self._parse(body)
        if parsed is None:
            return self._answer(400, {"error": "Invalid body"}, seen, "400")
        if fault == "drop":
            seen("drop")
            return self._drop()
        self._record(*parsed)
        if fault == "drop_after":
            seen("drop_after")
            return self._drop()
        if fault == "slow":
            seen("slow")
            time.sleep(state.slow_seconds)
            return self._answer(201, _OK, None, "slow")
        if fault == "504":
            return self._answer(504, {"error": "Gateway timeout"}, seen, "504")
        if fault == "empty201" or (fault is None and ROUTES[self.path][2] is not None):
            # the events and transactions endpoints document 201 without a body
            return self._answer(201, None, seen, fault or "ok")
        if fault == "odd201":
            return self._answer(201, {"queued": True, "data": [1]}, seen, fault)
        self._answer(201, _OK, seen, "ok")

    def _pace_violation(self) -> tuple[str, float] | None:
        """``("429-interval" | "429-window", seconds to wait)`` for a request too early."""
        state = self.server.state
        limits = state.limits
        with state.lock:
            now = self.arrived
            since = now - state.last_accepted
            if since < limits.min_interval - limits.tolerance:
                return "429-interval", limits.min_interval - since
            times = state.accepted_times
            while times and times[0] <= now - limits.window + limits.tolerance:
                times.popleft()
            if limits.max_per_window is not None and len(times) >= limits.max_per_window:
                return "429-window", times[0] + limits.window - now
            # Faults other than pacing happen after the request counted against the limit.
            state.last_accepted = now
            times.append(now)
            return None

    def _parse(self, body: bytes) -> tuple[list[str], int] | None:
        """The keys of the records and the batch's nested count; ``None`` when the body
        breaks the endpoint's rules."""
        array, key, nested = ROUTES[self.path]
        limits = self.server.state.limits
        try:
            data = json.loads(body)
            records = data[array]
            if not isinstance(records, list) or not 1 <= len(records) <= limits.max_items:
                return None
            count = 0
            if nested is not None:
                sizes = [len(r[nested]) for r in records]
                count = sum(sizes)
                if min(sizes) < 1 or count > limits.max_nested:
                    return None
            return [str(r[key]) for r in records], count
        except (ValueError, KeyError, TypeError):
            return None

    def _record(self, ids: list[str], nested: int = 0) -> None:
        state = self.server.state
        with state.lock:
            state.recorded.update(ids)
            state.batches.append(ids)
            state.nested.append((self.path, nested))

    def _answer(
        self,
        status: int,
        body: Mapping[str, object] | None,
        seen: Any,
        outcome: str,
        retry_after: float | None = None,
    ) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        try:
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if retry_after is not None:
                self.send_header("Retry-After", f"{max(retry_after, 0.001):.3f}")
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            pass  # the client gave up (a read timeout): the server does not care
        if seen is not None:
            seen(outcome)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


_OK = {"data": {"message": "Contacts batch enqueued successfully"}}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State


class MigrateServer:
    """The fake endpoint; use as a context manager. ``url`` is its base URL."""

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        faults: Mapping[int, str] | None = None,
        retry_after: float = 0.05,
        slow_seconds: float = 0.6,
    ) -> None:
        self.state = _State(
            limits=limits or Limits(),
            faults=dict(faults or {}),
            retry_after=retry_after,
            slow_seconds=slow_seconds,
        )
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = self.state
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> MigrateServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def release(self) -> None:
        self.state.released.set()

    # -- what happened -----------------------------------------------------------------

    @property
    def recorded(self) -> Counter[str]:
        with self.state.lock:
            return Counter(self.state.recorded)

    @property
    def seen(self) -> list[Seen]:
        with self.state.lock:
            return list(self.state.seen)

    @property
    def batches(self) -> list[list[str]]:
        with self.state.lock:
            return [list(b) for b in self.state.batches]

    @property
    def nested(self) -> list[tuple[str, int]]:
        """(path, nested count) of every recorded batch, in order."""
        with self.state.lock:
            return list(self.state.nested)

    def arrivals(self) -> list[float]:
        """Arrival times of the requests that kept the pace (any endpoint), sorted."""
        return sorted(s.arrived for s in self.seen if not s.outcome.startswith("429-"))

    def outcomes(self) -> list[str]:
        """Outcome of every request, in order of arrival."""
        return [s.outcome for s in sorted(self.seen, key=lambda s: s.arrived)]

    def has_any(self, ids: Iterable[str]) -> bool:
        with self.state.lock:
            return any(self.state.recorded[i] for i in ids)

    def wait_for(self, outcomes: int, timeout: float = 10.0) -> bool:
        """Wait until ``outcomes`` requests have been answered (or dropped)."""
        deadline = time.monotonic() + timeout
        with self.state.lock:
            while len(self.state.seen) < outcomes:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.state.lock.wait(left)
        return True


def customer(i: int, **changes: Any) -> dict[str, Any]:
    """A valid customer to migrate, ``id`` ``cust-<i>``."""
    record: dict[str, Any] = {
        "id": f"cust-{i}",
        "name": "Ana García",
        "email": f"ana{i}@example.com",
        "gender": "FEMALE",
        "registration_date": "2021-03-04T10:00:00Z",
        "balance": [{"reward_id": "5b7c1a2e-3d4f-4a5b-9c6d-7e8f9a0b1c2d", "amount": 100}],
    }
    record.update(changes)
    return record


def event(n: int) -> dict[str, Any]:
    return {"type": "PURCHASE", "fulfilled": True, "issued_at": "2024-06-01T12:00:00Z",
            "resolved_at": "2024-06-01T12:05:00Z",
            "order": {"purchase_id": f"o-{n}", "value": 20.95}}


def with_events(i: int, count: int) -> dict[str, Any]:
    """Customer ``evc-<i>`` with ``count`` past purchases."""
    return {"id": f"evc-{i}", "events": [event(n) for n in range(count)]}


def with_transactions(i: int, count: int) -> dict[str, Any]:
    """Customer ``trc-<i>`` with ``count`` point transactions."""
    return {"id": f"trc-{i}", "transactions": [
        {"type": "MIGRATION", "amount": 10, "issued_at": "2024-06-01T12:00:00Z"}
        for _ in range(count)]}


def contact(i: int, **changes: Any) -> dict[str, Any]:
    """A valid contact with ``external_id`` ``ext-<i>``, the fields a CRM export has."""
    record: dict[str, Any] = {
        "external_id": f"ext-{i}",
        "first_name": "Ana",
        "last_name": "García",
        "email": f"ana{i}@example.com",
        "email_verified": i % 2 == 0,
        "dob": "1990-12-25",
        "gender": "FEMALE",
        "country": "MX",
        "city": "Ciudad de México",
        "phone": "+52 55 1234 5678",
        "created_at": "2023-11-07T05:31:56Z",
        "status": "ACTIVE",
        "tags": {"vip": i % 7 == 0},
        "addresses": [{"street_1": "Avenida Insurgentes Sur", "city": "CDMX", "zip_code": "03100"}],
        "order": {
            "purchase_id": f"o-{i}",
            "value": 20.95,
            "payment_method": "CREDIT",
            "products": [{"sku": "SKU-1", "amount": 2, "value": 10.5}],
        },
    }
    record.update(changes)
    return record
