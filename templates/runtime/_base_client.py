"""The machinery under the generated ``Client`` and ``AsyncClient`` classes.

A request goes through these steps, shared by both clients except for the sending:

1. ``_prepare``: resolve parameters (per call > client setting or environment >
   spec default), build the URL, encode the body, pick the security requirement the
   client's credentials satisfy. Nothing has been sent if this fails.
2. ``_send``: attach credentials (exchanging the API key for a bearer token when
   needed), send, and retry connection errors, timeouts, 408, 409, 429 and 5xx with
   the waits of ``_retry``; on a 401 with an exchanged token, fetch a new token once
   and try again once.
3. ``_parse``: validate a 2xx body into the operation's return type, or wrap the
   response for ``with_raw_response``. Non-2xx answers raise ``_exceptions``.

Tests replace ``_sleep``, ``_clock`` and ``_random`` on an instance to run without
waiting; copies made by ``with_options`` keep them.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import itertools
import logging
import math
import os
import platform
import random
import ssl
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Self, TypeVar, cast, overload

import httpx
import pydantic

from ._auth import AsyncTokenCache, Fetched, SyncTokenCache
from ._bodies import EncodedBody, encode_request_body
from ._config import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    ClientConfig,
    ClientCredentials,
    CookieParam,
    CredentialSpec,
    HeaderParam,
    Operation,
    ParamDefault,
    PartEncoding,
    PathParam,
    QueryParam,
    RequestBodySpec,
    RequestOptions,
    SecurityScheme,
    TokenExchange,
)
from ._constants import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, HTTPX_DEFAULT_TIMEOUT
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    RequestValidationError,
    format_validation_errors,
    make_status_error,
    parse_body,
)
from ._logging import Redactor, configure_logging
from ._response import (
    APIResponse,
    AsyncStreamedResponse,
    StreamedResponse,
    read_leniently,
    take_raw_response_request,
    take_streamed_response_request,
)
from ._retry import backoff_delay, is_retryable_status, parse_retry_after, retry_delay
from ._serialization import (
    cookie_pairs,
    encode_content,
    form_pairs,
    header_value,
    path_value,
    query_string,
    query_value_pairs,
)
from ._types import NOT_GIVEN, NotGiven, Timeout

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ApiKeyAuth",
    "AsyncAPIClient",
    "AsyncAPIResource",
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
    "SyncAPIClient",
    "SyncAPIResource",
    "TokenExchange",
]

_T = TypeVar("_T")
_HttpxClientT = TypeVar("_HttpxClientT", httpx.Client, httpx.AsyncClient)
_CacheT = TypeVar("_CacheT", SyncTokenCache, AsyncTokenCache)

_MAX_LISTED_RESPONSE_ERRORS = 5
_OAUTH_LEEWAY = 60.0  # seconds before an OAuth 2 token's expiry to fetch the next


@dataclass(frozen=True)
class _Prepared:
    """Everything about one call that does not change between attempts."""

    operation: Operation
    label: str
    url: str
    headers: dict[str, str]
    # By parameter name: its part of the query string, percent-encoded (`a=1&a=2`).
    query: dict[str, str]
    extra_headers: Mapping[str, str]
    content: bytes | None  # a JSON body (the bulk engine replaces it per batch)
    timeout: httpx.Timeout
    max_retries: int
    requirement: tuple[str, ...]
    body: EncodedBody = field(default_factory=EncodedBody)  # any other body
    retry_note: str = ""  # why an answer that would be retried was not


@dataclass(frozen=True)
class _Auth:
    """Credentials attached to one attempt."""

    headers: dict[str, str]
    query: dict[str, str]
    bearer: tuple[str, str] | None = None  # (scheme name, token) of a fetched token


def _add_cookie(headers: dict[str, str], pairs: list[tuple[str, str]]) -> None:
    if not pairs:
        return
    cookie = "; ".join(f"{k}={v}" for k, v in pairs)
    previous = headers.get("Cookie")
    headers["Cookie"] = f"{previous}; {cookie}" if previous else cookie


def _is_result(prep: _Prepared, response: httpx.Response) -> bool:
    """A 2xx answer, or a 3xx one the operation declares as its result (it only
    redirects): what the call returns rather than raises."""
    return response.is_success or (
        response.is_redirect
        and str(response.status_code) in prep.operation.response_kinds
    )


def _body_size(message: httpx.Request | httpx.Response) -> str:
    """``12 bytes``, or ``streamed`` for a body not (yet) held in memory."""
    try:
        return f"{len(message.content)} bytes"
    except (httpx.RequestNotRead, httpx.ResponseNotRead):
        return "streamed"


def _basic_credentials(username: str, password: str) -> str:
    return base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


def _join_url(base_url: str, url: str) -> str:
    """``url`` as given when absolute, else relative to the API's base URL."""
    if url.startswith(("http://", "https://")):
        return url
    return base_url + ("" if url.startswith("/") else "/") + url


