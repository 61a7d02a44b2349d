"""Every operation of the generated client, sync and async, against Prism.

Prism accepts a request only when it matches spec/masivo.yaml, and answers with the
operation's documented success example; the client must parse that into the operation's
model. A refusal fails the test with Prism's reasons. Every exchange goes through an
`httpx` event hook, so the tests also see exactly what was sent and answered.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import masivo_client
import pytest
import yaml
from contract_data import (
    ACCOUNT_ID,
    API_KEY,
    FULL_CONTACT,
    OPERATIONS,
    SMALL_CONTACTS,
    TOKEN,
)
from masivo_client import APIStatusError, AsyncMasivo, Masivo, models
from prism_server import SPEC, Prism, violations

pytestmark = pytest.mark.prism

SPEC_DOCUMENT = yaml.safe_load(SPEC.read_text())
AUTHORIZE_EXAMPLE = SPEC_DOCUMENT["components"]["schemas"]["AuthorizeResponse"]["properties"][
    "data"]["example"]
MIGRATE_EXAMPLE = SPEC_DOCUMENT["components"]["schemas"]["MigrateContactsResult"]["properties"][
    "message"]["example"]


@dataclass
class Wire:
    """What went over the wire: every request and the response it got."""

    exchanges: list[tuple[httpx.Request, httpx.Response]] = field(default_factory=list)

    def record(self, response: httpx.Response) -> None:
        self.exchanges.append((response.request, response))

    async def arecord(self, response: httpx.Response) -> None:
        self.record(response)

    def routes(self) -> list[str]:
        return [f"{request.method} {request.url.path}" for request, _ in self.exchanges]

    def check_no_violations(self) -> None:
        for request, response in self.exchanges:
            found = violations(response)
            assert not found, f"Prism found violations in {request.method} {request.url}: {found}"


@contextmanager
def judged(prism: Prism, wire: Wire) -> Iterator[None]:
    """A refusal by Prism fails the test with Prism's own reasons."""
    try:
        yield
    except APIStatusError as exc:
        pytest.fail(
            f"Prism refused {exc.request.method} {exc.request.url.path} with "
            f"{exc.status_code}: {violations(exc.response) or exc.body}\n"
            f"request body: {exc.request.content[:2000]!r}\nPrism's log: {prism.log}",
            pytrace=False,
        )
    wire.check_no_violations()


@contextmanager
def sync_client(prism: Prism, wire: Wire, **credentials: str) -> Iterator[Masivo]:
    """A client of Prism whose every exchange `wire` records; no retries, so a refusal
    shows at once."""
    with (httpx.Client(event_hooks={"response": [wire.record]}) as http,
          Masivo(base_url=prism.base_url, account_id=ACCOUNT_ID, http_client=http,
                 max_retries=0, **credentials) as client):
        yield client


@asynccontextmanager
async def async_client(prism: Prism, wire: Wire, **credentials: str) -> AsyncIterator[AsyncMasivo]:
    async with (httpx.AsyncClient(event_hooks={"response": [wire.arecord]}) as http,
                AsyncMasivo(base_url=prism.base_url, account_id=ACCOUNT_ID, http_client=http,
                            max_retries=0, **credentials) as client):
        yield client


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coroutine)


def sent_json(request: httpx.Request) -> Any:
    return json.loads(request.content)


# -- one call per operation, sync and async ----------------------------------------------

def call_authorize_sync(prism: Prism, wire: Wire) -> object:
    with sync_client(prism, wire, api_key=API_KEY) as client:
        return client.auth.authorize()


def call_authorize_async(prism: Prism, wire: Wire) -> object:
    async def go() -> object:
        async with async_client(prism, wire, api_key=API_KEY) as client:
            return await client.auth.authorize()
    return run(go())


def call_migrate_sync(prism: Prism, wire: Wire) -> object:
    with sync_client(prism, wire, token=TOKEN) as client:
        return client.contacts.migrate(contacts=[FULL_CONTACT, *SMALL_CONTACTS],
                                       timezone="America/Mexico_City")


def call_migrate_async(prism: Prism, wire: Wire) -> object:
    async def go() -> object:
        async with async_client(prism, wire, token=TOKEN) as client:
            return await client.contacts.migrate(contacts=[FULL_CONTACT, *SMALL_CONTACTS],
                                                 timezone="America/Mexico_City")
    return run(go())


@dataclass(frozen=True)
class OperationCall:
    route: str
    returns: type[Any] | None  # None: the operation documents no success body
    sync: Callable[[Prism, Wire], object]
    async_: Callable[[Prism, Wire], object]


def _calls(resource: str, method: str, args: tuple[Any, ...],
           kwargs: dict[str, Any]) -> tuple[Callable[[Prism, Wire], object],
                                            Callable[[Prism, Wire], object]]:
    def call_sync(prism: Prism, wire: Wire) -> object:
        with sync_client(prism, wire, token=TOKEN) as client:
            return getattr(getattr(client, resource), method)(*args, **kwargs)

    def call_async(prism: Prism, wire: Wire) -> object:
        async def go() -> object:
            async with async_client(prism, wire, token=TOKEN) as client:
                return await getattr(getattr(client, resource), method)(*args, **kwargs)
        return run(go())

    return call_sync, call_async


