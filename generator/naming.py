"""Names from a spec turned into safe, unique Python identifiers.

A spec is untrusted text: whatever it says, the result is a plain ASCII
identifier that is not a keyword, does not shadow a builtin we rely on, and
does not collide with another name in the same scope.
"""

from __future__ import annotations

import keyword
import re
import unicodedata

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_IDENT = re.compile(r"[^0-9a-zA-Z]+")

# Names the generated code itself needs inside a method or a client.
RESERVED_ARGUMENTS = frozenset(
    {
        "self",
        "cls",
        "extra_headers",
        "extra_query",
        "extra_body",
        "timeout",
        "max_retries",
        "body",
        "options",
    }
)


def _words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    spaced = _WORD_BOUNDARY.sub(" ", ascii_text)
    return [w for w in _NOT_IDENT.split(spaced) if w]


def _guard(name: str, fallback: str) -> str:
    if not name:
        name = fallback
    if name[0].isdigit():
        name = f"_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name = f"{name}_"
    return name


def snake(text: str, fallback: str = "value") -> str:
    """`x-account-id` -> `x_account_id`, `getHTTPResponse` -> `get_http_response`."""
    return _guard("_".join(w.lower() for w in _words(text)), fallback)


def pascal(text: str, fallback: str = "Model") -> str:
    """`contacts` -> `Contacts`, `billing_info` -> `BillingInfo`."""
    return _guard("".join(w[:1].upper() + w[1:] for w in _words(text)), fallback)


def header_argument(wire_name: str) -> str:
    """Header `x-account-id` is the argument `account_id`: the `x-` says nothing to a caller."""
    stripped = wire_name[2:] if wire_name.lower().startswith("x-") else wire_name
    return snake(stripped, "header")


class Namespace:
    """Hands out names unique within one scope: `name`, `name_2`, `name_3`..."""

    def __init__(self, taken: frozenset[str] | set[str] = frozenset()) -> None:
        self._taken: set[str] = set(taken)

    def claim(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self._taken:
            n += 1
            candidate = f"{name}_{n}"
        self._taken.add(candidate)
        return candidate
