"""Component schemas -> pydantic v2 models, through datamodel-code-generator.

Only schemas are handed over, and of them only the keywords we have reviewed
(`_REVIEWED_KEYWORDS`, an allow-list): the model generator honours keywords of its
own (`customTypePath`, extensions) that would let a spec choose what the models
import. Its output is then checked: it must parse, define every class the
templates import, and import only the names a models module may
(`_ALLOWED_NAMES`, again an allow-list: no `ImportString`, `FilePath`, ...).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .errors import GeneratorError
from .finite_numbers import non_finite_edit
from .folded_names import alias_folded_names
from .naming import Namespace, snake
from .nullability import null_edit
from .schema_keywords import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_ONES
from .source_edits import Edit, Positions

# Module -> the names generated models may import from it: the types the schemas' formats
# map to, pydantic's model machinery, and the typing forms. Nothing that reads files,
# imports modules or reaches the network by validating a value.
_ALLOWED_NAMES: dict[str, frozenset[str]] = {
    "__future__": frozenset({"annotations"}),
    "datetime": frozenset({"date", "datetime", "time", "timedelta"}),
    "decimal": frozenset({"Decimal"}),
    "enum": frozenset({"Enum", "IntEnum", "StrEnum"}),
    "ipaddress": frozenset({"IPv4Address", "IPv6Address", "IPv4Network", "IPv6Network",
                            "IPv4Interface", "IPv6Interface"}),
    "uuid": frozenset({"UUID"}),
    "typing": frozenset({"Annotated", "Any", "Dict", "List", "Literal", "Optional", "Union"}),
    # pydantic depends on typing_extensions, so the client still needs only httpx and pydantic.
    "typing_extensions": frozenset({"Annotated", "Literal", "TypeAliasType"}),
    "pydantic": frozenset({
        "AnyUrl", "AnyHttpUrl", "AwareDatetime", "NaiveDatetime", "BaseModel", "ConfigDict",
        "Field", "RootModel", "SecretStr", "StrictBool", "StrictBytes", "StrictFloat",
        "StrictInt", "StrictStr", "StringConstraints", "UUID1", "UUID3", "UUID4", "UUID5",
        "field_validator",
    }),
}

# The schema keywords handed to the model generator: JSON Schema's validation and
# annotation vocabulary and OpenAPI's schema fields. Anything else (extensions, the
# library's own keywords such as `customTypePath`) is dropped before it sees the schema.
_REVIEWED_KEYWORDS = frozenset({
    "$ref", "type", "format", "enum", "const", "default", "title", "description",
    "properties", "required", "additionalProperties", "items", "prefixItems",
    "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "pattern",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minProperties", "maxProperties", "allOf", "anyOf", "oneOf", "not", "nullable",
    "discriminator", "readOnly", "writeOnly", "deprecated", "example", "examples",
})
_REVIEWED_DISCRIMINATOR = frozenset({"propertyName", "mapping"})

# Every name the models module may import: a schema must not be named like one.
MODEL_IMPORTS = frozenset(name for names in _ALLOWED_NAMES.values() for name in names)

# `format: email` is checked with the syntax Prism's validator (ajv-formats, "full" mode)
# uses: dot-atoms at a dotted host name, ASCII only. pydantic's EmailStr would need the
# email-validator package, and the client depends on httpx and pydantic alone. The classes
# spell out both cases instead of using (?i): case-insensitive [a-z] also matches the Kelvin
# sign and the long s in Python's and Rust's regex engines, not in JavaScript's.
_EMAIL_ATOM = "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+"
_HOST_LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
EMAIL_PATTERN = (
    f"^{_EMAIL_ATOM}(?:\\.{_EMAIL_ATOM})*@(?:{_HOST_LABEL}\\.)+{_HOST_LABEL}$"
)


# The one-subschema positions the models walk: `items` is always one schema by now.
_ONE_SCHEMA = ("items", *SCHEMA_ONES)
_SUBSCHEMA_KEYS = frozenset({*_ONE_SCHEMA, *SCHEMA_LISTS, *SCHEMA_MAPS})


def _map_schemas(schema: Any, change: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    """`schema` with `change` applied to it and to every subschema, innermost first.

    Only schema positions are visited: a field called "type" or "properties", or an
    `example` that happens to look like a schema, is left alone.
    """
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    if _SUBSCHEMA_KEYS.isdisjoint(out):
        return change(out)  # most schemas: a type, a description, no subschema
    for key in _ONE_SCHEMA:
        if isinstance(out.get(key), dict):
            out[key] = _map_schemas(out[key], change)
    for key in SCHEMA_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [_map_schemas(item, change) for item in out[key]]
    for key in SCHEMA_MAPS:
        if isinstance(out.get(key), dict):
            out[key] = {name: _map_schemas(sub, change) for name, sub in out[key].items()}
    return change(out)


_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list,
    "object": dict, "null": type(None)}


def _fits(value: Any, json_type: Any) -> bool:
    python = _JSON_TYPES.get(json_type) if isinstance(json_type, str) else None
    if python is None:
        return True  # not a type we know: not ours to judge
    if isinstance(value, bool) and json_type in ("integer", "number"):
        return False
    return isinstance(value, python)


def _refers(schema: dict[str, Any]) -> bool:
    """Whether a schema or the subschemas of its container keywords name another schema."""
    if any(k in schema for k in ("$ref", "allOf", "anyOf", "oneOf")):
        return True
    subschemas = [schema.get("items"), schema.get("additionalProperties"),
                  *(schema.get("properties") or {}).values()]
    return any(isinstance(s, dict) and _refers(s) for s in subschemas)


def _default_kept(schema: dict[str, Any], enums: frozenset[str]) -> bool:
    """A `default` the models can carry: of the schema's type and among its `enum` (a
    document's defect otherwise, which the models must not turn into a wrong value), and
    not an array or object of other models (emitted as a plain literal, it would not have
    the field's type)."""
    default = schema["default"]
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types
    if isinstance(types, list) and types:
        if schema.get("nullable") is True:
            types = [*types, "null"]
        if not any(_fits(default, t) for t in types):
            return False
    enum = schema.get("enum")
    if isinstance(enum, list) and not any(type(default) is type(e) and default == e
                                          for e in enum):
        return False
    if isinstance(default, str) and schema.get("format") not in (None, "email"):
        return False  # a date, URL, UUID...: the field's type is not str
    if any(k in schema for k in ("anyOf", "oneOf")):
        return False  # a union of models: a plain literal does not have its type
    return not ((isinstance(default, list | dict) or not _names_enum(schema, enums))
                and _refers(schema))


def _names_enum(schema: dict[str, Any], enums: frozenset[str]) -> bool:
    """Whether the schema is (an allOf of) one `$ref` to an enum schema: its default then
    becomes a member (`Mode.VIP`); a default of any other model would be a bare literal."""
    refs = [schema] if "$ref" in schema else schema.get("allOf") or []
    return (len(refs) == 1 and isinstance(refs[0], dict)
            and str(refs[0].get("$ref", "")).rsplit("/", 1)[-1] in enums)


def _reviewed(schema: dict[str, Any], enums: frozenset[str]) -> dict[str, Any]:
    """Only the reviewed keywords. Names under `properties` are data, not keywords: a
    property called `x-id` or `customTypePath` stays (its schema is reviewed itself)."""
    out = {k: v for k, v in schema.items() if k in _REVIEWED_KEYWORDS}
    # The loader spells boolean schemas as `{}` / `{"not": {}}`; the model generator reads
    # a closed object only from `additionalProperties: false` (and so does nullability).
    closed = out.get("additionalProperties")
    if closed == {"not": {}}:
        out["additionalProperties"] = False
    elif closed == {}:
        out["additionalProperties"] = True
    if "default" in out and not _default_kept(out, enums):
        del out["default"]
    if isinstance(out.get("discriminator"), dict):
        out["discriminator"] = {k: v for k, v in out["discriminator"].items()
                                if k in _REVIEWED_DISCRIMINATOR}
    return out


def _ascii_enum_names(schema: dict[str, Any]) -> dict[str, Any]:
    """A string enum with a non-ASCII value gets ASCII member names of ours: the model
    generator would keep the letters, and Python folds identifiers by NFKC, so `ﬁ` and
    `fi` (or `ᴬ` and `A`) would be one member and the module would not import."""
    values = schema.get("enum")
    if not (isinstance(values, list) and values and all(isinstance(v, str) for v in values)
            and not all(v.isascii() for v in values)):
        return schema
    members = Namespace()
    names = [members.claim(_member_name(snake(v, "value").upper())) for v in values]
    return {**schema, "x-enum-varnames": names}


def _member_name(name: str) -> str:
    return f"VALUE{name}" if name.startswith("_") else name  # `_2X` (from `2x`) -> VALUE_2X


def _open_object(schema: dict[str, Any]) -> dict[str, Any]:
    """An object schema that does not mention `additionalProperties` gets `true`, JSON
    Schema's default, said out loud: the model generator then keeps unknown fields
    (pydantic `extra="allow"`) instead of silently dropping them (its default, "ignore").
    A response object that gains a field keeps it; written back, it is not lost.
    """
    declared = schema.get("type")
    is_object = declared == "object" or (isinstance(declared, list) and "object" in declared)
    if is_object and "properties" in schema and "additionalProperties" not in schema:
        return {**schema, "additionalProperties": True}
    return schema


def _email_pattern(schema: dict[str, Any]) -> dict[str, Any]:
    """A `format: email` schema without a `pattern` gets EMAIL_PATTERN. One with its own
    pattern keeps it alone: a field takes one pattern."""
    if schema.get("format") == "email" and "pattern" not in schema:
        return {**schema, "pattern": EMAIL_PATTERN}
    return schema


_COMPOSITE = ("$ref", "anyOf", "oneOf", "allOf")


def _narrows(parent: Any, child: Any) -> bool:
    """Whether a subclass may redeclare a parent's property so: the same schema, or the
    same scalar type with constraints or an enum added (a subtype in Python too)."""
    if parent == child:
        return True
    if not (isinstance(parent, dict) and isinstance(child, dict)):
        return False
    parent_type = parent.get("type")
    if any(k in parent for k in (*_COMPOSITE, "enum", "const")) or not isinstance(
            parent_type, str) or any(k in child for k in _COMPOSITE):
        return False
    if "type" in child:
        return bool(child["type"] == parent_type)
    values = [child["const"]] if "const" in child else child.get("enum")
    return isinstance(values, list) and all(_fits(v, parent_type) for v in values)


def _all_properties(schema: Any, schemas: dict[str, Any],
                    depth: int = 0) -> dict[str, list[Any]]:
    """Every declaration of each property a schema has, its allOf parts' (through `$ref`s)
    included: a subclass must agree with each ancestor that declares it."""
    found: dict[str, list[Any]] = {}
    if not isinstance(schema, dict) or depth > 20:  # deeper: a cycle, or absurd
        return found
    if isinstance(schema.get("$ref"), str):
        return _all_properties(schemas.get(schema["$ref"].rsplit("/", 1)[-1]), schemas,
                               depth + 1)
    for part in schema.get("allOf") or []:
        for name, declared in _all_properties(part, schemas, depth + 1).items():
            found.setdefault(name, []).extend(declared)
    properties = schema.get("properties")
    for name, declared in (properties if isinstance(properties, dict) else {}).items():
        found.setdefault(name, []).append(declared)
    return found


def _flat_copy(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """One object schema with the properties and `required` of a schema and its whole
    allOf chain (a later declaration wins, as in the subclass it replaces)."""
    properties = {name: declared[-1]
                  for name, declared in _all_properties(schema, schemas).items()}
    required: list[str] = []
    pending: list[Any] = [schema]
    for _ in range(200):  # the chain, breadth first; a cycle ends here
        if not pending:
            break
        current = pending.pop(0)
        if isinstance(current, dict) and isinstance(current.get("$ref"), str):
            current = schemas.get(current["$ref"].rsplit("/", 1)[-1])
        if not isinstance(current, dict):
            continue
        required += [r for r in current.get("required") or [] if r not in required]
        pending += list(current.get("allOf") or [])
    flat: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        flat["required"] = required
    if "additionalProperties" in schema:
        flat["additionalProperties"] = schema["additionalProperties"]
    return flat


def _flatten_conflicts(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """An allOf whose own part redeclares a property of a `$ref`'d part with another type
    gets that part's schema inline: the model generator then makes one flat model, not a
    subclass whose field contradicts its base's (mypy rejects that override)."""
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return schema
    own: dict[str, Any] = {}
    for part in parts:
        if isinstance(part, dict) and "$ref" not in part:
            own.update(part.get("properties") or {})
    flattened = []
    for part in parts:
        target = (schemas.get(str(part["$ref"]).rsplit("/", 1)[-1])
                  if isinstance(part, dict) and isinstance(part.get("$ref"), str) else None)
        inherited = _all_properties(target, schemas)
        if isinstance(target, dict) and any(
                not _narrows(declared, sub)
                for name, sub in own.items() for declared in inherited.get(name, [])):
            part = _flat_copy(target, schemas)
        flattened.append(part)
    return {**schema, "allOf": flattened}


def _model_ready(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every component schema prepared for the model generator."""
    components = document["components"]
    enums = frozenset(name for name, schema in components["schemas"].items()
                      if isinstance(schema, dict) and "enum" in schema)

    def prepare(schema: dict[str, Any]) -> dict[str, Any]:
        return _ascii_enum_names(_email_pattern(_open_object(_reviewed(schema, enums))))

    def component(schema: Any) -> Any:
        if not isinstance(schema, dict):
            return schema
        if "default" in schema and "enum" not in schema:
            # A model's own default: the model generator copies it onto every field that
            # refers to the model, as a bare literal. An enum's becomes a member instead.
            schema = {k: v for k, v in schema.items() if k != "default"}
        return _flatten_conflicts(schema, reviewed)

    reviewed = {name: _map_schemas(schema, prepare)
                for name, schema in components["schemas"].items()}
    prepared = {name: component(schema) for name, schema in reviewed.items()}
    return {**document, "components": {**components, "schemas": prepared}}


def prepared_schemas(schema_document: dict[str, Any]) -> dict[str, Any]:
    """Every component schema, reviewed and prepared for the model generator."""
    schemas: dict[str, Any] = _model_ready(schema_document)["components"]["schemas"]
    return schemas


def _generate(schema_document: dict[str, Any], expected: Iterable[str]) -> str:
    """The models of a whole schema document in one call (one group)."""
    return generate_source(_model_ready(schema_document), expected)


def generate_source(document: dict[str, Any], expected: Iterable[str],
                    null_schemas: dict[str, Any] | None = None) -> str:
    """The model generator's source for a prepared document, checked, without header.

    `null_schemas`: the schemas that say which references allow null, when the
    document's own are stubs of them (model_groups.py); by default the document's."""
    made = generated(document, expected, null_schemas)
    for tree in (made.tree, ast.parse(made.edit.imports)):
        for node in ast.walk(tree):
            check_import(node)
    return made.edit.applied(made.source)


@dataclass(frozen=True)
class Generated:
    """The model generator's source and its syntax tree, and our edit of it (the models
    refuse null and non-finite numbers, see nullability.py and finite_numbers.py): the
    source is parsed once, the edit placed by that parse."""

    source: str
    tree: ast.Module
    edit: Edit


def generated(document: dict[str, Any], expected: Iterable[str],
              null_schemas: dict[str, Any] | None = None) -> Generated:
    """`generate_source`'s source and its syntax tree, its imports not checked yet: the
    caller walks the tree anyway and checks each node with `check_import`."""
    from datamodel_code_generator import generate
    from datamodel_code_generator.enums import (
        AllOfClassHierarchy,
        DataModelType,
        InputFileType,
        NamingStrategy,
        StrictTypes,
    )
    from datamodel_code_generator.format import PythonVersion
    from datamodel_code_generator.parser import LiteralType

    if not document["components"]["schemas"]:
        empty = "from __future__ import annotations\n"
        return Generated(empty, ast.parse(empty), Edit())
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
            # `mode: Mode | None = Mode.VIP`, not `= "vip"`: the default has the field's type.
            set_default_enum_member=True,
            # A discriminated subclass narrows its parent's enum field to one member, as
            # `Literal[Kind.EPISODE]`: a plain `Literal["episode"]` would not be a subtype.
            use_enum_values_in_discriminator=True,
            # A one-value enum is a constant: `Literal["episode"]`, the same type wherever a
            # subclass or a discriminated union repeats it.
            enum_field_as_literal=LiteralType.One,
            # A default of a union stays on the field, not on each branch's root model,
            # whose type it may not have.
            keep_field_defaults_off_branch_roots=True,
            # An allOf part that redeclares a parent's property with another type makes a
            # flat model, not a subclass whose field would contradict its base's.
            allof_class_hierarchy=AllOfClassHierarchy.IfNoConflict,
            # An email address is a str checked by EMAIL_PATTERN (see _with_email_pattern).
            type_mappings=["email=string"],
            # JSON types are not coerced: "12" is no integer, 1 no boolean, true no number,
            # as in the JSON Schema (an integer is still accepted where a number is).
            strict_types=[StrictTypes.str, StrictTypes.int, StrictTypes.float, StrictTypes.bool],
            disable_timestamp=True,
            formatters=[],
            # A component schema keeps its name; a model the library makes for an inline
            # schema takes its parent's name as a prefix when they clash. By default the
            # first one met kept the name: an inline `role` enum became `Role` and the
            # component `Role`, which the resources return, became `Role1`.
            naming_strategy=NamingStrategy.ParentPrefixed,
        )
    except Exception as exc:  # the library raises many types; all mean "cannot model this"
        raise GeneratorError(f"datamodel-code-generator could not build the models: {exc}") from exc
    if not isinstance(source, str):
        raise GeneratorError("datamodel-code-generator returned several modules; expected one")
    source = _strip_header(source)
    if _FOLDABLE_FIELD.search(source):  # rare: it parses the source for itself
        source = alias_folded_names(source)
    tree = ast.parse(source)
    positions = Positions(source)
    edit = non_finite_edit(source, tree, positions)
    schemas = document["components"]["schemas"]
    if any(isinstance(s, dict) and s.get("additionalProperties") is False
           for s in schemas.values()):
        # Both edits from one parse: they never insert at one place (a validator goes
        # after a class's fields, the setting before them).
        edit = edit.then(null_edit(tree, positions,
                                   schemas if null_schemas is None else null_schemas))
    _check_defined(tree, set(expected))
    return Generated(source, tree, edit)


# A field whose name has a non-ASCII letter (the only ones NFKC can change), at the start
# of a line of a class body: where alias_folded_names has work to do.
_FOLDABLE_FIELD = re.compile(r"^[ \t]+\w*(?:(?=\w)[^\x00-\x7f])\w*[ \t]*:", re.MULTILINE)


def _strip_header(source: str) -> str:
    lines = source.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines).lstrip("\n")


def _check_defined(tree: ast.Module, expected: set[str]) -> None:
    defined = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    defined |= {t.id for node in tree.body if isinstance(node, ast.Assign | ast.AnnAssign)
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(t, ast.Name)}
    missing = sorted(expected - defined)
    if missing:
        raise GeneratorError(f"the model generator did not define {', '.join(missing)}")


def check_import(node: ast.AST) -> None:
    """Refuse an import of anything but the reviewed names (`_ALLOWED_NAMES`)."""
    if isinstance(node, ast.Import):
        raise GeneratorError(f"the generated models import module "
                             f"{node.names[0].name!r}: not allowed")
    if isinstance(node, ast.ImportFrom):
        allowed = _ALLOWED_NAMES.get(node.module or "", frozenset())
        for alias in node.names:
            if node.level or alias.name not in allowed:
                raise GeneratorError(f"the generated models import {alias.name!r} from "
                                     f"{node.module!r}: not allowed")