def _success_model(route: str) -> type[Any] | None:
    """The model of the operation's first 2xx response in the spec, if it has a body."""
    verb, path = route.split(" ", 1)
    for template, item in SPEC_DOCUMENT["paths"].items():
        pattern = "^" + "[^/]+".join(part for part in template.replace("}", "{").split("{")[::2])
        import re
        if re.fullmatch(pattern + "$", path) and verb.lower() in item:
            for status, response in sorted(item[verb.lower()]["responses"].items()):
                if str(status).startswith("2"):
                    ref = response.get("content", {}).get("application/json", {}).get(
                        "schema", {}).get("$ref")
                    return getattr(models, ref.rsplit("/", 1)[1]) if ref else None
    raise AssertionError(f"{route} is not in the spec")


CALLS: dict[str, OperationCall] = {
    "authorize": OperationCall("GET /auth/authorize", models.AuthorizeResponse,
                               call_authorize_sync, call_authorize_async),
    "migrate": OperationCall("POST /contacts/migrate", models.MigrateContactsResponse,
                             call_migrate_sync, call_migrate_async),
    **{
        operation_id: OperationCall(route, _success_model(route),
                                    *_calls(resource, method, args, kwargs))
        for operation_id, (route, resource, method, args, kwargs) in OPERATIONS.items()
    },
}


