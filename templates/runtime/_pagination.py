"""Walking every page of a list operation whose pages are ranges of record indices.

The generated ``<operation>_iter`` methods (from the spec's ``x-pagination``) call
``iterate_sync`` or ``iterate_async`` with a function that fetches one page: the records
``start`` to ``end`` (both included, from 0). Pages are fetched lazily, one at a time,
as the caller consumes the items; the walk ends at the first page holding fewer items
than asked for (an empty page included). ``items`` is the JSON pointer of the page's
items in the response, as tokens (``("data",)``). The page size must not exceed what
the server returns at most, or the walk would end after its first short page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any

import pydantic

__all__ = ["items_at", "iterate_async", "iterate_sync"]


def items_at(page: object, pointer: Sequence[str]) -> list[Any]:
    """The items at ``pointer`` in a page (a model, by wire names, or plain JSON);
    an empty list when the page has none there."""
    value: object = page
    for token in pointer:
        if isinstance(value, pydantic.BaseModel):
            value = _field_by_wire_name(value, token)
        elif isinstance(value, dict):
            value = value.get(token)
        else:
            return []
    return list(value) if isinstance(value, list | tuple) else []


def _field_by_wire_name(model: pydantic.BaseModel, wire: str) -> object:
    for name, info in type(model).model_fields.items():
        if (info.alias or name) == wire:
            return getattr(model, name, None)
    return (model.model_extra or {}).get(wire)


def _check(page_size: int) -> None:
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise ValueError(f"page_size must be an integer >= 1, got {page_size!r}")


def iterate_sync(
    fetch: Callable[[int, int], object], items: Sequence[str], page_size: int
) -> Iterator[Any]:
    """Every item of every page, fetching a page when the previous one is used up."""
    _check(page_size)

    def walk() -> Iterator[Any]:
        start = 0
        while True:
            found = items_at(fetch(start, start + page_size - 1), items)
            yield from found
            if len(found) < page_size:
                return
            start += len(found)

    return walk()


def iterate_async(
    fetch: Callable[[int, int], Awaitable[object]], items: Sequence[str], page_size: int
) -> AsyncIterator[Any]:
    """``iterate_sync`` for the async client: an async iterator."""
    _check(page_size)

    async def walk() -> AsyncIterator[Any]:
        start = 0
        while True:
            found = items_at(await fetch(start, start + page_size - 1), items)
            for item in found:
                yield item
            if len(found) < page_size:
                return
            start += len(found)

    return walk()
