"""A migrate request answered 201 with an empty body or with JSON of another shape was
queued: the plain call returns, ``migrate_all`` counts the batch accepted, and nothing
is sent twice."""

from __future__ import annotations

import pytest
from bulk_support import client_for, make_server, pace
from loopback import contact
from masivo_client import MigrateContactsResponse, response_validation_error

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("fault", ["empty201", "odd201"])
def test_the_plain_call_returns(fault: str) -> None:
    with make_server(faults={1: fault}) as srv:
        client = client_for(srv)
        result = client.contacts.migrate(contacts=[contact(0), contact(1)])  # type: ignore[attr-defined]
        assert isinstance(result, MigrateContactsResponse)
        assert response_validation_error(result) is not None
        assert srv.wait_for(1) and srv.outcomes() == [fault]  # one request: not retried
        assert srv.recorded == {"ext-0": 1, "ext-1": 1}


@pytest.mark.parametrize("flavor", ["sync", "async"])
async def test_migrate_all_counts_the_batch_accepted(flavor: str) -> None:
    with make_server(faults={2: "empty201", 3: "odd201"}) as srv:
        client = client_for(srv, flavor)
        run = client.contacts.migrate_all(  # type: ignore[attr-defined]
            [contact(i) for i in range(40)], batch_size=10, rate_limit=pace()
        )
        report = await run if flavor == "async" else run
        assert report.ok and report.items_accepted == 40 and report.batches_accepted == 4
        assert report.requests == 4
        assert srv.wait_for(4) and srv.outcomes() == ["ok", "empty201", "odd201", "ok"]
        assert srv.recorded == {f"ext-{i}": 1 for i in range(40)}
