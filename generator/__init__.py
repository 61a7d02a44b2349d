"""clientgen: OpenAPI 3.1 in, a typed, vendorable Python client out.

Stages, one module each:
    loader    read YAML/JSON, bundle `$ref`s across files, validate
    parse     the validated document -> the plain API model in `api`
    models    component schemas -> pydantic v2 models (datamodel-code-generator)
    render    the API model -> files, through Jinja templates
    fmt       black, in process
    writer    atomic replacement of the output folder, or `--check`
    pipeline  runs the stages; `cli` is the command line around it
"""

__version__ = "0.1.0"
