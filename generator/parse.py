"""The validated OpenAPI document -> the plain API model of `api`.

Also decides every Python name: component schemas become classes, tags become
resources, operations become methods, parameters become keyword arguments.
Inline request and response schemas are given names and moved into
`components/schemas`, so that one model generator sees every schema.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from . import api, extensions
from .errors import GeneratorError
from .examples import example_record, example_source
from .hints import input_hint
from .loader import LoadedSpec, escape_pointer_token, resolve_pointer
from .naming import HINT_NAMES, RESERVED_ARGUMENTS, Namespace, header_argument, pascal, snake

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Names the models module imports or the runtime uses; a schema must not shadow them.
_RESERVED_CLASSES = frozenset(
    {
        "Any", "Annotated", "AwareDatetime", "BaseModel", "ConfigDict", "Enum", "Field",
        "Literal", "RootModel", "StrEnum", "IntEnum", "UUID", "Optional", "Union",
        "Mapping", "Sequence", "NotGiven", "APIResponse", "Iterable", "AsyncIterable",
        # Classes datamodel-code-generator imports for formats (it renames a clashing schema).
        "Decimal", "AnyUrl", "IPv4Address", "IPv6Address", "IPv4Network", "IPv6Network",
        # What a resource module imports beside the models.
        "AsyncAPIResource", "SyncAPIResource", "Operation", "PathParam", "QueryParam",
        "HeaderParam", "RequestOptions", "Body", "Headers", "Query", "Timeout",
        # What the package's __init__ exports beside the models.
        "BulkReport", "FailedBatch", "InvalidItemError", "JournalError", "Progress",
        "RateLimit", "RejectedItem",
        "APIConnectionError", "APIError", "APIResponseValidationError", "APIStatusError",
        "APITimeoutError", "AuthenticationError", "BadRequestError", "ConfigurationError",
        "ConflictError", "InternalServerError", "NotFoundError", "PermissionDeniedError",
        "RateLimitError", "RequestValidationError", "UnprocessableEntityError",
    }
)
# Keyword arguments of the generated `<operation>_all` bulk methods.
_BULK_OPTIONS = frozenset(
    {"batch_size", "rate_limit", "rate_limit_tier", "on_invalid", "journal", "resend_unknown",
     "dry_run", "progress", "total", "max_wait"}
)
_CLIENT_ATTRIBUTES = frozenset(
    {"with_raw_response", "with_options", "close", "request", "base_url", "timeout",
     "max_retries", "copy", "aclose", "models", "resources", *HINT_NAMES}
)


@dataclass
class ParsedSpec:
    api: api.Api
    schema_document: dict[str, Any]  # the document handed to the model generator
    warnings: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class _Parser:
    def __init__(self, spec: LoadedSpec, options: dict[str, Any]) -> None:
        self.spec = spec
        self.doc = copy.deepcopy(spec.data)
        self.options = options
        self.warnings: list[str] = []
        self.components = self.doc.setdefault("components", {})
        self.schemas: dict[str, Any] = self.components.setdefault("schemas", {})
        self.class_names: dict[str, str] = {}
        self.enums: set[str] = set()
        self._name_schemas()

    # -- schemas ---------------------------------------------------------
    def _name_schemas(self) -> None:
        classes = Namespace(_RESERVED_CLASSES | self._client_classes(), separator="")
        for key in sorted(self.schemas):
            name = classes.claim(pascal(key))
            self.class_names[f"#/components/schemas/{escape_pointer_token(key)}"] = name
            schema = self.schemas[key]
            if isinstance(schema, dict) and "enum" in schema and "properties" not in schema:
                self.enums.add(name)
        self._classes = classes

    def _client_classes(self) -> set[str]:
        """The client classes that `__init__` exports beside the models."""
        name = str(self.options["client_name"])
        return {name, f"Async{name}"}

    def _hoist(self, schema: Any, wanted: str, *, any_schema: bool = False) -> str | None:
        """A `$ref` to `schema`, naming an inline object schema (any non-empty schema when
        `any_schema`: a response array must be parsed, not dropped); None otherwise."""
        if not isinstance(schema, dict):
            return None
        if isinstance(schema.get("$ref"), str):
            return str(schema["$ref"])
        if (schema.get("type") == "object" or "properties" in schema or "allOf" in schema
                or (any_schema and schema)):
            name = self._classes.claim(pascal(wanted))
            self.schemas[name] = schema
            ref = f"#/components/schemas/{escape_pointer_token(name)}"
            self.class_names[ref] = name
            return ref
        return None

    def _resolve(self, value: Any) -> Any:
        """Follow `$ref`s to components (parameters, responses, bodies) to the object itself."""
        seen: set[str] = set()
        while isinstance(value, dict) and isinstance(value.get("$ref"), str):
            ref = value["$ref"]
            if ref in seen:
                raise GeneratorError(f"$ref {ref!r} refers to itself")
            seen.add(ref)
            value = resolve_pointer(self.doc, ref[1:])
        return value

    def _hint(self, schema: Any) -> str:
        return input_hint(schema, self.class_names, frozenset(self.enums))

    # -- operations ------------------------------------------------------
    def operations(self) -> list[tuple[str, api.Operation]]:
        found: list[tuple[str, api.Operation]] = []
        paths = self.doc.get("paths") or {}
        for path in sorted(paths):
            item = self._resolve(paths[path])
            shared = item.get("parameters", [])
            for method in _METHODS:
                if method in item:
                    op = item[method]
                    tag = (op.get("tags") or ["default"])[0]
                    found.append((str(tag), self._operation(path, method, op, shared)))
        return found

    def _operation(self, path: str, method: str, op: dict[str, Any],
                   shared: list[Any]) -> api.Operation:
        pointer = f"/paths/{escape_pointer_token(path)}/{method}"
        op_id = _text(op.get("operationId")) or f"{method}_{path}"
        arguments = Namespace(RESERVED_ARGUMENTS)
        body = self._body(op, op_id, arguments)
        merged: dict[tuple[str, str], Any] = {}
        for raw in [*shared, *op.get("parameters", [])]:
            param = self._resolve(raw)
            merged[(param["in"], param["name"])] = param
        params = tuple(self._parameter(p, arguments) for p in merged.values()
                       if p["in"] != "cookie" or self._warn(f"{pointer}: cookie parameter "
                                                           f"{p['name']!r} is not supported"))
        # Path parameters are positional: in the order the URL template names them.
        params = tuple(sorted(params, key=lambda p: (
            not p.required, p.location,
            path.find(f"{{{p.wire_name}}}") if p.location == "path" else 0, p.name)))
        responses, success = self._responses(op, op_id)
        security = op.get("security", self.doc.get("security", []))
        op_name = snake(op_id, "call")
        return api.Operation(
            operation_id=op_id,
            name=op_name,
            constant=f"_{op_name.upper()}",
            method=method.upper(),
            path=path,
            summary=_text(op.get("summary")),
            description=_text(op.get("description")),
            deprecated=bool(op.get("deprecated", False)),
            parameters=params,
            body=body,
            responses=responses,
            success_model=success,
            security=tuple(tuple(sorted(req)) for req in security if isinstance(req, dict)),
            bulk=self._bulk(op, body, params, pointer),
            pagination=self._pagination(op, params, success, pointer),
        )

    def _warn(self, message: str) -> bool:
        self.warnings.append(message)
        return False

    def _parameter(self, param: dict[str, Any], arguments: Namespace) -> api.Parameter:
        location = param["in"]
        wire = str(param["name"])
        name = arguments.claim(header_argument(wire) if location == "header" else snake(wire))
        schema = param.get("schema", {})
        default = schema.get("default") if isinstance(schema, dict) else None
        if not isinstance(default, str | int | float | bool):
            default = None
        return api.Parameter(
            wire_name=wire,
            name=name,
            location=location,
            required=bool(param.get("required", location == "path")),
            type_hint=self._hint(schema),
            default=default,
            description=_text(param.get("description")),
            client_level=location == "header",
        )

    def _body(self, op: dict[str, Any], op_id: str,
              arguments: Namespace) -> api.RequestBody | None:
        if "requestBody" not in op:
            return None
        body = self._resolve(op["requestBody"])
        content = body.get("content", {})
        content_type = "application/json" if "application/json" in content else next(
            iter(sorted(content)), "application/json")
        media = content.get(content_type, {})
        schema = media.get("schema", {})
        ref = self._hoist(schema, f"{op_id}_body") if content_type == "application/json" else None
        target = self._resolve({"$ref": ref}) if ref else None
        fields: tuple[api.BodyField, ...] = ()
        if isinstance(target, dict) and isinstance(target.get("properties"), dict):
            required = set(target.get("required", []))
            fields = tuple(
                api.BodyField(
                    wire_name=str(prop),
                    name=arguments.claim(snake(str(prop))),
                    required=prop in required,
                    type_hint=self._hint(sub),
                    description=_text(sub.get("description")) if isinstance(sub, dict) else "",
                    example=example_source(sub, self._resolve),
                )
                for prop, sub in target["properties"].items()
            )
            fields = tuple(sorted(fields, key=lambda f: not f.required))
        return api.RequestBody(
            content_type=content_type,
            model=self.class_names.get(ref) if ref and fields else None,
            fields=fields,
            required=bool(body.get("required", False)),
            type_hint=self._hint(schema),
        )

    def _responses(self, op: dict[str, Any],
                   op_id: str) -> tuple[tuple[api.Response, ...], str | None]:
        responses: list[api.Response] = []
        success: str | None = None
        for status in sorted(op.get("responses", {})):
            response = self._resolve(op["responses"][status])
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            ref = (self._hoist(schema, f"{op_id}_response", any_schema=True)
                   if schema is not None else None)
            model = self.class_names.get(ref) if ref else None
            responses.append(api.Response(status=str(status), model=model,
                                          description=_text(response.get("description"))))
            if success is None and str(status).startswith("2"):
                success = model
        return tuple(responses), success

    def _bulk(self, op: dict[str, Any], body: api.RequestBody | None,
              params: tuple[api.Parameter, ...], pointer: str) -> api.BoundedArray | None:
        if body is None or body.model is None:
            return None
        taken = {p.name for p in params} | {f.name for f in body.fields}
        if taken & _BULK_OPTIONS:
            self._warn(f"{pointer}: no bulk method: argument(s) "
                       f"{', '.join(sorted(taken & _BULK_OPTIONS))} clash with its options")
            return None
        target = self._resolve({"$ref": next(r for r, n in self.class_names.items()
                                             if n == body.model)})
        properties = target["properties"]
        arrays = [
            (f, properties[f.wire_name]) for f in body.fields
            if isinstance(properties[f.wire_name], dict)
            and properties[f.wire_name].get("type") == "array"
            and isinstance(properties[f.wire_name].get("maxItems"), int)
        ]
        if len(arrays) != 1:
            return None
        bounded, schema = arrays[0]
        item_ref = schema.get("items", {}).get("$ref")
        item_model = self.class_names.get(item_ref) if isinstance(item_ref, str) else None
        if item_model is None:
            return None
        limit = op.get("x-rate-limit")
        limit = limit if isinstance(limit, dict) else {}  # an extension: anything goes
        interval: float | None = None
        if isinstance(limit.get("requests"), int) and isinstance(limit.get("per-seconds"),
                                                                 int | float):
            interval = float(limit["per-seconds"]) / max(1, limit["requests"])
        hourly: dict[str, Any] = limit["hourly"] if isinstance(limit.get("hourly"), dict) else {}
        item_schema = self._resolve({"$ref": item_ref})
        bulk = extensions.read_bulk(op, item_schema, pointer, self.spec.error)
        return api.BoundedArray(
            field=bounded,
            item_model=item_model,
            max_items=int(schema["maxItems"]),
            min_interval_seconds=interval,
            hourly_limits=tuple(sorted((str(k), int(v)) for k, v in hourly.items()
                                       if isinstance(v, int))),
            shared_limiter=extensions.read_shared_limiter(op, pointer, self.spec.error),
            nested_field=bulk.nested_items,
            max_nested=bulk.max_nested_items,
            replay_safe=bulk.replay_safe,
            after=bulk.after,
            example_record=example_record(item_schema, self._resolve),
        )

    def _pagination(self, op: dict[str, Any], params: tuple[api.Parameter, ...],
                    success: str | None, pointer: str) -> api.Pagination | None:
        query = {p.wire_name: p for p in params if p.location == "query"}
        found = extensions.read_pagination(op, query, pointer, self.spec.error)
        if found is None:
            return None
        success_ref = next((r for r, n in self.class_names.items() if n == success), None)
        schema: Any = self._resolve({"$ref": success_ref}) if success_ref else None
        for token in found.items_pointer:  # down to the array of items, if the schema says
            properties = schema.get("properties") if isinstance(schema, dict) else None
            schema = self._resolve(properties.get(token)) if isinstance(properties, dict) \
                and isinstance(properties.get(token), dict) else None
        items = schema.get("items") if isinstance(schema, dict) else None
        ref = items.get("$ref") if isinstance(items, dict) else None
        return api.Pagination(
            from_param=query[found.from_param],
            to_param=query[found.to_param],
            items_pointer=found.items_pointer,
            item_model=self.class_names.get(ref) if isinstance(ref, str) else None,
            page_size=found.page_size,
        )

    # -- resources, security, client settings -------------------------------
    def resources(self, operations: list[tuple[str, api.Operation]]) -> tuple[api.Resource, ...]:
        by_tag: dict[str, list[api.Operation]] = {}
        for tag, op in operations:
            by_tag.setdefault(tag, []).append(op)
        tag_docs = {str(t.get("name")): _text(t.get("description"))
                    for t in self.doc.get("tags", []) if isinstance(t, dict)}
        attributes = Namespace(_CLIENT_ATTRIBUTES)
        classes = Namespace(self._classes_used(), separator="")
        resources = []
        for tag in sorted(by_tag):
            methods = Namespace({"with_raw_response", *HINT_NAMES})
            ops = tuple(
                _renamed(op, methods.claim(op.name))
                for op in sorted(by_tag[tag], key=lambda o: (o.name, o.path, o.method))
            )
            attribute = attributes.claim(snake(tag, "default"))
            resources.append(api.Resource(
                tag=tag,
                module=attribute,
                attribute=attribute,
                class_name=classes.claim(pascal(tag, "Default")),
                description=tag_docs.get(tag, ""),
                operations=ops,
            ))
        return tuple(resources)

    def _classes_used(self) -> set[str]:
        return set(self.class_names.values()) | set(_RESERVED_CLASSES)

    def schemes(
        self, operations: list[tuple[str, api.Operation]]
    ) -> tuple[api.SecurityScheme, ...]:
        raw = self.components.get("securitySchemes", {})
        by_id = {op.operation_id: op for _, op in operations}
        credentials = Namespace()
        schemes = []
        for key in sorted(raw):
            scheme = self._resolve(raw[key])
            kind = scheme.get("type")
            description = _text(scheme.get("description"))
            if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
                exchange = self._exchange(scheme.get("x-token-exchange"), by_id, key)
                schemes.append(api.SecurityScheme(
                    key=key, kind="bearer", credential=credentials.claim("token"),
                    location="header", wire_name="Authorization", description=description,
                    exchange=exchange))
            elif kind == "apiKey":
                schemes.append(api.SecurityScheme(
                    key=key, kind="apiKey", credential=credentials.claim("api_key"),
                    location=str(scheme.get("in", "header")), wire_name=str(scheme.get("name")),
                    description=description))
            else:
                self._warn(f"security scheme {key!r} of type {kind!r} is not supported; "
                           "pass its credentials through extra_headers")
        return tuple(schemes)

    def _exchange(self, raw: Any, by_id: dict[str, api.Operation],
                  key: str) -> api.TokenExchange | None:
        if not isinstance(raw, dict):
            return None
        op = by_id.get(str(raw.get("operationId")))
        if op is None:
            raise GeneratorError(f"securitySchemes/{key}/x-token-exchange names operation "
                                 f"{raw.get('operationId')!r}, which does not exist")
        pointer = str(raw.get("token-pointer", "/data"))
        leeway = raw.get("refresh-leeway-seconds", 300)
        if isinstance(leeway, bool) or not isinstance(leeway, int | float) or not (
                0 <= leeway < float("inf")):
            raise GeneratorError(f"securitySchemes/{key}/x-token-exchange: "
                                 f"refresh-leeway-seconds must be a number of seconds, "
                                 f"not {leeway!r}")
        return api.TokenExchange(
            operation=op,
            security=op.security,
            token_pointer=tuple(t for t in pointer.split("/") if t),
            refresh_leeway=float(leeway),
        )


def _renamed(op: api.Operation, name: str) -> api.Operation:
    if name == op.name:
        return op
    from dataclasses import replace

    return replace(op, name=name, constant=f"_{name.upper()}")


def parse(spec: LoadedSpec, options: dict[str, Any]) -> ParsedSpec:
    """Build the API model. `options`: package, client_name, env_prefix."""
    parser = _Parser(spec, options)
    operations = parser.operations()
    extensions.check_bulk_order([op for _, op in operations], spec.error)
    resources = parser.resources(operations)
    schemes = parser.schemes(operations)
    prefix = str(options["env_prefix"])
    credentials = tuple(
        api.ClientSetting(name=s.credential, env=f"{prefix}_{s.credential.upper()}",
                          description=s.description)
        for s in schemes
    )
    taken = {c.name for c in credentials}
    defaults: dict[str, api.ClientSetting] = {}
    for resource in resources:
        for op in resource.operations:
            for p in op.parameters:
                if p.client_level and p.name not in taken and p.name not in defaults:
                    defaults[p.name] = api.ClientSetting(
                        name=p.name, env=f"{prefix}_{p.name.upper()}", description=p.description)
    info = parser.doc.get("info", {})
    servers = tuple(str(s["url"]) for s in parser.doc.get("servers", [])
                    if isinstance(s, dict) and "url" in s)
    model = api.Api(
        title=_text(info.get("title")),
        version=str(info.get("version", "0")),
        description=_text(info.get("description")),
        servers=servers or ("http://localhost",),
        resources=resources,
        schemes=schemes,
        credentials=credentials,
        param_defaults=tuple(defaults[k] for k in sorted(defaults)),
        schema_names=tuple(sorted(set(parser.class_names.values()))),
        spec_sha256=spec.sha256,
        spec_name=spec.root.name,
        options=dict(options),
    )
    schema_doc = {
        "openapi": parser.doc.get("openapi", "3.1.0"),
        "info": {"title": "models", "version": "0"},
        "paths": {},
        "components": {"schemas": {parser.class_names[f"#/components/schemas/"
                                                      f"{escape_pointer_token(k)}"]: v
                                   for k, v in parser.schemas.items()}},
    }
    _rewrite_refs(schema_doc, parser.class_names)
    return ParsedSpec(api=model, schema_document=schema_doc, warnings=parser.warnings)


def _rewrite_refs(value: Any, class_names: dict[str, str]) -> None:
    """Point every schema `$ref` at the class name the schema was renamed to."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref in class_names:
            value["$ref"] = f"#/components/schemas/{class_names[ref]}"
        for item in value.values():
            _rewrite_refs(item, class_names)
    elif isinstance(value, list):
        for item in value:
            _rewrite_refs(item, class_names)
