"""`<operation>_iter` (x-pagination): every item of a list, fetching pages of record
indices lazily, sync and async."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from masivo_client import Reward
from masivo_client._pagination import items_at

pytestmark = pytest.mark.anyio

Make = Callable[..., Any]
TOKEN = "fixed-token-abcdef"


def serve(api: respx.MockRouter, total: int) -> respx.Route:
    """GET /rewards answering `from`..`to` (included) of `total` rewards."""

    def page(request: httpx.Request) -> httpx.Response:
        start, end = int(request.url.params["from"]), int(request.url.params["to"])
        data = [{"id": f"r-{i}", "name": f"Reward {i}", "type": "POINTS"}
                for i in range(start, min(end + 1, total))]
        return httpx.Response(200, json={"data": data, "from": start, "to": end,
                                         "count": len(data)})

    return api.get("/rewards").mock(side_effect=page)


async def collect(iterator: Any, limit: int | None = None) -> list[Any]:
    found: list[Any] = []
    if inspect.isasyncgen(iterator) or hasattr(iterator, "__anext__"):
        async for item in iterator:
            found.append(item)
            if limit is not None and len(found) == limit:
                break
    else:
        for item in iterator:
            found.append(item)
            if limit is not None and len(found) == limit:
                break
    return found


@pytest.mark.parametrize(("total", "requests"), [(23, 3), (20, 3), (0, 1), (7, 1)])
async def test_every_item_of_every_page(
    make: Make, api: respx.MockRouter, total: int, requests: int
) -> None:
    route = serve(api, total)
    client = make(token=TOKEN)
    items = await collect(client.rewards.list_rewards_iter(type="POINTS"))
    assert [r.id for r in items] == [f"r-{i}" for i in range(total)]
    assert all(isinstance(r, Reward) for r in items)
    assert route.call_count == requests
    asked = [(c.request.url.params["from"], c.request.url.params["to"]) for c in route.calls]
    assert asked == [(str(10 * n), str(10 * n + 9)) for n in range(requests)]
    assert all(c.request.url.params["type"] == "POINTS" for c in route.calls)


async def test_pages_are_fetched_lazily(make: Make, api: respx.MockRouter) -> None:
    route = serve(api, 100)
    client = make(token=TOKEN)
    iterator = client.rewards.list_rewards_iter(page_size=5)
    assert route.call_count == 0  # nothing before the first item is asked for
    first = await collect(iterator, limit=7)
    assert [r.id for r in first] == [f"r-{i}" for i in range(7)]
    assert route.call_count == 2


async def test_a_bad_page_size_is_refused(make: Make, api: respx.MockRouter) -> None:
    client = make(token=TOKEN)
    with pytest.raises(ValueError, match="page_size must be an integer >= 1"):
        client.rewards.list_rewards_iter(page_size=0)


def test_items_are_found_by_wire_name_in_models_and_plain_json() -> None:
    from masivo_client import RewardPage

    page = RewardPage.model_validate({"data": [{"id": "a"}], "count": 1})
    assert [r.id for r in items_at(page, ("data",))] == ["a"]
    assert items_at({"result": {"items": [1, 2]}}, ("result", "items")) == [1, 2]
    assert items_at({"result": None}, ("result", "items")) == []
