"""Our templates compiled ahead of time, when the generator is installed.

Jinja compiles a template to Python code before rendering it; for our templates that is
0.14 s of CPU, paid by every first run (every CI run, every new user) on the one core
the model workers leave free. `make env` therefore compiles them once, with the
generator's installation, into `generator/built_templates/` (not committed: it is made
for the Python it runs on), as pyc files are made for its modules:

- `<key>.bc`: Jinja's bytecode of each template (Jinja's own bucket format, which
  holds the template source's checksum and the Python version);
- `names.json`: the names each template uses and the templates it imports, which the
  render cache's keys need (render.py); without it they would be parsed again.

A run reads them, and never writes there. A template edited since, another Jinja or
other compile settings make a different key or checksum: that template is compiled as
if nothing had been built (and kept in the user's cache, as before). Run
`python -m generator.template_code` (or `make env`) to build them again.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache

from .cache import write_entry

BUILT = Path(__file__).resolve().parent / "built_templates"
_NAMES = "names.json"
# What the index's names hold: 2 adds how each variable is read (`api.title`). An index
# of another format is not used: its names would say a template reads no attribute.
_NAMES_FORMAT = 2

# What one template names: every variable name, and the templates it imports or
# includes (None: one named by an expression).
Names = tuple[set[str], list[str | None]]


def compile_settings(env: jinja2.Environment) -> str:
    """Everything of an environment that shapes the code Jinja compiles a template to
    (filters and globals are looked up by name when rendering: they do not)."""
    return repr((jinja2.__version__, env.block_start_string, env.block_end_string,
                 env.variable_start_string, env.variable_end_string,
                 env.comment_start_string, env.comment_end_string,
                 env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
                 env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
                 env.autoescape, env.optimized, env.is_async, sorted(env.extensions)))


class TemplateBytecode(jinja2.BytecodeCache):
    """Jinja's bytecode cache over two folders: the built one (read only) and the user's
    cache (read and written; None: no cache). The key holds the compile settings, the
    template's name and file: Jinja's own key has no settings, so a changed setting
    would have found code compiled under the old one."""

    def __init__(self, settings: str, cache: Path | None, built: Path | None) -> None:
        self.settings = settings
        self.cache = cache
        self.built = built

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        text = f"{self.settings}\0{name}\0{filename or ''}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        for folder in (self.built, self.cache):
            if folder is None:
                continue
            try:
                data = (folder / f"{bucket.key}.bc").read_bytes()
            except OSError:
                continue
            bucket.bytecode_from_string(data)  # checks the magic and the checksum
            if bucket.code is not None:
                return

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.cache is not None:
            write_entry(self.cache / f"{bucket.key}.bc", [bucket.bytecode_to_string()])


def _source_digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


@cache
def _built_index() -> dict[str, Any]:
    try:
        index = json.loads((BUILT / _NAMES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return index if isinstance(index, dict) else {}


def built_names(settings: str, name: str, source: str) -> Names | None:
    """The names `name` uses, as built, if it was built from this very source under these
    settings."""
    index = _built_index()
    if index.get("settings") != settings or index.get("format") != _NAMES_FORMAT:
        return None
    entry = index.get("templates", {}).get(name)
    if not isinstance(entry, dict) or entry.get("source") != _source_digest(source):
        return None
    return set(entry["names"]), list(entry["references"])


def build(target: Path = BUILT) -> list[str]:
    """Compile every one of our templates into `target` (replacing what is there, as the
    generated client is replaced); the names of the templates compiled."""
    from .render import environment, our_templates
    from .writer import write_tree

    with tempfile.TemporaryDirectory(prefix="clientgen-templates-") as scratch:
        env = environment(None, building=Path(scratch))
        names = our_templates(env)
        for name in names:
            env.get_template(name)  # compiles it, and writes its bytecode into `scratch`
        files = {entry.name: entry.read_bytes() for entry in Path(scratch).iterdir()}
    assert env.loader is not None
    index = {"format": _NAMES_FORMAT, "settings": compile_settings(env), "templates": {
        name: {"source": _source_digest(env.loader.get_source(env, name)[0]),
               "names": sorted(env.names_in[name][0]),
               "references": env.names_in[name][1]} for name in names}}
    files[_NAMES] = (json.dumps(index, indent=1, sort_keys=True) + "\n").encode("utf-8")
    write_tree(files, target)
    return names


if __name__ == "__main__":
    built = build()
    print(f"compiled {len(built)} templates into {BUILT}", file=sys.stderr)
