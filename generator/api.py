"""The plain model of an API that templates render: no OpenAPI left in it.

Every name here is already a safe Python identifier; every piece of text from
the spec is still raw text, escaped by the template filters when emitted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from .hints import IMPORTS

ParamLocation = Literal["path", "query", "header", "cookie"]


@dataclass(frozen=True)
class Parameter:
    wire_name: str  # as sent on the wire: `x-account-id`
    name: str  # the Python argument: `account_id`
    location: ParamLocation
    required: bool
    type_hint: str
    default: Any  # a JSON scalar from the spec, or None
    description: str
    client_level: bool  # also settable once on the client (headers)
    # Serialisation (OpenAPI `style`/`explode`/`allowReserved`); the defaults are the
    # spec's defaults for the location, which templates leave out of the output.
    style: str = ""
    explode: bool = False
    allow_reserved: bool = False
    content_type: str | None = None  # a parameter with `content` instead of `schema`

    @property
    def non_default_style(self) -> bool:
        return self.style != DEFAULT_STYLES[self.location]

    @property
    def non_default_explode(self) -> bool:
        """Against the runtime's default for the location (that of its default style)."""
        return self.explode != (DEFAULT_STYLES[self.location] == "form")


DEFAULT_STYLES: dict[str, str] = {
    "path": "simple", "query": "form", "header": "simple", "cookie": "form"}

BodyKind = Literal["json", "multipart", "form", "binary", "text"]
ResponseKind = Literal["json", "text", "binary", "empty"]


@dataclass(frozen=True)
class BodyField:
    wire_name: str
    name: str
    required: bool
    type_hint: str  # what a caller may pass
    description: str
    example: str | None = None  # Python source of an example value, for the README


@dataclass(frozen=True)
class PartEncoding:
    """The spec's `encoding` of one field of a multipart or url-encoded body."""

    field: str
    content_type: str | None
    headers: tuple[tuple[str, str], ...]  # fixed header values (from examples/defaults)
    style: str
    explode: bool
    allow_reserved: bool


@dataclass(frozen=True)
class RequestBody:
    content_type: str
    model: str | None  # the pydantic model validating the whole body, if it is an object
    fields: tuple[BodyField, ...]  # flattened into keyword arguments
    required: bool
    type_hint: str  # used when the body is not a flattened object: `body: <type_hint>`
    kind: BodyKind = "json"
    encoding: tuple[PartEncoding, ...] = ()

    @property
    def needs_spec(self) -> bool:
        """Whether the runtime must be told how to send it (all but plain JSON)."""
        return self.kind != "json" or self.content_type != "application/json"


@dataclass(frozen=True)
class Response:
    status: str  # "201", "4XX", "default"
    model: str | None
    description: str
    kind: ResponseKind = "json"
    media_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoundedArray:
    """A body array with `maxItems`: what the bulk method splits into batches."""

    field: BodyField
    item_model: str
    max_items: int
    min_interval_seconds: float | None  # from the operation's `x-rate-limit`
    hourly_limits: tuple[tuple[str, int], ...]
    shared_limiter: str | None = None  # `x-rate-limit.shared`: one pace for every op naming it
    nested_field: str | None = None  # `x-bulk`: wire name of each item's nested array...
    max_nested: int | None = None  # ...whose lengths, summed over a request, stay <= this
    replay_safe: bool = False  # `x-bulk.replay-safe`: a batch sent twice does no harm
    after: tuple[str, ...] = ()  # `x-bulk.after`: operationIds to run before this one
    example_record: str | None = None  # one item as a JSON line, for the README


@dataclass(frozen=True)
class Pagination:
    """`x-pagination`: pages are ranges of record indices (`from`..`to`, included)."""

    from_param: Parameter
    to_param: Parameter
    items_pointer: tuple[str, ...]  # where the page's items are in the response
    item_model: str | None  # their model, when the success schema says
    page_size: int


