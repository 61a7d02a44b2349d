"""Read a spec (JSON as JSON, YAML as YAML), bundle `$ref`s to other files, check it.

Every value can be traced to the file and line it came from, so that any later
message can name them: YAML positions are recorded while reading, JSON positions
only when a message needs one (`json_lines`). Only relative files inside the spec's
own folder may be referenced: a spec is untrusted and must not make us read
`/etc/passwd` or fetch a URL. The limits of `limits` hold before anything else
sees the document.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import limits
from .diagnostics import Diagnostic, Diagnostics
from .errors import SpecError
from .json_lines import scan

Origin = tuple[str, int]  # (file as shown to the user, 1-based line)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\[uU]0*[dD][89a-fA-F]")
# A surrogate escape in JSON (`\ud83d`): a writer that escapes every non-ASCII
# character (Python's json.dumps by default) writes one pair for each emoji.
_JSON_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
# A reference may not hold control characters (a NUL ends a C path) nor name a scheme.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


@dataclass
class _File:
    path: Path
    shown: str
    data: Any
    raw: bytes
    text: str
    is_json: bool
    yaml_lines: dict[str, int] | None = None
    has_refs: bool = False  # any `$ref` at all: the bundler need not copy a file without
    external_refs: bool | None = None  # a `$ref` to another file (None: not looked for)
    shared: bool = False  # YAML aliases: one value at several places
    # kind, message, pointer, line (None: the pointer's own line)
    warnings: list[tuple[str, str, str, int | None]] = field(default_factory=list)
    _json_lines: dict[str, int] | None = None

    def lines(self) -> dict[str, int]:
        if self.yaml_lines is not None:
            return self.yaml_lines
        if self._json_lines is None:
            self._json_lines = scan(self.text).lines  # once, when a message needs a line
        return self._json_lines

    def line(self, pointer: str) -> int:
        """The line of `pointer`, or of its nearest ancestor that has one."""
        lines = self.lines()
        probe = pointer
        while probe:
            if probe in lines:
                return lines[probe]
            probe = probe.rsplit("/", 1)[0]
        return lines.get("", 1)

    def error(self, message: str, pointer: str | None) -> SpecError:
        return SpecError(message, file=self.shown,
                         line=self.line(pointer) if pointer is not None else None,
                         pointer=pointer)


@dataclass
class LoadedSpec:
    """The bundled document, where each JSON pointer came from, and the spec's hash.

    `diagnostics` collects the located warnings of every stage (`spec.warn(...)`).
    """

    # The bundled, checked document (`data`), or how to make it when first asked: a spec
    # restored from the cache (checked_cache.py) is checked again only if a stage reads
    # the document itself, which a run whose parse is cached never does.
    document: dict[str, Any] | Callable[[], dict[str, Any]] = field(repr=False)
    root: Path
    files: list[Path]
    sha256: str
    mounts: dict[str, tuple[_File, str]] = field(default_factory=dict)
    diagnostics: Diagnostics = field(init=False)
    strict: bool = False
    # What decides `data` and the warnings so far, when the root file's text alone does
    # (no other file, no YAML alias): a cache key for the stages that read them. None
    # when something else does too.
    fingerprint: str | None = None

    def __post_init__(self) -> None:
        self.diagnostics = Diagnostics(self.origin, strict=self.strict)

    @property
    def data(self) -> dict[str, Any]:
        if callable(self.document):
            self.document = self.document()
        return self.document

    def origin(self, pointer: str) -> Origin:
        """The file and line of `pointer`, or of its nearest ancestor that has one."""
        probe = pointer
        while True:
            if probe in self.mounts:
                file, source = self.mounts[probe]
                return file.shown, file.line(source + pointer[len(probe):])
            if not probe:
                return str(self.root), 1
            probe = probe.rsplit("/", 1)[0]

    def error(self, message: str, pointer: str) -> SpecError:
        file, line = self.origin(pointer)
        return SpecError(message, file=file, line=line, pointer=pointer)

    def warn(self, kind: str, message: str, pointer: str | None) -> None:
        """A located warning (an error in strict mode, once `raise_if_strict` is called)."""
        self.diagnostics.warn(kind, message, pointer)


def _read_bytes(path: Path, shown: str, budget: int) -> bytes:
    """The file's bytes; only a regular file, and only up to the limits."""
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise SpecError("not a regular file", file=shown)
            limit = min(limits.MAX_FILE_BYTES, budget)
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise SpecError(f"cannot read the spec: {exc.strerror or exc}", file=shown) from exc
    if len(raw) > limit:
        raise SpecError(f"the spec is larger than {limit // (1024 * 1024)} MiB "
                        f"(limit: {limits.MAX_FILE_BYTES // (1024 * 1024)} MiB a file, "
                        f"{limits.MAX_TOTAL_BYTES // (1024 * 1024)} MiB in all)", file=shown)
    return raw


