"""The `x-` extensions of an operation that shape the generated helpers: bulk batching
(`x-bulk`), a rate limiter shared between operations (`x-rate-limit.shared`) and
pagination (`x-pagination`).

Each reader takes the raw operation (and what it needs of the rest of the spec), checks
the extension against an allow-list of keys and types, and returns a plain value for
`api.py`. A malformed extension is an error located at its JSON pointer: a bound that
is silently dropped would make every request too big.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import api
from .errors import SpecError
from .loader import escape_pointer_token, unescape_pointer_token

ErrorAt = Callable[[str, str], SpecError]  # (message, JSON pointer) -> located error

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class BulkExtension:
    """`x-bulk` of an operation whose body holds one bounded array.

    ```yaml
    x-bulk:
      nested-items: events       # optional: an array property of each item...
      max-nested-items: 1000     # ...whose lengths, summed over a request, stay <= this
      replay-safe: true          # sending a batch twice is harmless (default false)
      after: [migrate_customers] # operationIds whose records must be sent first
    ```
    """

    nested_items: str | None = None
    max_nested_items: int | None = None
    replay_safe: bool = False
    after: tuple[str, ...] = ()


def read_bulk(op: Mapping[str, Any], item_schema: Mapping[str, Any] | None, pointer: str,
              error: ErrorAt) -> BulkExtension:
    raw = op.get("x-bulk")
    if raw is None:
        return BulkExtension()
    where = f"{pointer}/x-bulk"
    if not isinstance(raw, dict):
        raise error("x-bulk must be a mapping", where)
    unknown = sorted(set(raw) - {"nested-items", "max-nested-items", "replay-safe", "after"})
    if unknown:
        raise error(f"x-bulk: unknown key(s) {', '.join(map(repr, unknown))}", where)
    replay = raw.get("replay-safe", False)
    if not isinstance(replay, bool):
        raise error("x-bulk/replay-safe must be true or false", f"{where}/replay-safe")
    nested = raw.get("nested-items")
    bound = raw.get("max-nested-items")
    if (nested is None) != (bound is None):
        raise error("x-bulk: nested-items and max-nested-items go together", where)
    if nested is not None:
        if not isinstance(nested, str):
            raise error("x-bulk/nested-items must be a property name", f"{where}/nested-items")
        properties = (item_schema or {}).get("properties") or {}
        prop = properties.get(nested)
        if not isinstance(prop, dict) or prop.get("type") != "array":
            raise error(f"x-bulk/nested-items: the items of the bulk array have no array "
                        f"property {nested!r}", f"{where}/nested-items")
        if isinstance(bound, bool) or not isinstance(bound, int) or bound < 1:
            raise error("x-bulk/max-nested-items must be an integer >= 1",
                        f"{where}/max-nested-items")
    after = raw.get("after", [])
    if not isinstance(after, list) or not all(isinstance(a, str) and a for a in after):
        raise error("x-bulk/after must be a list of operationIds", f"{where}/after")
    return BulkExtension(nested_items=nested, max_nested_items=bound, replay_safe=replay,
                         after=tuple(after))


def read_shared_limiter(op: Mapping[str, Any], pointer: str, error: ErrorAt) -> str | None:
    """`x-rate-limit.shared`: the name of a limit several operations count against
    together (for example every migrate endpoint of an account)."""
    limit = op.get("x-rate-limit")
    if not isinstance(limit, dict) or "shared" not in limit:
        return None
    name = limit["shared"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise error("x-rate-limit/shared must be a name (letters, digits, '_', '.', '-')",
                    f"{pointer}/x-rate-limit/shared")
    return name


@dataclass(frozen=True)
class PaginationExtension:
    """`x-pagination` of a list operation whose pages are ranges of record indices.

    ```yaml
    x-pagination:
      from: from        # query parameter: index of the first record (from 0)
      to: to            # query parameter: index of the last record, included
      items: /data      # JSON pointer of the page's items in the response
      page-size: 50     # records asked for per request
    ```
    """

    from_param: str
    to_param: str
    items_pointer: tuple[str, ...]
    page_size: int


def read_pagination(op: Mapping[str, Any], query_params: Mapping[str, Any],
                    pointer: str, error: ErrorAt) -> PaginationExtension | None:
    """`query_params`: the operation's query parameters by wire name (resolved)."""
    raw = op.get("x-pagination")
    if raw is None:
        return None
    where = f"{pointer}/x-pagination"
    if not isinstance(raw, dict):
        raise error("x-pagination must be a mapping", where)
    unknown = sorted(set(raw) - {"from", "to", "items", "page-size"})
    missing = sorted({"from", "to", "items"} - set(raw))
    if unknown or missing:
        detail = "; ".join(filter(None, [
            f"unknown key(s) {', '.join(map(repr, unknown))}" if unknown else "",
            f"missing {', '.join(map(repr, missing))}" if missing else ""]))
        raise error(f"x-pagination: {detail}", where)
    for key in ("from", "to"):
        if not isinstance(raw[key], str) or raw[key] not in query_params:
            raise error(f"x-pagination/{key} must name a query parameter of the operation",
                        f"{where}/{key}")
    items = raw["items"]
    if not isinstance(items, str) or not items.startswith("/") or items == "/":
        raise error("x-pagination/items must be a JSON pointer such as /data", f"{where}/items")
    size = raw.get("page-size", 100)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise error("x-pagination/page-size must be an integer >= 1", f"{where}/page-size")
    tokens = tuple(unescape_pointer_token(t) for t in items[1:].split("/"))
    return PaginationExtension(str(raw["from"]), str(raw["to"]), tokens, size)


def check_bulk_order(operations: list[api.Operation], error: ErrorAt) -> None:
    """Every `x-bulk.after` names a bulk operation of the spec, and the order has no cycle."""
    bulk = {op.operation_id: op for op in operations if op.bulk}
    for op in bulk.values():
        assert op.bulk is not None
        where = (f"/paths/{escape_pointer_token(op.path)}/{op.method.lower()}"
                 "/x-bulk/after")
        for name in op.bulk.after:
            if name not in bulk:
                raise error(f"x-bulk/after: {name!r} is not a bulk operation of the spec",
                            where)
    for op in bulk.values():  # walk each chain of `after`: it must end
        seen, todo = {op.operation_id}, list(op.bulk.after if op.bulk else ())
        while todo:
            name = todo.pop()
            if name == op.operation_id:
                raise error(f"x-bulk/after: {op.operation_id!r} comes after itself",
                            f"/paths/{escape_pointer_token(op.path)}/"
                            f"{op.method.lower()}/x-bulk/after")
            if name not in seen:
                seen.add(name)
                after = bulk[name].bulk
                todo.extend(after.after if after else ())


def bulk_order(operations: list[api.Operation]) -> list[api.Operation]:
    """Bulk operations in an order that keeps every `x-bulk.after`, else in spec order."""
    pending = [op for op in operations if op.bulk]
    done: list[api.Operation] = []
    names: set[str] = set()
    while pending:
        ready = [op for op in pending if op.bulk and set(op.bulk.after) <= names]
        ready = ready or pending[:1]  # a cycle was refused by check_bulk_order
        done.append(ready[0])
        names.add(ready[0].operation_id)
        pending.remove(ready[0])
    return done
