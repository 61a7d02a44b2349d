"""Names from a spec turned into safe, unique Python identifiers.

A spec is untrusted text: whatever it says, the result is a plain ASCII
identifier that is not a keyword, does not shadow a builtin we rely on, and
does not collide with another name in the same scope.
"""

from __future__ import annotations

import ast
import hashlib
import keyword
import re
import sys
import unicodedata
from functools import cache
from pathlib import Path

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
        # Names the generated method bodies use, which an argument would shadow.
        "dict",
        "str",
        "object",
        "isinstance",
        "validate_body",
        "encode_body",
    }
)

# Builtins and imports that type hints name: a method or attribute with one of these
# names would shadow it in the class body, where mypy resolves the annotations.
HINT_NAMES = frozenset({"str", "int", "float", "bool", "bytes", "object", "datetime", "date",
                        "httpx"})


def _words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    spaced = _WORD_BOUNDARY.sub(" ", ascii_text)
    return [w for w in _NOT_IDENT.split(spaced) if w]


def _guard(name: str, fallback: str) -> str:
    # Hard keywords only: soft keywords (`match`, `type` since 3.12) are valid names, and
    # their list depends on the Python version, which must not change the output.
    if not name:
        name = fallback
    if name[0].isdigit():
        name = f"_{name}"
    if keyword.iskeyword(name):
        name = f"{name}_"
    return name


@cache  # a spec repeats its parameter names (`owner`, `per_page`) hundreds of times
def snake(text: str, fallback: str = "value") -> str:
    """`x-account-id` -> `x_account_id`, `getHTTPResponse` -> `get_http_response`."""
    return _guard("_".join(w.lower() for w in _words(text)), fallback)


def pascal(text: str, fallback: str = "Model") -> str:
    """`contacts` -> `Contacts`, `billing_info` -> `BillingInfo`.

    No underscore ever: datamodel-code-generator drops underscores from class names, and
    the class it defines must be the one our modules import. So `2fa` -> `Model2fa` and
    `none` -> `NoneModel` (keywords), with `fallback` as the prefix or suffix.
    """
    name = "".join(w[:1].upper() + w[1:] for w in _words(text)) or fallback
    if name[0].isdigit():
        name = f"{fallback}{name}"
    if keyword.iskeyword(name):
        name = f"{name}{fallback}"
    return name


def header_argument(wire_name: str) -> str:
    """Header `x-account-id` is the argument `account_id`: the `x-` says nothing to a caller."""
    stripped = wire_name[2:] if wire_name.lower().startswith("x-") else wire_name
    return snake(stripped, "header")


class Namespace:
    """Hands out names unique within one scope: `name`, `name_2`, `name_3`...

    Class names use `separator=""` (`Field2`): see `pascal`.
    """

    def __init__(self, taken: frozenset[str] | set[str] = frozenset(),
                 separator: str = "_") -> None:
        self._taken: set[str] = set(taken)
        self._separator = separator

    def claim(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self._taken:
            n += 1
            candidate = f"{name}{self._separator}{n}"
        self._taken.add(candidate)
        return candidate


# Constructor arguments of both clients (`settings` in templates/package/_client.py.jinja)
# and what the constructor passes on: a client-level header setting must not repeat one.
CONSTRUCTOR_ARGUMENTS = frozenset(
    {"self", "config", "credentials", "param_defaults", "base_url", "timeout", "max_retries",
     "default_headers", "http_client"}
)

_RUNTIME = Path(__file__).resolve().parent.parent / "templates" / "runtime" / "_base_client.py"


@cache
def runtime_members(*classes: str) -> frozenset[str]:
    """Every name the runtime's `classes` (and their bases there) define or assign on
    `self`: a resource attribute or a method named like one would replace it.

    Asked at every start: cached by the runtime's source (parsing it takes longer
    than the rest of a start-up's imports)."""
    from .cache import cached

    source = _RUNTIME.read_text(encoding="utf-8")
    found = cached("runtime-members", "", f"{sys.version}\0{classes}\0{source}",
                   lambda: "\n".join(sorted(_members(source, classes))))
    return frozenset(found.split("\n")) - {""}


def _members(source: str, classes: tuple[str, ...]) -> set[str]:
    tree = ast.parse(source)
    defined = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    names: set[str] = set()
    pending = list(classes)
    while pending:
        node = defined.get(pending.pop())
        if node is None:
            continue
        pending += [getattr(b, "id", getattr(getattr(b, "value", None), "id", ""))
                    for b in node.bases]
        for item in node.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(item.name)
            elif isinstance(item, ast.AnnAssign | ast.Assign):
                targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
        names |= {item.attr for item in ast.walk(node) if isinstance(item, ast.Attribute)
                  and isinstance(item.ctx, ast.Store) and getattr(item.value, "id", "") == "self"}
    return names


# What a generated package imports by absolute name: a package of the same name would
# hide it from its own modules.
_IMPORTED_PACKAGES = frozenset({"httpx", "pydantic", "pydantic_core", "typing_extensions",
                                "anyio", "sniffio", "h11", "httpcore", "certifi", "idna"})


def check_package_name(package: str) -> str | None:
    """Why `package` cannot name a generated package, or None when it can."""
    if package in _IMPORTED_PACKAGES or package in sys.stdlib_module_names:
        return (f"package {package!r} would shadow the module of that name, which the "
                "generated client or its dependencies import; choose another name")
    return None


# File names are limited to 255 bytes on common file systems; module names longer than
# this keep a readable start and a digest of the whole name, so two stay distinct.
MAX_MODULE_NAME = 64


def module_name(identifier: str) -> str:
    """A file-name-safe module name for an identifier: itself when short enough."""
    if len(identifier) <= MAX_MODULE_NAME:
        return identifier
    digest = hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:10]
    return f"{identifier[:MAX_MODULE_NAME - 11].rstrip('_')}_{digest}"
