"""The result cache may make a run faster, never different."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import cache


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CLIENTGEN_NO_CACHE", raising=False)
    monkeypatch.setenv("CLIENTGEN_CACHE_DIR", str(tmp_path))
    return tmp_path


def counting(result: str) -> tuple[list[int], Callable[[], str]]:
    calls: list[int] = []

    def compute() -> str:
        calls.append(1)
        return result

    return calls, compute


def test_a_second_call_with_the_same_key_is_served_from_the_cache(cache_dir: Path) -> None:
    calls, compute = counting("formatted")
    assert cache.cached("black", "black", "source", compute) == "formatted"
    assert cache.cached("black", "black", "source", compute) == "formatted"
    assert len(calls) == 1
    assert len(list(cache_dir.rglob("*"))) >= 1


def test_another_key_or_kind_is_computed_again(cache_dir: Path) -> None:
    calls, compute = counting("x")
    cache.cached("black", "black", "one", compute)
    cache.cached("black", "black", "two", compute)
    cache.cached("models", "black", "one", compute)
    assert len(calls) == 3


def test_the_library_version_is_part_of_the_key(cache_dir: Path) -> None:
    calls, compute = counting("x")
    cache.cached("step", "black", "same", compute)
    cache.cached("step", "jinja2", "same", compute)
    assert len(calls) == 2
    assert cache._salt("black") != cache._salt("jinja2")


def test_no_cache_switch_always_computes(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTGEN_NO_CACHE", "1")
    calls, compute = counting("x")
    cache.cached("black", "black", "k", compute)
    cache.cached("black", "black", "k", compute)
    assert len(calls) == 2
    assert list(cache_dir.iterdir()) == []


def test_an_unreadable_entry_is_recomputed(cache_dir: Path) -> None:
    calls, compute = counting("good")
    cache.cached("black", "black", "k", compute)
    for entry in cache_dir.rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"\xff\xfe not utf-8")
    assert cache.cached("black", "black", "k", compute) == "good"
    assert len(calls) == 2


def test_an_unwritable_cache_costs_speed_not_correctness(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CLIENTGEN_CACHE_DIR", str(blocker))
    monkeypatch.delenv("CLIENTGEN_NO_CACHE", raising=False)
    calls, compute = counting("value")
    assert cache.cached("black", "black", "k", compute) == "value"
    assert len(calls) == 1


def test_a_step_of_the_generator_alone_keys_on_its_source(cache_dir: Path) -> None:
    calls, compute = counting("x")
    cache.cached("step", "", "same", compute)
    cache.cached("step", "", "same", compute)
    cache.cached("step", "jinja2", "same", compute)
    assert len(calls) == 2
    assert cache._salt("").endswith(cache._generator_source())


@pytest.mark.parametrize("distribution", ["jinja2", "ruff", "datamodel-code-generator",
                                          "PyYAML", "pyyaml"])
def test_a_librarys_version_is_the_one_importlib_metadata_finds(distribution: str) -> None:
    from importlib.metadata import version

    assert cache._installed_version(distribution) == version(distribution)


def test_a_library_not_installed_as_a_wheel_is_asked_of_importlib_metadata(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import PackageNotFoundError

    (tmp_path / "other-1.0.dist-info").mkdir()
    monkeypatch.setattr("sys.path", [str(tmp_path), str(tmp_path / "missing")])
    assert cache._installed_version("Other") == "1.0"
    with pytest.raises(PackageNotFoundError):
        cache._installed_version("absent-project")


def test_an_entry_is_stored_whatever_temporary_file_a_killed_run_left(
        cache_dir: Path) -> None:
    import os
    import threading

    cache.store("format", "ruff", "first", "one")  # makes the entries' folders
    entry = cache._entry("format", "ruff", "second")
    assert entry is not None
    entry.parent.mkdir(parents=True, exist_ok=True)
    left = Path(f"{entry}.{os.getpid()}-{threading.get_ident()}.tmp")
    left.write_text("half an entry")
    cache.store("format", "ruff", "second", "two")
    assert cache.lookup("format", "ruff", "second") == "two"
    assert [p.name for p in entry.parent.iterdir() if p.name.endswith(".tmp")] == [left.name]


def test_entries_of_a_kind_share_one_folder(cache_dir: Path) -> None:
    """Making a folder costs as much as writing an entry: a kind has one, however many
    entries it holds."""
    for index in range(40):
        cache.store("render", "", f"key {index}", "text")
    assert [p.name for p in cache_dir.iterdir()] == ["render"]
    entries = list((cache_dir / "render").iterdir())
    assert len(entries) == 40 and all(entry.is_file() for entry in entries)


def _entry_file(folder: Path, kind: str, name: str, size: int, used: float) -> Path:
    path = folder / kind / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    os.utime(path, (used, used))
    return path


def test_the_least_recently_used_entries_go_once_the_cache_is_over_its_budget(
        cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTGEN_CACHE_MAX_MB", "1")
    now = 1_000_000.0
    mib = 1024 * 1024
    old = _entry_file(cache_dir, "parsed", "old", mib // 2, now - 300)
    read_lately = _entry_file(cache_dir, "parsed", "read", mib // 2, now - 400)
    os.utime(read_lately, (now - 10, now - 400))  # read after `old` was written
    new = _entry_file(cache_dir, "models-group", "new", mib // 4, now - 100)
    cache.trim_if_due(now)
    # 1.25 MiB > 1 MiB: removed, oldest use first, until at most 0.8 MiB are left.
    assert not old.exists()
    assert read_lately.exists() and new.exists()


def test_a_cache_within_its_budget_is_left_alone(cache_dir: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTGEN_CACHE_MAX_MB", "2")
    now = 1_000_000.0
    kept = [_entry_file(cache_dir, "parsed", f"e{i}", 512 * 1024, now - i) for i in range(4)]
    cache.trim_if_due(now)
    assert all(path.exists() for path in kept)


def test_the_cache_is_looked_over_at_most_once_an_hour(cache_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTGEN_CACHE_MAX_MB", "1")
    now = 1_000_000.0
    cache.trim_if_due(now)  # nothing to remove yet; looked over now
    big = _entry_file(cache_dir, "parsed", "big", 2 * 1024 * 1024, now)
    cache.trim_if_due(now + 3000)
    assert big.exists()
    cache.trim_if_due(now + 3700)
    assert not big.exists()


def test_trimming_never_follows_a_link_nor_takes_a_file_being_written(
        cache_dir: Path, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTGEN_CACHE_MAX_MB", "1")
    now = 1_000_000.0
    outside = tmp_path_factory.mktemp("outside")
    precious = _entry_file(outside, "kind", "precious", 2 * 1024 * 1024, now - 10**6)
    (cache_dir / "planted").symlink_to(outside / "kind")
    (cache_dir / "parsed").mkdir()
    (cache_dir / "parsed" / "link").symlink_to(precious)
    writing = _entry_file(cache_dir, "parsed", "entry.123-456.tmp", 2 * 1024 * 1024, now - 60)
    stale = _entry_file(cache_dir, "parsed", "entry.1-2.tmp", 1024, now - 2 * 86400)
    cache.trim_if_due(now)
    assert precious.exists() and (cache_dir / "parsed" / "link").is_symlink()
    assert writing.exists()
    assert not stale.exists()  # a killed run's, a day old: gone, whatever the budget


def test_the_budget_is_a_positive_number_of_megabytes(monkeypatch: pytest.MonkeyPatch) -> None:
    for wanted, megabytes in (("300", 300), ("0", 1024), ("-5", 1024), ("lots", 1024),
                              ("", 1024)):
        monkeypatch.setenv("CLIENTGEN_CACHE_MAX_MB", wanted)
        assert cache._budget_bytes() == megabytes * 1024 * 1024


def test_the_background_writer_keeps_the_cache_under_its_budget(
        cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.cache_writes import deferred_stores, store_later, write_deferred

    monkeypatch.setenv("CLIENTGEN_CACHE_MAX_MB", "1")
    old = _entry_file(cache_dir, "parsed", "old", 2 * 1024 * 1024, 1_000.0)
    with deferred_stores():
        store_later("parsed", "", "key", lambda: ["new"])
        write_deferred(in_background=True)
    assert not old.exists()
    assert cache.lookup("parsed", "", "key") == "new"
