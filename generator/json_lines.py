"""Line numbers of a JSON document, by JSON pointer, computed only when a message needs one.

`json.loads` is fast but forgets positions; this scanner walks the text once with a
regular expression (strings, brackets, commas, colons, newlines) and records the line
of every member and item, the way the YAML reader does (a member's line is its key's).
It also reports what `json.loads` does not: duplicate keys, and where the nesting
first goes deeper than a limit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:\n]', re.DOTALL)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass
class JsonPositions:
    lines: dict[str, int] = field(default_factory=dict)
    # (object pointer, key, line of the repeated key)
    duplicates: list[tuple[str, str, int]] = field(default_factory=list)
    too_deep: tuple[str, int] | None = None  # (pointer, line) where nesting passes the limit


def scan(text: str, max_depth: int | None = None) -> JsonPositions:
    """Positions of every value of the (valid, or at least bracket-balanced) JSON `text`."""
    found = JsonPositions()
    lines = found.lines
    line = 1
    # Per open container: [pointer, is_object, next index or pending key, keys seen]
    stack: list[list[object]] = []
    expecting_value = True  # at the top, or after `:` / `[` / `,` in an array
    pending_key: str | None = None
    lines[""] = 1

    def value_pointer() -> str | None:
        if not stack:
            return ""
        top = stack[-1]
        if top[1]:
            return None if pending_key is None else f"{top[0]}/{_escape(pending_key)}"
        return f"{top[0]}/{top[2]}"

    for match in _TOKENS.finditer(text):
        token = match.group()
        first = token[0]
        if first == "\n":
            line += 1
            continue
        if first == '"':
            if stack and stack[-1][1] and pending_key is None and not expecting_value:
                key = json.loads(token) if "\\" in token else token[1:-1]
                pending_key = key
                top = stack[-1]
                seen = top[3]
                assert isinstance(seen, set)
                if key in seen:
                    found.duplicates.append((str(top[0]), key, line))
                seen.add(key)
                lines.setdefault(f"{top[0]}/{_escape(key)}", line)
            elif expecting_value:
                pointer = value_pointer()
                if pointer is not None and stack and not stack[-1][1]:
                    lines.setdefault(pointer, line)
                expecting_value = False
            continue
        if first in "{[":
            pointer = value_pointer() or ""
            if stack and not stack[-1][1]:
                lines.setdefault(pointer, line)
            stack.append([pointer, first == "{", 0, set()])
            pending_key = None
            expecting_value = first == "["
            if max_depth is not None and len(stack) > max_depth and found.too_deep is None:
                found.too_deep = (pointer, line)
                return found
        elif first in "}]":
            if stack:
                stack.pop()
            expecting_value = False
            pending_key = None
        elif first == ":":
            expecting_value = True
        elif first == ",":
            if stack and not stack[-1][1]:
                index = stack[-1][2]
                assert isinstance(index, int)
                stack[-1][2] = index + 1
                expecting_value = True
            else:
                pending_key = None
                expecting_value = False
    return found
