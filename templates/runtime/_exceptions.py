"""Exceptions raised by the client.

::

    Exception
    ├── APIError                            talking to the API failed
    │   ├── APIStatusError                  the API answered with a non-2xx status
    │   │   ├── BadRequestError             400
    │   │   ├── AuthenticationError         401
    │   │   ├── PermissionDeniedError       403
    │   │   ├── NotFoundError               404
    │   │   ├── ConflictError               409
    │   │   ├── UnprocessableEntityError    422
    │   │   ├── RateLimitError              429
    │   │   └── InternalServerError         500 and above
    │   ├── APIConnectionError              no answer: DNS, refused, reset, TLS, ...
    │   │   └── APITimeoutError             no answer in time
    │   └── APIResponseValidationError      a 2xx answer that does not match its schema
    └── ValueError
        ├── RequestValidationError          bad arguments, caught before sending anything
        └── ConfigurationError              missing or invalid client settings

Other statuses (402, 405, 418, ...) raise ``APIStatusError`` itself. Every message is
one line saying what happened, for example
``POST /contacts/migrate -> 422 Unprocessable Entity: Invalid customer entry``;
``RequestValidationError`` has one line per invalid value. Messages never contain a
credential.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pydantic

from ._retry import parse_retry_after

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "UnprocessableEntityError",
    "format_validation_errors",
    "make_status_error",
]

_MAX_SUMMARY = 300
_MAX_LISTED_ERRORS = 20


class APIError(Exception):
    """Base class of every error raised while talking to the API."""

    message: str
    request: httpx.Request

    def __init__(self, message: str, request: httpx.Request) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APIStatusError(APIError):
    """The API answered with a status outside 2xx.

    ``body`` is the parsed JSON body, else its text, else ``None``. ``error`` and
    ``details`` are read from an ``{"error": ..., "details": ...}`` body when there is
    one (``None`` otherwise). ``request_id`` is the ``x-request-id`` header, if any.
    """

    response: httpx.Response
    status_code: int
    body: object
    error: str | None
    details: str | None
    request_id: str | None

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.error, self.details = _error_fields(body)
        self.request_id = response.headers.get("x-request-id")


class BadRequestError(APIStatusError):
    """400: the API rejected the request as malformed."""


class AuthenticationError(APIStatusError):
    """401: missing, invalid or expired credentials."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials do not give access to this resource."""


class NotFoundError(APIStatusError):
    """404: the resource does not exist."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's current state."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but its content was rejected."""


class RateLimitError(APIStatusError):
    """429: too many requests.

    ``retry_after`` is the wait the server asked for, in seconds (``retry-after-ms``
    or ``Retry-After``), and the ``rate_limit_*`` attributes are the
    ``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` headers; each is ``None``
    when absent or unreadable.
    """

    retry_after: float | None
    rate_limit_limit: int | None
    rate_limit_remaining: int | None
    rate_limit_reset: int | None

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object,
        now: float | None = None,
    ) -> None:
        super().__init__(message, response=response, body=body)
        headers = response.headers
        self.retry_after = parse_retry_after(
            headers, now=time.time() if now is None else now
        )
        self.rate_limit_limit = _int_header(headers, "x-ratelimit-limit")
        self.rate_limit_remaining = _int_header(headers, "x-ratelimit-remaining")
        self.rate_limit_reset = _int_header(headers, "x-ratelimit-reset")


class InternalServerError(APIStatusError):
    """500 and above: the API failed; retried automatically before this is raised."""


class APIConnectionError(APIError):
    """No response: the connection could not be made or broke (retried before raising)."""


class APITimeoutError(APIConnectionError):
    """No response within the timeout (retried before raising)."""


