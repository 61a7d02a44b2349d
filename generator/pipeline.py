"""Runs the stages: load -> parse -> models -> render -> format -> write.

The models are made in worker processes (model_pool.py) while this one renders and
formats the rest of the client; `models.py` is rendered and formatted last."""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import TEMPLATES, __version__
from .config import Config
from .errors import GeneratorError
from .stamp import STAMP_NAME, is_fresh, spec_digest, tool_digest, write_stamp
from .timings import stage, write_if_asked

if TYPE_CHECKING:
    from . import api
    from .diagnostics import Diagnostic
    from .heap import LongLived
    from .loader import LoadedSpec
    from .model_processes import ModelPool
    from .models_module import JoinedModels


@dataclass
class Outcome:
    up_to_date: bool
    changes: list[str] = field(default_factory=list)  # `+ path`, `- path`, `~ path`
    warnings: list[Diagnostic] = field(default_factory=list)


def build_files(config: Config, pool: ModelPool | None = None, *,
                early: Callable[[dict[str, bytes], list[Path]], None] | None = None,
                ) -> tuple[dict[str, bytes], list[Path], list[Diagnostic]]:
    """Every output file's bytes, the spec files read, and the located warnings.

    `pool`: the model workers, started already (`run` starts them as soon as it knows
    there is work), told to end here and waited for by the caller; by default they are
    started, and waited for, here. `early`: given every file but the models as soon as
    they are made, while the models are still being made, and the spec files read.
    In strict mode (`config.strict`) the first stage that finds anything raises it.
    """
    ours = pool is None
    if pool is None:
        pool = start_model_workers()
    from .cache_writes import deferred_stores

    try:
        # Cache entries of the load and parse stages are written while this process
        # waits for the model workers, not before it hands them their work.
        with deferred_stores():
            files, spec = _build(config, pool, early)
    finally:
        pool.close(wait=ours)
    return files, spec.files, list(spec.diagnostics.items)


def start_model_workers() -> ModelPool:
    """The model workers, which import the model generator while this process goes on:
    started before anything else is imported (the imports of a run are a tenth of it) and
    before any thread. The dataclasses' methods of our modules compiled ahead
    (dataclass_code.py) serve the imports of both sides from one read."""
    from .dataclass_code import install
    from .model_processes import ModelPool

    install("main")
    return ModelPool()


def _build(config: Config, pool: ModelPool,
           early: Callable[[dict[str, bytes], list[Path]], None] | None,
           ) -> tuple[dict[str, bytes], LoadedSpec]:
    """`build_files`' work, with the model workers started already."""
    from .heap import LongLived

    # The document and its model are made with the collector resting (heap.py).
    with LongLived() as heap:
        return _built(config, pool, heap, early)


def _built(config: Config, pool: ModelPool, heap: LongLived,
           early: Callable[[dict[str, bytes], list[Path]], None] | None,
           ) -> tuple[dict[str, bytes], LoadedSpec]:
    from .cache_writes import write_deferred
    from .diagnostics import StrictModeError
    from .heap import keep_until_exit
    from .loader import load_spec
    from .model_pool import start_models
    from .parse import parse
    from .validate import MetaSchemaCheck

    with stage("load"):
        spec = load_spec(config.spec, meta_schema=False, strict=config.strict)
    # The full meta-schema check where it pays (see Config.validate): beside the rest
    # on every run when asked (strict mode asks), else only to explain a failure.
    with stage("validate"):
        validation = MetaSchemaCheck(spec) if config.validate else None
    try:
        with stage("parse"):
            parsed = parse(spec, config.options())
        spec.diagnostics.items.extend(parsed.warnings)
        heap.settled()  # the document and the API model live to the end
        spec.diagnostics.raise_if_strict()
        # The libraries' own warnings join ours instead of reaching stderr raw. They
        # are not the document's defects (and a cache hit repeats none): strict
        # ignores them.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with stage("models"):
                models = start_models(parsed.schema_document, parsed.api.schema_names,
                                      pool)
            # The load and parse stages' cache entries are written by a child process,
            # last in line for a core: it takes one as soon as the workers leave it.
            write_deferred(in_background=True)
            # Imported only now (Jinja is a fiftieth of a run on a big document): the
            # workers have their groups first.
            from .render import render_models, render_package

            # The rest of the client while the workers make the models.
            with stage("render"):
                texts, static = render_package(parsed.api, None, __version__,
                                               config.templates)
            with stage("format"):
                contents = _formatted(parsed.api, texts, static)
            made = {path: text.encode("utf-8") for path, text in contents.items()}
            if early is not None:
                with stage("write"):
                    early(made, spec.files)
            with stage("models"):
                joined = models.result()
            with stage("render"):
                rendered = render_models(parsed.api, joined.source, __version__,
                                         config.templates)
            with stage("format"):
                made["models.py"] = _formatted_models(parsed.api, rendered,
                                                      joined).encode("utf-8")
            files = dict(sorted(made.items()))
            keep_until_exit(parsed, models, joined, texts, contents, rendered)
        for library_warning in caught:
            spec.diagnostics.add_unlocated("library",
                                           " ".join(str(library_warning.message).split()),
                                           str(config.spec))
    except Exception as exc:
        with stage("validate"):  # an invalid spec explains a failure better than it does
            (validation or MetaSchemaCheck(spec)).wait()
        if isinstance(exc, GeneratorError) and not isinstance(exc, StrictModeError):
            exc.warnings = tuple(spec.diagnostics.items)
        raise
    if validation is not None:
        with stage("validate"):
            validation.wait()
    return files, spec


