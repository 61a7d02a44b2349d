"""The generator's side: bulk methods and `python -m <package>` come from the spec
(a body with one bounded array; the pace from `x-rate-limit`), for any API."""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.config import Config
from generator.pipeline import build_files


def bounded_body(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties = {
        "orders": {"type": "array", "maxItems": 3, "items": {"$ref": "#/components/schemas/Order"}},
        "source": {"type": "string"},
    }
    schema = {"type": "object", "required": ["orders", "source"], "properties": properties}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def post(operation_id: str, **more: Any) -> dict[str, Any]:
    return {"post": {"operationId": operation_id, "tags": ["orders"],
                     "requestBody": bounded_body(),
                     "responses": {"204": {"description": "queued"}}, **more}}


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Shop", "version": "1"},
    "servers": [{"url": "https://shop.example/api"}],
    "paths": {
        "/orders/import": post(
            "import_orders",
            **{"x-rate-limit": {"requests": 2, "per-seconds": 1, "hourly": {"basic": 60}}},
        ),
        "/refunds/import": post("import_refunds"),  # no x-rate-limit: no pace
        "/orders/sync": post(  # an argument named like a bulk option: no bulk method
            "sync_orders",
            parameters=[{"name": "total", "in": "query", "schema": {"type": "integer"}}],
        ),
        "/orders": {
            "get": {
                "operationId": "list_orders",
                "tags": ["orders"],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
    "components": {
        "schemas": {
            "Order": {
                "type": "object",
                "additionalProperties": False,
                "required": ["ref"],
                "properties": {"ref": {"type": "string"}, "paid": {"type": "boolean"}},
            }
        }
    },
}


def generate(tmp_path: Path, spec: dict[str, Any], package: str) -> dict[str, str]:
    path = tmp_path / f"{package}.yaml"
    path.write_text(yaml.safe_dump(spec))
    config = Config(spec=path, output=tmp_path, package=package, client_name="Shop",
                    env_prefix="SHOP", templates=None)
    files, _, _ = build_files(config)
    root = tmp_path / package
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return {name: content.decode() for name, content in files.items()}


def load(tmp_path: Path, package: str) -> Any:
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(f"{package}.resources.orders")
    finally:
        sys.path.remove(str(tmp_path))


def test_bounded_arrays_get_bulk_methods_and_commands(tmp_path: Path) -> None:
    files = generate(tmp_path, SPEC, "shop_bulk")
    main = files["__main__.py"]
    assert '"import-orders"' in main and '"import-refunds"' in main and "sync-orders" not in main
    orders = load(tmp_path, "shop_bulk")
    paced = orders._IMPORT_ORDERS_BULK
    assert (paced.field, paced.max_items, paced.min_interval) == ("orders", 3, 0.5)
    assert paced.hourly_limits == (("basic", 60),) and paced.item_model.__name__ == "Order"
    unpaced = orders._IMPORT_REFUNDS_BULK
    assert unpaced.min_interval is None and unpaced.hourly_limits == ()
    assert unpaced.rate_limit().min_interval == 0.0
    for cls in (orders.Orders, orders.AsyncOrders):
        assert hasattr(cls, "import_orders_all") and hasattr(cls, "import_refunds_all")
        assert not hasattr(cls, "list_orders_all") and not hasattr(cls, "sync_orders_all")
    # the other body field is a keyword of the bulk method, sent with every batch
    report = orders.Orders(None).import_orders_all(
        [{"ref": "a"}, {"ref": "b", "paid": "yes"}, {"ref": "c"}], source="erp", dry_run=True
    )
    assert report.items_valid == 2 and report.batches_planned == 1
    assert report.rejected[0].errors[0][0] == "paid"
    # ... and each request body carries it after the array, validated once
    bulk = sys.modules["shop_bulk._bulk"]
    order = sys.modules["shop_bulk.models"].Order
    batch = bulk._Batch(0)
    batch.add(order(ref="a"), 0, None)
    bulk._Job(paced, bulk.BulkOptions(), {"source": "erp"}, time.monotonic).encode(batch)
    assert json.loads(batch.content) == {"orders": [{"ref": "a"}], "source": "erp"}
    fresh = bulk._Batch(1)
    fresh.add(order(ref="b"), 1, None)
    with pytest.raises(ValueError, match="source: Input should be a valid string"):
        bulk._Job(paced, bulk.BulkOptions(), {"source": 5}, time.monotonic).encode(fresh)


def test_no_bounded_array_no_bulk_method_and_no_command(tmp_path: Path) -> None:
    spec = {**SPEC, "paths": {"/orders": SPEC["paths"]["/orders"]}}
    files = generate(tmp_path, spec, "shop_plain")
    assert "__main__.py" not in files
    assert "_all(" not in files["resources/orders.py"]