class APIResponseValidationError(APIError):
    """A successful response whose body does not match its documented schema.

    ``validation_error`` is pydantic's error (``None`` when the body was not JSON at
    all); ``body`` is the parsed JSON or the text.
    """

    response: httpx.Response
    status_code: int
    body: object
    validation_error: pydantic.ValidationError | None

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object,
        validation_error: pydantic.ValidationError | None = None,
    ) -> None:
        super().__init__(message, response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.validation_error = validation_error


class ConfigurationError(ValueError):
    """The client lacks a setting it needs (credentials, a required parameter) or got
    an invalid one. Raised before any request is sent."""


class RequestValidationError(ValueError):
    """Arguments that do not match the API's schema, caught before anything is sent.

    ``errors`` lists every problem as ``(location, message)``, the location written
    like ``contacts[3].email``; the exception's message has one line per problem
    (the first 20, then a count of the rest).
    """

    errors: list[tuple[str, str]]
    validation_error: pydantic.ValidationError | None

    def __init__(
        self,
        errors: Sequence[tuple[str, str]],
        *,
        validation_error: pydantic.ValidationError | None = None,
    ) -> None:
        self.errors = list(errors)
        self.validation_error = validation_error
        super().__init__(_format_error_lines(self.errors))

    def __str__(self) -> str:
        return str(self.args[0])


def _format_error_lines(errors: Sequence[tuple[str, str]]) -> str:
    lines = [
        f"{loc}: {msg}" if loc else msg for loc, msg in errors[:_MAX_LISTED_ERRORS]
    ]
    if len(errors) == 1:
        return lines[0]
    if len(errors) > _MAX_LISTED_ERRORS:
        lines.append(f"... and {len(errors) - _MAX_LISTED_ERRORS} more")
    return f"{len(errors)} invalid values:\n" + "\n".join(f"  {line}" for line in lines)


def render_location(loc: Sequence[int | str]) -> str:
    """``("contacts", 3, "email")`` -> ``contacts[3].email``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# Error types whose input is worth echoing: the caller sees what was rejected.
_ECHO_INPUT = frozenset(
    {
        "enum",
        "literal_error",
        "string_type",
        "int_type",
        "int_parsing",
        "float_type",
        "float_parsing",
        "bool_type",
        "bool_parsing",
        "datetime_type",
        "datetime_parsing",
        "datetime_from_date_parsing",
        "timezone_aware",
        "date_type",
        "date_parsing",
        "date_from_datetime_parsing",
        "uuid_type",
        "uuid_parsing",
        "value_error",
        "model_type",
        "model_attributes_type",
        "dict_type",
        "list_type",
        "string_pattern_mismatch",
    }
)


def format_validation_errors(
    exc: pydantic.ValidationError, *, echo_input: bool = True
) -> list[tuple[str, str]]:
    """pydantic's errors as ``(location, message)`` pairs, locations like ``a[0].b``.

    With ``echo_input`` the rejected value is appended for type and format errors,
    shortened to 40 characters.
    """
    out: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False):
        msg = str(err["msg"]).replace(" after validation", "")
        if err["type"] == "string_pattern_mismatch":  # the regex itself is noise here
            msg = "String does not match the expected format"
        if echo_input and err["type"] in _ECHO_INPUT:
            msg = f"{msg} (got {_short_repr(err.get('input'))})"
        out.append((render_location(err["loc"]), msg))
    return out


def _stringify(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def _error_fields(body: object) -> tuple[str | None, str | None]:
    """``error`` and ``details`` of an error body, read leniently."""
    if not isinstance(body, dict):
        return None, None
    error: object = body.get("error")
    if isinstance(error, dict):  # {"error": {"message": ...}} style
        nested: dict[str, Any] = error
        error = nested.get("message", nested.get("error", error))
    if error is None:
        error = body.get("message")
    return _stringify(error), _stringify(body.get("details"))


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        pass
    try:
        return int(float(raw.strip()))
    except (ValueError, OverflowError):
        return None


def parse_body(response: httpx.Response) -> object:
    """The response body as JSON when it parses, else as text, else ``None`` if empty."""
    content = response.content
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return response.text


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_SUMMARY else text[: _MAX_SUMMARY - 3] + "..."


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _identity(text: str) -> str:
    return text


def make_status_error(
    response: httpx.Response,
    *,
    label: str,
    now: float,
    scrub: Callable[[str], str] = _identity,
    note: str = "",
) -> APIStatusError:
    """The exception for a non-2xx ``response``; ``label`` is like ``POST /contacts/migrate``.

    ``scrub`` removes credentials from the message (the body might echo one); ``note``
    is appended to it.
    """
    status = response.status_code
    body = parse_body(response)
    cls = _STATUS_ERRORS.get(status)
    if cls is None:
        cls = InternalServerError if status >= 500 else APIStatusError
    error, details = _error_fields(body)
    reason = response.reason_phrase or httpx.codes.get_reason_phrase(status)
    message = f"{label} -> {status} {reason}".rstrip()
    if error:
        message += f": {_one_line(error)}"
        if details:
            message += f" ({_one_line(details)})"
    elif details:
        message += f": {_one_line(details)}"
    elif isinstance(body, str):
        message += f": {_one_line(body)}"
    if cls is RateLimitError:
        retry_after = parse_retry_after(response.headers, now=now)
        if retry_after is not None:
            message += f" [retry after {retry_after:g} s]"
        message += note
        return RateLimitError(scrub(message), response=response, body=body, now=now)
    return cls(scrub(message + note), response=response, body=body)
