"""Read a spec (YAML or JSON), bundle `$ref`s to other files, validate it.

Every value keeps the file and line it came from, so that any later error can
name them. Only relative files inside the spec's own folder may be referenced:
a spec is untrusted and must not make us read `/etc/passwd` or fetch a URL.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError

Origin = tuple[str, int]  # (file as shown to the user, 1-based line)


# libyaml's parser when PyYAML was built with it (its wheels are): ten times faster.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _JsonCompatibleLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """YAML 1.1 would turn `2023-12-25` into a date object; a spec means a string."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # JSON keys are strings: YAML reads `200:` as the int 200, a spec means status "200".
        self.flatten_mapping(node)
        return {
            str(key.value) if isinstance(key, yaml.ScalarNode) else self.construct_object(key):
                self.construct_object(value, deep=deep)
            for key, value in node.value
        }


_JsonCompatibleLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _PureJsonCompatibleLoader(yaml.SafeLoader):
    """The same rules on PyYAML's pure-Python parser, whose error messages say more."""

    construct_mapping = _JsonCompatibleLoader.construct_mapping
    yaml_implicit_resolvers = _JsonCompatibleLoader.yaml_implicit_resolvers


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


@dataclass
class _File:
    path: Path
    shown: str
    data: Any
    lines: dict[str, int]
    raw: bytes


@dataclass
class LoadedSpec:
    """The bundled document, where each JSON pointer came from, and the spec's hash."""

    data: dict[str, Any]
    root: Path
    files: list[Path]
    sha256: str
    origins: dict[str, Origin] = field(default_factory=dict)

    def origin(self, pointer: str) -> Origin:
        """The file and line of `pointer`, or of its nearest ancestor that has one."""
        probe = pointer
        while probe:
            if probe in self.origins:
                return self.origins[probe]
            probe = probe.rsplit("/", 1)[0]
        return self.origins.get("", (str(self.root), 1))

    def error(self, message: str, pointer: str) -> SpecError:
        file, line = self.origin(pointer)
        return SpecError(message, file=file, line=line, pointer=pointer)


def _read(path: Path, shown: str) -> _File:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot read the spec: {exc.strerror}", file=shown) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError("the spec is not UTF-8 text", file=shown) from exc
    try:
        return _parse(text, raw, path, shown, _JsonCompatibleLoader)
    except SpecError:
        if _JsonCompatibleLoader is _PureJsonCompatibleLoader:
            raise
    # libyaml's messages are terser: parse again with the pure-Python parser to explain.
    return _parse(text, raw, path, shown, _PureJsonCompatibleLoader)


def _parse(text: str, raw: bytes, path: Path, shown: str,
           loader_class: type[yaml.SafeLoader]) -> _File:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SpecError("the file is empty", file=shown, line=1)
        lines: dict[str, int] = {}
        _record_lines(node, "", lines, shown)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise SpecError(f"not valid YAML or JSON: {problem}", file=shown, line=line) from exc
    except yaml.YAMLError as exc:
        raise SpecError(f"not valid YAML or JSON: {exc}", file=shown) from exc
    finally:
        loader.dispose()
    return _File(path=path, shown=shown, data=data, lines=lines, raw=raw)


