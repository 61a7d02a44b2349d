"""The collector rests while the document and its model are made (heap.py), and is
handed back as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from goldens import Fixture

from generator import parse as parse_module
from generator.heap import LongLived
from generator.parse import ParsedSpec


@pytest.fixture
def collector() -> Iterator[None]:
    """Each test starts with the collector running and nothing frozen, and leaves it so."""
    was_enabled = gc.isenabled()
    gc.enable()
    gc.unfreeze()
    yield
    gc.unfreeze()
    if not was_enabled:
        gc.disable()


def test_it_rests_until_settled_then_freezes_what_was_made(collector: None) -> None:
    with LongLived() as heap:
        assert not gc.isenabled()
        made = [{"a": [1, 2]} for _ in range(100)]
        heap.settled()
        assert gc.isenabled() and gc.get_freeze_count() >= len(made)
        heap.settled()  # a second call changes nothing
        assert gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_it_hands_back_the_collector_as_it_was_even_on_an_error(collector: None) -> None:
    gc.disable()
    with pytest.raises(ValueError), LongLived() as heap:
        heap.settled()
        assert not gc.isenabled()  # it was not running: it stays at rest
        raise ValueError
    assert not gc.isenabled() and gc.get_freeze_count() == 0
    gc.enable()
    with pytest.raises(ValueError), LongLived():
        raise ValueError  # never settled
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_objects_someone_else_froze_stay_frozen(collector: None) -> None:
    gc.freeze()
    theirs = gc.get_freeze_count()
    with LongLived() as heap:
        heap.settled()
    assert gc.get_freeze_count() >= theirs > 0


def test_a_build_parses_with_the_collector_at_rest_and_renders_with_it_running(
        collector: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import render
    from generator.pipeline import build_files

    monkeypatch.setenv("CLIENTGEN_NO_CACHE", "1")
    seen: dict[str, tuple[bool, int]] = {}
    original_parse, original_render = parse_module._parse, render.render_package

    def parsing(spec: Any, options: dict[str, Any]) -> ParsedSpec:
        seen["parse"] = gc.isenabled(), gc.get_freeze_count()
        return original_parse(spec, options)

    def rendering(*args: Any) -> Any:
        seen["render"] = gc.isenabled(), gc.get_freeze_count()
        return original_render(*args)

    monkeypatch.setattr(parse_module, "_parse", parsing)
    monkeypatch.setattr(render, "render_package", rendering)
    files, _, _ = build_files(Fixture("schemas").config(tmp_path / "out"))
    assert "models.py" in files
    assert seen["parse"] == (False, 0)
    assert seen["render"][0] and seen["render"][1] > 0
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_what_a_run_is_done_with_is_kept_until_the_next_run(
        collector: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line exits without freeing the run's model object by object; a
    process that runs the generator again keeps only the last run's."""
    import weakref

    from generator import heap
    from generator.pipeline import build_files

    monkeypatch.setenv("CLIENTGEN_NO_CACHE", "1")
    config = Fixture("schemas").config(tmp_path / "out")
    build_files(config)
    first = weakref.ref(heap._kept[0])  # the parsed spec
    assert first() is not None  # alive after the run returned
    build_files(config)
    assert first() is None and heap._kept[0] is not None  # replaced by the next run's
