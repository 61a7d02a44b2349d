"""The runtime modules skip black during generation, so they must already be black-stable."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.fmt import _format
from generator.render import TEMPLATES

RUNTIME = sorted((TEMPLATES / "runtime").glob("*.py"))
PACKAGE = Path(__file__).resolve().parents[2] / "generated" / "masivo_client"


def test_there_are_runtime_modules() -> None:
    assert len(RUNTIME) >= 5


@pytest.mark.parametrize("module", RUNTIME, ids=lambda p: p.name)
def test_generated_runtime_module_is_black_formatted(module: Path) -> None:
    emitted = (PACKAGE / module.name).read_text()
    assert _format(emitted, module.name) == emitted, (
        f"templates/runtime/{module.name} is not black-formatted: run "
        f"`.venv/bin/black templates/runtime` and regenerate"
    )
