"""The component schemas of spec/masivo.yaml as self-contained JSON Schemas (draft 2020-12).

Every `$ref` is replaced by the schema it points to (the spec has no recursive schema;
one would be reported), and `example`, which is OpenAPI's and not JSON Schema's, is
dropped. The validator asserts formats: python-jsonschema's checkers for `date`,
`date-time` (RFC 3339, through rfc3339-validator) and `uuid`, each fixed where it lets
through what its RFC does not (see _format_checker), and for `email` the syntax
Prism applies (ajv-formats, "full" mode), which is also the check the generated models
make (generator/models.py, EMAIL_PATTERN). python-jsonschema's own email check only
looks for an "@"; Prism is the judge of the wire, so its rule is the reference here.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "masivo.yaml"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

# ajv-formats' "full" email format (tools/node_modules/ajv-formats/dist/formats.js), as
# Prism uses it; the JavaScript /i flag written out as A-Z next to a-z.
PRISM_EMAIL = re.compile(
    r"^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\Z"
)

RFC9562_UUID = re.compile(r"^[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\Z")

_OPENAPI_ONLY = frozenset({"example"})


@cache
def spec_document() -> dict[str, Any]:
    document = yaml.safe_load(SPEC.read_text())
    assert isinstance(document, dict)
    return document


def component_names() -> list[str]:
    return sorted(spec_document()["components"]["schemas"])


def _inline(node: Any, seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline(item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        prefix = "#/components/schemas/"
        assert ref.startswith(prefix), f"unsupported $ref {ref!r}"
        name = ref[len(prefix):]
        assert name not in seen, f"recursive schema: {' -> '.join((*seen, name))}"
        target = spec_document()["components"]["schemas"][name]
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        return {**_inline(target, (*seen, name)), **_inline(siblings, seen)}
    return {k: _inline(v, seen) for k, v in node.items() if k not in _OPENAPI_ONLY}


@cache
def _json_schema(name: str) -> dict[str, Any]:
    schema = _inline(spec_document()["components"]["schemas"][name], (name,))
    return {"$schema": DIALECT, **schema}


def json_schema(name: str) -> dict[str, Any]:
    """A fresh copy: hypothesis-jsonschema and the tests may not share one dict."""
    return copy.deepcopy(_json_schema(name))


def _format_checker() -> jsonschema.FormatChecker:
    checker = copy.deepcopy(jsonschema.Draft202012Validator.FORMAT_CHECKER)
    checker.checks("email")(lambda value: not isinstance(value, str)
                            or PRISM_EMAIL.match(value) is not None)
    # rfc3339-validator matches with `$`, which also matches before a final "\n": it
    # would accept "2023-11-07T05:31:56Z\n", which RFC 3339, Prism and the models refuse.
    date_time = checker.checkers["date-time"][0]
    checker.checks("date-time")(lambda value: not isinstance(value, str)
                                or ("\n" not in value and date_time(value)))
    # python-jsonschema's uuid check calls uuid.UUID(), which strips braces: it accepts
    # "3c90c3cc-0d44-4b50-8888-8dd25736052a}". RFC 9562's grammar, as Prism checks it:
    checker.checks("uuid")(lambda value: not isinstance(value, str)
                           or RFC9562_UUID.match(value) is not None)
    return checker


FORMAT_CHECKER = _format_checker()


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = _json_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=FORMAT_CHECKER)


# hypothesis-jsonschema knows no `uuid` format; without this it would draw any text.
CUSTOM_FORMATS: dict[str, st.SearchStrategy[str]] = {"uuid": st.uuids().map(str)}
