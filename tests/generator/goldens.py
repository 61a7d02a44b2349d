"""What the golden tests compare, and how `make goldens` rewrites them.

Two kinds of golden tree:

- `generated/masivo_client`: the committed client, generated from `spec/masivo.yaml`
  with the settings of `[tool.clientgen]`. Compared whole, runtime included.
- `tests/golden/<name>/<name>_client`: one per fixture spec `tests/fixtures/<name>/`,
  for what the Masivo spec does not exercise. Only the spec-driven files are kept
  there: the runtime modules are the same in every client (a test checks that they
  equal the Masivo client's, header aside), so copying them into each golden tree
  would only multiply the churn when the runtime changes.
"""

from __future__ import annotations

import difflib
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from generator.config import Config, load_config
from generator.naming import pascal
from generator.pipeline import build_files
from generator.render import environment, runtime_modules

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = ROOT / "tests" / "golden"
GENERATED = ROOT / "generated"
UPDATE_COMMAND = "make goldens"


@dataclass(frozen=True)
class Fixture:
    name: str

    @property
    def spec(self) -> Path:
        return FIXTURES / self.name / "openapi.yaml"

    @property
    def package(self) -> str:
        return f"{self.name}_client"

    @property
    def golden(self) -> Path:
        return GOLDEN / self.name / self.package

    def config(self, output: Path) -> Config:
        return load_config(None, {
            "spec": str(self.spec), "output": str(output), "package": self.package,
            "client-name": pascal(self.name), "env-prefix": self.name.upper(),
        })


FIXTURE_NAMES = ("bodies", "degenerate", "empty", "hostile", "multifile", "parameters", "schemas",
                 "security")
ALL_FIXTURES = tuple(Fixture(name) for name in FIXTURE_NAMES)


def masivo_config(output: Path) -> Config:
    """The project's own settings, with the output moved."""
    return load_config(ROOT / "pyproject.toml", {"output": str(output)})


def runtime_files() -> frozenset[str]:
    """Package-relative paths of the static runtime modules."""
    return frozenset(name.removeprefix("runtime/") for name in runtime_modules(environment(None)))


@contextmanager
def no_cache() -> Iterator[None]:
    """Generate without the result cache, so a golden test sees what the steps compute."""
    previous = os.environ.get("CLIENTGEN_NO_CACHE")
    os.environ["CLIENTGEN_NO_CACHE"] = "1"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["CLIENTGEN_NO_CACHE"]
        else:
            os.environ["CLIENTGEN_NO_CACHE"] = previous


def generate(config: Config) -> dict[str, bytes]:
    """Every output file by package-relative path: what `config.output` does not change,
    so the result is kept for the other tests of the session."""
    return dict(_generate(config.spec, config.package, config.client_name, config.env_prefix,
                          config.templates))


@cache
def _generate(spec: Path, package: str, client_name: str, env_prefix: str,
              templates: Path | None) -> tuple[tuple[str, bytes], ...]:
    config = Config(spec=spec, output=Path("unused"), package=package,
                    client_name=client_name, env_prefix=env_prefix, templates=templates)
    with no_cache():
        files, _spec_files, _warnings = build_files(config)
    return tuple(files.items())


def spec_driven(files: Mapping[str, bytes]) -> dict[str, bytes]:
    runtime = runtime_files()
    return {path: content for path, content in files.items() if path not in runtime}


def read_tree(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def tree_differences(actual: Mapping[str, bytes], expected: Mapping[str, bytes],
                     expected_root: Path, limit: int = 200) -> str:
    """'' when equal; else which files are missing, extra or different, with diffs."""
    report: list[str] = []
    for path in sorted(expected.keys() - actual.keys()):
        report.append(f"missing from the generator's output: {path}")
    for path in sorted(actual.keys() - expected.keys()):
        report.append(f"not in the golden tree (new file): {path}")
    for path in sorted(actual.keys() & expected.keys()):
        if actual[path] == expected[path]:
            continue
        diff = list(difflib.unified_diff(
            expected[path].decode("utf-8", "replace").splitlines(keepends=True),
            actual[path].decode("utf-8", "replace").splitlines(keepends=True),
            fromfile=f"golden/{path}", tofile=f"generated-now/{path}",
        ))
        shown = "".join(diff[:limit])
        more = f"... {len(diff) - limit} more diff lines\n" if len(diff) > limit else ""
        report.append(f"differs: {path}\n{shown}{more}")
    if not report:
        return ""
    return (f"the generator's output differs from the golden tree {expected_root}:\n\n"
            + "\n".join(report)
            + f"\n\nIf the change is intended, run `{UPDATE_COMMAND}` and review the diff.")


def write_tree(files: Mapping[str, bytes], folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    for path, content in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def without_header(content: bytes) -> bytes:
    """A file without its two header lines (generator version, spec sha256)."""
    lines = content.splitlines(keepends=True)
    assert lines[0].startswith(b"# Generated by clientgen"), lines[0]
    assert lines[1].startswith(b"# spec sha256: "), lines[1]
    return b"".join(lines[2:])


def update_all() -> list[str]:
    """Rewrite every golden tree from the current generator; the trees rewritten."""
    from generator.pipeline import run

    with no_cache():
        run(masivo_config(GENERATED), force=True)
    written = [str(GENERATED / "masivo_client")]
    for fixture in ALL_FIXTURES:
        files = generate(fixture.config(GOLDEN / fixture.name))
        write_tree(spec_driven(files), fixture.golden)
        written.append(str(fixture.golden))
    return written
