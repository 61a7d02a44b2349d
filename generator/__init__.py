"""clientgen: OpenAPI 3.1 in, a typed, vendorable Python client out.

Stages, one module each:
    loader        read YAML/JSON, bundle `$ref`s across files; validate checks them
    parse         the checked document -> the plain API model in `api`
    models        component schemas -> pydantic v2 models (datamodel-code-generator),
                  in groups (model_groups), on every core (model_pool, model_worker),
                  joined into one module (model_merge)
    render        the API model -> files, through Jinja templates
    fmt           ruff: imports sorted, unused ones dropped, one style
    writer        atomic replacement of the output folder, or `--check`
    pipeline      runs the stages; `cli` is the command line around it
"""

from pathlib import Path

__version__ = "0.1.0"

# Our templates (a user's folder, if any, is searched first: render.py).
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