@dataclass(frozen=True)
class Operation:
    operation_id: str
    name: str  # method name on its resource
    constant: str  # module-level constant describing the operation
    method: str  # upper case
    path: str
    summary: str
    description: str
    deprecated: bool
    parameters: tuple[Parameter, ...]
    body: RequestBody | None
    responses: tuple[Response, ...]
    success_model: str | None
    security: tuple[tuple[str, ...], ...]
    bulk: BoundedArray | None = None
    pagination: Pagination | None = None
    # The return type when it is not `success_model` (`bytes`, `str`, `Pet | None`).
    returns: str | None = None
    response_kinds: tuple[tuple[str, ResponseKind], ...] = ()  # non-JSON success statuses
    accept: str = "application/json"

    @property
    def streams(self) -> bool:
        """Whether an answer is binary: the method also gets a streaming form."""
        return any(kind == "binary" for _, kind in self.response_kinds)

    def params_in(self, location: ParamLocation) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == location)

    @property
    def models_used(self) -> tuple[str, ...]:
        names: set[str] = set()
        if self.success_model:
            names.add(self.success_model)
        if self.returns:  # several answers: `Pet | PetList | None`
            names.update(_model_names(self.returns))
        if self.body is not None:
            if self.body.model:
                names.add(self.body.model)
            names.update(_model_names(self.body.type_hint))
            for f in self.body.fields:
                names.update(_model_names(f.type_hint))
        for p in self.parameters:
            names.update(_model_names(p.type_hint))
        if self.bulk is not None:
            names.add(self.bulk.item_model)
        if self.pagination is not None and self.pagination.item_model:
            names.add(self.pagination.item_model)
        return tuple(sorted(n for n in names if n))


def _model_names(type_hint: str) -> set[str]:
    """The models named in a hint like `Sequence[Contact | Mapping[str, Any]]`."""
    without_literals = _STRING_LITERAL.sub("", type_hint)  # `Literal['Asc']` names no model
    tokens = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", without_literals)
    return {t for t in tokens if t[:1].isupper() and t not in _NOT_MODELS}


_STRING_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
# Capitalised names in hints that are not models: typing names and what `hints` imports.
_NOT_MODELS = frozenset({"Sequence", "Mapping", "Any", "None", "Literal", *IMPORTS,
                         "FileInput", "BinaryInput"})


@dataclass(frozen=True)
class Resource:
    tag: str
    module: str  # resources/<module>.py
    attribute: str  # client.<attribute>
    class_name: str  # Contacts / AsyncContacts
    description: str
    operations: tuple[Operation, ...]

    @property
    def streaming(self) -> tuple[Operation, ...]:
        return tuple(op for op in self.operations if op.streams)


@dataclass(frozen=True)
class TokenExchange:
    operation: Operation
    security: tuple[tuple[str, ...], ...]
    token_pointer: tuple[str, ...]
    refresh_leeway: float


@dataclass(frozen=True)
class ClientCredentials:
    """The OAuth 2 client-credentials flow of an oauth2 scheme."""

    token_url: str
    client_id: str  # client arguments
    client_secret: str
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SecurityScheme:
    key: str  # name under components.securitySchemes
    kind: Literal["bearer", "apiKey", "basic"]  # bearer: http bearer, oauth2, openIdConnect
    credential: str  # client argument holding the secret (basic: the username)
    location: str  # header / query / cookie (apiKey)
    wire_name: str  # header or parameter name (apiKey)
    description: str
    exchange: TokenExchange | None = None
    password: str = ""  # basic: the client argument holding the password
    prefix: str = "Bearer"  # bearer: the Authorization scheme word
    client_credentials: ClientCredentials | None = None

    @property
    def credential_names(self) -> tuple[str, ...]:
        if self.kind == "basic":
            return (self.credential, self.password)
        if self.client_credentials is not None:
            cc = self.client_credentials
            return (self.credential, cc.client_id, cc.client_secret)
        return (self.credential,)


@dataclass(frozen=True)
class ClientSetting:
    """A keyword of the client constructor that a user may also set by environment."""

    name: str
    env: str
    description: str


@dataclass(frozen=True)
class Api:
    title: str
    version: str
    description: str
    servers: tuple[str, ...]
    resources: tuple[Resource, ...]
    schemes: tuple[SecurityScheme, ...]
    credentials: tuple[ClientSetting, ...]
    param_defaults: tuple[ClientSetting, ...]
    schema_names: tuple[str, ...]
    spec_sha256: str
    spec_name: str
    options: dict[str, Any] = field(default_factory=dict)
    credentials_required: bool = True  # False: some operation needs none
