"""Is the bundled document an OpenAPI 3.x description we can generate from?

Cheapest first, so the message a user sees is the most specific one: the version
(the one thing that fails every run), then the fast structural check of exactly what
the generator relies on (`references`, then `structure`: tolerant, it leaves out
what it cannot use, with located warnings), then the OpenAPI meta-schema through
openapi-spec-validator (the reference implementation of the spec's schemas), which
runs in a child process beside the rest and adds located warnings (or, in strict
mode, the error). The child has a deadline, no network and no files but Python's.
"""

from __future__ import annotations

import json
import os
import reprlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from . import limits
from .cache import lookup, store
from .errors import SpecError
from .loader import LoadedSpec, escape_pointer_token, resolve_pointer

_MAX_REPORTED = 200  # meta-schema findings turned into warnings, at most


def validate_spec(spec: LoadedSpec) -> None:
    """Every check, here and now."""
    check_structure(spec)
    MetaSchemaCheck(spec, in_background=False).wait()


def check_structure(spec: LoadedSpec) -> None:
    """The fast checks: the version, every reference keyword, what the generator reads.

    Normalises `spec.data` in place; in strict mode any warning so far is an error.
    """
    from .references import settle_references
    from .structure import check_document

    _check_version(spec)
    try:
        settle_references(spec)
        check_document(spec)
    except SpecError as exc:
        exc.warnings = tuple(spec.diagnostics.items)  # they explain why nothing is left
        raise
    spec.diagnostics.raise_if_strict()


class MetaSchemaCheck:
    """The meta-schema check, which may run in a child process while generation goes on.

    Importing openapi-spec-validator and running it take about half a second on a small
    document, as long as generating the models: on a first run they overlap on two
    cores. Its findings are cached (by content: their lines are looked up afresh from
    their pointers). The caller must `wait()` before trusting anything it built from
    the document: in strict mode a finding is an error, otherwise each is a located
    warning (kind `meta-schema`).
    """

    def __init__(self, spec: LoadedSpec, *, in_background: bool = True) -> None:
        self._spec = spec
        # By what decides the document (its fingerprint: no need to write it out), else
        # by the document itself (the same content in another text, moved by a comment).
        self._keys: list[str] = []
        self._cached: list[tuple[str, str]] | None = None
        if spec.fingerprint is not None:
            self._keys.append(f"fingerprint\0{spec.fingerprint}")
            self._cached = _findings(lookup("validated", _DISTRIBUTION, self._keys[0]))
        if self._cached is None:
            self._keys.append(json.dumps(spec.data, sort_keys=True))
            self._cached = _findings(lookup("validated", _DISTRIBUTION, self._keys[-1]))
            if self._cached is not None and len(self._keys) == 2:
                store("validated", _DISTRIBUTION, self._keys[0], json.dumps(self._cached))
        self._reported = False
        self._child: subprocess.Popen[bytes] | None = None
        if self._cached is None and in_background:
            self._child = _start_child(json.dumps(spec.data))  # the spec's own key order

    def wait(self) -> None:
        """Return when the verdict is in; raise its most specific error in strict mode."""
        if self._reported:
            return
        self._reported = True
        verdict: list[tuple[str, str]] | str
        if self._cached is not None:
            verdict = self._cached
        else:
            if self._child is not None:
                # A child that died is not replaced by the same check here: its audit hook
                # may be what stopped it, and this process has none.
                verdict = _child_result(self._child, _deadline())
            else:  # no child could be started (or the caller asked for none)
                verdict = meta_schema_problems(self._spec.data)
            if not isinstance(verdict, str):
                for key in self._keys:
                    store("validated", _DISTRIBUTION, key, json.dumps(verdict))
        if isinstance(verdict, str):  # the check itself did not finish
            problem = f"the OpenAPI meta-schema check {verdict}"
            if self._spec.strict:
                raise SpecError(problem, file=str(self._spec.root))
            self._spec.diagnostics.add_unlocated("meta-schema", problem + "; skipped",
                                                 str(self._spec.root))
            return
        if verdict and self._spec.strict:
            message, pointer = verdict[0]
            raise self._spec.error(message, pointer)
        for message, pointer in verdict:
            self._spec.warn("meta-schema", message, pointer)


def _findings(cached: str | None) -> list[tuple[str, str]] | None:
    """A cached verdict, or None."""
    if cached is None:
        return None
    try:
        return [(str(m), str(p)) for m, p in json.loads(cached)]
    except (ValueError, TypeError):
        return None


_DISTRIBUTION = "openapi-spec-validator"


def _deadline() -> float:
    try:
        return float(os.environ.get("CLIENTGEN_CHILD_DEADLINE", limits.CHILD_DEADLINE_SECONDS))
    except ValueError:
        return limits.CHILD_DEADLINE_SECONDS


