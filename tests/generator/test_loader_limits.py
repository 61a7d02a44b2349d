"""The loader: its quick pass over the values (no pointers) and its full pass (pointers, for
messages) agree: the quick one only decides that the full one has nothing to say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator import limits, loader
from generator.errors import SpecError


def nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for level in range(depth):
        value = {"x": value} if level % 2 else [value]
    return value


def read(tmp_path: Path, data: Any) -> loader._File:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(data))
    return loader._read(path, "spec.json")


@pytest.mark.parametrize("data, refs, external", [
    ({"a": [{"b": {"$ref": "#/c"}}], "c": {}}, True, False),
    ({"a": [{"b": {"ref": "#/c"}}], "$refs": [{}]}, False, False),
    ({"a": [[[["$ref"]]]]}, False, False),
    ({"a": [{"$ref": "#/b"}, {"b": {"$ref": "other.json#/c"}}]}, True, True),
    ({"a": {"$ref": ["other.json"]}, "b": {"$ref": "#/a"}}, True, False),
])
def test_the_quick_pass_notes_a_ref_only_where_a_mapping_holds_one(
        tmp_path: Path, data: Any, refs: bool, external: bool) -> None:
    assert loader._within_limits(data) == (refs, external)
    file = read(tmp_path, data)
    assert (file.has_refs, loader._has_external_refs(file)) == (refs, external)
    file.external_refs = None  # as read from the cache: the document is walked again
    assert loader._has_external_refs(file) is external


def test_nesting_up_to_the_limit_passes_and_one_more_level_is_located(tmp_path: Path) -> None:
    assert loader._within_limits(nested(limits.MAX_DEPTH, 1)) == (False, False)
    assert loader._within_limits(nested(limits.MAX_DEPTH + 1, 1)) is None
    read(tmp_path, {"deep": nested(limits.MAX_DEPTH - 1, 1)})
    with pytest.raises(SpecError, match="nest deeper than") as caught:
        read(tmp_path, {"deep": nested(limits.MAX_DEPTH, 1)})
    assert caught.value.pointer is not None and caught.value.pointer.count("/") == limits.MAX_DEPTH


def test_too_many_values_are_refused_by_the_full_pass(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_VALUES", 10)
    assert loader._within_limits(list(range(9))) == (False, False)
    assert loader._within_limits(list(range(10))) is None
    with pytest.raises(SpecError, match="more than 10 values"):
        read(tmp_path, {"many": list(range(10))})


def test_a_pointer_is_unescaped_token_by_token() -> None:
    document = {"paths": {"/a/b": {"get": 1}, "~x": [2, {"c~1d": 3}]}}
    assert loader.resolve_pointer(document, "/paths/~1a~1b/get") == 1
    assert loader.resolve_pointer(document, "/paths/~0x/1/c~01d") == 3
    assert loader.resolve_pointer(document, "/paths/~0x/0") == 2
    for missing in ("/paths/a~1b", "/paths/~1x", "paths", "/paths/~0x/2"):
        with pytest.raises(KeyError):
            loader.resolve_pointer(document, missing)