def _read(path: Path, shown: str, budget: int = limits.MAX_TOTAL_BYTES) -> _File:
    raw = _read_bytes(path, shown, budget)
    return _parse(_decode(raw, shown), raw, path, shown)


def _decode(raw: bytes, shown: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError("the spec is not UTF-8 text", file=shown) from exc
    if text.startswith("\ufeff"):
        text = text[1:]  # a byte-order mark is not part of the document
    return text


def _parse(text: str, raw: bytes, path: Path, shown: str, *, remember: bool = True) -> _File:
    if text.lstrip()[:1] in ("{", "["):
        loaded = _parse_json(text, raw, path, shown)
        if loaded is not None:
            return loaded
    from .yaml_reader import parse_yaml_explained

    return parse_yaml_explained(text, raw, path, shown, remember=remember)


# -- JSON ----------------------------------------------------------------------------------

def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _parse_json(text: str, raw: bytes, path: Path, shown: str) -> _File | None:
    """The JSON document in `text`; None if it is not JSON (it may be YAML flow style)."""
    duplicates = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicates
        mapping = dict(pairs)
        if len(mapping) != len(pairs):
            duplicates = True
        return mapping

    file = _File(path=path, shown=shown, data=None, raw=raw, text=text, is_json=True)
    try:
        file.data = json.loads(text, object_pairs_hook=pairs_hook,
                               parse_constant=_reject_constant)
    except RecursionError:
        too_deep = scan(text, max_depth=limits.MAX_DEPTH).too_deep
        pointer, line = too_deep if too_deep is not None else ("", 1)
        raise SpecError(f"values nest deeper than {limits.MAX_DEPTH} levels", file=shown,
                        line=line, pointer=pointer) from None
    except json.JSONDecodeError as exc:
        from .yaml_reader import parse_yaml

        try:  # a YAML document in flow style reads as YAML
            parse_yaml(text, raw, path, shown)
        except SpecError:
            raise SpecError(f"not valid JSON: {exc.msg} (column {exc.colno})", file=shown,
                            line=exc.lineno) from None
        return None
    except ValueError as exc:  # an integer Python will not convert, NaN, Infinity
        raise _json_value_error(text, str(exc), file) from None
    _check_values(file)
    if duplicates:
        for pointer, key, line in scan(text).duplicates:
            file.warnings.append(("duplicate-key", f"duplicate key {key!r}; the last one is "
                                  "used", pointer, line))
    return file


def _json_value_error(text: str, problem: str, file: _File) -> SpecError:
    digits = re.search(rf"-?\d{{{limits.MAX_INT_DIGITS + 1},}}", text)
    if "digits" in problem and digits is not None:
        offset, message = digits.start(), (
            f"an integer of {len(digits.group().lstrip('-'))} digits (more than "
            f"{limits.MAX_INT_DIGITS}, Python's limit)")
    else:
        constant = re.search(r"-?\b(NaN|Infinity)\b", text)
        offset = constant.start() if constant is not None else 0
        message = problem
    line = text.count("\n", 0, offset) + 1
    pointer = _pointer_at_line(scan(text[:offset] + "0"), line)
    return SpecError(message, file=file.shown, line=line, pointer=pointer)


def _pointer_at_line(positions: Any, line: int) -> str:
    """The last pointer recorded at or before `line` (the value being read there)."""
    best, best_line = "", 0
    for pointer, at in positions.lines.items():
        if best_line <= at <= line:
            best, best_line = pointer, at
    return best


# -- both ----------------------------------------------------------------------------------

def _check_values(file: _File) -> None:
    """Limits on the values themselves; also notes whether the file holds any `$ref`.

    Half of a UTF-16 surrogate pair (`"\\ud83d"` alone) is valid JSON but not text: it
    becomes U+FFFD with a warning, as any text decoder would do.
    """
    # Valid UTF-8 holds no surrogate: only an escape (`\\udXXX`) can write one.
    escapes = _may_write_lone_surrogates(file)
    if not escapes:
        refs = _within_limits(file.data)
        if refs is not None:  # nothing to change or report: no pointers needed
            file.has_refs, file.external_refs = refs
            return
    count = 0

    def text(value: str, pointer: str) -> str:
        if not escapes or not _LONE_SURROGATE.search(value):
            return value
        file.warnings.append(("lone-surrogate", "half of a UTF-16 surrogate pair is not "
                              "text; replaced by U+FFFD", pointer, None))
        return _LONE_SURROGATE.sub("\ufffd", value)

    def visit(value: Any, pointer: str, depth: int) -> Any:
        nonlocal count
        count += 1
        if count > limits.MAX_VALUES:
            raise file.error(f"the document holds more than {limits.MAX_VALUES:,} values",
                             pointer)
        if isinstance(value, dict):
            if depth >= limits.MAX_DEPTH:
                raise file.error(f"values nest deeper than {limits.MAX_DEPTH} levels", pointer)
            if "$ref" in value:
                file.has_refs = True
            for key, item in list(value.items()) if escapes else value.items():
                child = f"{pointer}/{escape_pointer_token(key)}"
                checked = visit(item, child, depth + 1)
                clean = text(key, child)
                if clean is not key:
                    del value[key]
                    value[clean] = checked
                elif checked is not item:
                    value[key] = checked
        elif isinstance(value, list):
            if depth >= limits.MAX_DEPTH:
                raise file.error(f"values nest deeper than {limits.MAX_DEPTH} levels", pointer)
            for index, item in enumerate(value):
                checked = visit(item, f"{pointer}/{index}", depth + 1)
                if checked is not item:
                    value[index] = checked
        elif isinstance(value, str):
            return text(value, pointer)
        return value

    file.data = visit(file.data, "", 0)


def _may_write_lone_surrogates(file: _File) -> bool:
    """Whether the text may write half of a surrogate pair. In JSON, escapes that come
    in pairs (a high one, then a low one) write none; anything else, or YAML, may."""
    if not file.is_json:
        return _SURROGATE_ESCAPE.search(file.text) is not None
    low_expected_at = -1  # where the low half of a pair must start
    for escape in _JSON_SURROGATE_ESCAPE.finditer(file.text):
        if escape.group()[3] in "89abAB":  # a high half
            if low_expected_at != -1:
                return True
            low_expected_at = escape.end()
        elif escape.start() != low_expected_at:
            return True
        else:
            low_expected_at = -1
    return low_expected_at != -1


def _within_limits(data: Any) -> tuple[bool, bool] | None:
    """Whether any mapping holds a `$ref`, and one to another file, if the values are
    within the limits; None if they are not (`_check_values` then walks again, with
    pointers, to say where). Walked a level at a time: a big document is a few hundred
    thousand values, and one depth for a whole level halves the walk."""
    has_refs = external = False
    count = 0
    level: list[Any] = [data]
    for depth in range(limits.MAX_DEPTH + 1):
        count += len(level)
        if count > limits.MAX_VALUES:
            return None
        below: list[Any] = []
        for value in level:
            if isinstance(value, dict):
                if "$ref" in value:
                    has_refs = True
                    external = external or _is_external(value["$ref"])
                below.extend(value.values())
            elif isinstance(value, list):
                below.extend(value)
            else:
                continue
            if depth >= limits.MAX_DEPTH:  # a mapping or a list this deep
                return None
        if not below:
            return has_refs, external
        level = below
    return None


def _is_external(ref: Any) -> bool:
    return isinstance(ref, str) and not ref.startswith("#")


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer (`/components/schemas/Contact`); KeyError if absent."""
    value = document
    if not pointer:
        return value
    if not pointer.startswith("/"):
        raise KeyError(pointer)
    escaped = "~" in pointer
    for raw_token in pointer[1:].split("/"):
        token = unescape_pointer_token(raw_token) if escaped else raw_token
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            raise KeyError(pointer)
    return value


class _Refused(SpecError):
    """A `$ref` our rules do not follow: an error in strict mode, else left out."""


class _Bundler:
    """Inlines references to other files; hoists their schemas into components."""

    def __init__(self, root: _File, *, strict: bool) -> None:
        self.root = root
        self.strict = strict
        self.folder = root.path.parent
        self.files: dict[Path, _File] = {root.path: root}
        self.mounts: dict[str, tuple[_File, str]] = {"": (root, "")}
        self.hoisted: dict[str, tuple[Path, str]] = {}
        self.hoisted_schemas: dict[str, Any] = {}
        self.stack: list[tuple[Path, str]] = []
        self.budget = limits.MAX_TOTAL_BYTES - len(root.raw)

    def _file(self, ref: str, current: _File, src: str) -> _File:
        pointer = f"{src}/$ref"
        if _CONTROL.search(ref):
            raise _refused(current, f"$ref {ref!r} holds a control character", pointer)
        if _SCHEME.match(ref) or ref.startswith("//"):
            raise _refused(current, f"$ref {ref!r} points to a URL; only files beside the "
                           "spec are read", pointer)
        target = (current.path.parent / ref).resolve()
        if not target.is_relative_to(self.folder):
            raise _refused(current, f"$ref {ref!r} points outside the spec's folder", pointer)
        if target not in self.files:
            if not target.is_file():
                raise _refused(current, f"$ref {ref!r}: no such file", pointer)
            loaded = _read(target, os.path.relpath(target), self.budget)
            self.budget -= len(loaded.raw)
            self.files[target] = loaded
        return self.files[target]

    def bundle(self, value: Any, current: _File, src: str, dst: str) -> Any:
        if isinstance(value, dict):
            if dst.count("/") > limits.MAX_DEPTH:
                raise current.error(f"values nest deeper than {limits.MAX_DEPTH} levels "
                                    "once references to other files are inlined", src)
            ref = value.get("$ref")
            if isinstance(ref, str) and (current is not self.root or not ref.startswith("#")):
                try:
                    return self._external(value, ref, current, src, dst)
                except _Refused as refused:
                    if self.strict:
                        raise
                    current.warnings.append(("refused-ref", f"{refused.message}; left out (a "
                                             "schema there accepts any value)",
                                             f"{src}/$ref", None))
                    value = {k: v for k, v in value.items() if k != "$ref"}
            return {
                key: self.bundle(item, current, f"{src}/{escape_pointer_token(key)}",
                                 f"{dst}/{escape_pointer_token(key)}")
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.bundle(item, current, f"{src}/{i}", f"{dst}/{i}")
                    for i, item in enumerate(value)]
        return value

    def _external(self, value: dict[str, Any], ref: str, current: _File, src: str,
                  dst: str) -> Any:
        file_part, _, fragment = ref.partition("#")
        target_file = self._file(file_part, current, src) if file_part else current
        try:
            target = resolve_pointer(target_file.data, fragment)
        except KeyError:
            raise _refused(current, f"$ref {ref!r} points to nothing in {target_file.shown}",
                           f"{src}/$ref") from None
        key = (target_file.path, fragment)
        siblings = {k: v for k, v in value.items() if k != "$ref"}
        if fragment.startswith("/components/schemas/") and fragment.count("/") == 3:
            name = unescape_pointer_token(fragment.rsplit("/", 1)[1])
            self._hoist(name, key, target, target_file, fragment, current, src)
            return {"$ref": f"#/components/schemas/{escape_pointer_token(name)}", **siblings}
        if key in self.stack:
            raise _refused(current, f"$ref {ref!r} is circular across files", f"{src}/$ref")
        self.stack.append(key)
        self.mounts[dst] = (target_file, fragment)
        inlined = self.bundle(target, target_file, fragment, dst)
        self.stack.pop()
        if isinstance(inlined, dict):
            return {**inlined, **siblings}
        return inlined

    def _hoist(self, name: str, key: tuple[Path, str], target: Any, target_file: _File,
               fragment: str, current: _File, src: str) -> None:
        local = self.root.data.get("components", {}).get("schemas", {})
        if key[0] == self.root.path:
            return
        if name in local or (name in self.hoisted and self.hoisted[name] != key):
            raise current.error(f"schema name {name!r} is defined twice (here and in another "
                                "file)", src)
        if name in self.hoisted:
            return
        self.hoisted[name] = key
        dst = f"/components/schemas/{escape_pointer_token(name)}"
        self.mounts[dst] = (target_file, fragment)
        self.hoisted_schemas[name] = self.bundle(target, target_file, fragment, dst)


def _refused(file: _File, message: str, pointer: str) -> _Refused:
    return _Refused(message, file=file.shown, line=file.line(pointer), pointer=pointer)


def load_spec(path: Path, *, meta_schema: bool = True, strict: bool = False) -> LoadedSpec:
    """Read, bundle and check the spec at `path`; raise SpecError if it cannot be used.

    Defects the generator can work around are left in `spec.diagnostics` (or raised,
    with `strict`). With `meta_schema=False` the slow OpenAPI meta-schema check is left
    to the caller (`validate.MetaSchemaCheck`), which may run it beside other work.
    """
    from .checked_cache import key, restore, save
    from .validate import MetaSchemaCheck, check_structure

    root_path = path.resolve()
    raw = _read_bytes(root_path, str(path), limits.MAX_TOTAL_BYTES)
    text = _decode(raw, str(path))
    checked = key(hashlib.sha256(raw).hexdigest(), strict)
    loaded = restore(root_path, str(path), raw, text, strict, checked)
    if loaded is None:
        root = _parse(text, raw, root_path, str(path), remember=False)
        loaded, external = _bundle(root, strict)
        if external:
            from .yaml_reader import remember_yaml

            remember_yaml(root)  # the checked document will not be cached: its reading is
        found = len(loaded.diagnostics.items)
        check_structure(loaded)
        if not external and not root.shared:  # decided by the text alone
            save(loaded, root, found, checked)
    else:
        loaded.diagnostics.raise_if_strict()  # as `check_structure` ends
    if meta_schema:
        MetaSchemaCheck(loaded, in_background=False).wait()
    return loaded


def checked_document(path: Path, shown: str, raw: bytes, text: str) -> dict[str, Any]:
    """The document of a single-file spec as `load_spec` leaves it, made again (its
    warnings were restored with it: the ones found here are dropped)."""
    from .validate import check_structure

    loaded, _ = _bundle(_parse(text, raw, path, shown, remember=False), strict=False)
    check_structure(loaded)
    return loaded.data


def _bundle(root: _File, strict: bool) -> tuple[LoadedSpec, bool]:
    """The spec whose root file is `root`, other files inlined; and whether it
    references other files at all (its meaning then depends on the folder too)."""
    if not isinstance(root.data, dict):
        raise SpecError("the spec must be a mapping at the top level", file=root.shown, line=1)
    bundler = _Bundler(root, strict=strict)
    # A single-file spec (every big public one) is used as read, not copied.
    external = _has_external_refs(root)
    data: dict[str, Any] = bundler.bundle(root.data, root, "", "") if external else root.data
    if bundler.hoisted_schemas:
        components = data.setdefault("components", {})
        if not isinstance(components, dict):
            raise root.error("components must be a mapping", "/components")
        schemas = components.setdefault("schemas", {})
        if not isinstance(schemas, dict):
            raise root.error("components/schemas must be a mapping", "/components/schemas")
        schemas.update(bundler.hoisted_schemas)
    digest = hashlib.sha256(root.raw)
    others = sorted((p for p in bundler.files if p != root.path), key=str)
    for other in others:
        digest.update(bundler.files[other].raw)
    loaded = LoadedSpec(document=data, root=root.path, files=[root.path, *others],
                        sha256=digest.hexdigest(), mounts=bundler.mounts, strict=strict)
    for file in bundler.files.values():
        add_file_warnings(loaded, file)
    return loaded, external


def add_file_warnings(loaded: LoadedSpec, file: _File) -> None:
    """The warnings found while reading `file`, located in it."""
    for kind, message, pointer, line in file.warnings:
        loaded.diagnostics.items.append(Diagnostic(
            kind, message, file.shown, line, pointer, None if line else _locator(file)))


def _locator(file: _File) -> Callable[[str], tuple[str, int | None]]:
    def locate(pointer: str) -> tuple[str, int | None]:
        return file.shown, file.line(pointer)
    return locate


def _has_external_refs(root: _File) -> bool:
    if not root.has_refs:
        return False
    if root.external_refs is not None:  # found while its values were checked
        return root.external_refs
    stack: list[Any] = [root.data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if _is_external(value.get("$ref")):
                return True
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False
