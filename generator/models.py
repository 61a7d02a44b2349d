"""Component schemas -> pydantic v2 models, through datamodel-code-generator.

Only schemas are handed over, with every `x-` extension removed: the model
generator has had code-injection bugs through extensions and defaults, and
nothing of ours needs them there. Its output is then checked: it must parse,
define every class the templates import, and import only what a models
module may.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from typing import Any

from .cache import cached
from .errors import GeneratorError

_ALLOWED_IMPORTS = frozenset(
    {"__future__", "datetime", "decimal", "enum", "ipaddress", "pydantic", "typing", "uuid"}
)


def _without_extensions(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_extensions(v) for k, v in value.items() if not k.startswith("x-")}
    if isinstance(value, list):
        return [_without_extensions(v) for v in value]
    return value


def generate_models(schema_document: dict[str, Any], expected: Iterable[str]) -> str:
    """The source of `models.py`, unformatted, without any header."""
    names = sorted(expected)
    key = json.dumps([schema_document, names], sort_keys=True)
    return cached("models", "datamodel-code-generator", __file__, key,
                  lambda: _generate(schema_document, names))


def _generate(schema_document: dict[str, Any], expected: Iterable[str]) -> str:
    from datamodel_code_generator import generate
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import PythonVersion

    document = _without_extensions(schema_document)
    if not document["components"]["schemas"]:
        return "from __future__ import annotations\n"
    try:
        source = generate(
            document,
            input_file_type=InputFileType.OpenAPI,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            use_annotated=True,
            field_constraints=True,
            use_standard_collections=True,
            use_union_operator=True,
            use_schema_description=True,
            use_field_description=True,
            snake_case_field=True,
            capitalise_enum_members=True,
            allow_population_by_field_name=True,
            # An email address is a plain string here: pydantic's EmailStr needs the
            # email-validator package, and the client depends on httpx and pydantic alone.
            type_mappings=["email=string"],
            disable_timestamp=True,
            formatters=[],
        )
    except Exception as exc:  # the library raises many types; all mean "cannot model this"
        raise GeneratorError(f"datamodel-code-generator could not build the models: {exc}") from exc
    if not isinstance(source, str):
        raise GeneratorError("datamodel-code-generator returned several modules; expected one")
    _check(source, set(expected))
    return _strip_header(source)


def _strip_header(source: str) -> str:
    lines = source.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines).lstrip("\n")


def _check(source: str, expected: set[str]) -> None:
    tree = ast.parse(source)
    defined = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    defined |= {t.id for node in tree.body if isinstance(node, ast.Assign | ast.AnnAssign)
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(t, ast.Name)}
    missing = sorted(expected - defined)
    if missing:
        raise GeneratorError(f"the model generator did not define {', '.join(missing)}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            if (module or "").split(".")[0] not in _ALLOWED_IMPORTS:
                raise GeneratorError(f"the generated models import {module!r}: not allowed")
