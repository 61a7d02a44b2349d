"""Small types shared by the runtime and the generated code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, TypeAlias, final

import httpx

__all__ = ["NOT_GIVEN", "Body", "Headers", "NotGiven", "Query", "Timeout"]


@final
class NotGiven:
    """Marks an argument the caller did not pass, where ``None`` has a meaning of its own.

    ``timeout=None`` means "no timeout", so "not given" needs a separate value::

        client.contacts.migrate(contacts=[...], timeout=NOT_GIVEN)  # the client's timeout
        client.contacts.migrate(contacts=[...], timeout=None)       # wait forever

    There is exactly one instance, ``NOT_GIVEN``; it is falsy.
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        # pickle and copy hand back the module-level singleton
        return "NOT_GIVEN"

    def __copy__(self) -> NotGiven:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> NotGiven:
        return self


NOT_GIVEN: Final = NotGiven()

Headers: TypeAlias = Mapping[str, str]
"""Extra HTTP headers; they override every header the client would send."""

Query: TypeAlias = Mapping[str, object]
"""Extra query parameters; they override the operation's own."""

Body: TypeAlias = Mapping[str, object]
"""Extra top-level JSON body fields; they override the validated body's."""

Timeout: TypeAlias = float | httpx.Timeout | None
"""Seconds (one number for every phase), an ``httpx.Timeout``, or ``None`` for no timeout."""
