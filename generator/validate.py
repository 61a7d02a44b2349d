"""Is the bundled document an OpenAPI 3.x description we can generate from?

Three checks, cheapest first, so the error a user sees is the most specific
one: the version, every local `$ref`, then the OpenAPI meta-schema through
openapi-spec-validator (the reference implementation of the spec's schemas).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .cache import cached
from .loader import LoadedSpec, escape_pointer_token, resolve_pointer


def validate_spec(spec: LoadedSpec) -> None:
    _check_version(spec)
    _check_local_refs(spec)
    # Only a success is cached: a failure is recomputed so its message names the right line.
    key = json.dumps(spec.data, sort_keys=True)
    cached("validated", "openapi-spec-validator", __file__, key,
           lambda: _check_meta_schema(spec))


def _check_version(spec: LoadedSpec) -> None:
    data = spec.data
    if "swagger" in data:
        raise spec.error(
            f"this is Swagger {data['swagger']}; clientgen reads OpenAPI 3.0 and 3.1. Convert "
            "it first (for example with swagger2openapi) and point clientgen at the result.",
            "/swagger",
        )
    version = data.get("openapi")
    if not isinstance(version, str) or not version.startswith(("3.0.", "3.1.")):
        raise spec.error(
            f"'openapi' must name version 3.0.x or 3.1.x, not {version!r}", "/openapi"
        )


def _refs(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str):
            yield pointer, ref
        for key, item in value.items():
            yield from _refs(item, f"{pointer}/{escape_pointer_token(key)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _refs(item, f"{pointer}/{index}")


def _check_local_refs(spec: LoadedSpec) -> None:
    for pointer, ref in _refs(spec.data, ""):
        if not ref.startswith("#"):
            raise spec.error(f"$ref {ref!r} was not resolved", f"{pointer}/$ref")
        try:
            resolve_pointer(spec.data, ref[1:])
        except KeyError:
            raise spec.error(f"$ref {ref!r} points to nothing", f"{pointer}/$ref") from None


def _check_meta_schema(spec: LoadedSpec) -> str:
    """'valid', or raise the most specific error with its file, line and pointer."""
    from jsonschema.exceptions import best_match
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    validator_class = (
        OpenAPIV31SpecValidator if str(spec.data["openapi"]).startswith("3.1.")
        else OpenAPIV30SpecValidator
    )
    errors = list(validator_class(spec.data).iter_errors())
    if not errors:
        return "valid"
    error = best_match(errors)
    pointer = "".join(f"/{escape_pointer_token(str(p))}" for p in error.absolute_path)
    message = error.message if len(error.message) < 300 else error.message[:297] + "..."
    raise spec.error(f"not a valid OpenAPI document: {message}", pointer)
