"""Parameters on the wire, by the OpenAPI rules for ``style`` and ``explode``.

The Parameter Object's "Style Examples" table (OpenAPI 3.1.1, which follows RFC 6570)
is the reference; for ``color`` = ``"blue"``, ``["blue", "black", "brown"]`` and
``{"R": 100, "G": 200, "B": 150}``:

========== ======= ========================== ==================================
style      explode array                      object
========== ======= ========================== ==================================
simple     false   blue,black,brown           R,100,G,200,B,150
simple     true    blue,black,brown           R=100,G=200,B=150
label      false   .blue,black,brown          .R,100,G,200,B,150
label      true    .blue.black.brown          .R=100.G=200.B=150
matrix     false   ;color=blue,black,brown    ;color=R,100,G,200,B,150
matrix     true    ;color=blue;color=black... ;R=100;G=200;B=150
form       false   color=blue,black,brown     color=R,100,G,200,B,150
form       true    color=blue&color=black...  R=100&G=200&B=150
deepObject true    (none)                     color%5BR%5D=100&color%5BG%5D=200...
========== ======= ========================== ==================================

``spaceDelimited`` and ``pipeDelimited`` join with ``%20`` and ``%7C`` where ``form``
joins with ``,``; exploded, they repeat the name as ``form`` does. Values are
percent-encoded (RFC 3986 unreserved characters stay as they are; ``allow_reserved``
keeps the reserved ones too); the delimiters themselves are not encoded.
"""

from __future__ import annotations

import datetime
import enum
import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

import pydantic

__all__ = [
    "cookie_pairs",
    "query_value_pairs",
    "encode_content",
    "form_pairs",
    "header_value",
    "path_value",
    "primitive",
    "query_string",
]

_RESERVED = ":/?#[]@!$&'()*+,;="
_DELIMITERS = {"form": ",", "spaceDelimited": "%20", "pipeDelimited": "%7C"}

# A value normalised for serialisation: a string, a list of strings, or the
# (name, value) pairs of an object in their given order.
_Normal = str | list[str] | list[tuple[str, str]]


def primitive(value: object) -> str:
    """One scalar as text: booleans as ``true``/``false``, enums by value, dates ISO."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return primitive(value.value)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if value is None:
        return ""  # RFC 6570: an undefined value is empty
    if isinstance(value, dict | list):  # nested structure: no style defines it
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _normalise(value: object) -> _Normal:
    if isinstance(value, pydantic.BaseModel):
        value = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return [(str(k), primitive(v)) for k, v in value.items() if v is not None]
    if isinstance(value, list | tuple | set | frozenset):
        return [primitive(v) for v in value]
    return primitive(value)


def _quote(text: str, allow_reserved: bool = False) -> str:
    return urllib.parse.quote(text, safe=_RESERVED if allow_reserved else "")


def encode_content(value: object, content_type: str) -> str:
    """A parameter given by ``content`` (not ``schema``): the value as that media type.
    Only JSON media types have a defined encoding; anything else is sent as text."""
    if isinstance(value, pydantic.BaseModel):
        value = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    return primitive(value)


def path_value(
    name: str, value: object, style: str = "simple", explode: bool = False
) -> str:
    """What replaces ``{name}`` in a path template, percent-encoded."""
    normal = _normalise(value)
    if style == "label":
        lead, sep = ".", "." if explode else ","
        return lead + _joined(normal, sep, explode, pair="=" if explode else ",")
    if style == "matrix":
        key = _quote(name)
        if isinstance(normal, str):
            return f";{key}" if normal == "" else f";{key}={_quote(normal)}"
        if not explode:
            return f";{key}=" + _joined(normal, ",", False, pair=",")
        if normal and isinstance(normal[0], tuple):
            return "".join(f";{_quote(k)}={_quote(v)}" for k, v in normal)
        return "".join(f";{key}={_quote(str(v))}" for v in normal)
    return _joined(normal, ",", explode, pair="=" if explode else ",")


def _joined(
    normal: _Normal, sep: str, explode: bool, *, pair: str, allow_reserved: bool = False
) -> str:
    """The items of an array or object, each percent-encoded, joined by ``sep``."""
    if isinstance(normal, str):
        return _quote(normal, allow_reserved)
    parts: list[str] = []
    for item in normal:
        if isinstance(item, tuple):
            parts.append(
                f"{_quote(item[0], allow_reserved)}{pair}{_quote(item[1], allow_reserved)}"
            )
        else:
            parts.append(_quote(item, allow_reserved))
    return sep.join(parts)


def header_value(value: object, explode: bool = False) -> str:
    """A header parameter: style ``simple``, not percent-encoded (headers are not URLs)."""
    normal = _normalise(value)
    if isinstance(normal, str):
        return normal
    pair = "=" if explode else ","
    return ",".join(
        f"{i[0]}{pair}{i[1]}" if isinstance(i, tuple) else i for i in normal
    )


def form_pairs(
    name: str,
    value: object,
    style: str = "form",
    explode: bool = True,
    allow_reserved: bool = False,
) -> list[tuple[str, str]]:
    """A query (or form body) parameter as encoded ``(key, value)`` pairs, to be joined
    as ``key=value`` with ``&``."""
    key = _quote(name)
    normal = _normalise(value)
    if style == "deepObject":
        if isinstance(normal, str):
            return [(key, _quote(normal, allow_reserved))]
        pairs: list[tuple[str, str]] = []
        for index, item in enumerate(normal):
            sub, text = item if isinstance(item, tuple) else (str(index), item)
            pairs.append((_quote(f"{name}[{sub}]"), _quote(text, allow_reserved)))
        return pairs
    if isinstance(normal, str):
        return [(key, _quote(normal, allow_reserved))]
    if explode:
        if normal and isinstance(normal[0], tuple):
            return [(_quote(k), _quote(v, allow_reserved)) for k, v in normal]
        return [(key, _quote(str(v), allow_reserved)) for v in normal]
    sep = _DELIMITERS.get(style, ",")
    return [(key, _joined(normal, sep, False, pair=sep, allow_reserved=allow_reserved))]


def query_string(pairs: list[tuple[str, str]]) -> str:
    """Encoded pairs joined as a query string."""
    return "&".join(f"{k}={v}" for k, v in pairs)


def cookie_pairs(
    name: str, value: object, explode: bool = True
) -> list[tuple[str, str]]:
    """A cookie parameter (style ``form``) as ``(name, value)`` pairs of the Cookie header."""
    return form_pairs(name, value, "form", explode)


def query_value_pairs(query: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Plain ``{name: value}`` query parameters (``extra_query``, API keys): ``form``,
    exploded, as httpx would send them."""
    pairs: list[tuple[str, str]] = []
    for name, value in query.items():
        pairs.extend(form_pairs(name, value))
    return pairs