@functools.lru_cache(maxsize=1)
def _shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every client the process creates (httpx's defaults: the
    certifi bundle, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``). Loading the CA bundle takes
    about 50 ms, which would otherwise be paid by every new client."""
    return httpx.create_ssl_context()


@functools.lru_cache(maxsize=256)
def _type_adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(tp)


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _BaseClient(Generic[_HttpxClientT, _CacheT]):
    """What the sync and async clients share: configuration, preparation, parsing."""

    _http_client_type: type[_HttpxClientT]
    _is_async: bool
    _sleep: Any
    _clock: Callable[[], float]
    _random: Callable[[], float]

    def __init__(
        self,
        *,
        config: ClientConfig,
        credentials: Mapping[str, str | None],
        param_defaults: Mapping[str, str | None],
        base_url: str | httpx.URL | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: _HttpxClientT | None = None,
        strict_response_validation: bool = False,
    ) -> None:
        self._config = config
        # False: a 2xx body off its schema is returned as read, with a warning (_response).
        self._strict_response_validation = bool(strict_response_validation)
        self._credentials = self._read_settings(
            config.credentials, credentials, "credential"
        )
        self._param_defaults = self._read_settings(
            config.param_defaults, param_defaults, "parameter"
        )
        self._base_url = self._read_base_url(base_url)

        if (
            isinstance(max_retries, bool)
            or not isinstance(max_retries, int)
            or max_retries < 0
        ):
            raise ConfigurationError(
                f"max_retries must be an integer >= 0, got {max_retries!r}"
            )
        self._max_retries = max_retries

        if http_client is not None and not isinstance(
            http_client, self._http_client_type
        ):
            raise TypeError(
                f"http_client must be an {self._http_client_type.__module__}."
                f"{self._http_client_type.__qualname__}, got {type(http_client).__qualname__}"
            )
        if isinstance(timeout, NotGiven):
            if http_client is not None and http_client.timeout != HTTPX_DEFAULT_TIMEOUT:
                timeout = http_client.timeout
            else:
                timeout = DEFAULT_TIMEOUT
        self._timeout = httpx.Timeout(timeout)
        self._default_headers = dict(default_headers or {})

        api_key_headers = [
            s.name
            for s in config.security_schemes.values()
            if isinstance(s, ApiKeyAuth) and s.location == "header"
        ]
        self._redactor = Redactor(api_key_headers)
        for secret in self._credentials.values():
            self._redactor.add_secret(secret)
        for scheme in config.security_schemes.values():
            if isinstance(scheme, BasicAuth):
                username = self._credentials.get(scheme.username)
                if username is not None:  # the header's value is a secret too
                    password = self._credentials.get(scheme.password) or ""
                    self._redactor.add_secret(_basic_credentials(username, password))
        if any(
            isinstance(s, ApiKeyAuth) and s.location == "query"
            for s in config.security_schemes.values()
        ):
            self._redactor.protect_httpx_logs()  # httpx logs URLs, which then hold a key
        self._check_some_credentials()

        self._token_caches: dict[str, _CacheT] = {}
        for name, scheme in config.security_schemes.items():
            if isinstance(scheme, BearerAuth):
                cache = self._new_token_cache()
                fixed = self._credentials.get(scheme.credential)
                if fixed is not None:
                    cache.seed(fixed, refresh_at=math.inf)
                self._token_caches[name] = cache

        self._clock = time.time
        self._random = random.random
        self._log = logging.getLogger(config.package)
        configure_logging(self._log, f"{config.env_prefix}_LOG")
        self._user_agent = (
            f"{config.package}/{config.version} "
            f"python/{platform.python_version_tuple()[0]}.{platform.python_version_tuple()[1]} "
            f"httpx/{httpx.__version__}"
        )

        self._owns_http_client = http_client is None
        self._http: _HttpxClientT = (
            http_client if http_client is not None else self._new_http_client()
        )
        self._sleep = self._default_sleep()

    # -- construction helpers ------------------------------------------------------------

    def _default_sleep(self) -> Any:
        raise NotImplementedError

    def _new_token_cache(self) -> _CacheT:
        raise NotImplementedError

    def _new_http_client(self) -> _HttpxClientT:
        raise NotImplementedError

    def _read_settings(
        self,
        specs: tuple[CredentialSpec, ...] | tuple[ParamDefault, ...],
        given: Mapping[str, str | None],
        kind: str,
    ) -> dict[str, str | None]:
        known = {s.name for s in specs}
        unknown = sorted(set(given) - known)
        if unknown:  # a generator bug, not a user error
            raise TypeError(f"unknown {kind} name(s): {', '.join(unknown)}")
        out: dict[str, str | None] = {}
        for spec in specs:
            value = given.get(spec.name)
            if not value and spec.env:
                value = os.environ.get(spec.env)
            out[spec.name] = value or None  # "" is as good as unset
        return out

    def _read_base_url(self, base_url: str | httpx.URL | None) -> str:
        env_name = f"{self._config.env_prefix}_BASE_URL"
        value = str(base_url) if base_url else (os.environ.get(env_name) or "")
        value = value.strip() or self._config.default_base_url
        try:
            url = httpx.URL(value)
        except (httpx.InvalidURL, TypeError) as exc:
            raise ConfigurationError(f"invalid base_url {value!r}: {exc}") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise ConfigurationError(
                f"base_url must be an absolute http(s) URL such as "
                f"{self._config.default_base_url!r}, got {value!r}"
            )
        return value.rstrip("/")

    def _credential_hint(self, groups: list[tuple[str, ...]]) -> str:
        """``pass a= or b= and c= to Client(), or set A or B and C``: each group is a set
        of credentials that together satisfy a requirement."""
        order = {s.name: i for i, s in enumerate(self._config.credentials)}
        envs = {s.name: s.env for s in self._config.credentials}
        unique: list[tuple[str, ...]] = []
        for group in groups:
            group = tuple(sorted(dict.fromkeys(group), key=lambda n: order.get(n, 0)))
            if group and group not in unique:
                unique.append(group)
        unique.sort(key=lambda g: [order.get(n, 0) for n in g])
        args = " or ".join(" and ".join(f"{n}=" for n in g) for g in unique)
        envs_text = " or ".join(
            " and ".join(str(envs[n]) for n in g)
            for g in unique
            if all(envs.get(n) for n in g)
        )
        hint = f"pass {args} to {self._config.client_name}()"
        return f"{hint}, or set {envs_text}" if envs_text else hint

    def _scheme_options(
        self, name: str, *, exchange_allowed: bool = True
    ) -> list[tuple[str, ...]]:
        """The sets of credentials, any one of which makes scheme ``name`` usable."""
        scheme = self._config.security_schemes.get(name)
        if scheme is None:
            return []
        if isinstance(scheme, BasicAuth):
            return [(scheme.username, scheme.password)]
        if isinstance(scheme, ApiKeyAuth):
            return [(scheme.credential,)]
        options: list[tuple[str, ...]] = [(scheme.credential,)]
        if scheme.client_credentials is not None:
            cc = scheme.client_credentials
            options.append((cc.client_id, cc.client_secret))
        if exchange_allowed and scheme.exchange is not None:
            for requirement in scheme.exchange.security:
                options.extend(
                    self._requirement_options(requirement, exchange_allowed=False)
                )
        return options

    def _requirement_options(
        self, requirement: tuple[str, ...], *, exchange_allowed: bool = True
    ) -> list[tuple[str, ...]]:
        per_scheme = [
            self._scheme_options(n, exchange_allowed=exchange_allowed)
            for n in requirement
        ]
        return [
            tuple(itertools.chain.from_iterable(combo))
            for combo in itertools.product(*per_scheme)
        ]

    def _check_some_credentials(self) -> None:
        schemes = self._config.security_schemes
        if (
            not self._config.credentials_required
            or not schemes
            or any(self._scheme_usable(name) for name in schemes)
        ):
            return
        groups = [g for name in schemes for g in self._scheme_options(name)]
        raise ConfigurationError(
            f"{self._config.client_name} has no credentials: {self._credential_hint(groups)}"
        )

    # -- public settings -----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._timeout

    @property
    def max_retries(self) -> int:
        return self._max_retries

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    def __repr__(self) -> str:
        given = [name for name, value in self._credentials.items() if value is not None]
        return (
            f"{type(self).__name__}(base_url={self._base_url!r}, credentials={given!r}, "
            f"max_retries={self._max_retries}, timeout={self._timeout!r})"
        )

    def _copy_with(
        self,
        *,
        credentials: Mapping[str, str | None],
        param_defaults: Mapping[str, str | None],
        base_url: str | httpx.URL | None,
        timeout: Timeout | NotGiven,
        max_retries: int | None,
        default_headers: Mapping[str, str] | None,
        http_client: _HttpxClientT | None,
        strict_response_validation: bool | None = None,
    ) -> Self:
        """A new client of the same class with the given settings changed.

        Keeps everything not given, shares the HTTP connection pool (the copy never
        closes it) and, while the credentials and base URL are the same, the token cache.
        """
        new_credentials = {
            name: credentials.get(name) or value
            for name, value in self._credentials.items()
        }
        new_params = {
            name: param_defaults.get(name) or value
            for name, value in self._param_defaults.items()
        }
        kwargs: dict[str, Any] = {
            **new_credentials,
            **new_params,
            "base_url": base_url or self._base_url,
            "timeout": self._timeout if isinstance(timeout, NotGiven) else timeout,
            "max_retries": self._max_retries if max_retries is None else max_retries,
            "default_headers": {**self._default_headers, **(default_headers or {})},
            "http_client": http_client if http_client is not None else self._http,
            "strict_response_validation": (
                self._strict_response_validation
                if strict_response_validation is None
                else strict_response_validation
            ),
        }
        new = type(self)(**kwargs)
        new._sleep = self._sleep
        new._clock = self._clock
        new._random = self._random
        if new._credentials == self._credentials and new._base_url == self._base_url:
            new._token_caches = self._token_caches
            new._redactor = self._redactor
        return new

    # -- security ------------------------------------------------------------------------

    def _scheme_usable(self, name: str, *, exchange_allowed: bool = True) -> bool:
        scheme = self._config.security_schemes.get(name)
        if scheme is None:
            return False
        if isinstance(scheme, BasicAuth):
            return self._credentials.get(scheme.username) is not None
        if self._credentials.get(scheme.credential) is not None:
            return True
        if isinstance(scheme, BearerAuth):
            if self._client_credentials(scheme) is not None:
                return True
            if exchange_allowed:
                return self._exchange_requirement(scheme) is not None
        return False

    def _client_credentials(self, scheme: BearerAuth) -> tuple[str, str] | None:
        """(client id, client secret) when the client-credentials flow can run."""
        cc = scheme.client_credentials
        if cc is None:
            return None
        client_id = self._credentials.get(cc.client_id)
        secret = self._credentials.get(cc.client_secret)
        if client_id is None or secret is None:
            return None
        return client_id, secret

    def _exchange_requirement(self, scheme: BearerAuth) -> tuple[str, ...] | None:
        if scheme.exchange is None:
            return None
        for requirement in scheme.exchange.security:
            if all(self._scheme_usable(n, exchange_allowed=False) for n in requirement):
                return requirement
        return None

    def _choose_requirement(self, operation: Operation) -> tuple[str, ...]:
        """The first requirement the client's credentials satisfy; an empty one (the
        spec's ``{}``: anonymous is fine) only when no other is satisfied."""
        if not operation.security:
            return ()
        for requirement in operation.security:
            if requirement and all(self._scheme_usable(name) for name in requirement):
                return requirement
        if () in operation.security:
            return ()
        groups = [
            group
            for requirement in operation.security
            for group in self._requirement_options(requirement)
        ]
        raise ConfigurationError(
            f"{operation.label} needs credentials: {self._credential_hint(groups)}"
        )

    def _static_auth(self, scheme: ApiKeyAuth | BasicAuth, auth: _Auth) -> None:
        if isinstance(scheme, BasicAuth):
            username = self._credentials[scheme.username]
            assert username is not None  # checked by _choose_requirement
            password = self._credentials.get(scheme.password) or ""
            auth.headers["Authorization"] = (
                f"Basic {_basic_credentials(username, password)}"
            )
            return
        value = self._credentials[scheme.credential]
        assert value is not None  # checked by _choose_requirement
        if scheme.location == "header":
            auth.headers[scheme.name] = value
        elif scheme.location == "query":
            auth.query[scheme.name] = value
        else:
            _add_cookie(auth.headers, cookie_pairs(scheme.name, value))

    def _token_request(
        self, scheme: BearerAuth, prep: _Prepared
    ) -> httpx.Request | None:
        """The OAuth 2 client-credentials token request, when that is how to get one."""
        pair = self._client_credentials(scheme)
        cc = scheme.client_credentials
        if pair is None or cc is None:
            return None
        form = {"grant_type": "client_credentials"}
        if cc.scopes:
            form["scope"] = " ".join(cc.scopes)
        return self._http.build_request(
            "POST",
            _join_url(self._base_url, cc.token_url),
            headers={
                "User-Agent": self._user_agent,
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": f"Basic {_basic_credentials(*pair)}",
            },
            content=query_string(query_value_pairs(form)).encode(),
            timeout=prep.timeout,
        )

    def _read_oauth_token(
        self, response: httpx.Response, label: str
    ) -> tuple[str, float | None]:
        """``access_token`` and ``expires_in`` (seconds) of a token endpoint's answer."""
        if not response.is_success:
            raise self._status_error(response, label)
        body = parse_body(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise APIResponseValidationError(
                f"{label} -> {response.status_code} {response.reason_phrase}: "
                "no access_token (a non-empty string) in the response",
                response=response,
                body=None,  # might hold a secret
            )
        self._redactor.add_secret(token)
        expires_in = body.get("expires_in") if isinstance(body, dict) else None
        lifetime = (
            float(expires_in)
            if isinstance(expires_in, int | float) and not isinstance(expires_in, bool)
            else None
        )
        return token, lifetime

    def _read_token(
        self, response: httpx.Response, exchange: TokenExchange, label: str
    ) -> str:
        value: object = parse_body(response)
        for key in exchange.token_pointer:
            if (
                isinstance(key, int)
                and isinstance(value, list)
                and -len(value) <= key < len(value)
            ):
                value = value[key]
            elif isinstance(key, str) and isinstance(value, dict):
                value = value.get(key)
            else:
                value = None
                break
        if not isinstance(value, str) or not value:
            pointer = "/" + "/".join(str(k) for k in exchange.token_pointer)
            raise APIResponseValidationError(
                f"{label} -> {response.status_code} {response.reason_phrase}: "
                f"no token (a non-empty string) at {pointer} in the response",
                response=response,
                body=None,  # might hold a secret
            )
        self._redactor.add_secret(value)
        return value

    def _exchange_operation(
        self, exchange: TokenExchange, requirement: tuple[str, ...]
    ) -> Operation:
        return Operation(
            method=exchange.method, path=exchange.path, security=(requirement,)
        )

    # -- preparing a request -------------------------------------------------------------

    def _resolve(
        self,
        operation: Operation,
        param: HeaderParam | QueryParam | PathParam | CookieParam,
        params: Mapping[str, object],
        where: str,
    ) -> object:
        value = params.get(param.name, NOT_GIVEN)
        if value is None or isinstance(value, NotGiven):
            value = self._param_defaults.get(param.name)
        if value is None and not isinstance(param, PathParam):
            value = param.default
        required = isinstance(param, PathParam) or param.required
        if value is None and required:
            setting = next(
                (p for p in self._config.param_defaults if p.name == param.name), None
            )
            what = (
                f"{operation.label}: missing required parameter {param.name} ({where})"
            )
            if setting is None:
                raise RequestValidationError(
                    [(param.name, f"{what}; pass {param.name}=")]
                )
            hint = f"pass {param.name}= to this call or to {self._config.client_name}()"
            if setting.env:
                hint += f", or set {setting.env}"
            raise ConfigurationError(f"{what}; {hint}")
        return value

    def _prepare(
        self,
        operation: Operation,
        params: Mapping[str, object] | None,
        json_body: object,
        options: RequestOptions | None,
        body: object = None,
    ) -> _Prepared:
        params = params or {}
        options = options or RequestOptions()

        path = operation.path
        for pp in operation.path_params:
            value = self._resolve(operation, pp, params, f"path {{{pp.wire}}}")
            if pp.content_type is not None:
                text = urllib.parse.quote(
                    encode_content(value, pp.content_type), safe=""
                )
            else:
                text = path_value(pp.wire, value, pp.style, pp.explode)
            path = path.replace("{" + pp.wire + "}", text)
        label = f"{operation.method.upper()} {path}"

        headers: dict[str, str] = {
            "User-Agent": self._user_agent,
            "Accept": operation.accept,
            **self._default_headers,
        }
        for hp in operation.header_params:
            value = self._resolve(operation, hp, params, f"header {hp.wire}")
            if value is not None:
                headers[hp.wire] = (
                    encode_content(value, hp.content_type)
                    if hp.content_type is not None
                    else header_value(value, hp.explode)
                )

        cookies: list[tuple[str, str]] = []
        for cp in operation.cookie_params:
            value = self._resolve(operation, cp, params, f"cookie {cp.wire}")
            if value is not None:
                if cp.content_type is not None:
                    value = encode_content(value, cp.content_type)
                cookies.extend(cookie_pairs(cp.wire, value, cp.explode))
        _add_cookie(headers, cookies)

        query: dict[str, str] = {}
        for qp in operation.query_params:
            value = self._resolve(operation, qp, params, f"query parameter {qp.wire}")
            if value is None:
                continue
            if qp.content_type is not None:
                pairs = form_pairs(qp.wire, encode_content(value, qp.content_type))
            else:
                pairs = form_pairs(
                    qp.wire, value, qp.style, qp.explode, qp.allow_reserved
                )
            query[qp.wire] = query_string(pairs)
        for key, value in (options.extra_query or {}).items():
            # overrides the operation's parameter of that name
            query[key] = query_string(query_value_pairs({key: value}))

        encoded = encode_request_body(operation.body, json_body, body)
        as_json = operation.body is None or operation.body.kind == "json"
        if encoded.content_type is not None:
            headers["Content-Type"] = encoded.content_type

        timeout = (
            self._timeout
            if isinstance(options.timeout, NotGiven)
            else httpx.Timeout(options.timeout)
        )
        max_retries = (
            self._max_retries
            if isinstance(options.max_retries, NotGiven)
            else options.max_retries
        )
        if (
            isinstance(max_retries, bool)
            or not isinstance(max_retries, int)
            or max_retries < 0
        ):
            raise ConfigurationError(
                f"max_retries must be an integer >= 0, got {max_retries!r}"
            )

        retry_note = ""
        if not encoded.replayable and max_retries:
            max_retries = 0
            retry_note = (
                " (not retried: the request body is a one-shot iterator; pass bytes "
                "or a seekable file to allow retries)"
            )
        return _Prepared(
            retry_note=retry_note,
            operation=operation,
            label=label,
            url=self._base_url + path,
            headers=headers,
            query=query,
            extra_headers=options.extra_headers or {},
            content=encoded.content if as_json else None,
            body=EncodedBody() if as_json else encoded,
            timeout=timeout,
            max_retries=max_retries,
            requirement=self._choose_requirement(operation),
        )

    def _build_request(
        self, prep: _Prepared, auth: _Auth, attempt: int
    ) -> httpx.Request:
        headers = {**prep.headers, **auth.headers, **prep.extra_headers}
        if "Cookie" in auth.headers and "Cookie" in prep.headers:
            headers["Cookie"] = f"{prep.headers['Cookie']}; {auth.headers['Cookie']}"
        parts = [part for part in prep.query.values() if part]
        parts.append(query_string(query_value_pairs(auth.query)))
        query = "&".join(part for part in parts if part)
        url = prep.url + ("?" + query if query else "")
        body = (
            {"content": prep.content}
            if prep.content is not None
            else prep.body.request_arguments(attempt, self._is_async)
        )
        return self._http.build_request(
            prep.operation.method.upper(),
            url,
            headers=headers,
            timeout=prep.timeout,
            **body,
        )

    # -- deciding what to do with an answer ----------------------------------------------

    def _can_refetch(self, auth: _Auth) -> bool:
        if auth.bearer is None:
            return False
        scheme = self._config.security_schemes[auth.bearer[0]]
        return isinstance(scheme, BearerAuth) and (
            self._exchange_requirement(scheme) is not None
            or self._client_credentials(scheme) is not None
        )

    def _retry_wait(
        self, response: httpx.Response, retries_taken: int, max_retries: int
    ) -> float | None:
        if retries_taken >= max_retries or not is_retryable_status(
            response.status_code
        ):
            return None
        retry_after = parse_retry_after(response.headers, now=self._clock())
        return retry_delay(retries_taken, retry_after, self._random())

    def _error_wait(self, retries_taken: int, max_retries: int) -> float | None:
        if retries_taken >= max_retries:
            return None
        return backoff_delay(retries_taken, self._random())

    def _status_error(
        self, response: httpx.Response, label: str, note: str = ""
    ) -> APIStatusError:
        return make_status_error(
            response,
            label=label,
            now=self._clock(),
            scrub=self._redactor.scrub,
            note=note,
        )

    def _transport_error(
        self,
        exc: httpx.RequestError,
        request: httpx.Request,
        prep: _Prepared,
        attempts: int,
        note: str = "",
    ) -> APIConnectionError:
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        if isinstance(exc, httpx.TimeoutException):
            message = f"{prep.label}: no response within the timeout after {tries} ({type(exc).__name__}){note}"
            return APITimeoutError(self._redactor.scrub(message), request)
        detail = _one_line(str(exc)) or type(exc).__name__
        message = f"{prep.label}: connection failed after {tries}: {type(exc).__name__}: {detail}{note}"
        return APIConnectionError(self._redactor.scrub(message), request)

    def _parse(
        self,
        response: httpx.Response,
        cast_to: Any,
        label: str,
        kinds: Mapping[str, str] | None = None,
    ) -> Any:
        kinds = kinds or {}
        kind = kinds.get(str(response.status_code), kinds.get("default", "json"))
        if kind == "text":
            return response.text
        if kind == "binary":
            return response.content
        if cast_to is None or kind == "empty" or response.status_code in (204, 205):
            return None
        try:
            if isinstance(cast_to, type) and issubclass(cast_to, pydantic.BaseModel):
                return cast_to.model_validate_json(response.content)
            return _type_adapter(cast_to).validate_json(response.content)
        except pydantic.ValidationError as exc:
            name = getattr(cast_to, "__name__", repr(cast_to))
            head = f"{label} -> {response.status_code} {response.reason_phrase}"
            errors = exc.errors(include_url=False, include_input=False)
            if errors and errors[0]["type"] == "json_invalid":
                message = f"{head}: the response is not valid JSON (expected {name})"
                body = parse_body(response)
            else:
                pairs = format_validation_errors(exc, echo_input=False)
                listed = "; ".join(
                    f"{loc}: {msg}" if loc else msg
                    for loc, msg in pairs[:_MAX_LISTED_RESPONSE_ERRORS]
                )
                if len(pairs) > _MAX_LISTED_RESPONSE_ERRORS:
                    listed += f"; and {len(pairs) - _MAX_LISTED_RESPONSE_ERRORS} more"
                message = f"{head}: the response does not match {name}: {listed}"
                body = parse_body(response)
            error = APIResponseValidationError(
                self._redactor.scrub(message),
                response=response,
                body=body,
                validation_error=exc,
            )
            if self._strict_response_validation or not response.is_success:
                raise error from None
            self._log.warning(
                "%s; returned as read (strict_response_validation=True raises)",
                error.message,
            )
            return read_leniently(cast_to, error)

    def _result(
        self,
        response: httpx.Response,
        retries: int,
        cast_to: Any,
        label: str,
        raw: bool,
        kinds: Mapping[str, str] | None = None,
    ) -> Any:
        parser = functools.partial(
            self._parse, cast_to=cast_to, label=label, kinds=kinds
        )
        if raw:
            return APIResponse(
                http_response=response, retries_taken=retries, parser=parser
            )
        return parser(response)

    # -- logging -------------------------------------------------------------------------

    def _log_request(self, request: httpx.Request, retries_taken: int) -> None:
        if not self._log.isEnabledFor(logging.DEBUG):
            return
        attempt = f" (retry {retries_taken})" if retries_taken else ""
        self._log.debug(
            "Request%s: %s %s headers=%s body=%s",
            attempt,
            request.method,
            self._redactor.scrub(str(request.url)),
            self._redactor.headers(request.headers),
            _body_size(request),
        )

    def _log_response(self, response: httpx.Response) -> None:
        if not self._log.isEnabledFor(logging.DEBUG):
            return
        self._log.debug(
            "Response: %s %s -> %d %s headers=%s body=%s",
            response.request.method,
            self._redactor.scrub(str(response.request.url)),
            response.status_code,
            response.reason_phrase,
            self._redactor.headers(response.headers),
            _body_size(response),
        )

    def _log_retry(
        self, prep: _Prepared, what: str, wait: float, retries_taken: int
    ) -> None:
        self._log.info(
            "%s: %s; retrying in %.2f s (retry %d of %d)",
            prep.label,
            self._redactor.scrub(what),
            wait,
            retries_taken + 1,
            prep.max_retries,
        )


class SyncAPIClient(_BaseClient[httpx.Client, SyncTokenCache]):
    """Base of the generated synchronous client."""

    _http_client_type = httpx.Client
    _is_async = False
    _sleep: Callable[[float], None]

    def _default_sleep(self) -> Callable[[float], None]:
        return time.sleep

    def _new_token_cache(self) -> SyncTokenCache:
        return SyncTokenCache()

    def _new_http_client(self) -> httpx.Client:
        return httpx.Client(timeout=self._timeout, verify=_shared_ssl_context())

    def close(self) -> None:
        """Close the connection pool, unless it belongs to an ``http_client`` you passed."""
        if self._owns_http_client:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @overload
    def request(
        self,
        operation: Operation,
        *,
        cast_to: type[_T],
        params: Mapping[str, object] | None = None,
        json_body: object = None,
        body: object = None,
        options: RequestOptions | None = None,
    ) -> _T: ...

    @overload
    def request(
        self,
        operation: Operation,
        *,
        cast_to: None,
        params: Mapping[str, object] | None = None,
        json_body: object = None,
        body: object = None,
        options: RequestOptions | None = None,
    ) -> None: ...

    def request(
        self,
        operation: Operation,
        *,
        cast_to: type[_T] | None,
        params: Mapping[str, object] | None = None,
        json_body: object = None,
        body: object = None,
        options: RequestOptions | None = None,
    ) -> _T | None:
        """Call ``operation`` and return its body validated as ``cast_to``.

        ``params`` maps Python argument names to values (``NOT_GIVEN`` or ``None`` for
        "use the client's setting or the spec's default"); ``json_body`` is sent as
        JSON, or ``body`` as ``operation.body`` says (multipart fields, form fields,
        bytes, a file, an iterator of chunks, text). The result is ``cast_to`` for a
        JSON answer, ``str``, ``bytes`` or ``None`` for the statuses that
        ``operation.response_kinds`` lists. Raises ``APIError`` subclasses, or ``ConfigurationError`` /
        ``RequestValidationError`` before sending.
        """
        raw = take_raw_response_request()
        stream = take_streamed_response_request()
        prep = self._prepare(operation, params, json_body, options, body)
        response, retries = self._send(prep, stream=stream)
        if stream:
            return cast("_T", StreamedResponse(response, retries))
        return cast(
            "_T | None",
            self._result(
                response,
                retries,
                cast_to,
                prep.label,
                raw,
                prep.operation.response_kinds,
            ),
        )

    def _authenticate(self, prep: _Prepared, stale: str | None) -> _Auth:
        auth = _Auth(headers={}, query={})
        for name in prep.requirement:
            scheme: SecurityScheme = self._config.security_schemes[name]
            if not isinstance(scheme, BearerAuth):
                self._static_auth(scheme, auth)
                continue
            token, exchanged = self._bearer_token(name, scheme, prep, stale)
            auth.headers["Authorization"] = f"{scheme.prefix} {token}"
            if exchanged:
                auth = _Auth(
                    headers=auth.headers, query=auth.query, bearer=(name, token)
                )
        return auth

    def _bearer_token(
        self, name: str, scheme: BearerAuth, prep: _Prepared, stale: str | None
    ) -> tuple[str, bool]:
        cache = self._token_caches[name]
        token_request = self._token_request(scheme, prep)
        if token_request is not None:

            def fetch_oauth() -> Fetched:
                assert token_request is not None
                self._log_request(token_request, 0)
                try:
                    response = self._http.send(token_request)
                except httpx.RequestError as exc:
                    raise self._transport_error(exc, token_request, prep, 1) from exc
                label = f"POST {token_request.url.path}"
                fetched = self._read_oauth_token(response, label)
                self._log.info("%s: fetched a new access token", label)
                return fetched

            fresh = cache.get(
                self._clock, fetch_oauth, leeway=_OAUTH_LEEWAY, stale=stale
            )
            return fresh, True
        requirement = self._exchange_requirement(scheme)
        if requirement is None or scheme.exchange is None:
            token = cache.peek()
            assert token is not None  # checked by _choose_requirement
            return token, False
        exchange = scheme.exchange

        def fetch() -> str:
            operation = self._exchange_operation(exchange, requirement)
            sub = self._prepare(
                operation,
                None,
                None,
                RequestOptions(timeout=prep.timeout, max_retries=prep.max_retries),
            )
            response, _ = self._send(sub)
            token = self._read_token(response, exchange, sub.label)
            self._log.info("%s: fetched a new access token", sub.label)
            return token

        return (
            cache.get(self._clock, fetch, leeway=exchange.refresh_leeway, stale=stale),
            True,
        )

    def _send(
        self, prep: _Prepared, *, stream: bool = False
    ) -> tuple[httpx.Response, int]:
        """Send with retries. ``stream``: a successful answer's body is left unread (an
        error's is read, to report it)."""
        retries = 0
        attempt = 0
        stale: str | None = None
        refetched = False
        while True:
            auth = self._authenticate(prep, stale)
            stale = None  # replaced once; later attempts use whatever the cache holds
            request = self._build_request(prep, auth, attempt)
            attempt += 1
            self._log_request(request, retries)
            try:
                response = self._http.send(request, stream=stream)
                if stream and not _is_result(prep, response):
                    response.read()
            except httpx.RequestError as exc:
                wait = self._error_wait(retries, prep.max_retries)
                if wait is None:
                    raise self._transport_error(
                        exc, request, prep, retries + 1, prep.retry_note
                    ) from exc
                self._log_retry(prep, f"{type(exc).__name__}", wait, retries)
                self._sleep(wait)
                retries += 1
                continue
            self._log_response(response)
            if _is_result(prep, response):
                return response, retries
            if (
                response.status_code == 401
                and not refetched
                and prep.body.replayable
                and self._can_refetch(auth)
            ):
                assert auth.bearer is not None
                refetched, stale = True, auth.bearer[1]
                self._log.info(
                    "%s: 401 Unauthorized; fetching a new access token", prep.label
                )
                continue
            wait = self._retry_wait(response, retries, prep.max_retries)
            if wait is None:
                note = (
                    " (also with a newly fetched token)"
                    if refetched and response.status_code == 401
                    else ""
                )
                if is_retryable_status(response.status_code):
                    note += prep.retry_note
                raise self._status_error(response, prep.label, note)
            self._log_retry(
                prep, f"{response.status_code} {response.reason_phrase}", wait, retries
            )
            self._sleep(wait)
            retries += 1


class AsyncAPIClient(_BaseClient[httpx.AsyncClient, AsyncTokenCache]):
    """Base of the generated asynchronous client (asyncio)."""

    _http_client_type = httpx.AsyncClient
    _is_async = True
    _sleep: Callable[[float], Awaitable[None]]

    def _default_sleep(self) -> Callable[[float], Awaitable[None]]:
        return asyncio.sleep

    def _new_token_cache(self) -> AsyncTokenCache:
        return AsyncTokenCache()

    def _new_http_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self._timeout, verify=_shared_ssl_context())

    async def close(self) -> None:
        """Close the connection pool, unless it belongs to an ``http_client`` you passed."""
        if self._owns_http_client:
            await self._http.aclose()

    async def aclose(self) -> None:
        """Same as ``close()``."""
        await self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @overload
    async def request(
        self,
        operation: Operation,
        *,
        cast_to: type[_T],
        params: Mapping[str, object] | None = None,
        json_body: object = None,
        body: object = None,
        options: RequestOptions | None = None,
    ) -> _T: ...

    @overload
    async def request(
        self,
        operation: Operation,
        *,
        cast_to: None,
        params: Mapping[str, object] | None = None,
        json_body: object = None,
        body: object = None,
        options: RequestOptions | None = None,
    ) -> None: ...

    async def request(
        self,
        operation: Operation,
        *,
        cast_to: type[_T] | None,
        params: Mapping[str, object] | None = None,
        json_body: object = None,
        body: object = None,
        options: RequestOptions | None = None,
    ) -> _T | None:
        """As ``SyncAPIClient.request``."""
        raw = take_raw_response_request()
        stream = take_streamed_response_request()
        prep = self._prepare(operation, params, json_body, options, body)
        response, retries = await self._send(prep, stream=stream)
        if stream:
            return cast("_T", AsyncStreamedResponse(response, retries))
        return cast(
            "_T | None",
            self._result(
                response,
                retries,
                cast_to,
                prep.label,
                raw,
                prep.operation.response_kinds,
            ),
        )

    async def _authenticate(self, prep: _Prepared, stale: str | None) -> _Auth:
        auth = _Auth(headers={}, query={})
        for name in prep.requirement:
            scheme: SecurityScheme = self._config.security_schemes[name]
            if not isinstance(scheme, BearerAuth):
                self._static_auth(scheme, auth)
                continue
            token, exchanged = await self._bearer_token(name, scheme, prep, stale)
            auth.headers["Authorization"] = f"{scheme.prefix} {token}"
            if exchanged:
                auth = _Auth(
                    headers=auth.headers, query=auth.query, bearer=(name, token)
                )
        return auth

    async def _bearer_token(
        self, name: str, scheme: BearerAuth, prep: _Prepared, stale: str | None
    ) -> tuple[str, bool]:
        cache = self._token_caches[name]
        token_request = self._token_request(scheme, prep)
        if token_request is not None:

            async def fetch_oauth() -> Fetched:
                assert token_request is not None
                self._log_request(token_request, 0)
                try:
                    response = await self._http.send(token_request)
                except httpx.RequestError as exc:
                    raise self._transport_error(exc, token_request, prep, 1) from exc
                label = f"POST {token_request.url.path}"
                fetched = self._read_oauth_token(response, label)
                self._log.info("%s: fetched a new access token", label)
                return fetched

            fresh = await cache.get(
                self._clock, fetch_oauth, leeway=_OAUTH_LEEWAY, stale=stale
            )
            return fresh, True
        requirement = self._exchange_requirement(scheme)
        if requirement is None or scheme.exchange is None:
            token = cache.peek()
            assert token is not None  # checked by _choose_requirement
            return token, False
        exchange = scheme.exchange

        async def fetch() -> str:
            operation = self._exchange_operation(exchange, requirement)
            sub = self._prepare(
                operation,
                None,
                None,
                RequestOptions(timeout=prep.timeout, max_retries=prep.max_retries),
            )
            response, _ = await self._send(sub)
            token = self._read_token(response, exchange, sub.label)
            self._log.info("%s: fetched a new access token", sub.label)
            return token

        token = await cache.get(
            self._clock, fetch, leeway=exchange.refresh_leeway, stale=stale
        )
        return token, True

    async def _send(
        self, prep: _Prepared, *, stream: bool = False
    ) -> tuple[httpx.Response, int]:
        """As ``SyncAPIClient._send``."""
        retries = 0
        attempt = 0
        stale: str | None = None
        refetched = False
        while True:
            auth = await self._authenticate(prep, stale)
            stale = None  # replaced once; later attempts use whatever the cache holds
            request = self._build_request(prep, auth, attempt)
            attempt += 1
            self._log_request(request, retries)
            try:
                response = await self._http.send(request, stream=stream)
                if stream and not _is_result(prep, response):
                    await response.aread()
            except httpx.RequestError as exc:
                wait = self._error_wait(retries, prep.max_retries)
                if wait is None:
                    raise self._transport_error(
                        exc, request, prep, retries + 1, prep.retry_note
                    ) from exc
                self._log_retry(prep, f"{type(exc).__name__}", wait, retries)
                await self._sleep(wait)
                retries += 1
                continue
            self._log_response(response)
            if _is_result(prep, response):
                return response, retries
            if (
                response.status_code == 401
                and not refetched
                and prep.body.replayable
                and self._can_refetch(auth)
            ):
                assert auth.bearer is not None
                refetched, stale = True, auth.bearer[1]
                self._log.info(
                    "%s: 401 Unauthorized; fetching a new access token", prep.label
                )
                continue
            wait = self._retry_wait(response, retries, prep.max_retries)
            if wait is None:
                note = (
                    " (also with a newly fetched token)"
                    if refetched and response.status_code == 401
                    else ""
                )
                if is_retryable_status(response.status_code):
                    note += prep.retry_note
                raise self._status_error(response, prep.label, note)
            self._log_retry(
                prep, f"{response.status_code} {response.reason_phrase}", wait, retries
            )
            await self._sleep(wait)
            retries += 1


class SyncAPIResource:
    """Base of generated resource classes (``client.contacts``)."""

    _client: SyncAPIClient

    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client


class AsyncAPIResource:
    """Base of generated async resource classes."""

    _client: AsyncAPIClient

    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client
