"""Runs the stages in order: load -> parse -> models -> render -> format -> write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .config import Config
from .render import TEMPLATES
from .stamp import STAMP_NAME, is_fresh, write_stamp
from .timings import stage, write_if_asked


@dataclass
class Outcome:
    up_to_date: bool
    changes: list[str] = field(default_factory=list)  # `+ path`, `- path`, `~ path`
    warnings: list[str] = field(default_factory=list)


def build_files(config: Config) -> tuple[dict[str, bytes], list[Path], list[str]]:
    """Every output file's bytes, the spec files read, and the parser's warnings."""
    from .fmt import format_sources
    from .loader import load_spec
    from .models import generate_models
    from .parse import parse
    from .render import header, render_package
    from .validate import MetaSchemaCheck

    with stage("load"):
        spec = load_spec(config.spec, meta_schema=False)
    with stage("validate"):
        validation = MetaSchemaCheck(spec)  # runs beside the rest on a first run
    try:
        with stage("parse"):
            parsed = parse(spec, config.options())
        with stage("models"):
            models_source = generate_models(parsed.schema_document, parsed.api.schema_names)
        with stage("render"):
            texts, static = render_package(parsed.api, models_source, __version__,
                                           config.templates)
            contents = {path: header(parsed.api, __version__, path) + text
                        if path != "py.typed" else text for path, text in texts.items()}
        with stage("format"):
            contents.update(format_sources({
                path: text for path, text in contents.items()
                if path.endswith(".py") and path not in static}))
        files = {path: contents[path].encode("utf-8") for path in sorted(contents)}
    except Exception:
        with stage("validate"):
            validation.wait()  # an invalid spec explains a failure better than the failure does
        raise
    with stage("validate"):
        validation.wait()
    return files, spec.files, parsed.warnings


def run(config: Config, *, check: bool = False, force: bool = False) -> Outcome:
    from .writer import check_paths, differences, write_tree

    stamp = config.output / STAMP_NAME
    template_dirs = (config.templates, TEMPLATES)
    # Which spec is configured is an input too: pointing at another file must regenerate.
    stamp_options = {**config.options(), "spec": str(config.spec.resolve())}
    if not check and not force and is_fresh(stamp, config.target, template_dirs,
                                            stamp_options):
        return Outcome(up_to_date=True)
    files, spec_files, warnings = build_files(config)
    check_paths(files)
    with stage("write"):
        changes = differences(files, config.target)
        if check:
            write_if_asked()
            return Outcome(up_to_date=not changes, changes=changes, warnings=warnings)
        if changes:
            write_tree(files, config.target)
        write_stamp(stamp, config.target, spec_files, template_dirs, stamp_options)
    write_if_asked()
    return Outcome(up_to_date=not changes, changes=changes, warnings=warnings)