def _record_lines(node: yaml.Node, pointer: str, lines: dict[str, int], shown: str,
                  key_line: int | None = None) -> None:
    # A mapping entry's line is its key's (`label:`), not where its value starts below it.
    lines[pointer] = key_line if key_line is not None else node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SpecError("a mapping key must be a string", file=shown,
                                line=key_node.start_mark.line + 1, pointer=pointer)
            key = str(key_node.value)
            if key in seen:
                raise SpecError(f"duplicate key {key!r}", file=shown,
                                line=key_node.start_mark.line + 1, pointer=pointer)
            seen.add(key)
            _record_lines(value_node, f"{pointer}/{escape_pointer_token(key)}", lines, shown,
                          key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, f"{pointer}/{index}", lines, shown)


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer (`/components/schemas/Contact`); KeyError if absent."""
    value = document
    if not pointer:
        return value
    for raw_token in pointer.lstrip("/").split("/"):
        token = unescape_pointer_token(raw_token)
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            raise KeyError(pointer)
    return value


class _Bundler:
    """Inlines references to other files; hoists their schemas into components."""

    def __init__(self, root: _File) -> None:
        self.root = root
        self.folder = root.path.parent
        self.files: dict[Path, _File] = {root.path: root}
        self.origins: dict[str, Origin] = {}
        self.hoisted: dict[str, tuple[Path, str]] = {}
        self.hoisted_schemas: dict[str, Any] = {}
        self.stack: list[tuple[Path, str]] = []

    def _file(self, ref: str, current: _File, src: str) -> _File:
        pointer = f"{src}/$ref"
        if "://" in ref or ref.startswith("//"):
            raise SpecError(f"$ref {ref!r} points to a URL; only files beside the spec are read",
                            file=current.shown, line=current.lines.get(pointer), pointer=pointer)
        target = (current.path.parent / ref).resolve()
        if not target.is_relative_to(self.folder):
            raise SpecError(f"$ref {ref!r} points outside the spec's folder",
                            file=current.shown, line=current.lines.get(pointer), pointer=pointer)
        if target not in self.files:
            if not target.is_file():
                raise SpecError(f"$ref {ref!r}: no such file", file=current.shown,
                                line=current.lines.get(pointer), pointer=pointer)
            self.files[target] = _read(target, os.path.relpath(target))
        return self.files[target]

    def bundle(self, value: Any, current: _File, src: str, dst: str) -> Any:
        line = current.lines.get(src)
        if line is not None:
            self.origins[dst] = (current.shown, line)
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and (current is not self.root or not ref.startswith("#")):
                return self._external(value, ref, current, src, dst)
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
            raise SpecError(f"$ref {ref!r} points to nothing in {target_file.shown}",
                            file=current.shown, line=current.lines.get(src),
                            pointer=f"{src}/$ref") from None
        key = (target_file.path, fragment)
        siblings = {k: v for k, v in value.items() if k != "$ref"}
        if fragment.startswith("/components/schemas/") and fragment.count("/") == 3:
            name = unescape_pointer_token(fragment.rsplit("/", 1)[1])
            self._hoist(name, key, target, target_file, fragment, current, src)
            return {"$ref": f"#/components/schemas/{escape_pointer_token(name)}", **siblings}
        if key in self.stack:
            raise SpecError(f"$ref {ref!r} is circular across files", file=current.shown,
                            line=current.lines.get(src), pointer=src)
        self.stack.append(key)
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
            raise SpecError(f"schema name {name!r} is defined twice (here and in another file)",
                            file=current.shown, line=current.lines.get(src), pointer=src)
        if name in self.hoisted:
            return
        self.hoisted[name] = key
        dst = f"/components/schemas/{escape_pointer_token(name)}"
        self.hoisted_schemas[name] = self.bundle(target, target_file, fragment, dst)


def load_spec(path: Path, *, meta_schema: bool = True) -> LoadedSpec:
    """Read, bundle and validate the spec at `path`; raise SpecError if anything is wrong.

    With `meta_schema=False` the slow OpenAPI meta-schema check is left to the caller
    (`validate.MetaSchemaCheck`), which may run it beside other work.
    """
    root_path = path.resolve()
    root = _read(root_path, str(path))
    if not isinstance(root.data, dict):
        raise SpecError("the spec must be a mapping at the top level", file=root.shown, line=1)
    bundler = _Bundler(root)
    data: dict[str, Any] = bundler.bundle(root.data, root, "", "")
    if bundler.hoisted_schemas:
        schemas = data.setdefault("components", {}).setdefault("schemas", {})
        schemas.update(bundler.hoisted_schemas)
    digest = hashlib.sha256(root.raw)
    others = sorted((p for p in bundler.files if p != root_path), key=str)
    for other in others:
        digest.update(bundler.files[other].raw)
    loaded = LoadedSpec(data=data, root=root_path, files=[root_path, *others],
                        sha256=digest.hexdigest(), origins=bundler.origins)
    from .validate import check_structure, validate_spec

    if meta_schema:
        validate_spec(loaded)
    else:
        check_structure(loaded)
    return loaded
