"""A fixed sample of a large document's operations, and the sub-document Prism mocks.

Prism takes minutes to start on a document of several megabytes (Stripe, GitHub), so a
large document is judged on a sample: every k-th operation in the document's path order
(k chosen so at least `SAMPLE_SIZE` are taken), plus the first operation of any HTTP
method the stride missed. The client is generated from the whole document, as a user
would; Prism mocks a sub-document that holds the sampled operations and everything they
reference, transitively: components reached by `$ref` (schemas, parameters, responses,
request bodies, examples, headers), discriminator mappings, and the security schemes
named by the document's and the operations' security requirements.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

SAMPLE_SIZE = 60
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (method, path) of the document, in path order, methods in OpenAPI's order."""
    found: list[tuple[str, str]] = []
    for path, item in (document.get("paths") or {}).items():
        if isinstance(item, dict):
            found.extend((method, path) for method in METHODS if isinstance(item.get(method),
                                                                           dict))
    return found


def sample(document: dict[str, Any], size: int = SAMPLE_SIZE) -> list[tuple[str, str]]:
    """Every k-th operation (k = total // size, so at least `size` when there are that
    many), then the first operation of each method the stride did not reach."""
    every = operations(document)
    stride = max(1, len(every) // size)
    chosen = every[::stride]
    methods = {method for method, _ in chosen}
    for method, path in every:
        if method not in methods:
            chosen.append((method, path))
            methods.add(method)
    order = {op: i for i, op in enumerate(every)}
    return sorted(chosen, key=order.__getitem__)


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _refs(node: Any) -> Iterator[str]:
    """Local references under `node`: `$ref` values and discriminator mapping targets."""
    stack = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                yield ref
            discriminator = value.get("discriminator")
            if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"),
                                                              dict):
                for target in discriminator["mapping"].values():
                    if isinstance(target, str):
                        # A bare name in a mapping is a schema's name (OpenAPI 3.x).
                        yield target if target.startswith("#/") else (
                            f"#/components/schemas/{_escape(target)}")
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _unit(pointer: str) -> tuple[str, ...]:
    """What a reference pulls into the sub-document: a whole component for a pointer
    into `components`, else the node pointed at."""
    tokens = tuple(_unescape(t) for t in pointer[2:].split("/"))
    return tokens[:3] if tokens[0] == "components" and len(tokens) >= 3 else tokens


def _get(document: Any, tokens: tuple[str, ...]) -> tuple[bool, Any]:
    node = document
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False, None
    return True, node


def _put(document: dict[str, Any], tokens: tuple[str, ...], value: Any) -> None:
    node = document
    for token in tokens[:-1]:
        node = node.setdefault(token, {})
    node[tokens[-1]] = value


def sub_document(document: dict[str, Any], chosen: list[tuple[str, str]]) -> dict[str, Any]:
    """The document cut down to the `chosen` operations and all they reference."""
    out = {key: copy.deepcopy(value) for key, value in document.items()
           if key not in ("paths", "components", "webhooks", "x-webhooks")}
    out["paths"] = {}
    for method, path in chosen:
        item = document["paths"][path]
        target = out["paths"].setdefault(path, {
            key: copy.deepcopy(value) for key, value in item.items() if key not in METHODS})
        target[method] = copy.deepcopy(item[method])
    pending = list(_refs(out))
    seen: set[tuple[str, ...]] = set()
    while pending:
        unit = _unit(pending.pop())
        if unit in seen or _get(out, unit)[0]:  # already there (a chosen path item)
            continue
        seen.add(unit)
        found, value = _get(document, unit)
        if found:
            _put(out, unit, copy.deepcopy(value))
            pending.extend(_refs(value))
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    requirements = list(out.get("security") or [])
    for item in out["paths"].values():
        for method in METHODS:
            if isinstance(item.get(method), dict):
                requirements.extend(item[method].get("security") or [])
    for requirement in requirements:
        for name in requirement if isinstance(requirement, dict) else ():
            if name in schemes:
                _put(out, ("components", "securitySchemes", name), copy.deepcopy(schemes[name]))
    return out
