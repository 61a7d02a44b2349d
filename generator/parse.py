"""The validated OpenAPI document -> the plain API model of `api`.

Also decides every Python name: component schemas become classes, tags become
resources, operations become methods, parameters become keyword arguments.
Inline request and response schemas are given names and moved into
`components/schemas`, so that one model generator sees every schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from . import api, extensions
from .diagnostics import Diagnostic
from .errors import GeneratorError
from .examples import example_record, example_source
from .hints import input_hint
from .loader import LoadedSpec, escape_pointer_token, resolve_pointer
from .models import MODEL_IMPORTS
from .naming import (
    CONSTRUCTOR_ARGUMENTS,
    HINT_NAMES,
    RESERVED_ARGUMENTS,
    Namespace,
    check_package_name,
    header_argument,
    module_name,
    pascal,
    runtime_members,
    snake,
)
from .parsed_cache import cached_parse

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
        # Every name a models module may import (`StrictStr`, `TypeAliasType`, ...).
        *MODEL_IMPORTS,
    }
)
# Keyword arguments of the generated `<operation>_all` bulk methods.
_BULK_OPTIONS = frozenset(
    {"batch_size", "rate_limit", "rate_limit_tier", "on_invalid", "journal", "resend_unknown",
     "dry_run", "progress", "total", "max_wait"}
)
_CLIENT_ATTRIBUTES = frozenset(
    {"with_raw_response", "with_options", "close", "request", "base_url", "timeout",
     "max_retries", "copy", "aclose", "models", "resources", *HINT_NAMES,
     *runtime_members("SyncAPIClient", "AsyncAPIClient")}
)
# Names a method of a resource must not take: what the resource classes define.
_RESOURCE_MEMBERS = frozenset(
    {"with_raw_response", *HINT_NAMES, *runtime_members("SyncAPIResource", "AsyncAPIResource")}
)


@dataclass
class ParsedSpec:
    api: api.Api
    schema_document: dict[str, Any]  # the document handed to the model generator
    warnings: list[Diagnostic] = field(default_factory=list)  # located, by kind


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class _Parser:
    def __init__(self, spec: LoadedSpec, options: dict[str, Any]) -> None:
        self.spec = spec
        # The document is read, never changed: the meta-schema check may still read it.
        # The parser adds the inline schemas it names, to copies of the containers.
        self.doc = dict(spec.data)
        self.components = self.doc["components"] = dict(self.doc.get("components", {}))
        self.schemas: dict[str, Any] = dict(self.components.get("schemas", {}))
        self.components["schemas"] = self.schemas
        self.options = options
        self.warnings: list[Diagnostic] = []
        self.class_names: dict[str, str] = {}
        self.ref_of: dict[str, str] = {}  # class name -> its $ref (each is claimed once)
        self.enums: set[str] = set()
        self._name_schemas()

    # -- schemas ---------------------------------------------------------
    def _name_schemas(self) -> None:
        classes = Namespace(_RESERVED_CLASSES | self._client_classes(), separator="")
        for key in sorted(self.schemas):
            name = classes.claim(pascal(key))
            self._name(f"#/components/schemas/{escape_pointer_token(key)}", name)
            schema = self.schemas[key]
            if isinstance(schema, dict) and "enum" in schema and "properties" not in schema:
                self.enums.add(name)
        self._classes = classes
        self._enum_classes = frozenset(self.enums)  # for every hint (no enum is added later)

    def _name(self, ref: str, name: str) -> None:
        self.class_names[ref] = name
        self.ref_of.setdefault(name, ref)

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
            self._name(ref, name)
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
        return input_hint(schema, self.class_names, self._enum_classes)

    # -- operations ------------------------------------------------------
    def operations(self) -> list[tuple[str, api.Operation]]:
        found: list[tuple[str, api.Operation]] = []
        paths = self.doc.get("paths") or {}
        shared_prefix = _common_prefix(list(paths))
        seen_ids: dict[str, str] = {}
        for path in sorted(paths):
            item = self._resolve(paths[path])
            shared = item.get("parameters", [])
            for method in _METHODS:
                if method in item:
                    op = item[method]
                    tags = op.get("tags")
                    tag = tags[0] if isinstance(tags, list) and tags else _path_group(
                        path, shared_prefix)
                    operation = self._operation(path, method, op, shared, shared_prefix)
                    if operation.operation_id in seen_ids:
                        self._warn("duplicate-operation-id",
                                   f"operationId {operation.operation_id!r} is also used by "
                                   f"{seen_ids[operation.operation_id]}; the methods get "
                                   "distinct names",
                                   f"/paths/{escape_pointer_token(path)}/{method}/operationId")
                    seen_ids.setdefault(operation.operation_id,
                                        f"{method.upper()} {path}")
                    found.append((str(tag), operation))
        return found

    def _operation(self, path: str, method: str, op: dict[str, Any],
                   shared: list[Any], prefix: list[str]) -> api.Operation:
        pointer = f"/paths/{escape_pointer_token(path)}/{method}"
        # Without an operationId, the method is named after the method and the path, less
        # the prefix every path shares: GET /v1/pets/{id} -> get_pets_id.
        op_id = _text(op.get("operationId")) or f"{method}_{_without_prefix(path, prefix)}"
        arguments = Namespace(RESERVED_ARGUMENTS)
        body = self._body(op, op_id, arguments)
        merged: dict[tuple[str, str], Any] = {}
        for raw in [*shared, *op.get("parameters", [])]:
            param = self._resolve(raw)  # structure.py has dropped the headers to ignore
            merged[(param["in"], param["name"])] = param
        params = tuple(self._parameter(p, arguments) for p in merged.values())
        # Path parameters are positional: in the order the URL template names them.
        params = tuple(sorted(params, key=lambda p: (
            not p.required, p.location,
            path.find(f"{{{p.wire_name}}}") if p.location == "path" else 0, p.name)))
        responses, success = self._responses(op, op_id)
        returns, kinds, accept = _success_shape(responses, success)
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
            returns=returns,
            response_kinds=kinds,
            accept=accept,
            pagination=self._pagination(op, params, success, pointer),
        )

    def _warn(self, kind: str, message: str, pointer: str) -> bool:
        """A located warning; False, so that it can sit in a filter."""
        file, line = self.spec.origin(pointer)
        self.warnings.append(Diagnostic(kind, message, file, line, pointer))
        return False

    def _parameter(self, param: dict[str, Any], arguments: Namespace) -> api.Parameter:
        location = param["in"]
        wire = str(param["name"])
        if location == "header":
            # Also a client setting: it must not repeat a constructor argument.
            argument = header_argument(wire)
            if argument in CONSTRUCTOR_ARGUMENTS:
                argument = f"{argument}_header"
            name = arguments.claim(argument)
        else:
            name = arguments.claim(snake(wire))
        schema = param.get("schema", {})
        content_type: str | None = None
        content = param.get("content")
        if "schema" not in param and isinstance(content, dict) and content:
            # `content` instead of `schema`: one media type, the value encoded as it
            content_type = str(next(iter(content)))
            media = content[content_type]
            schema = media.get("schema", {}) if isinstance(media, dict) else {}
        default = schema.get("default") if isinstance(schema, dict) else None
        if not isinstance(default, str | int | float | bool):
            default = None
        style = param.get("style")
        style = style if isinstance(style, str) and style in _STYLES[location] else (
            api.DEFAULT_STYLES[location])
        explode = param.get("explode")
        return api.Parameter(
            wire_name=wire,
            name=name,
            location=location,
            required=bool(param.get("required", location == "path")),
            type_hint=self._hint(schema),
            default=default,
            description=_text(param.get("description")),
            client_level=location == "header",
            style=style,
            explode=explode if isinstance(explode, bool) else style == "form",
            allow_reserved=location == "query" and param.get("allowReserved") is True,
            content_type=content_type,
        )

    def _body(self, op: dict[str, Any], op_id: str,
              arguments: Namespace) -> api.RequestBody | None:
        if "requestBody" not in op:
            return None
        body = self._resolve(op["requestBody"])
        content = body.get("content", {})
        content = content if isinstance(content, dict) else {}
        content_type = _preferred_media_type(content)
        media = content.get(content_type, {})
        media = media if isinstance(media, dict) else {}
        schema = media.get("schema", {})
        kind = _body_kind(content_type, self._resolve(schema))
        if kind == "json":
            if "*" in content_type:  # a media range: send what it admits
                content_type = "application/json"
            return self._json_body(body, content_type, schema, op_id, arguments)
        target = self._resolve(schema)
        fields: tuple[api.BodyField, ...] = ()
        if kind in ("multipart", "form") and isinstance(target, dict) and isinstance(
                target.get("properties"), dict):
            required = set(target.get("required", []))
            fields = tuple(sorted((
                api.BodyField(
                    wire_name=str(prop),
                    name=arguments.claim(snake(str(prop))),
                    required=prop in required,
                    type_hint=self._part_hint(sub) if kind == "multipart" else self._hint(sub),
                    description=_text(sub.get("description")) if isinstance(sub, dict) else "",
                )
                for prop, sub in target["properties"].items()
            ), key=lambda f: not f.required))
        hint = {"binary": "BinaryInput", "text": "str"}.get(kind, "Mapping[str, Any]")
        return api.RequestBody(
            content_type=content_type,
            model=None,
            fields=fields,
            required=bool(body.get("required", False)),
            type_hint=hint,
            kind=kind,
            encoding=self._encoding(media, kind),
        )

    def _json_body(self, body: dict[str, Any], content_type: str, schema: Any, op_id: str,
                   arguments: Namespace) -> api.RequestBody:
        ref = self._hoist(schema, f"{op_id}_body")
        target = self._resolve({"$ref": ref}) if ref else None
        fields: tuple[api.BodyField, ...] = ()
        validate = True
        # A union beside properties (`oneOf`/`anyOf`) is taken whole: its options require
        # fields of their own, which arguments for the shared properties could not pass.
        if isinstance(target, dict) and isinstance(target.get("properties"), dict) and not (
                "oneOf" in target or "anyOf" in target):
            required = set(target.get("required", []))
            properties = dict(target["properties"])
            for prop in sorted(str(r) for r in required if r not in properties):
                properties[prop] = {}  # required, but its schema is not given: any value
            read_only = {p for p, sub in properties.items()
                         if isinstance(self._resolve(sub), dict)
                         and self._resolve(sub).get("readOnly") is True}
            # A required readOnly property is required in answers only (the model, shared
            # with answers, would demand it): such a body is sent unvalidated.
            validate = not (read_only & required) and set(properties) == set(
                target["properties"])
            fields = tuple(
                api.BodyField(
                    wire_name=str(prop),
                    name=arguments.claim(snake(str(prop))),
                    required=prop in required,
                    type_hint=self._hint(sub),
                    description=_text(sub.get("description")) if isinstance(sub, dict) else "",
                    example=example_source(sub, self._resolve),
                )
                for prop, sub in properties.items() if prop not in read_only
            )
            fields = tuple(sorted(fields, key=lambda f: not f.required))
        return api.RequestBody(
            content_type=content_type,
            model=self.class_names.get(ref) if ref and fields and validate else None,
            fields=fields,
            required=bool(body.get("required", False)),
            type_hint=self._hint(schema),
        )

    def _part_hint(self, schema: Any) -> str:
        """What a caller passes for one multipart field: files for binary strings."""
        schema = self._resolve(schema)
        if _is_binary_schema(schema):
            return "FileInput"
        if isinstance(schema, dict) and schema.get("type") == "array" and _is_binary_schema(
                self._resolve(schema.get("items"))):
            return "Sequence[FileInput]"
        return self._hint(schema)

    def _encoding(self, media: dict[str, Any], kind: str) -> tuple[api.PartEncoding, ...]:
        raw = media.get("encoding")
        if kind not in ("multipart", "form") or not isinstance(raw, dict):
            return ()
        out = []
        for name in sorted(raw):
            enc = raw[name]
            if not isinstance(enc, dict):
                continue
            headers = []
            for header, value in sorted((enc.get("headers") or {}).items()):
                h = self._resolve(value)
                schema = h.get("schema", {}) if isinstance(h, dict) else {}
                fixed = (h.get("example") if isinstance(h, dict) else None) or (
                    schema.get("default") if isinstance(schema, dict) else None)
                if isinstance(fixed, str) and str(header).lower() != "content-type":
                    headers.append((str(header), fixed))
            style = str(enc["style"]) if isinstance(enc.get("style"), str) else "form"
            explode = enc.get("explode")
            out.append(api.PartEncoding(
                field=str(name),
                # a list of types is allowed; a client sends the first
                content_type=str(enc["contentType"]).split(",")[0].strip() if isinstance(
                    enc.get("contentType"), str) else None,
                headers=tuple(headers),
                style=style,
                explode=explode if isinstance(explode, bool) else style == "form",
                allow_reserved=enc.get("allowReserved") is True,
            ))
        return tuple(out)

    def _responses(self, op: dict[str, Any],
                   op_id: str) -> tuple[tuple[api.Response, ...], str | None]:
        responses: list[api.Response] = []
        for status in sorted(op.get("responses", {})):
            response = self._resolve(op["responses"][status])
            content = response.get("content")
            content = content if isinstance(content, dict) else {}
            kind: api.ResponseKind = "empty"
            schema = None
            json_types = sorted((t for t in content if _is_json(t)),
                                key=lambda t: (_essence(t) != "application/json", t))
            if json_types:
                kind = "json"
                media = content[json_types[0]]
                schema = media.get("schema") if isinstance(media, dict) else None
            elif content:
                first = sorted(content)[0]
                kind = "text" if _is_text(first) else "binary"
            ref = (self._hoist(schema, f"{op_id}_response", any_schema=True)
                   if schema is not None else None)
            model = self.class_names.get(ref) if ref else None
            responses.append(api.Response(status=str(status), model=model,
                                          description=_text(response.get("description")),
                                          kind=kind, media_types=tuple(sorted(content))))
        chosen = _success_responses(tuple(responses))
        success = next((r.model for r in chosen if r.model), None)
        return tuple(responses), success

    def _bulk(self, op: dict[str, Any], body: api.RequestBody | None,
              params: tuple[api.Parameter, ...], pointer: str) -> api.BoundedArray | None:
        if body is None or body.model is None:
            return None
        taken = {p.name for p in params} | {f.name for f in body.fields}
        if taken & _BULK_OPTIONS:
            self._warn("no-bulk-method", "no bulk method: argument(s) "
                       f"{', '.join(sorted(taken & _BULK_OPTIONS))} clash with its options",
                       pointer)
            return None
        target = self._resolve({"$ref": self.ref_of[body.model]})
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
        success_ref = self.ref_of.get(success) if success is not None else None
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
        classes = _ResourceClasses(self._classes_used())
        resources = []
        for tag in sorted(by_tag):
            attribute = attributes.claim(snake(tag, "default"))
            resources.append(api.Resource(
                tag=tag,
                module=module_name(attribute),
                attribute=attribute,
                class_name=classes.claim(pascal(tag, "Default")),
                description=tag_docs.get(tag, ""),
                operations=_method_names(by_tag[tag]),
            ))
        return tuple(resources)

    def _classes_used(self) -> set[str]:
        return set(self.class_names.values()) | set(_RESERVED_CLASSES)

    def schemes(
        self, operations: list[tuple[str, api.Operation]]
    ) -> tuple[api.SecurityScheme, ...]:
        raw = self.components.get("securitySchemes", {})
        raw = raw if isinstance(raw, dict) else {}
        by_id = {op.operation_id: op for _, op in operations}
        credentials = Namespace()
        used: set[str] = set()

        def claim(base: str, key: str) -> str:
            """`token` for the first scheme wanting one; then one named after the scheme
            (`personal_access_token`, `oauth2_token`)."""
            named = snake(key, "scheme")
            last_word = base.rsplit("_", 1)[-1]
            name = credentials.claim(base if base not in used else (
                named if named.endswith(last_word) else f"{named}_{base}"))
            used.add(name)
            return name

        schemes = []
        for key in sorted(raw):
            scheme = self._resolve(raw[key])
            if not isinstance(scheme, dict):
                continue
            kind = scheme.get("type")
            description = _text(scheme.get("description"))
            http = str(scheme.get("scheme", "")).lower() if kind == "http" else ""
            if http == "basic":
                schemes.append(api.SecurityScheme(
                    key=key, kind="basic", credential=claim("username", key),
                    password=claim("password", key), location="header",
                    wire_name="Authorization", description=description))
            elif kind == "http" and http and http != "digest":
                exchange = self._exchange(scheme.get("x-token-exchange"), by_id, key)
                schemes.append(api.SecurityScheme(
                    key=key, kind="bearer", credential=claim("token", key),
                    location="header", wire_name="Authorization", description=description,
                    exchange=exchange,
                    prefix="Bearer" if http == "bearer" else str(scheme["scheme"])))
            elif kind in ("oauth2", "openIdConnect"):
                token = claim("token", key)
                flows = scheme.get("flows") if kind == "oauth2" else None
                flow = flows.get("clientCredentials") if isinstance(flows, dict) else None
                client_credentials = None
                if isinstance(flow, dict) and isinstance(flow.get("tokenUrl"), str):
                    client_credentials = api.ClientCredentials(
                        token_url=str(flow["tokenUrl"]),
                        client_id=claim("client_id", key),
                        client_secret=claim("client_secret", key))
                schemes.append(api.SecurityScheme(
                    key=key, kind="bearer", credential=token, location="header",
                    wire_name="Authorization", description=description,
                    client_credentials=client_credentials))
            elif kind == "apiKey" and scheme.get("in") in ("header", "query", "cookie"):
                schemes.append(api.SecurityScheme(
                    key=key, kind="apiKey", credential=claim("api_key", key),
                    location=str(scheme.get("in", "header")), wire_name=str(scheme.get("name")),
                    description=description))
            else:
                self._warn("unsupported-security",
                           f"security scheme {key!r} of type {kind!r} is not supported; "
                           "pass its credentials through extra_headers or http_client",
                           f"/components/securitySchemes/{escape_pointer_token(key)}")
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



_STYLES = {
    "path": frozenset({"simple", "label", "matrix"}),
    "query": frozenset({"form", "spaceDelimited", "pipeDelimited", "deepObject"}),
    "header": frozenset({"simple"}),
    "cookie": frozenset({"form"}),
}


def _essence(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def _is_json(media_type: str) -> bool:
    kind = _essence(media_type)
    return kind == "application/json" or kind.endswith("+json")


def _is_text(media_type: str) -> bool:
    kind = _essence(media_type)
    return kind.startswith("text/") or kind in ("application/xml", "application/yaml") or (
        kind.endswith("+xml"))


def _preferred_media_type(content: dict[str, Any]) -> str:
    """The media type a generated method sends when the spec offers several: JSON,
    then forms, then the rest in name order."""
    if not content:
        return "application/json"
    def rank(media_type: str) -> tuple[int, str]:
        kind = _essence(media_type)
        order = (0 if kind == "application/json" else 1 if _is_json(kind)
                 else 2 if kind == "application/x-www-form-urlencoded"
                 else 3 if kind == "multipart/form-data" else 4)
        return order, media_type
    return min((str(k) for k in content), key=rank)


def _is_binary_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "string" and (
        schema.get("format") == "binary" or "contentMediaType" in schema
        or schema.get("contentEncoding") == "binary")


def _body_kind(media_type: str, schema: Any) -> api.BodyKind:
    kind = _essence(media_type)
    if _is_json(kind):
        return "json"
    if kind.startswith("multipart/"):
        return "multipart"
    if kind == "application/x-www-form-urlencoded":
        return "form"
    if _is_binary_schema(schema):
        return "binary"
    if _is_text(kind):
        return "text"
    if isinstance(schema, dict) and (
            schema.get("type") in ("object", "array") or "properties" in schema):
        return "json"  # a structure under another media type: JSON is all we can send
    return "binary"


def _success_responses(responses: tuple[api.Response, ...]) -> list[api.Response]:
    """What a call returns: the 2xx answers; else the 3xx ones (an operation that only
    redirects); else `default`."""
    for first in ("2", "3"):
        found = [r for r in responses if r.status.startswith(first)]
        if found:
            return found
    return [r for r in responses if r.status == "default"]


def _success_shape(responses: tuple[api.Response, ...], model: str | None
                   ) -> tuple[str | None, tuple[tuple[str, api.ResponseKind], ...], str]:
    """The return type when not `model`, the success statuses whose body is not JSON,
    and the Accept header."""
    success = _success_responses(responses)
    # An empty answer matters only where a JSON one would be validated; a 3xx result
    # is listed whatever its kind, since the client takes it for a result only then.
    kinds = tuple((r.status, r.kind) for r in success
                  if r.status.startswith("3")
                  or (r.kind != "json" and (r.kind != "empty" or model is not None)))
    types: list[str] = []
    for r in success:
        hint = {"text": "str", "binary": "bytes", "empty": "None"}.get(
            r.kind, r.model or "None")
        if hint not in types:
            types.append(hint)
    if "None" in types:
        types.remove("None")
        types.append("None")
    returns = " | ".join(types) if types else None
    if returns == (model or "None") or (returns is None and model is None):
        returns = None
    media = [m for r in success for m in r.media_types]
    accept = "application/json"
    if any(not _is_json(m) for m in media):
        accept = ", ".join(sorted(dict.fromkeys(media), key=lambda m: (not _is_json(m), m)))
    return returns, kinds, accept


class _ResourceClasses:
    """Resource class names: the tag's name (`Pets`), or `PetResource` when a model is
    called `Pet`, as Stainless names them; a number only if that is taken too. Each name
    also defines `Async<name>`, `<name>WithRawResponse` and `Async<name>WithRawResponse`."""

    def __init__(self, taken: set[str]) -> None:
        self._taken = set(taken)

    def _free(self, name: str) -> bool:
        return not {name, f"Async{name}", f"{name}WithRawResponse",
                    f"Async{name}WithRawResponse"} & self._taken

    def claim(self, name: str) -> str:
        candidate = name if self._free(name) else f"{name}Resource"
        n = 1
        while not self._free(candidate):
            n += 1
            candidate = f"{name}Resource{n}"
        self._taken |= {candidate, f"Async{candidate}", f"{candidate}WithRawResponse",
                        f"Async{candidate}WithRawResponse"}
        return candidate


def _method_names(operations: list[api.Operation]) -> tuple[api.Operation, ...]:
    """Unique method names within one resource, counting the companions an operation
    brings along (`name_all` for a bulk operation, `name_iter` for a paged one): those
    operations choose first, so `migrate_all` beside a bulk `migrate` becomes
    `migrate_all_2` rather than replacing the bulk method. The module constants (`_NAME`,
    and `_NAME_BULK` for a bulk operation) are made unique apart: internal names give
    way, the methods a caller sees keep theirs."""
    methods = set(_RESOURCE_MEMBERS)
    constants: set[str] = set()
    named: list[api.Operation] = []

    def companions(op: api.Operation) -> tuple[str, ...]:
        return (*(("_all",) if op.bulk else ()), *(("_iter",) if op.pagination else ()))

    for op in sorted(operations, key=lambda o: (not companions(o), o.name, o.path, o.method)):
        name = _first_free(op.name, "_{}", methods, companions(op))
        constant = _first_free(f"_{name.upper()}", "_{}", constants,
                               ("_BULK",) if op.bulk else ())
        named.append(replace(op, name=name, constant=constant))
    return tuple(sorted(named, key=lambda o: (o.name, o.path, o.method)))


def _first_free(name: str, numbering: str, taken: set[str], also: tuple[str, ...]) -> str:
    """`name`, else `name_2`, `name_3`...: the first that is free in `taken` together with
    its companions `<name><suffix>`; all are then added to `taken`."""
    candidate, n = name, 1
    while {candidate, *(candidate + suffix for suffix in also)} & taken:
        n += 1
        candidate = name + numbering.format(n)
    taken |= {candidate, *(candidate + suffix for suffix in also)}
    return candidate


def _common_prefix(paths: list[str]) -> list[str]:
    """The leading path segments every path shares (`/v1`, `/api`): no resource name."""
    split = [[s for s in p.split("/") if s] for p in paths]
    prefix: list[str] = []
    for segments in zip(*split, strict=False):
        if len(set(segments)) != 1 or segments[0].startswith("{"):
            break
        prefix.append(segments[0])
    if split and len(prefix) == min(len(s) for s in split):
        prefix = prefix[:-1]  # a path made of the prefix alone still names its resource
    return prefix


def _without_prefix(path: str, prefix: list[str]) -> str:
    return "/".join([s for s in path.split("/") if s][len(prefix):])


def _path_group(path: str, prefix: list[str]) -> str:
    """The resource of an operation without tags: its first path segment after the
    prefix all paths share, that is not a parameter (`/v1/customers/{id}` -> customers)."""
    segments = [s for s in path.split("/") if s][len(prefix):]
    return next((s for s in segments if not s.startswith("{")), "default")


def parse(spec: LoadedSpec, options: dict[str, Any]) -> ParsedSpec:
    """Build the API model. `options`: package, client_name, env_prefix."""
    problem = check_package_name(str(options["package"]))
    if problem:
        raise GeneratorError(problem)
    client = str(options["client_name"])
    if client in _RESERVED_CLASSES or f"Async{client}" in _RESERVED_CLASSES:
        raise GeneratorError(f"client-name {client!r} would shadow a name the package "
                             "exports or uses; choose another name")
    return cached_parse(spec, options, lambda: _parse(spec, options))


def _parse(spec: LoadedSpec, options: dict[str, Any]) -> ParsedSpec:
    parser = _Parser(spec, options)
    operations = parser.operations()
    extensions.check_bulk_order([op for _, op in operations], spec.error)
    resources = parser.resources(operations)
    schemes = parser.schemes(operations)
    prefix = str(options["env_prefix"])
    credentials = tuple(
        api.ClientSetting(name=name, env=f"{prefix}_{name.upper()}",
                          description=s.description)
        for s in schemes for name in s.credential_names
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
        credentials_required=not any(
            not op.security or () in op.security
            for resource in resources for op in resource.operations),
    )
    schema_doc = {
        "openapi": parser.doc.get("openapi", "3.1.0"),
        "info": {"title": "models", "version": "0"},
        "paths": {},
        # A copy (the document stays as read), each `$ref` naming the class it became.
        "components": {"schemas": {
            parser.class_names[f"#/components/schemas/{escape_pointer_token(k)}"]:
                _rewritten(v, parser.class_names) for k, v in parser.schemas.items()}},
    }
    if not schema_doc["components"]["schemas"] and not any(r.operations for r in resources):
        parser._warn("empty-document", "the document has neither operations nor schemas: "
                     "the client has nothing but its runtime", "")
    return ParsedSpec(api=model, schema_document=schema_doc, warnings=parser.warnings)


def _rewritten(value: Any, class_names: dict[str, str]) -> Any:
    """A copy of `value` whose schema `$ref`s point at the class each schema was renamed
    to (a discriminator's mapping names schemas by reference too)."""
    if isinstance(value, list):
        return [_rewritten(item, class_names) for item in value]
    if not isinstance(value, dict):
        return value
    value = dict(value)
    ref = value.get("$ref")
    if isinstance(ref, str) and ref in class_names:
        value["$ref"] = f"#/components/schemas/{class_names[ref]}"
    discriminator = value.get("discriminator")
    mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
    if isinstance(mapping, dict):
        value["discriminator"] = {**discriminator, "mapping": {
            key: f"#/components/schemas/{class_names[target]}"
            if isinstance(target, str) and target in class_names else target
            for key, target in mapping.items()}}
    return {key: _rewritten(item, class_names) for key, item in value.items()}
