"""Reading a YAML spec file: values as JSON would hold them, each one's line recorded.

Imported only when a file is not JSON (or not valid JSON: a YAML document in flow
style reads as YAML), so that reading a JSON document never pays for importing
PyYAML.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from . import limits
from .cache import lookup, store
from .errors import SpecError
from .loader import _check_values, _File, escape_pointer_token


class _YamlSyntaxError(SpecError):
    """The text is not YAML (as opposed to YAML that breaks one of our rules)."""


def parse_yaml_explained(text: str, raw: bytes, path: Path, shown: str, *,
                         remember: bool = True) -> _File:
    """The YAML document in `text` (see `_parse_yaml_cached`), or the clearest error."""
    try:
        return _parse_yaml_cached(text, raw, path, shown, remember=remember)
    except _YamlSyntaxError as terse:
        if _JsonCompatibleLoader is _PureJsonCompatibleLoader:
            raise
        # libyaml's messages are terser: parse again with the pure-Python parser to explain.
        try:
            return _parse_yaml(text, raw, path, shown, _PureJsonCompatibleLoader)
        except RecursionError:
            raise terse from None


def parse_yaml(text: str, raw: bytes, path: Path, shown: str) -> _File:
    """The YAML document in `text`, read with libyaml where PyYAML has it."""
    return _parse_yaml(text, raw, path, shown, _JsonCompatibleLoader)


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


# The YAML tags of JSON values: anything else (binary, set, timestamp, python/...) is not
# something a JSON-based format can mean, and its Python object would surprise every stage.
_YAML_TAG = "tag:yaml.org,2002:"
_JSON_TAGS = frozenset(f"{_YAML_TAG}{t}" for t in ("str", "int", "float", "bool", "null",
                                                    "map", "seq"))
_MERGE_TAG = f"{_YAML_TAG}merge"


def _parse_yaml(text: str, raw: bytes, path: Path, shown: str,
                loader_class: type[yaml.SafeLoader]) -> _File:
    loader = loader_class(text)
    file = _File(path=path, shown=shown, data=None, raw=raw, text=text, is_json=False)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise SpecError(f"values nest deeper than {limits.MAX_DEPTH} levels", file=shown,
                            line=_deep_line(text)) from None
        if node is None:
            raise SpecError("the file is empty", file=shown, line=1)
        file.yaml_lines = {}
        _YamlWalk(file).walk(node, "", None, 0)
        file.data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise _YamlSyntaxError(f"not valid YAML or JSON: {problem}", file=shown,
                               line=line) from exc
    except yaml.YAMLError as exc:
        raise _YamlSyntaxError(f"not valid YAML or JSON: {exc}", file=shown) from exc
    finally:
        loader.dispose()
    _check_values(file)
    return file


def _parse_yaml_cached(text: str, raw: bytes, path: Path, shown: str, *,
                       remember: bool = True) -> _File:
    """`_parse_yaml` with libyaml, or its earlier result for the same text: reading a big
    YAML document is the slowest part of loading it. What is cached passed every check
    (a failure is not cached), values and lines as read. With `remember=False` the
    caller decides whether to `remember_yaml` (a root file alone is cached with its
    checks, by `checked_cache`)."""
    found = _from_cache(lookup("yaml", "pyyaml", _yaml_key(text)), text, raw, path, shown)
    if found is not None:
        return found
    file = _parse_yaml(text, raw, path, shown, _JsonCompatibleLoader)
    if remember:
        remember_yaml(file)
    return file


def _yaml_key(text: str) -> str:
    return f"{_JsonCompatibleLoader.__name__}\0{text}"


def remember_yaml(file: _File) -> None:
    """Cache what reading a YAML file found; not a document with aliases, since the later
    stages see one value at several places, which JSON cannot hold."""
    if file.is_json or file.shared:
        return
    store("yaml", "pyyaml", _yaml_key(file.text), json.dumps(
        {"data": file.data, "lines": file.yaml_lines, "warnings": file.warnings,
         "has_refs": file.has_refs}))


def _from_cache(entry: str | None, text: str, raw: bytes, path: Path,
                shown: str) -> _File | None:
    if entry is None:
        return None
    try:
        stored = json.loads(entry)
        return _File(path=path, shown=shown, data=stored["data"], raw=raw, text=text,
                     is_json=False, yaml_lines=dict(stored["lines"]),
                     has_refs=bool(stored["has_refs"]),
                     warnings=[(str(kind), str(message), str(pointer),
                                None if line is None else int(line))
                               for kind, message, pointer, line in stored["warnings"]])
    except (ValueError, TypeError, KeyError):
        return None  # a damaged entry: read the text again


def _deep_line(text: str) -> int | None:
    """The first line where brackets open past the limit (for the message only: the
    parser gave up before it could say where)."""
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) - len(line.lstrip()) > limits.MAX_DEPTH * 2:
            return number  # block style: nesting is indentation
        for char in line:
            depth += (char in "[{") - (char in "]}")
            if depth > limits.MAX_DEPTH:
                return number
    return None


class _YamlWalk:
    """Records the line of every value and refuses what JSON cannot hold: other tags,
    aliases that refer to themselves or expand past the limits, overlong integers."""

    def __init__(self, file: _File) -> None:
        self.file = file
        assert file.yaml_lines is not None
        self.lines = file.yaml_lines
        self.count = 0
        self.open: set[int] = set()  # nodes being walked: an alias to one is a cycle
        self.seen: set[int] = set()  # mappings and lists walked: met again through an alias

    def fail(self, message: str, node: yaml.Node, pointer: str,
             line: int | None = None) -> SpecError:
        return SpecError(message, file=self.file.shown,
                         line=line or node.start_mark.line + 1, pointer=pointer)

    def walk(self, node: yaml.Node, pointer: str, key_line: int | None, depth: int) -> None:
        # A mapping entry's line is its key's (`label:`), not where its value starts below it.
        self.lines.setdefault(pointer, key_line if key_line is not None
                              else node.start_mark.line + 1)
        self.count += 1
        if self.count > limits.MAX_VALUES:
            raise self.fail(f"the document holds more than {limits.MAX_VALUES:,} values "
                            "(YAML aliases count each time they are used)", node, pointer)
        if depth > limits.MAX_DEPTH:
            raise self.fail(f"values nest deeper than {limits.MAX_DEPTH} levels", node, pointer)
        if node.tag not in _JSON_TAGS:
            raise self.fail(f"YAML tag {node.tag.replace(_YAML_TAG, '!!')!r} is not a JSON "
                            "value; a spec holds strings, numbers, booleans, null, mappings "
                            "and lists", node, pointer)
        if isinstance(node, yaml.ScalarNode):
            if node.tag == f"{_YAML_TAG}int" and len(node.value) > limits.MAX_INT_DIGITS:
                raise self.fail(f"an integer of {len(node.value)} digits (more than "
                                f"{limits.MAX_INT_DIGITS}, Python's limit)", node, pointer)
            return
        if id(node) in self.open:
            raise self.fail("a YAML alias refers to a value that contains it", node, pointer,
                            key_line)
        if id(node) in self.seen:
            self.file.shared = True
        self.seen.add(id(node))
        self.open.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    self.walk(value_node, pointer, None, depth + 1)
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.fail("a mapping key must be a string", key_node, pointer)
                key = str(key_node.value)
                line = key_node.start_mark.line + 1
                if key in seen:
                    self.file.warnings.append(("duplicate-key", f"duplicate key {key!r}; "
                                               "the last one is used", pointer, line))
                seen.add(key)
                self.walk(value_node, f"{pointer}/{escape_pointer_token(key)}", line, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, f"{pointer}/{index}", None, depth + 1)
        self.open.discard(id(node))
