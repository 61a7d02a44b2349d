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
    "BearerAuth",
    "ClientConfig",
    "CredentialSpec",
    "HeaderParam",
    "Operation",
    "ParamDefault",
    "PathParam",
    "QueryParam",
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
class BearerAuth:
    """``Authorization: Bearer <token>``: the credential ``credential`` when the caller
    gives it, otherwise a token obtained through ``exchange`` when there is one."""

    credential: str
    exchange: TokenExchange | None = None


@dataclass(frozen=True)
class ApiKeyAuth:
    """The credential ``credential`` sent as header, query parameter or cookie ``name``."""

    credential: str
    location: Literal["header", "query", "cookie"]
    name: str


SecurityScheme: TypeAlias = BearerAuth | ApiKeyAuth


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

    def __post_init__(self) -> None:
        # Mistakes here are generator bugs: fail when the generated module is imported.
        names = {c.name for c in self.credentials}
        for scheme_name, scheme in self.security_schemes.items():
            if scheme.credential not in names:
                raise ValueError(
                    f"security scheme {scheme_name!r} uses unknown credential {scheme.credential!r}"
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
    """Header ``wire``, the Python argument ``name``; ``default`` is the spec's default."""

    wire: str
    name: str
    required: bool = False
    default: object = None


@dataclass(frozen=True)
class QueryParam:
    """Query parameter ``wire``, the Python argument ``name``."""

    wire: str
    name: str
    required: bool = False
    default: object = None


@dataclass(frozen=True)
class PathParam:
    """Path placeholder ``{wire}`` in ``Operation.path``, the Python argument ``name``."""

    wire: str
    name: str


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