def _start_child(document_json: str) -> subprocess.Popen[bytes] | None:
    package_parent = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (package_parent, os.environ.get("PYTHONPATH", "")) if p)}
    try:
        child = subprocess.Popen(  # our own module, with our interpreter
            [sys.executable, "-m", "generator.validate"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        assert child.stdin is not None
        child.stdin.write(document_json.encode())  # the child reads it before importing
        child.stdin.close()
        child.stdin = None  # written and closed: `communicate` must not flush it
    except OSError:
        return None
    return child


def _child_result(child: subprocess.Popen[bytes],
                  deadline: float) -> list[tuple[str, str]] | str:
    """The child's findings ([] when valid), or why there are none."""
    try:
        output, _ = child.communicate(timeout=deadline)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return f"did not finish within {deadline:g} s"
    if child.returncode != 0:
        return f"failed (exit code {child.returncode})"
    try:
        verdict = json.loads(output)
        return [(str(m), str(p)) for m, p in verdict["problems"]]
    except (ValueError, KeyError, TypeError):
        return "failed (no verdict)"


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


def meta_schema_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """What openapi-spec-validator finds in `data`, as (message, JSON pointer): the most
    relevant first, one per place, at most `_MAX_REPORTED`."""
    from jsonschema.exceptions import best_match
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    validator_class = _locating(
        OpenAPIV31SpecValidator if str(data["openapi"]).startswith("3.1.")
        else OpenAPIV30SpecValidator
    )
    errors = []
    for error in validator_class(data).iter_errors():
        errors.append(error)
        if len(errors) >= _MAX_REPORTED:
            break
    if not errors:
        return []
    try:
        first = best_match(errors)
    except AttributeError:
        # openapi-spec-validator's own errors (a `default` that breaks its schema) carry
        # no type checker, which best_match needs; the first error is still a good one.
        first = errors[0]
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for error in [first, *errors]:
        pointer = _document_pointer(data, list(error.absolute_path))
        if pointer in seen:
            continue
        seen.add(pointer)
        found.append((f"not a valid OpenAPI document: {_reason(error)}", pointer))
    return found


_SHORT = reprlib.Repr()
_SHORT.maxstring = 30
_SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxdict = 3
_SHORT.maxlevel = 2


def _reason(error: Any) -> str:
    """The validator's message with the value it quotes shortened, never the reason."""
    message = str(error.message)
    instance = getattr(error, "instance", None)
    try:
        quoted = repr(instance)
    except Exception:  # a value we only wanted to shorten: any failure keeps it
        return message
    if len(quoted) > 80 and quoted in message:
        message = message.replace(quoted, _SHORT.repr(instance))
    return message


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

    class BoundedValueValidator(validator_class.keyword_validators["default"]):  # type: ignore[misc, name-defined]
        """Checks a `default` against its schema without running the spec's own regular
        expressions: an untrusted pattern can take exponential time."""

        value_validator_cls = _without_patterns(
            validator_class.keyword_validators["default"].value_validator_cls)

    class LocatingValidator(validator_class):  # type: ignore[misc]
        keyword_validators: ClassVar[dict[str, Any]] = {
            **validator_class.keyword_validators, "schema": LocatingSchemaValidator,
            "default": BoundedValueValidator}

    return LocatingValidator


def _without_patterns(value_validator: Any) -> Any:
    from jsonschema import validators

    def skip(*_: Any) -> Iterator[Any]:
        return iter(())

    return validators.extend(value_validator, {"pattern": skip, "patternProperties": skip})


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
    """`python -m generator.validate`: the document on stdin, the findings on stdout."""
    data = json.loads(sys.stdin.read())
    _deny_network_and_foreign_files()
    problems = meta_schema_problems(data)
    sys.stdout.write(json.dumps({"problems": [list(p) for p in problems]}))


def _deny_network_and_foreign_files() -> None:
    """Belt and braces: whatever a library tries, the child reaches no network and reads
    no file outside Python's own installation (the document came on stdin)."""
    import mimetypes

    mimetypes.init()  # urllib's file:// handler reads the system's table of media types
    allowed = tuple({os.path.realpath(p) + os.sep for p in (
        sys.prefix, sys.base_prefix, sys.exec_prefix, Path(__file__).resolve().parent)})

    def refuse_foreign(path: str) -> None:
        if not os.path.realpath(path).startswith(allowed):
            raise PermissionError(f"clientgen's validator may not open {path}")

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "urllib.Request" and str(args[0]).startswith("file:"):
            # openapi-spec-validator reads its own meta-schemas through file:// URLs.
            from urllib.parse import unquote, urlsplit

            refuse_foreign(unquote(urlsplit(str(args[0])).path))
        elif event.startswith("socket.") or event in (
                "urllib.Request", "subprocess.Popen", "os.system", "os.exec", "os.spawn"):
            raise PermissionError(f"clientgen's validator may not do {event}")
        elif event == "open" and isinstance(args[0], str | bytes):
            refuse_foreign(os.fsdecode(args[0]))

    sys.addaudithook(hook)


if __name__ == "__main__":
    _child_main()
