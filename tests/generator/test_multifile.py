"""A spec split across files (tests/fixtures/multifile/) is bundled into one document.

The generated client itself is compared with its golden tree in test_golden.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_support import run_cli
from goldens import Fixture

from generator.errors import SpecError
from generator.loader import load_spec

FIXTURE = Fixture("multifile")
FOLDER = FIXTURE.spec.parent


def test_external_schemas_are_hoisted_into_components() -> None:
    spec = load_spec(FIXTURE.spec)
    schemas = spec.data["components"]["schemas"]
    assert sorted(schemas) == ["Problem", "Tag", "Thing", "ThingPage"]
    thing = schemas["Thing"]
    # References inside the other file now point into this document.
    assert thing["properties"]["tags"]["items"] == {"$ref": "#/components/schemas/Tag"}
    assert schemas["ThingPage"]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/Thing"}
    # A reference to something that is not a component schema is inlined.
    assert thing["properties"]["colour"] == {"type": "string", "enum": ["red", "green"]}
    operation = spec.data["paths"]["/things"]
    assert operation["get"]["parameters"][0]["name"] == "limit"
    body = operation["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Thing"}


def test_every_file_read_is_recorded_and_hashed() -> None:
    spec = load_spec(FIXTURE.spec)
    assert spec.files == [FIXTURE.spec.resolve(), *(
        (FOLDER / "shared" / name).resolve()
        for name in ("enums.yaml", "parameters.yaml", "schemas.yaml"))]
    assert len(spec.sha256) == 64


def test_origins_name_the_file_and_line_a_value_came_from(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FOLDER)
    spec = load_spec(Path("openapi.yaml"))
    lines = (FOLDER / "shared" / "schemas.yaml").read_text().splitlines()
    label = next(n for n, line in enumerate(lines, 1) if line.strip() == "label:")
    assert spec.origin("/components/schemas/Thing/properties/label") == (
        "shared/schemas.yaml", label)
    root_lines = FIXTURE.spec.read_text().splitlines()
    problem = next(n for n, line in enumerate(root_lines, 1) if line.strip() == "Problem:")
    assert spec.origin("/components/schemas/Problem") == ("openapi.yaml", problem)


def test_editing_a_referenced_file_regenerates(tmp_path: Path) -> None:
    """The no-op fast path must notice a change in any file of the spec, not just the root."""
    project = tmp_path / "spec"
    shutil.copytree(FOLDER, project)
    output = tmp_path / "out"
    arguments = ("--spec", str(project / "openapi.yaml"), "--output", str(output),
                 "--package", FIXTURE.package)
    first = run_cli(*arguments, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    unchanged = run_cli(*arguments, cwd=tmp_path)
    assert unchanged.stdout.endswith("is up to date\n")

    enums = project / "shared" / "enums.yaml"
    enums.write_text(enums.read_text().replace("[red, green]", "[red, green, blue]"))
    changed = run_cli(*arguments, cwd=tmp_path)

    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.startswith("wrote ")
    assert 'BLUE = "blue"' in (output / FIXTURE.package / "models.py").read_text()


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).write_text(text)


ROOT_SPEC = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Thing:
      $ref: 'other.yaml#/Thing'
"""


def test_a_schema_name_defined_in_two_files_is_an_error(tmp_path: Path) -> None:
    root = ROOT_SPEC.replace("      $ref: 'other.yaml#/Thing'",
                             "      type: object\n    Uses:\n"
                             "      $ref: 'other.yaml#/components/schemas/Thing'")
    _write(tmp_path, {"openapi.yaml": root,
                      "other.yaml": "components:\n  schemas:\n    Thing: {type: string}\n"})
    with pytest.raises(SpecError, match="schema name 'Thing' is defined twice") as caught:
        load_spec(tmp_path / "openapi.yaml")
    assert (caught.value.line, caught.value.pointer) == (8, "/components/schemas/Uses")


def test_a_reference_cycle_across_files_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, {"openapi.yaml": ROOT_SPEC,
                      "other.yaml": "Thing:\n  $ref: 'other.yaml#/Loop'\n"
                                    "Loop:\n  $ref: 'other.yaml#/Thing'\n"})
    with pytest.raises(SpecError, match="is circular across files"):
        load_spec(tmp_path / "openapi.yaml", strict=True)  # lenient: test_hostile_input.py
