"""The fast structural check: exactly what the generator relies on, normalised in place.

One pass over the bundled document (after `references`), applying the tolerance
policy (README, "Imperfect documents"):

- a defect that does not stop a correct client is a warning, and what the generator
  reads is normalised: duplicates in `required`, `enum` and tags are removed; 3.0
  keywords in a 3.1 document and the reverse are rewritten to the document's version;
  a `default` or `example` that breaks its schema's `type` or `enum` is dropped; an
  unknown `format` is kept (it means a string); an invalid `pattern` is dropped;
- a part that cannot be generated correctly is left out with a warning naming it: an
  operation whose path parameters are not all declared, whose parameters, body or
  responses are malformed or dangling; a schema that is not
  a schema accepts any value (so every operation using it still works, without typing
  that part);
- values past the limits (`limits`) stop the run with a located error.

The run fails only when the document had operations and none of them is usable.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import limits
from .errors import SpecError
from .loader import LoadedSpec, escape_pointer_token, resolve_pointer
from .schema_keywords import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_ONES

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_LOCATIONS = frozenset({"path", "query", "header", "cookie"})
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
# Headers the HTTP transport writes from the request it sends: a value given by the
# caller could only repeat it or contradict the body (httpx refuses a wrong one).
_TRANSPORT_HEADERS = frozenset({"content-length"})
_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})
_FORMATS = frozenset({
    "int32", "int64", "float", "double", "byte", "binary", "date", "date-time", "time",
    "duration", "password", "email", "idn-email", "hostname", "idn-hostname", "ipv4", "ipv6",
    "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template", "json-pointer",
    "relative-json-pointer", "regex", "decimal", "int8", "int16", "uint8", "uint16",
    "uint32", "uint64", "double-int", "char", "base64url", "commonmark", "html", "media-range",
    "sf-string", "sf-token", "sf-binary", "sf-boolean", "sf-integer", "sf-decimal", "unixtime",
    "url",
})
# Checked too, though no model is made from them.
_SCHEMA_ONES = (*SCHEMA_ONES, "contentSchema", "additionalItems")
_PATH_TEMPLATE = re.compile(r"\{([^{}]*)\}")
_JSON_MEDIA = re.compile(r"^application/json\s*(;.*)?$", re.IGNORECASE)
_JSONISH_MEDIA = re.compile(r"^application/([\w.+-]*\+)?json\s*(;.*)?$", re.IGNORECASE)
_MAX_PATTERN = 10_000
_BOOLEAN_KEYWORDS = frozenset({"additionalProperties", "unevaluatedProperties",
                               "unevaluatedItems", "additionalItems"})
_NULLABLE_KEYWORDS = frozenset({"default", "example", "const"})  # null is a value there
_SUBSCHEMA_KEYWORDS = frozenset({*SCHEMA_MAPS, *SCHEMA_LISTS, *_SCHEMA_ONES})
_VERSION_KEYWORDS = frozenset({"exclusiveMinimum", "exclusiveMaximum", "nullable"})


class _Unusable(Exception):
    """This operation cannot be generated correctly: why, and where."""

    def __init__(self, reason: str, pointer: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pointer = pointer


def check_document(spec: LoadedSpec) -> None:
    """Apply the tolerance policy to `spec.data`, in place; warnings go to `spec`."""
    _Checker(spec).run()


class _Checker:
    def __init__(self, spec: LoadedSpec) -> None:
        self.spec = spec
        self.doc = spec.data
        self.v31 = str(self.doc.get("openapi", "")).startswith("3.1.")
        self.seen_schemas: set[int] = set()

    def warn(self, kind: str, message: str, pointer: str) -> None:
        self.spec.warn(kind, message, pointer)

    # -- the document ------------------------------------------------------------------
    def run(self) -> None:
        doc = self.doc
        self.mapping_or_drop(doc, "info", "")
        self.list_or_drop(doc, "servers", "")
        self.list_or_drop(doc, "security", "")
        self.tags(doc, "", "tags", top_level=True)
        components = self.mapping_or_drop(doc, "components", "")
        if components is not None:
            for key in ("schemas", "parameters", "requestBodies", "responses", "headers",
                        "securitySchemes"):
                self.mapping_or_drop(components, key, "/components")
            for name, schema in list((components.get("schemas") or {}).items()):
                components["schemas"][name] = self.schema(
                    schema, f"/components/schemas/{escape_pointer_token(name)}")
            for name, scheme in list((components.get("securitySchemes") or {}).items()):
                if not isinstance(self.resolved(scheme), dict):
                    del components["securitySchemes"][name]
                    self.warn("malformed", f"security scheme {name!r} is not a mapping; "
                              "ignored", f"/components/securitySchemes/"
                                         f"{escape_pointer_token(name)}")
            for kind in ("parameters", "requestBodies", "responses", "headers"):
                for name, item in (components.get(kind) or {}).items():
                    self.schemas_inside(item, f"/components/{kind}/{escape_pointer_token(name)}")
        paths = self.mapping_or_drop(doc, "paths", "")
        if paths is None:
            return
        total = kept = 0
        for path in list(paths):
            pointer = f"/paths/{escape_pointer_token(path)}"
            item = self.resolved(paths[path])
            if not isinstance(item, dict):
                self.warn("left-out", f"path {path!r} left out: its path item is not a "
                          "mapping", pointer)
                del paths[path]
                continue
            for method in _METHODS:
                if method not in item:
                    continue
                total += 1
                try:
                    self.operation(path, method, item, f"{pointer}/{method}")
                    kept += 1
                except _Unusable as unusable:
                    del item[method]
                    self.warn("left-out", f"operation {method.upper()} {path} left out: "
                              f"{unusable.reason}", unusable.pointer)
        if total and not kept:
            raise SpecError(f"none of the document's {total} operations can be generated "
                            "(see the warnings above)", file=str(self.spec.root))

    def mapping_or_drop(self, parent: dict[str, Any], key: str,
                        pointer: str) -> dict[str, Any] | None:
        if key not in parent:
            return None
        value = parent[key]
        if not isinstance(value, dict):
            del parent[key]
            self.warn("malformed", f"{key} must be a mapping; ignored",
                      f"{pointer}/{escape_pointer_token(key)}")
            return None
        return value

    def list_or_drop(self, parent: dict[str, Any], key: str, pointer: str) -> list[Any] | None:
        if key not in parent:
            return None
        value = parent[key]
        if not isinstance(value, list):
            del parent[key]
            self.warn("malformed", f"{key} must be a list; ignored",
                      f"{pointer}/{escape_pointer_token(key)}")
            return None
        return value

    def tags(self, parent: dict[str, Any], pointer: str, key: str, *, top_level: bool) -> None:
        tags = self.list_or_drop(parent, key, pointer)
        if tags is None:
            return
        kept: list[Any] = []
        names: set[str] = set()
        for index, tag in enumerate(tags):
            name = (tag.get("name") if isinstance(tag, dict) else None) if top_level else tag
            if not isinstance(name, str):
                self.warn("malformed", "a tag must be a mapping with a string name; ignored"
                          if top_level else "a tag must be a string; ignored",
                          f"{pointer}/{key}/{index}")
                continue
            if name in names:
                self.warn("duplicate-tag", f"tag {name!r} is declared twice; the first is kept",
                          f"{pointer}/{key}/{index}")
                continue
            names.add(name)
            kept.append(tag)
        parent[key] = kept

    def resolved(self, value: Any) -> Any:
        """`value`, or what its chain of `$ref`s names (`references` has checked them)."""
        for _ in range(100):
            if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
                return value
            value = resolve_pointer(self.doc, value["$ref"][1:])
        return None

    # -- operations ----------------------------------------------------------------------
    def operation(self, path: str, method: str, item: dict[str, Any], pointer: str) -> None:
        op = item[method]
        if not isinstance(op, dict):
            raise _Unusable("it is not a mapping", pointer)
        if "tags" in op:
            self.tags(op, pointer, "tags", top_level=False)
        if "security" in op and not isinstance(op["security"], list):
            raise _Unusable("its security must be a list", f"{pointer}/security")
        shared = self.parameters(item, f"{pointer.rsplit('/', 1)[0]}/parameters")
        own = self.parameters(op, f"{pointer}/parameters")
        merged = {**shared, **own}
        declared = {name for location, name in merged if location == "path"}
        named = set(_PATH_TEMPLATE.findall(path))
        for missing in sorted(named - declared):
            raise _Unusable(f"path parameter {missing!r} is not declared", pointer)
        for extra in sorted(declared - named):
            raise _Unusable(f"path parameter {extra!r} is not in the path", pointer)
        if "requestBody" in op:
            self.request_body(op, f"{pointer}/requestBody")
        responses = op.get("responses", {})
        if not isinstance(responses, dict):
            raise _Unusable("its responses must be a mapping", f"{pointer}/responses")
        for status in list(responses):
            here = f"{pointer}/responses/{escape_pointer_token(str(status))}"
            response = self.resolved(responses[status])
            if not isinstance(response, dict):
                raise _Unusable(f"response {status!r} is not a mapping", here)
            self.media(response, here, request=False)

    def parameters(self, holder: dict[str, Any], pointer: str) -> dict[tuple[str, str], Any]:
        """The parameters of a path item or operation, by (location, name)."""
        raw = holder.get("parameters", [])
        if not isinstance(raw, list):
            raise _Unusable("its parameters must be a list", pointer)
        found: dict[tuple[str, str], Any] = {}
        ignored: list[int] = []
        for index, entry in enumerate(raw):
            here = f"{pointer}/{index}"
            param = self.resolved(entry)
            if not isinstance(param, dict):
                raise _Unusable(f"parameter {index} is not a mapping", here)
            name, location = param.get("name"), param.get("in")
            if not isinstance(name, str) or not isinstance(location, str) \
                    or location not in _LOCATIONS:
                raise _Unusable(f"parameter {index} is not usable (it needs a string name and "
                                "`in` one of path, query, header, cookie)", here)
            if location == "header" and name.lower() in _IGNORED_HEADERS:
                # OpenAPI: such a header parameter "SHALL be ignored" (other fields say it).
                ignored.append(index)
                self.warn("ignored-parameter", f"header parameter {name!r} is ignored, as "
                          "OpenAPI requires (content types and security schemes set it)", here)
                continue
            if location == "header" and name.lower() in _TRANSPORT_HEADERS:
                ignored.append(index)
                self.warn("ignored-parameter", f"header parameter {name!r} is ignored: the "
                          "HTTP transport sets it from the body it sends", here)
                continue
            if location == "path" and param.get("required") is not True:
                self.warn("malformed", f"path parameter {name!r} must be required; read as "
                          "required", here)
                param["required"] = True
            if (location, name) in found:
                self.warn("duplicate-parameter", f"parameter {name!r} in {location} is "
                          "declared twice; the last is used", here)
            found[(location, name)] = param
            if "schema" in param:
                param["schema"] = self.schema(param["schema"], f"{here}/schema")
            elif "content" in param:
                self.media(param, here, request=False)
        if ignored:
            holder["parameters"] = [p for i, p in enumerate(raw) if i not in ignored]
        return found

    def request_body(self, op: dict[str, Any], pointer: str) -> None:
        body = self.resolved(op["requestBody"])
        if not isinstance(body, dict):
            raise _Unusable("its request body is not a mapping", pointer)
        content = body.get("content", {})
        if not isinstance(content, dict):
            raise _Unusable("its request body's content must be a mapping",
                            f"{pointer}/content")
        # Every media type can be sent: JSON (and +json), forms, multipart, text, and the
        # rest as bytes (parse.py picks the kind), so no body is left out for its type.
        self.media(body, pointer, request=True)

    def media(self, holder: dict[str, Any], pointer: str, *, request: bool) -> None:
        if "content" not in holder:
            return
        content = holder["content"]
        if not isinstance(content, dict):
            raise _Unusable("content must be a mapping", f"{pointer}/content")
        for media_type in list(content):
            here = f"{pointer}/content/{escape_pointer_token(str(media_type))}"
            media = content[media_type]
            if not isinstance(media, dict):
                raise _Unusable(f"media type {media_type!r} is not a mapping", here)
            if "schema" in media:
                media["schema"] = self.schema(media["schema"], f"{here}/schema")
        # The generator reads `application/json`: a parameterised or `+json` spelling of it
        # is the same body (a request is sent as plain application/json).
        if "application/json" not in content:
            spellings = sorted(m for m in content if (_JSON_MEDIA if request else
                                                      _JSONISH_MEDIA).match(str(m)))
            if spellings:
                content["application/json"] = content[spellings[0]]

    def schemas_inside(self, item: Any, pointer: str) -> None:
        """Schemas in a component parameter, body, response or header."""
        if not isinstance(item, dict):
            return
        if "schema" in item:
            item["schema"] = self.schema(item["schema"], f"{pointer}/schema")
        for media_type, media in (item.get("content") or {}).items() \
                if isinstance(item.get("content"), dict) else ():
            if isinstance(media, dict) and "schema" in media:
                media["schema"] = self.schema(
                    media["schema"], f"{pointer}/content/{escape_pointer_token(media_type)}"
                                     "/schema")
        headers = item.get("headers")
        if isinstance(headers, dict):
            for name, header in headers.items():
                self.schemas_inside(header, f"{pointer}/headers/{escape_pointer_token(name)}")

    # -- schemas -------------------------------------------------------------------------
    def schema(self, schema: Any, pointer: str, *, keep_bool: bool = False) -> Any:
        """The schema to use in place of `schema` (itself, normalised; `{}` if unusable).

        A boolean schema becomes the mapping of the same meaning, which every stage reads,
        except where `keep_bool` (`additionalProperties: false` and its kin, which the
        model generator reads as booleans).
        """
        if isinstance(schema, bool):
            return schema if keep_bool else ({} if schema else {"not": {}})
        if not isinstance(schema, dict):
            self.warn("malformed-schema", f"a schema must be a mapping, not "
                      f"{type(schema).__name__}; left out (any value)", pointer)
            return {}
        if id(schema) in self.seen_schemas:
            return schema  # shared (YAML alias): normalised once
        self.seen_schemas.add(id(schema))
        for keyword in [k for k, v in schema.items() if v is None]:
            if keyword not in _NULLABLE_KEYWORDS and not str(keyword).startswith("x-"):
                del schema[keyword]
                self.warn("malformed-schema", f"{keyword} is null; ignored",
                          f"{pointer}/{escape_pointer_token(str(keyword))}")
        # Each check only where its keywords are: most of a document's schemas are a
        # type and a description, and this runs for every one of them.
        if "type" in schema:
            self.type_keyword(schema, pointer)
        if not _VERSION_KEYWORDS.isdisjoint(schema):
            self.version_keywords(schema, pointer)
        if "required" in schema:
            self.unique_list(schema, "required", pointer, strings=True)
        if "enum" in schema:
            self.unique_list(schema, "enum", pointer, strings=False)
        if "format" in schema:
            self.format_keyword(schema, pointer)
        if "pattern" in schema:
            self.pattern_keyword(schema, pointer)
        for keyword in ("default", "example"):
            if keyword in schema and "$ref" not in schema:
                problem = _mismatch(schema, schema[keyword], self.v31)
                if problem is not None:
                    del schema[keyword]
                    self.warn(f"{keyword}-mismatch", f"{keyword} {problem}; ignored",
                              f"{pointer}/{keyword}")
        if _SUBSCHEMA_KEYWORDS.isdisjoint(schema) and "items" not in schema:
            return schema  # no subschema (a null keyword was dropped above)
        for keyword in SCHEMA_MAPS:
            value = schema.get(keyword)
            if value is None:
                continue
            if not isinstance(value, dict):
                del schema[keyword]
                self.warn("malformed-schema", f"{keyword} must be a mapping; ignored",
                          f"{pointer}/{keyword}")
                continue
            for name in list(value):
                value[name] = self.schema(value[name],
                                          f"{pointer}/{keyword}/{escape_pointer_token(name)}")
        for keyword in SCHEMA_LISTS:
            value = schema.get(keyword)
            if value is None:
                continue
            if not isinstance(value, list):
                del schema[keyword]
                self.warn("malformed-schema", f"{keyword} must be a list; ignored",
                          f"{pointer}/{keyword}")
                continue
            for index, item in enumerate(value):
                value[index] = self.schema(item, f"{pointer}/{keyword}/{index}")
        for keyword in _SCHEMA_ONES:
            if keyword in schema:
                schema[keyword] = self.schema(schema[keyword], f"{pointer}/{keyword}",
                                              keep_bool=keyword in _BOOLEAN_KEYWORDS)
        if "items" in schema and "type" not in schema and "$ref" not in schema:
            # `items` constrains arrays only: without `type`, any value is valid (a model
            # of arrays would refuse the objects such documents answer with).
            del schema["items"]
            self.warn("items-without-type", "items without type: array constrains arrays "
                      "only; read as any value", f"{pointer}/items")
        if "items" in schema:
            items = schema["items"]
            if isinstance(items, list):
                self.warn("version-keyword", "items as a list (a tuple) is not OpenAPI 3; "
                          "ignored (any items)", f"{pointer}/items")
                schema["items"] = {}
            else:
                schema["items"] = self.schema(items, f"{pointer}/items")
        return schema

    def type_keyword(self, schema: dict[str, Any], pointer: str) -> None:
        kind = schema.get("type")
        if kind is None:
            return
        kinds = kind if isinstance(kind, list) else [kind]
        unknown = [k for k in kinds if not isinstance(k, str) or k not in _TYPES]
        if unknown:
            del schema["type"]
            self.warn("unknown-type", f"type {_short(kind)} is not a JSON Schema type; "
                      "ignored (any value)", f"{pointer}/type")
            return
        if isinstance(kind, list) and not self.v31:
            self.warn("version-keyword", "a list of types is OpenAPI 3.1; read as 3.1 does",
                      f"{pointer}/type")
            others = [k for k in kind if k != "null"]
            if len(others) == 1:  # the 3.0 spelling of the same thing
                schema["type"] = others[0]
                if "null" in kind:
                    schema["nullable"] = True

    def version_keywords(self, schema: dict[str, Any], pointer: str) -> None:
        for exclusive, bound in (("exclusiveMinimum", "minimum"),
                                 ("exclusiveMaximum", "maximum")):
            value = schema.get(exclusive)
            if value is None:
                continue
            if isinstance(value, bool) and self.v31:
                self.warn("version-keyword", f"a boolean {exclusive} is OpenAPI 3.0; read "
                          "as 3.0 does", f"{pointer}/{exclusive}")
                del schema[exclusive]
                if value and _is_number(schema.get(bound)):
                    schema[exclusive] = schema.pop(bound)
            elif not isinstance(value, bool) and not self.v31:
                if not _is_number(value):
                    del schema[exclusive]
                    self.warn("malformed-schema", f"{exclusive} must be a number; ignored",
                              f"{pointer}/{exclusive}")
                    continue
                self.warn("version-keyword", f"a numeric {exclusive} is OpenAPI 3.1; read "
                          "as 3.1 does", f"{pointer}/{exclusive}")
                schema[bound] = value
                schema[exclusive] = True
            elif not isinstance(value, bool) and not _is_number(value):
                del schema[exclusive]
                self.warn("malformed-schema", f"{exclusive} must be a number; ignored",
                          f"{pointer}/{exclusive}")
        if self.v31 and "nullable" in schema:
            nullable = schema.pop("nullable")
            self.warn("version-keyword", "nullable is OpenAPI 3.0; read as 3.0 does (null "
                      "is allowed)" if nullable is True else "nullable is OpenAPI 3.0; "
                      "ignored", f"{pointer}/nullable")
            kind = schema.get("type")
            if nullable is True and isinstance(kind, str) and kind != "null":
                schema["type"] = [kind, "null"]
            elif nullable is True and isinstance(kind, list) and "null" not in kind:
                schema["type"] = [*kind, "null"]
            elif nullable is True and isinstance(schema.get("enum"), list) \
                    and None not in schema["enum"]:
                schema["enum"] = [*schema["enum"], None]

    def unique_list(self, schema: dict[str, Any], keyword: str, pointer: str, *,
                    strings: bool) -> None:
        value = schema.get(keyword)
        if value is None:
            return
        if not isinstance(value, list) or (strings and not all(isinstance(v, str)
                                                               for v in value)):
            del schema[keyword]
            self.warn("malformed-schema", f"{keyword} must be a list"
                      + (" of strings" if strings else "") + "; ignored",
                      f"{pointer}/{keyword}")
            return
        if keyword == "enum" and len(value) > limits.MAX_ENUM_VALUES:
            raise self.spec.error(f"an enum of {len(value):,} values (the limit is "
                                  f"{limits.MAX_ENUM_VALUES:,})", f"{pointer}/{keyword}")
        if all(isinstance(item, str) for item in value) and len(set(value)) == len(value):
            return  # distinct strings (the usual case): nothing to compare as JSON
        seen: set[str] = set()
        kept: list[Any] = []
        for item in value:
            key = _identity(item)
            if key in seen:
                self.warn(f"duplicate-{keyword}", f"{keyword} lists {_short(item)} more than "
                          "once; kept once", f"{pointer}/{keyword}")
                continue
            seen.add(key)
            kept.append(item)
        if len(kept) != len(value):
            schema[keyword] = kept

    def format_keyword(self, schema: dict[str, Any], pointer: str) -> None:
        value = schema.get("format")
        if value is None:
            return
        if not isinstance(value, str):
            del schema["format"]
            self.warn("malformed-schema", "format must be a string; ignored",
                      f"{pointer}/format")
        elif value not in _FORMATS:
            self.warn("unknown-format", f"format {value!r} is not one clientgen knows; the "
                      "value is read by its type alone", f"{pointer}/format")

    def pattern_keyword(self, schema: dict[str, Any], pointer: str) -> None:
        value = schema.get("pattern")
        if value is None:
            return
        problem: str | None = None
        if not isinstance(value, str):
            problem = "pattern must be a string"
        elif len(value) > _MAX_PATTERN:
            problem = f"a pattern of {len(value):,} characters (the limit is {_MAX_PATTERN:,})"
        else:
            try:
                re.compile(value)
            except (re.error, RecursionError, OverflowError) as exc:
                problem = f"pattern is not a regular expression ({exc})"
        if problem is not None:
            del schema["pattern"]
            self.warn("invalid-pattern", f"{problem}; ignored", f"{pointer}/pattern")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _identity(value: Any) -> str:
    """Equal JSON values, equal keys (`1` and `true` differ, as in JSON Schema)."""
    try:
        return json.dumps([type(value).__name__ if isinstance(value, bool) else "", value],
                          sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_matches(kind: str, value: Any) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    if kind == "number":
        return _is_number(value)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True


def _mismatch(schema: dict[str, Any], value: Any, v31: bool) -> str | None:
    """Why `value` breaks the schema's own `type` or `enum` (not its subschemas), or None."""
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        nullable = schema.get("nullable") is True and not v31
        if not any(_type_matches(k, value) for k in kinds) and not (value is None and nullable):
            return f"{_short(value)} is not of type {_short(kind)}"
    enum = schema.get("enum")
    if (isinstance(enum, list) and _identity(value) not in {_identity(v) for v in enum}
            and not (value is None and schema.get("nullable") is True)):
            return f"{_short(value)} is not one of the enum's values"
    return None
