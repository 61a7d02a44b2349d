"""Settings: `[tool.clientgen]` in pyproject.toml, overridden by command-line flags."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import GeneratorError
from .naming import pascal, snake


@dataclass(frozen=True)
class Config:
    spec: Path
    output: Path  # the folder that receives the package folder
    package: str  # import name of the generated package
    client_name: str  # `Masivo` -> classes Masivo and AsyncMasivo
    env_prefix: str  # `MASIVO` -> MASIVO_API_KEY, MASIVO_LOG...
    templates: Path | None  # a user's template folder, searched first
    strict: bool = False  # every warning is an error (README, "Imperfect documents")
    # The full OpenAPI meta-schema check (openapi-spec-validator) on every run, not only
    # to explain a failure: seconds of CPU on a big document. On by default when strict.
    validate: bool = False

    @property
    def target(self) -> Path:
        return self.output / self.package

    def options(self) -> dict[str, Any]:
        return {"package": self.package, "client_name": self.client_name,
                "env_prefix": self.env_prefix}


_KEYS = {"spec", "output", "package", "client-name", "env-prefix", "templates", "strict",
         "validate"}


def load_config(pyproject: Path | None, overrides: dict[str, Any]) -> Config:
    """Merge the file's table with flags; relative paths are relative to the file."""
    table: dict[str, Any] = {}
    base = Path.cwd()
    if pyproject is not None and pyproject.is_file():
        import tomllib  # here: a run given no settings file never pays for the import

        try:
            with pyproject.open("rb") as handle:
                table = tomllib.load(handle).get("tool", {}).get("clientgen", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise GeneratorError(f"{pyproject}: cannot read it: {exc}") from exc
        if not isinstance(table, dict):
            raise GeneratorError(f"{pyproject}: [tool.clientgen] must be a table")
        unknown = set(table) - _KEYS
        if unknown:
            raise GeneratorError(f"{pyproject}: unknown keys in [tool.clientgen]: "
                                 f"{', '.join(sorted(unknown))}")
        base = pyproject.parent
    merged = {**table, **{k: v for k, v in overrides.items() if v is not None}}
    if "spec" not in merged:
        raise GeneratorError("no spec given: pass --spec or set spec in [tool.clientgen]")
    package = str(merged.get("package", "client"))
    if snake(package) != package:
        raise GeneratorError(f"package {package!r} is not a valid Python module name")
    client_name = str(merged.get("client-name", pascal(package)))
    if pascal(client_name) != client_name:
        raise GeneratorError(f"client-name {client_name!r} is not a valid class name")
    env_prefix = str(merged.get("env-prefix", package.upper()))
    if not env_prefix.replace("_", "").isalnum() or not env_prefix.isupper():
        raise GeneratorError(f"env-prefix {env_prefix!r} must be upper-case letters, digits, _")

    def path(key: str, default: str | None = None) -> Path | None:
        value = merged.get(key, default)
        return None if value is None else (base / str(value))

    strict = merged.get("strict", False)
    if not isinstance(strict, bool):
        raise GeneratorError(f"strict must be true or false, not {strict!r}")
    validate = merged.get("validate", strict)
    if not isinstance(validate, bool):
        raise GeneratorError(f"validate must be true or false, not {validate!r}")
    spec, output = path("spec"), path("output", "generated")
    assert spec is not None and output is not None
    return Config(spec=spec, output=output, package=package, client_name=client_name,
                  env_prefix=env_prefix, templates=path("templates"), strict=strict,
                  validate=validate)
