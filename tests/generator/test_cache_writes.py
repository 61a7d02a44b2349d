"""Cache entries written later: when asked, when the run ends, in a child process,
never after a failure; and the text they are written from is `json.dumps`'s."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator import cache, cache_writes


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CLIENTGEN_NO_CACHE", raising=False)
    monkeypatch.setenv("CLIENTGEN_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_a_deferred_entry_is_written_when_asked_and_not_before(cache_dir: Path) -> None:
    asked: list[str] = []

    def result() -> str:
        asked.append("x")
        return "late"

    with cache_writes.deferred_stores():
        cache_writes.store_later("parsed", "", "key", lambda: [result()])
        assert cache.lookup("parsed", "", "key") is None and asked == []
        cache_writes.write_deferred()
        assert cache.lookup("parsed", "", "key") == "late" and asked == ["x"]
        cache_writes.store_later("parsed", "", "other", lambda: ["at the end"])
    assert cache.lookup("parsed", "", "other") == "at the end"  # leaving writes the rest


def test_a_failed_run_writes_no_deferred_entry(cache_dir: Path) -> None:
    with pytest.raises(RuntimeError), cache_writes.deferred_stores():
        cache_writes.store_later("parsed", "", "key", lambda: ["never"])
        raise RuntimeError("the run failed")
    assert cache.lookup("parsed", "", "key") is None
    cache_writes.store_later("parsed", "", "key", lambda: ["now"])  # outside a run: at once
    assert cache.lookup("parsed", "", "key") == "now"
    cache_writes.store_later("parsed", "", "none", lambda: None)  # nothing to store
    assert cache.lookup("parsed", "", "none") is None


def test_entries_written_in_the_background_are_there_when_the_run_ends(
        cache_dir: Path) -> None:
    import os

    writers: list[int] = []

    def result(text: str) -> Callable[[], list[str]]:
        def compute() -> list[str]:
            writers.append(os.getpid())  # seen only by the process that writes
            return [text[:2], text[2:]]
        return compute

    with cache_writes.deferred_stores():
        cache_writes.store_later("parsed", "", "one", result("first"))
        cache_writes.store_later("checked", "pyyaml", "two", result("second"))
        cache_writes.write_deferred(in_background=True)
    assert cache.lookup("parsed", "", "one") == "first"
    assert cache.lookup("checked", "pyyaml", "two") == "second"
    assert writers == []  # written by a child process, which the run waited for


def test_without_fork_a_thread_writes_them(cache_dir: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.delattr("os.fork")
    names: list[str] = []

    def compute() -> list[str]:
        names.append(threading.current_thread().name)
        return ["late"]

    with cache_writes.deferred_stores():
        cache_writes.store_later("parsed", "", "one", compute)
        cache_writes.write_deferred(in_background=True)
    assert cache.lookup("parsed", "", "one") == "late"
    assert names == ["clientgen-cache-writer"]


@pytest.mark.parametrize("value", [
    {"a": [1, 2.5, {"b": None, "c": [True, "\u00e9\U0001f600"]}], "d": {}, "e": [],
     "f": {"g": {"h": {"i": {"j": float("nan")}}}}},
    [[[[["deep"]]]], {"k": "v"}], {1: "int key"}, "text", 3,
])
def test_json_pieces_make_json_dumps(value: object) -> None:
    import json

    assert "".join(cache_writes.json_pieces(value)) == json.dumps(value)
    assert "".join(cache_writes.json_pieces(value, levels=1)) == json.dumps(value)


def test_an_inner_block_leaves_its_entries_to_the_outer_one(cache_dir: Path) -> None:
    with cache_writes.deferred_stores():
        with cache_writes.deferred_stores():
            cache_writes.store_later("parsed", "", "inner", lambda: ["kept"])
        assert cache.lookup("parsed", "", "inner") is None  # the outer block writes it
        with pytest.raises(RuntimeError), cache_writes.deferred_stores():
            cache_writes.store_later("parsed", "", "failed", lambda: ["dropped"])
            raise RuntimeError("this stage failed")
    assert cache.lookup("parsed", "", "inner") == "kept"
    assert cache.lookup("parsed", "", "failed") is None


def test_with_the_cache_off_no_entry_is_even_made(
        cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTGEN_NO_CACHE", "1")
    made: list[str] = []
    with cache_writes.deferred_stores():
        cache_writes.store_later("parsed", "", "key", lambda: made.append("x") or ["text"])
        cache_writes.write_deferred(in_background=True)
    cache_writes.store_later("parsed", "", "now", lambda: made.append("y") or ["text"])
    assert made == [] and not list(cache_dir.rglob("*"))
