"""Plain data that the generated code hands to the runtime.

``ClientConfig`` describes the API once (credentials, security schemes, client-level
parameter defaults); one ``Operation`` per endpoint says how to call it. They hold
no behaviour: the runtime reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from ._types import NOT_GIVEN, Headers, NotGiven, Query, Timeout

__all__ = [
    "ApiKeyAuth",
    "BasicAuth",
    "BearerAuth",
    "ClientConfig",
    "ClientCredentials",
    "CookieParam",
    "CredentialSpec",
    "HeaderParam",
    "Operation",
    "ParamDefault",
    "PartEncoding",
    "PathParam",
    "QueryParam",
    "RequestBodySpec",
    "RequestOptions",
    "SecurityScheme",
    "TokenExchange",
]


@dataclass(frozen=True)
class CredentialSpec:
    """A secret the client accepts as a keyword argument ``name``, or from ``env``."""

    name: str
    env: str | None = None


@dataclass(frozen=True)
class TokenExchange:
    """How to obtain a bearer token by calling an operation of the API itself.

    The operation ``method path`` is called with ``security`` (for example the API-key
    scheme); the token is read from the JSON response at ``token_pointer`` (keys and
    list indexes), and replaced ``refresh_leeway`` seconds before its JWT ``exp``.
    """

    method: str
    path: str
    security: tuple[tuple[str, ...], ...]
    token_pointer: tuple[str | int, ...]
    refresh_leeway: float = 300.0


@dataclass(frozen=True)
class ClientCredentials:
    """The OAuth 2 client-credentials flow (RFC 6749 section 4.4): the client posts its
    ``client_id`` and ``client_secret`` credentials (HTTP Basic) to ``token_url``, a URL
    absolute or relative to the base URL, and reads ``access_token`` and ``expires_in``.
    """

    token_url: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BearerAuth:
    """``Authorization: <prefix> <token>``: the credential ``credential`` when the caller
    gives it, otherwise a token obtained through ``exchange`` or ``client_credentials``
    when there is one. Serves http ``bearer``, ``oauth2`` and ``openIdConnect`` schemes.
    """

    credential: str
    exchange: TokenExchange | None = None
    client_credentials: ClientCredentials | None = None
    prefix: str = "Bearer"

    @property
    def credential_names(self) -> tuple[str, ...]:
        if self.client_credentials is None:
            return (self.credential,)
        cc = self.client_credentials
        return (self.credential, cc.client_id, cc.client_secret)


@dataclass(frozen=True)
class BasicAuth:
    """``Authorization: Basic base64(username:password)`` from two credentials."""

    username: str
    password: str

    @property
    def credential_names(self) -> tuple[str, ...]:
        return (self.username, self.password)


@dataclass(frozen=True)
class ApiKeyAuth:
    """The credential ``credential`` sent as header, query parameter or cookie ``name``."""

    credential: str
    location: Literal["header", "query", "cookie"]
    name: str

    @property
    def credential_names(self) -> tuple[str, ...]:
        return (self.credential,)


SecurityScheme: TypeAlias = BearerAuth | ApiKeyAuth | BasicAuth


@dataclass(frozen=True)
class ParamDefault:
    """A parameter that may be set once on the client (keyword ``name`` or ``env``)
    instead of on every call."""

    name: str
    env: str | None = None


@dataclass(frozen=True)
class ClientConfig:
    """Everything the runtime needs to know about one API."""

    package: str
    version: str
    client_name: str
    env_prefix: str
    default_base_url: str
    credentials: tuple[CredentialSpec, ...] = ()
    security_schemes: Mapping[str, SecurityScheme] = field(default_factory=dict)
    param_defaults: tuple[ParamDefault, ...] = ()
    # False when some operation may be called without credentials: then a client
    # without any is not refused at construction, only the calls that need them.
    credentials_required: bool = True

    def __post_init__(self) -> None:
        # Mistakes here are generator bugs: fail when the generated module is imported.
        names = {c.name for c in self.credentials}
        for scheme_name, scheme in self.security_schemes.items():
            for credential in scheme.credential_names:
                if credential not in names:
                    raise ValueError(
                        f"security scheme {scheme_name!r} uses unknown credential {credential!r}"
                    )
            if isinstance(scheme, BearerAuth) and scheme.exchange is not None:
                for requirement in scheme.exchange.security:
                    for name in requirement:
                        if name not in self.security_schemes or name == scheme_name:
                            raise ValueError(
                                f"token exchange of {scheme_name!r} cannot use scheme {name!r}"
                            )


@dataclass(frozen=True)
class HeaderParam:
    """Header ``wire``, the Python argument ``name``; ``default`` is the spec's default.
    Serialised with style ``simple``; ``content_type`` (``application/json``) instead
    when the spec gives the parameter a ``content`` rather than a ``schema``."""

    wire: str
    name: str
    required: bool = False
    default: object = None
    explode: bool = False
    content_type: str | None = None


@dataclass(frozen=True)
class QueryParam:
    """Query parameter ``wire``, the Python argument ``name``; ``style`` ``form``,
    ``spaceDelimited``, ``pipeDelimited`` or ``deepObject``; ``allow_reserved`` leaves
    RFC 3986 reserved characters unencoded."""

    wire: str
    name: str
    required: bool = False
    default: object = None
    style: str = "form"
    explode: bool = True
    allow_reserved: bool = False
    content_type: str | None = None


@dataclass(frozen=True)
class PathParam:
    """Path placeholder ``{wire}`` in ``Operation.path``, the Python argument ``name``;
    ``style`` ``simple``, ``label`` or ``matrix``."""

    wire: str
    name: str
    style: str = "simple"
    explode: bool = False
    content_type: str | None = None


@dataclass(frozen=True)
class CookieParam:
    """Cookie ``wire``, the Python argument ``name``; style ``form``."""

    wire: str
    name: str
    required: bool = False
    default: object = None
    explode: bool = True
    content_type: str | None = None


@dataclass(frozen=True)
class PartEncoding:
    """How one field of a multipart or form body is sent (the spec's ``encoding``)."""

    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    style: str = "form"
    explode: bool = True
    allow_reserved: bool = False


@dataclass(frozen=True)
class RequestBodySpec:
    """A body that is not plain JSON: ``kind`` ``multipart``, ``form``, ``binary``,
    ``text``, or ``json`` under another media type (``application/merge-patch+json``),
    sent with ``content_type``; ``encoding`` by field name (multipart and form)."""

    kind: Literal["json", "multipart", "form", "binary", "text"]
    content_type: str
    encoding: Mapping[str, PartEncoding] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    """One endpoint. ``security`` lists alternative requirements, each a tuple of scheme
    names that must all be satisfied; the first one the client's credentials satisfy
    is used. ``()`` means no authentication; a ``()`` requirement inside means
    "anonymous is fine"."""

    method: str
    path: str
    security: tuple[tuple[str, ...], ...] = ()
    header_params: tuple[HeaderParam, ...] = ()
    path_params: tuple[PathParam, ...] = ()
    query_params: tuple[QueryParam, ...] = ()
    cookie_params: tuple[CookieParam, ...] = ()
    body: RequestBodySpec | None = None  # None: JSON, when there is a body
    # Success statuses whose body is not JSON: "text", "binary" or "empty"
    # ("default" for any other success status); a status not listed is JSON. A 3xx
    # status listed here (even as "json") is a result, not an error.
    response_kinds: Mapping[str, Literal["json", "text", "binary", "empty"]] = field(
        default_factory=dict
    )
    accept: str = "application/json"  # the Accept header: the success media types

    @property
    def label(self) -> str:
        """``POST /contacts/migrate``."""
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True)
class RequestOptions:
    """Per-call settings that every generated method accepts."""

    extra_headers: Headers | None = None
    extra_query: Query | None = None
    timeout: Timeout | NotGiven = NOT_GIVEN
    max_retries: int | NotGiven = NOT_GIVEN