def test_every_operation_of_the_spec_is_called() -> None:
    in_spec = {
        operation["operationId"]
        for item in SPEC_DOCUMENT["paths"].values()
        for method, operation in item.items()
        if method in {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    }
    assert in_spec == set(CALLS)


def test_the_client_under_test_is_the_generated_one() -> None:
    assert "generated" in masivo_client.__file__


@pytest.mark.parametrize("flavor", ["sync", "async"])
@pytest.mark.parametrize("operation_id", sorted(CALLS))
def test_operation_gets_its_documented_success_response(
    prism: Prism, operation_id: str, flavor: str
) -> None:
    call = CALLS[operation_id]
    wire = Wire()
    with judged(prism, wire):
        result = (call.sync if flavor == "sync" else call.async_)(prism, wire)
    assert wire.routes() == [call.route]
    response = wire.exchanges[-1][1]
    assert response.is_success
    if call.returns is None:
        assert result is None
        return
    assert type(result) is call.returns
    assert masivo_client.response_validation_error(result) is None  # validated, not lenient
    assert result == call.returns.model_validate(response.json())


def test_a_refusal_fails_the_test_with_prisms_reasons(prism: Prism) -> None:
    """`extra_body` is sent unvalidated: here it empties the list, which Prism refuses."""
    wire = Wire()
    with (pytest.raises(pytest.fail.Exception) as caught, judged(prism, wire),
          sync_client(prism, wire, token=TOKEN) as client):
        client.contacts.migrate(contacts=SMALL_CONTACTS, extra_body={"contacts": []})
    assert "Prism refused POST /contacts/migrate with 422" in str(caught.value)
    assert "request.body.contacts: Request body property contacts must NOT have fewer than 1 " \
        "items" in str(caught.value)


def test_authorize_parses_the_documented_token(prism: Prism) -> None:
    wire = Wire()
    with judged(prism, wire):
        result = call_authorize_sync(prism, wire)
    assert isinstance(result, models.AuthorizeResponse)
    assert result.data == AUTHORIZE_EXAMPLE
    request = wire.exchanges[0][0]
    assert request.headers["x-api-key"] == API_KEY
    assert "authorization" not in request.headers


@pytest.mark.parametrize("flavor", ["sync", "async"])
def test_migrate_sends_every_field_and_parses_the_documented_answer(
    prism: Prism, flavor: str
) -> None:
    wire = Wire()
    with judged(prism, wire):
        result = (call_migrate_sync if flavor == "sync" else call_migrate_async)(prism, wire)
    assert isinstance(result, models.MigrateContactsResponse)
    assert result.data.message == MIGRATE_EXAMPLE
    request, response = wire.exchanges[0]
    assert response.status_code == 201
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["x-account-id"] == ACCOUNT_ID
    assert request.headers["x-timezone"] == "America/Mexico_City"
    assert request.headers["content-type"] == "application/json"
    assert sent_json(request) == {"contacts": [FULL_CONTACT, *SMALL_CONTACTS]}


def test_migrate_accepts_model_instances(prism: Prism) -> None:
    contacts = [models.Contact.model_validate(FULL_CONTACT),
                models.Contact(external_id="crm-9", email="x@example.org")]
    wire = Wire()
    with judged(prism, wire), sync_client(prism, wire, token=TOKEN) as client:
        result = client.contacts.migrate(contacts=contacts)
    assert result.data.message == MIGRATE_EXAMPLE
    request = wire.exchanges[0][0]
    assert sent_json(request) == {
        "contacts": [FULL_CONTACT, {"external_id": "crm-9", "email": "x@example.org"}]}
    assert "x-timezone" in request.headers  # the spec's default, UTC, is sent when not given
    assert request.headers["x-timezone"] == "UTC"


def test_raw_response_shows_the_documented_status_and_headers(prism: Prism) -> None:
    wire = Wire()
    with judged(prism, wire), sync_client(prism, wire, token=TOKEN) as client:
        raw = client.with_raw_response.contacts.migrate(contacts=SMALL_CONTACTS)
    assert raw.status_code == 201
    assert raw.headers["x-ratelimit-limit"] == "1000"
    assert raw.headers["x-ratelimit-remaining"] == "999"
    assert raw.headers["x-ratelimit-reset"] == "3600"
    parsed = raw.parse()
    assert isinstance(parsed, models.MigrateContactsResponse)
    assert parsed.data.message == MIGRATE_EXAMPLE


# -- the API key flow, end to end -------------------------------------------------------

def test_api_key_is_exchanged_for_the_token_prism_documents_sync(prism: Prism) -> None:
    wire = Wire()
    with judged(prism, wire), sync_client(prism, wire, api_key=API_KEY) as client:
        first = client.contacts.migrate(contacts=SMALL_CONTACTS)
        second = client.contacts.migrate(contacts=[FULL_CONTACT])
    assert first.data.message == second.data.message == MIGRATE_EXAMPLE
    _assert_one_exchange_then_bearer(wire)


def test_api_key_is_exchanged_for_the_token_prism_documents_async(prism: Prism) -> None:
    async def go() -> None:
        async with async_client(prism, wire, api_key=API_KEY) as client:
            # Two concurrent calls share one token fetch.
            await asyncio.gather(client.contacts.migrate(contacts=SMALL_CONTACTS),
                                 client.contacts.migrate(contacts=[FULL_CONTACT]))

    wire = Wire()
    with judged(prism, wire):
        run(go())
    _assert_one_exchange_then_bearer(wire)


def _assert_one_exchange_then_bearer(wire: Wire) -> None:
    """Prism's example token has no `exp` claim: the runtime then keeps it for its default
    lifetime (one hour), so two calls need one exchange, not two."""
    assert wire.routes() == ["GET /auth/authorize", "POST /contacts/migrate",
                             "POST /contacts/migrate"]
    exchange = wire.exchanges[0][0]
    assert exchange.headers["x-api-key"] == API_KEY
    assert "authorization" not in exchange.headers
    for request, _ in wire.exchanges[1:]:
        assert request.headers["authorization"] == f"Bearer {AUTHORIZE_EXAMPLE}"
        assert "x-api-key" not in request.headers


# -- the bulk method: batches of valid records only, each judged by Prism ---------------

BULK_INPUT = [FULL_CONTACT, {"external_id": "crm-bad", "loyalty_points": 10}, *SMALL_CONTACTS]


def _assert_bulk_report(report: Any, wire: Wire) -> None:
    assert report.stopped is None
    assert (report.items_read, report.items_valid, report.items_accepted) == (4, 3, 3)
    assert report.batches_accepted == 1
    assert [item.index for item in report.rejected] == [1]
    assert report.failed == [] and report.unknown == []
    assert wire.routes() == ["POST /contacts/migrate"]
    assert sent_json(wire.exchanges[0][0]) == {"contacts": [FULL_CONTACT, *SMALL_CONTACTS]}


def test_migrate_all_sends_only_valid_records_sync(prism: Prism) -> None:
    wire = Wire()
    with judged(prism, wire), sync_client(prism, wire, token=TOKEN) as client:
        report = client.contacts.migrate_all(iter(BULK_INPUT))
    _assert_bulk_report(report, wire)


def test_migrate_all_sends_only_valid_records_async(prism: Prism) -> None:
    async def go() -> Any:
        async with async_client(prism, wire, token=TOKEN) as client:
            return await client.contacts.migrate_all(iter(BULK_INPUT))

    wire = Wire()
    with judged(prism, wire):
        report = run(go())
    _assert_bulk_report(report, wire)


# -- the paginated lists: every page request judged by Prism ----------------------------

@pytest.mark.parametrize("flavor", ["sync", "async"])
@pytest.mark.parametrize(("resource", "method", "model"), [
    ("rewards", "list_rewards_iter", models.Reward),
    ("campaigns", "list_campaigns_iter", models.Campaign),
])
def test_list_iterators_ask_prism_for_valid_pages(
    prism: Prism, flavor: str, resource: str, method: str, model: type[Any]
) -> None:
    wire = Wire()

    async def go() -> list[Any]:
        async with async_client(prism, wire, token=TOKEN) as client:
            return [item async for item in getattr(getattr(client, resource), method)()]

    with judged(prism, wire):
        if flavor == "sync":
            with sync_client(prism, wire, token=TOKEN) as client:
                items = list(getattr(getattr(client, resource), method)())
        else:
            items = run(go())
    # Prism's example page is shorter than a page: the walk ends after one request.
    assert wire.routes() == [f"GET /{resource}"]
    request, response = wire.exchanges[0]
    assert (request.url.params["from"], request.url.params["to"]) == ("0", "9")
    assert len(items) == len(response.json()["data"])
    assert all(type(item) is model for item in items)
