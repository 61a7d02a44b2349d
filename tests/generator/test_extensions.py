"""The `x-bulk`, `x-rate-limit.shared` and `x-pagination` extensions: what the
generator reads from them, and the located error a malformed one gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator import extensions
from generator.errors import SpecError
from generator.loader import load_spec
from generator.parse import parse

ROOT = Path(__file__).resolve().parents[2]
ITEM = {"type": "object", "properties": {"events": {"type": "array", "items": {}},
                                         "id": {"type": "string"}}}


def error(message: str, pointer: str) -> SpecError:
    return SpecError(message, file="spec.yaml", line=1, pointer=pointer)


def test_x_bulk_is_read() -> None:
    op = {"x-bulk": {"nested-items": "events", "max-nested-items": 1000, "replay-safe": True}}
    assert extensions.read_bulk(op, ITEM, "/paths/x/post", error) == extensions.BulkExtension(
        "events", 1000, True)
    assert extensions.read_bulk({}, ITEM, "/p", error) == extensions.BulkExtension()


@pytest.mark.parametrize(("bulk", "pointer", "message"), [
    ([1], "/p/x-bulk", "x-bulk must be a mapping"),
    ({"replay": True}, "/p/x-bulk", "unknown key(s) 'replay'"),
    ({"replay-safe": "yes"}, "/p/x-bulk/replay-safe", "must be true or false"),
    ({"nested-items": "events"}, "/p/x-bulk", "go together"),
    ({"nested-items": "id", "max-nested-items": 5}, "/p/x-bulk/nested-items",
     "no array property 'id'"),
    ({"nested-items": "events", "max-nested-items": 0}, "/p/x-bulk/max-nested-items",
     "integer >= 1"),
    ({"nested-items": "events", "max-nested-items": True}, "/p/x-bulk/max-nested-items",
     "integer >= 1"),
])
def test_a_malformed_x_bulk_is_a_located_error(bulk: Any, pointer: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        extensions.read_bulk({"x-bulk": bulk}, ITEM, "/p", error)
    assert caught.value.pointer == pointer and message in str(caught.value)


def test_the_shared_limiter_is_a_plain_name() -> None:
    assert extensions.read_shared_limiter({"x-rate-limit": {"shared": "migration"}}, "/p",
                                          error) == "migration"
    assert extensions.read_shared_limiter({"x-rate-limit": {}}, "/p", error) is None
    with pytest.raises(SpecError) as caught:
        extensions.read_shared_limiter({"x-rate-limit": {"shared": "a b"}}, "/p", error)
    assert caught.value.pointer == "/p/x-rate-limit/shared"


QUERY = {"from": {}, "to": {}, "type": {}}


def test_x_pagination_is_read() -> None:
    op = {"x-pagination": {"from": "from", "to": "to", "items": "/data", "page-size": 25}}
    assert extensions.read_pagination(op, QUERY, "/p", error) == (
        extensions.PaginationExtension("from", "to", ("data",), 25))


@pytest.mark.parametrize(("pagination", "pointer", "message"), [
    ({"from": "from", "to": "to"}, "/p/x-pagination", "missing 'items'"),
    ({"from": "start", "to": "to", "items": "/data"}, "/p/x-pagination/from",
     "must name a query parameter"),
    ({"from": "from", "to": "to", "items": "data"}, "/p/x-pagination/items", "JSON pointer"),
    ({"from": "from", "to": "to", "items": "/data", "page-size": -1},
     "/p/x-pagination/page-size", "integer >= 1"),
    ({"from": "from", "to": "to", "items": "/data", "cursor": "x"}, "/p/x-pagination",
     "unknown key(s) 'cursor'"),
])
def test_a_malformed_x_pagination_is_a_located_error(
    pagination: Any, pointer: str, message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        extensions.read_pagination({"x-pagination": pagination}, QUERY, "/p", error)
    assert caught.value.pointer == pointer and message in str(caught.value)


def test_the_masivo_migrate_operations_carry_their_extensions() -> None:
    parsed = parse(load_spec(ROOT / "spec" / "masivo.yaml"),
                   {"package": "masivo_client", "client_name": "Masivo", "env_prefix": "MASIVO"})
    bulk = {op.operation_id: op.bulk for r in parsed.api.resources for op in r.operations
            if op.bulk}
    assert sorted(bulk) == ["migrate", "migrate_customers", "migrate_events",
                            "migrate_transactions"]
    assert {b.shared_limiter for b in bulk.values() if b} == {"migration"}
    events, transactions = bulk["migrate_events"], bulk["migrate_transactions"]
    assert events and (events.nested_field, events.max_nested, events.replay_safe) == (
        "events", 1000, True)
    assert transactions and (transactions.nested_field, transactions.max_nested,
                             transactions.replay_safe) == ("transactions", 1000, False)
    assert bulk["migrate_customers"] and bulk["migrate_customers"].max_items == 1000
    assert bulk["migrate"] and not bulk["migrate"].replay_safe


def _masivo_operations() -> list[Any]:
    parsed = parse(load_spec(ROOT / "spec" / "masivo.yaml"),
                   {"package": "masivo_client", "client_name": "Masivo", "env_prefix": "MASIVO"})
    return [op for r in parsed.api.resources for op in r.operations]


def test_x_bulk_after_orders_the_migration() -> None:
    ops = _masivo_operations()
    order = [op.operation_id for op in extensions.bulk_order(ops)]
    assert order.index("migrate_customers") < order.index("migrate_events")
    assert order.index("migrate_customers") < order.index("migrate_transactions")
    with pytest.raises(SpecError) as caught:
        extensions.read_bulk({"x-bulk": {"after": "migrate_customers"}}, ITEM, "/p", error)
    assert caught.value.pointer == "/p/x-bulk/after"


@pytest.mark.parametrize(("after", "message"), [
    (("list_tiers",), "'list_tiers' is not a bulk operation of the spec"),
    (("migrate_events",), "comes after itself"),
])
def test_x_bulk_after_names_bulk_operations_without_a_cycle(
    after: tuple[str, ...], message: str
) -> None:
    import dataclasses

    ops = []
    for op in _masivo_operations():
        if op.operation_id == "migrate_customers" and op.bulk:
            op = dataclasses.replace(op, bulk=dataclasses.replace(op.bulk, after=after))
        ops.append(op)
    with pytest.raises(SpecError) as caught:
        extensions.check_bulk_order(ops, error)
    assert message in str(caught.value)
    assert caught.value.pointer.endswith("/x-bulk/after")