def _formatted(model: api.Api, texts: dict[str, str], static: frozenset[str], *,
               compiled: bool = False) -> dict[str, str]:
    """Each file with its header; the Python ones that are not static, formatted.

    The header is added after formatting (it is comment lines, which formatting leaves
    as they are): it names the spec's hash, so with it every file would differ after any
    edit of the spec, and none would be found formatted in the cache."""
    from .fmt import format_sources
    from .render import header

    bodies = dict(texts)
    bodies.update(format_sources({path: text for path, text in texts.items()
                                  if path.endswith(".py") and path not in static},
                                 compiled=compiled))
    return {path: header(model, __version__, path) + text if path != "py.typed" else text
            for path, text in bodies.items()}


def _formatted_models(model: api.Api, rendered: str, joined: JoinedModels) -> str:
    """`models.py` with its header, formatted from its pieces (models_module.py), else as
    one module; compiled already, group by group, in the workers."""
    from .render import header

    text = joined.formatted(rendered)
    if text is None:
        return _formatted(model, {"models.py": rendered}, frozenset(), compiled=True)[
            "models.py"]
    return header(model, __version__, "models.py") + text


def run(config: Config, *, check: bool = False, force: bool = False) -> Outcome:
    stamp = config.output / STAMP_NAME
    refuse_planted_links(config)
    tool_once = functools.cache(lambda: tool_digest((config.templates, TEMPLATES),
                                                    _stamped(config)))
    if not check and not force and is_fresh(stamp, config.target, tool_once,
                                            config.spec.parent):
        return Outcome(up_to_date=True)
    pool = start_model_workers()
    try:
        # Taken now, before any template is read, if the stamp check did not need it.
        return _generate(config, pool, check, stamp, tool_once())
    finally:
        pool.close()  # told to end once the models were in: waited for now


def _generate(config: Config, pool: ModelPool, check: bool, stamp: Path,
              tool: str | None) -> Outcome:
    """`run` once it knows there is work, the model workers started."""
    from .cache_writes import deferred_stores

    # The cache entries still being written (cache_writes.py) are waited for after
    # the output is written, not before.
    with deferred_stores():
        from .writer import PendingWrite

        # The files that do not wait for the models are compared with the folder and
        # staged while the models are made, and the stamp's digest of the spec files is
        # taken; the models join them when they come.
        pending = PendingWrite(config.target, stage=not check)
        spec: str | None = None  # the stamp's digest of the spec files

        def early(made: dict[str, bytes], spec_files: list[Path]) -> None:
            nonlocal spec
            pending.add(made)
            if tool is not None and not check:
                with contextlib.suppress(OSError):  # no stamp: the next run does the work
                    spec = spec_digest(spec_files)

        try:
            files, spec_files, warnings = build_files(config, pool, early=early)
            refuse_planted_links(config)  # again: the run took a while
            with stage("write"):
                pending.add(files)
                changes = pending.changes()
                if not check:
                    if changes:
                        pending.commit()
                    with contextlib.suppress(OSError):  # only saves time: the next run redoes it
                        # The folder holds exactly `files` now (written, or found equal).
                        if spec is not None:
                            write_stamp(stamp, pending.digests, spec_files, spec, tool)
        finally:
            pending.discard()
    write_if_asked()
    return Outcome(up_to_date=not changes, changes=changes, warnings=warnings)


def _stamped(config: Config) -> dict[str, object]:
    """The settings the no-op stamp records: a strict (or validating) run must not pass as
    a lenient one, and pointing at another spec file must regenerate."""
    return {**config.options(), "strict": config.strict, "validate": config.validate,
            "spec": str(config.spec.resolve())}


def refuse_planted_links(config: Config) -> None:
    """The output folder must be a folder, and what the generator creates in it (the
    stamp, the package folder, the swap's `.old` folder) must not be links: writing
    through one would change a file the generator never made."""
    output = config.output
    if output.exists() and not output.is_dir():
        raise GeneratorError(f"{output} is not a folder: --output (or `output`) names the "
                             "folder that receives the package folder")
    from .writer import old_folder, refuse_link

    for path in (output / STAMP_NAME, config.target, old_folder(config.target)):
        refuse_link(path)
