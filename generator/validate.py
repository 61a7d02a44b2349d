"""Is the bundled document an OpenAPI 3.x description we can generate from?

Three checks, cheapest first, so the error a user sees is the most specific
one: the version, every local `$ref`, then the OpenAPI meta-schema through
openapi-spec-validator (the reference implementation of the spec's schemas).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

from .cache import cached
from .loader import LoadedSpec, escape_pointer_token, resolve_pointer


def validate_spec(spec: LoadedSpec) -> None:
    _check_version(spec)
    _check_local_refs(spec)
    # Only a success is cached: a failure is recomputed so its message names the right line.
    key = json.dumps(spec.data, sort_keys=True)
    cached("validated", "openapi-spec-validator", key,
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

    validator_class = _locating(
        OpenAPIV31SpecValidator if str(spec.data["openapi"]).startswith("3.1.")
        else OpenAPIV30SpecValidator
    )
    errors = list(validator_class(spec.data).iter_errors())
    if not errors:
        return "valid"
    try:
        error = best_match(errors)
    except AttributeError:
        # openapi-spec-validator's own errors (a `default` that breaks its schema) carry
        # no type checker, which best_match needs; the first error is still a good one.
        error = errors[0]
    pointer = _document_pointer(spec.data, list(error.absolute_path))
    message = error.message if len(error.message) < 300 else error.message[:297] + "..."
    raise spec.error(f"not a valid OpenAPI document: {message}", pointer)


def _locating(validator_class: Any) -> Any:
    """`validator_class`, with its Schema Object errors located in the whole document.

    openapi-spec-validator checks each Schema Object on its own, so its errors carry a
    path relative to that schema (`/properties/x/type`); the schema keyword validator
    knows where the schema is, and here prefixes that to each error it yields.
    """
    schema_keyword = validator_class.keyword_validators["schema"]

    class LocatingSchemaValidator(schema_keyword):  # type: ignore[misc, valid-type]
        def __call__(self, schema: Any, require_properties: bool = True,
                     meta_checked: bool = False) -> Iterator[Any]:
            for error in super().__call__(schema, require_properties, meta_checked):
                if not getattr(error, "clientgen_located", False):  # inner schemas did it
                    error.path.extendleft(reversed(schema.parts))
                    error.clientgen_located = True
                yield error

        @property
        def default_validator(self) -> Any:
            validate_default = super().default_validator

            def located(schema: Any, value: Any) -> Iterator[Any]:
                for error in validate_default(schema, value):
                    error.path.appendleft("default")
                    yield error

            return located

    class LocatingValidator(validator_class):  # type: ignore[misc]
        keyword_validators: ClassVar[dict[str, Any]] = {
            **validator_class.keyword_validators, "schema": LocatingSchemaValidator}

    return LocatingValidator


def _document_pointer(data: Any, path: list[Any]) -> str:
    """The JSON pointer of `path` in `data`, following `$ref`s on the way as the validator
    did, so that it names the place a user can edit."""
    node, pointer = data, ""
    for part in path:
        for _ in range(100):  # a `$ref` chain; the loader has rejected missing targets
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not (isinstance(ref, str) and ref.startswith("#")):
                break
            pointer, node = ref[1:], resolve_pointer(data, ref[1:])
        token = str(part)
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            node = None
        pointer += f"/{escape_pointer_token(token)}"
    return pointer
