"""The runtime modules skip the formatter during generation, so they must already be
formatted as it would format them."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.fmt import format_python
from generator.render import TEMPLATES

RUNTIME = sorted((TEMPLATES / "runtime").glob("*.py"))
PACKAGE = Path(__file__).resolve().parents[2] / "generated" / "masivo_client"


def test_there_are_runtime_modules() -> None:
    assert len(RUNTIME) >= 5


@pytest.mark.parametrize("module", RUNTIME, ids=lambda p: p.name)
def test_generated_runtime_module_is_formatted(module: Path) -> None:
    emitted = (PACKAGE / module.name).read_text()
    assert format_python(emitted, module.name) == emitted, (
        f"templates/runtime/{module.name} is not formatted: run `.venv/bin/ruff format "
        f"--isolated --line-length 88 templates/runtime` and `make generate`"
    )
