"""Is the bundled document an OpenAPI 3.x description we can generate from?

Three checks, cheapest first, so the error a user sees is the most specific
one: the version, every local `$ref`, then the OpenAPI meta-schema through
openapi-spec-validator (the reference implementation of the spec's schemas).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from .cache import lookup, store
from .loader import LoadedSpec, escape_pointer_token, resolve_pointer


def validate_spec(spec: LoadedSpec) -> None:
    """Every check, here and now."""
    check_structure(spec)
    MetaSchemaCheck(spec, in_background=False).wait()


def check_structure(spec: LoadedSpec) -> None:
    """The cheap checks: the version and every local `$ref`."""
    _check_version(spec)
    _check_local_refs(spec)


class MetaSchemaCheck:
    """The meta-schema check, which may run in a child process while generation goes on.

    Importing openapi-spec-validator and running it take about half a second, as
    long as generating the models: on a first run they overlap on two cores. Only
    a success is cached; a failure is recomputed so its message names the right line.
    The caller must `wait()` before trusting anything it built from the document.
    """

    def __init__(self, spec: LoadedSpec, *, in_background: bool = True) -> None:
        self._spec = spec
        self._key = json.dumps(spec.data, sort_keys=True)
        self._done = lookup("validated", _DISTRIBUTION, self._key) == "valid"
        self._child: subprocess.Popen[bytes] | None = None
        if not self._done and in_background:
            self._child = _start_child(json.dumps(spec.data))  # the spec's own key order

    def wait(self) -> None:
        """Return when the document is valid; raise its most specific error otherwise."""
        if self._done:
            return
        verdict = _child_result(self._child) if self._child is not None else "failed"
        problem = meta_schema_problem(self._spec.data) if verdict == "failed" else verdict
        self._done = problem is None
        if isinstance(problem, tuple):
            message, pointer = problem
            raise self._spec.error(message, pointer)
        store("validated", _DISTRIBUTION, self._key, "valid")


_DISTRIBUTION = "openapi-spec-validator"


def _start_child(document_json: str) -> subprocess.Popen[bytes] | None:
    package_parent = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (package_parent, os.environ.get("PYTHONPATH", "")) if p)}
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "generator.validate"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        assert child.stdin is not None
        child.stdin.write(document_json.encode())  # the child reads it before importing
        child.stdin.close()
    except OSError:
        return None
    return child


def _child_result(child: subprocess.Popen[bytes]) -> tuple[str, str] | str | None:
    """The child's verdict: None (valid), (message, pointer), or "failed"."""
    assert child.stdout is not None
    output = child.stdout.read()
    child.stdout.close()
    if child.wait() != 0:
        return "failed"
    try:
        verdict = json.loads(output)
    except ValueError:
        return "failed"
    if verdict.get("problem") is None:
        return None
    message, pointer = verdict["problem"]
    return str(message), str(pointer)


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


def meta_schema_problem(data: dict[str, Any]) -> tuple[str, str] | None:
    """None if `data` passes openapi-spec-validator, else (message, JSON pointer)."""
    from jsonschema.exceptions import best_match
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    validator_class = _locating(
        OpenAPIV31SpecValidator if str(data["openapi"]).startswith("3.1.")
        else OpenAPIV30SpecValidator
    )
    errors = list(validator_class(data).iter_errors())
    if not errors:
        return None
    try:
        error = best_match(errors)
    except AttributeError:
        # openapi-spec-validator's own errors (a `default` that breaks its schema) carry
        # no type checker, which best_match needs; the first error is still a good one.
        error = errors[0]
    pointer = _document_pointer(data, list(error.absolute_path))
    message = error.message if len(error.message) < 300 else error.message[:297] + "..."
    return f"not a valid OpenAPI document: {message}", pointer


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


def _child_main() -> None:
    """`python -m generator.validate`: the document on stdin, the verdict on stdout."""
    data = json.loads(sys.stdin.read())
    problem = meta_schema_problem(data)
    sys.stdout.write(json.dumps({"problem": list(problem) if problem else None}))


if __name__ == "__main__":
    _child_main()
