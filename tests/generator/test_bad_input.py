"""A broken spec, in strict mode (as our Masivo configuration runs): one paragraph on
stderr naming the file, the line and the JSON pointer, exit code 1, and the existing
output left exactly as it was."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_support import run_cli, seeded_project, snapshot

from generator.cli import main

SPEC = "spec/openapi.yaml"

BASE = """\
openapi: 3.1.0
info:
  title: Bad input
  version: '1'
paths:
  /things:
    get:
      operationId: listThings
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing'
components:
  schemas:
    Thing:
      type: object
      properties:
        name:
          type: string
"""

SCHEMA_POINTER = "/paths/~1things/get/responses/200/content/application~1json/schema"
REF_POINTER = f"{SCHEMA_POINTER}/$ref"


def replaced(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """1-based line of the only line containing `needle`."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(found) == 1, (needle, found)
    return found[0]


@dataclass
class Case:
    id: str
    files: dict[str, str | bytes]
    shown: str  # the file the message must name
    line: int | None
    pointer: str | None
    message: str  # a regular expression for the rest of the paragraph


def _cases() -> list[Case]:
    yaml_error = replaced("description: ok", "description: ok: not: yaml")
    dangling = replaced("#/components/schemas/Thing'", "#/components/schemas/Nope'")
    strin = replaced("          type: string", "          type: strin")
    required = replaced("      type: object\n", "      type: object\n      required: name\n")
    duplicate = BASE + "        name:\n          type: integer\n"
    default = BASE + "          default: 3\n"
    quoted = BASE + "    'Evil\"Name':\n      type: string\n"
    outside = replaced("'#/components/schemas/Thing'", "'../outside.yaml#/Thing'")
    absolute = replaced("'#/components/schemas/Thing'", "'/etc/hostname#/Thing'")
    url = replaced("'#/components/schemas/Thing'", "'https://example.com/thing.yaml#/Thing'")
    file_url = replaced("'#/components/schemas/Thing'", "'file:///etc/passwd#/Thing'")
    missing = replaced("'#/components/schemas/Thing'", "'missing.yaml#/Thing'")
    external = replaced("'#/components/schemas/Thing'", "'other.yaml#/components/schemas/Other'")
    other = "components:\n  schemas:\n    Other:\n      type: object\n      required: oops\n"
    leeway = BASE + (
        "  securitySchemes:\n    token:\n      type: http\n      scheme: bearer\n"
        "      x-token-exchange:\n        operationId: listThings\n"
        "        refresh-leeway-seconds: soon\n")
    return [
        Case("yaml-syntax", {SPEC: yaml_error}, SPEC, line_of(yaml_error, "ok: not"), None,
             r"not valid YAML or JSON: mapping values are not allowed here"),
        Case("dangling-ref", {SPEC: dangling}, SPEC, line_of(dangling, "Nope"), REF_POINTER,
             re.escape("$ref '#/components/schemas/Nope' points to nothing")),
        Case("swagger-2", {SPEC: "swagger: '2.0'\ninfo:\n  title: Old\n  version: '1'\n"
                                 "paths: {}\n"}, SPEC, 1, "/swagger",
             r"this is Swagger 2\.0; clientgen reads OpenAPI 3\.0 and 3\.1\..*swagger2openapi"),
        Case("openapi-3.2", {SPEC: replaced("openapi: 3.1.0", "openapi: 3.2.0")}, SPEC, 1,
             "/openapi", re.escape("'openapi' must name version 3.0.x or 3.1.x, not '3.2.0'")),
        Case("type-strin", {SPEC: strin}, SPEC, line_of(strin, "strin"),
             "/components/schemas/Thing/properties/name/type",
             re.escape("type 'strin' is not a JSON Schema type; ignored (any value)")),
        Case("required-not-a-list", {SPEC: required}, SPEC, line_of(required, "required:"),
             "/components/schemas/Thing/required",
             re.escape("required must be a list of strings; ignored")),
        Case("default-breaks-its-schema", {SPEC: default}, SPEC, line_of(default, "default"),
             "/components/schemas/Thing/properties/name/default",
             re.escape("default 3 is not of type 'string'; ignored")),
        Case("schema-name-with-quotes", {SPEC: quoted}, SPEC, line_of(quoted, "schemas:"),
             "/components/schemas",
             re.escape("not a valid OpenAPI document: 'Evil\"Name' does not match "
                       "'^[a-zA-Z0-9._-]+$'")),
        Case("duplicate-key", {SPEC: duplicate}, SPEC, line_of(duplicate, "integer") - 1,
             "/components/schemas/Thing/properties", re.escape("duplicate key 'name'")),
        Case("ref-outside-folder", {SPEC: outside, "outside.yaml": "Thing: {type: string}\n"},
             SPEC, line_of(outside, "outside"), REF_POINTER,
             re.escape("$ref '../outside.yaml' points outside the spec's folder")),
        Case("ref-absolute-path", {SPEC: absolute}, SPEC, line_of(absolute, "/etc/hostname"),
             REF_POINTER, re.escape("$ref '/etc/hostname' points outside the spec's folder")),
        Case("ref-url", {SPEC: url}, SPEC, line_of(url, "https://"), REF_POINTER,
             re.escape("$ref 'https://example.com/thing.yaml' points to a URL; only files "
                       "beside the spec are read")),
        Case("ref-file-url", {SPEC: file_url}, SPEC, line_of(file_url, "file://"),
             REF_POINTER, re.escape("$ref 'file:///etc/passwd' points to a URL")),
        Case("ref-missing-file", {SPEC: missing}, SPEC, line_of(missing, "missing.yaml"),
             REF_POINTER, re.escape("$ref 'missing.yaml': no such file")),
        Case("error-in-referenced-file", {SPEC: external, "spec/other.yaml": other},
             "spec/other.yaml", line_of(other, "required"),
             "/components/schemas/Other/required",
             re.escape("required must be a list of strings; ignored")),
        Case("not-utf8", {SPEC: b"openapi: 3.1.0\ninfo: \xff\xfe\n"}, SPEC, None, None,
             re.escape("the spec is not UTF-8 text")),
        Case("empty-file", {SPEC: ""}, SPEC, 1, None, re.escape("the file is empty")),
        Case("json-syntax", {SPEC: '{"openapi": "3.1.0",\n "info": {"title": "x" "v": 1}}\n'},
             SPEC, 2, None, r"not valid JSON: Expecting ',' delimiter \(column 24\)"),
        Case("not-a-mapping", {SPEC: "- openapi\n- 3.1.0\n"}, SPEC, 1, None,
             re.escape("the spec must be a mapping at the top level")),
        Case("bad-extension-value", {SPEC: leeway}, "", None, None,
             re.escape("securitySchemes/token/x-token-exchange: refresh-leeway-seconds must "
                       "be a number of seconds, not 'soon'")),
    ]


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_spec_is_one_paragraph_exit_1_and_output_untouched(
        case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    project = seeded_project(tmp_path, case.files)
    before = snapshot(project / "generated")
    assert "masivo_client/_client.py" in before  # the seed is really there

    # In process, for speed: `main` is what `python -m generator` exits with (see below).
    monkeypatch.chdir(project)
    monkeypatch.setenv("CLIENTGEN_NO_CACHE", "1")
    code = main(["--force", "--strict"])  # lenient runs: test_tolerance.py
    out, err = capsys.readouterr()

    assert code == 1, err
    assert out == ""
    assert re.fullmatch(expected_paragraph(case), err), err
    assert snapshot(project / "generated") == before


def expected_paragraph(case: Case) -> str:
    where = case.shown
    if case.line is not None:
        where += f":{case.line}"
    if case.pointer is not None:
        where += f" at {case.pointer}"
    prefix = re.escape(f"clientgen: error: {where}: " if where else "clientgen: error: ")
    return prefix + case.message + r"[^\n]*\n"  # one line: no traceback, no second paragraph


@pytest.mark.parametrize("case_id", ["type-strin", "ref-url"])
def test_the_real_command_exits_1_with_the_same_paragraph(case_id: str,
                                                          tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == case_id)
    project = seeded_project(tmp_path, case.files)
    before = snapshot(project / "generated")

    result = run_cli("--force", "--strict", cwd=project)

    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert re.fullmatch(expected_paragraph(case), result.stderr), result.stderr
    assert snapshot(project / "generated") == before


def test_cases_point_at_the_lines_they_break() -> None:
    """The expected lines come from the spec text itself; check the helper finds them."""
    assert line_of(BASE, "type: object") == 19
    assert line_of(BASE, "$ref") == 15
