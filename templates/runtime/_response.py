"""Raw responses: the HTTP status and headers next to the parsed result.

``client.with_raw_response.contacts.migrate(...)`` takes the same arguments as
``client.contacts.migrate(...)`` and returns an ``APIResponse`` instead of the model::

    response = client.with_raw_response.contacts.migrate(contacts=[...])
    print(response.status_code, response.headers.get("x-ratelimit-remaining"))
    result = response.parse()  # the MigrateContactsResponse

Errors are raised exactly as without ``with_raw_response``; only a successful answer
becomes an ``APIResponse``, and its body is validated when ``parse()`` is first called.

A 2xx never raises because of its body. The request succeeded (a bulk batch was
queued): raising would invite the caller to send it again. By default a 2xx body that
does not match its schema (empty, not JSON, another shape) is returned as well as it
can be read (``read_leniently``), a warning is logged, and the error strict checking
would have raised stays available: ``response_validation_error(result)``. The
client's ``strict_response_validation=True`` raises ``APIResponseValidationError``
instead.
"""

from __future__ import annotations

import contextvars
import datetime
import functools
import typing
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Any, Generic, ParamSpec, TypeVar, cast

import httpx
import pydantic

from ._exceptions import APIResponseValidationError

__all__ = [
    "APIResponse",
    "AsyncStreamedResponse",
    "StreamedResponse",
    "async_to_raw_response_wrapper",
    "async_to_streamed_response_wrapper",
    "read_leniently",
    "response_validation_error",
    "to_raw_response_wrapper",
    "to_streamed_response_wrapper",
]

_T = TypeVar("_T")
_R = TypeVar("_R")
_P = ParamSpec("_P")

_RAW_RESPONSE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "raw_response_requested", default=False
)


def take_raw_response_request() -> bool:
    """Whether the current call was made through a raw-response wrapper.

    Read once, by the client's ``request``: it clears the flag for the rest of the
    call, so requests made on the way (a token exchange) return parsed results.
    """
    if not _RAW_RESPONSE.get():
        return False
    _RAW_RESPONSE.set(False)
    return True


class APIResponse(Generic[_T]):
    """A successful HTTP response and the way to parse it into ``_T``."""

    def __init__(
        self,
        *,
        http_response: httpx.Response,
        retries_taken: int,
        parser: Callable[[httpx.Response], _T],
    ) -> None:
        self._http_response = http_response
        self._retries_taken = retries_taken
        self._parser = parser
        self._parsed: tuple[_T] | None = None

    @property
    def http_response(self) -> httpx.Response:
        """The underlying ``httpx.Response`` (already read)."""
        return self._http_response

    @property
    def status_code(self) -> int:
        return self._http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self._http_response.headers

    @property
    def request(self) -> httpx.Request:
        return self._http_response.request

    @property
    def url(self) -> httpx.URL:
        return self._http_response.url

    @property
    def method(self) -> str:
        return self._http_response.request.method

    @property
    def elapsed(self) -> datetime.timedelta:
        """Time from sending the last attempt to reading its response."""
        return self._http_response.elapsed

    @property
    def retries_taken(self) -> int:
        """Retries made before this response (0 when the first attempt succeeded)."""
        return self._retries_taken

    @property
    def content(self) -> bytes:
        return self._http_response.content

    @property
    def text(self) -> str:
        return self._http_response.text

    def json(self) -> Any:
        """The body decoded as JSON, without validation."""
        return self._http_response.json()

    def parse(self) -> _T:
        """The body validated into the operation's return type (computed once).

        Raises ``APIResponseValidationError`` when it does not match.
        """
        if self._parsed is None:
            self._parsed = (self._parser(self._http_response),)
        return self._parsed[0]

    def __repr__(self) -> str:
        r = self._http_response
        return f"<APIResponse [{r.status_code} {r.reason_phrase}] {r.request.method} {r.url.path}>"


def _check(result: object, func: Callable[..., Any]) -> None:
    if not isinstance(result, APIResponse):
        name = getattr(func, "__qualname__", repr(func))
        raise TypeError(
            f"{name} did not return a raw response; it must call the client once"
        )


def to_raw_response_wrapper(func: Callable[_P, _R]) -> Callable[_P, APIResponse[_R]]:
    """``func`` with the same parameters, returning an ``APIResponse`` of its result."""

    @functools.wraps(func)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> APIResponse[_R]:
        token = _RAW_RESPONSE.set(True)
        try:
            result: object = func(*args, **kwargs)
        finally:
            _RAW_RESPONSE.reset(token)
        _check(result, func)
        return cast(APIResponse[_R], result)

    return wrapped


def async_to_raw_response_wrapper(
    func: Callable[_P, Awaitable[_R]],
) -> Callable[_P, Awaitable[APIResponse[_R]]]:
    """The async counterpart of ``to_raw_response_wrapper``."""

    @functools.wraps(func)
    async def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> APIResponse[_R]:
        token = _RAW_RESPONSE.set(True)
        try:
            result: object = await func(*args, **kwargs)
        finally:
            _RAW_RESPONSE.reset(token)
        _check(result, func)
        return cast(APIResponse[_R], result)

    return wrapped


# -- streamed responses -------------------------------------------------------------

_STREAM: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "streamed_response_requested", default=False
)


def take_streamed_response_request() -> bool:
    """Whether the current call was made through a streaming wrapper (read once, as
    ``take_raw_response_request``)."""
    if not _STREAM.get():
        return False
    _STREAM.set(False)
    return True


class StreamedResponse:
    """A successful answer whose body has not been read: iterate it, or save it.

    ``client.with_streaming_response.files.download(...)`` gives one as a context
    manager, which closes the connection on leaving::

        with client.with_streaming_response.files.download(file_id=7) as response:
            for chunk in response.iter_bytes():
                sink.write(chunk)
    """

    def __init__(self, http_response: httpx.Response, retries_taken: int) -> None:
        self._http_response = http_response
        self._retries_taken = retries_taken

    @property
    def http_response(self) -> httpx.Response:
        return self._http_response

    @property
    def status_code(self) -> int:
        return self._http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self._http_response.headers

    @property
    def retries_taken(self) -> int:
        return self._retries_taken

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body in chunks, as they arrive (decoded from any Content-Encoding)."""
        return self._http_response.iter_bytes(chunk_size)

    def read(self) -> bytes:
        """The whole body (buffers it)."""
        return self._http_response.read()

    def close(self) -> None:
        self._http_response.close()

    def __enter__(self) -> StreamedResponse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        r = self._http_response
        return f"<StreamedResponse [{r.status_code} {r.reason_phrase}] {r.request.method} {r.url.path}>"


class AsyncStreamedResponse:
    """The async client's ``StreamedResponse``: ``async with`` and ``aiter_bytes()``."""

    def __init__(self, http_response: httpx.Response, retries_taken: int) -> None:
        self._http_response = http_response
        self._retries_taken = retries_taken

    @property
    def http_response(self) -> httpx.Response:
        return self._http_response

    @property
    def status_code(self) -> int:
        return self._http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self._http_response.headers

    @property
    def retries_taken(self) -> int:
        return self._retries_taken

    def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        return self._http_response.aiter_bytes(chunk_size)

    async def read(self) -> bytes:
        return await self._http_response.aread()

    async def close(self) -> None:
        await self._http_response.aclose()

    async def __aenter__(self) -> AsyncStreamedResponse:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class _StreamingCall:
    def __init__(self, func: Callable[[], object]) -> None:
        self._func = func
        self._response: StreamedResponse | None = None

    def __enter__(self) -> StreamedResponse:
        token = _STREAM.set(True)
        try:
            result = self._func()
        finally:
            _STREAM.reset(token)
        if not isinstance(result, StreamedResponse):
            raise TypeError("the method did not return a streamed response")
        self._response = result
        return result

    def __exit__(self, *exc_info: object) -> None:
        if self._response is not None:
            self._response.close()


class _AsyncStreamingCall:
    def __init__(self, func: Callable[[], Awaitable[object]]) -> None:
        self._func = func
        self._response: AsyncStreamedResponse | None = None

    async def __aenter__(self) -> AsyncStreamedResponse:
        token = _STREAM.set(True)
        try:
            result = await self._func()
        finally:
            _STREAM.reset(token)
        if not isinstance(result, AsyncStreamedResponse):
            raise TypeError("the method did not return a streamed response")
        self._response = result
        return result

    async def __aexit__(self, *exc_info: object) -> None:
        if self._response is not None:
            await self._response.close()


def to_streamed_response_wrapper(
    func: Callable[_P, object],
) -> Callable[_P, AbstractContextManager[StreamedResponse]]:
    """``func`` with the same parameters, as a context manager giving a
    ``StreamedResponse``: the body is not read until you iterate it."""

    @functools.wraps(func)
    def wrapped(
        *args: _P.args, **kwargs: _P.kwargs
    ) -> AbstractContextManager[StreamedResponse]:
        return _StreamingCall(lambda: func(*args, **kwargs))

    return wrapped


def async_to_streamed_response_wrapper(
    func: Callable[_P, Awaitable[object]],
) -> Callable[_P, AbstractAsyncContextManager[AsyncStreamedResponse]]:
    """The async counterpart of ``to_streamed_response_wrapper``."""

    @functools.wraps(func)
    def wrapped(
        *args: _P.args, **kwargs: _P.kwargs
    ) -> AbstractAsyncContextManager[AsyncStreamedResponse]:
        return _AsyncStreamingCall(lambda: func(*args, **kwargs))

    return wrapped


# The error each leniently read model would have raised, by id() while the model
# lives (models are unhashable, so not a WeakKeyDictionary).
_LENIENT: dict[int, APIResponseValidationError] = {}


def read_leniently(cast_to: Any, error: APIResponseValidationError) -> Any:
    """A 2xx body that failed validation against ``cast_to``, read as well as it can be.

    - a model from a JSON object: built without validation (``model_construct``), so
      every field holds what the server sent and unknown fields are kept as extras;
      a required field the body lacks is ``None``;
    - a root model (a list, a union...): built without validation from the whole body;
    - a model from anything else (an empty body, a list, text): a model with only
      its defaults (``None`` for required fields);
    - a list of models from a JSON array: each object item built as above;
    - any other type: the JSON (or text) as it came.

    ``error.body`` is the raw JSON (or text, ``None`` when empty); for a model the
    error is kept for ``response_validation_error``.
    """
    body = error.body
    if isinstance(cast_to, type) and issubclass(cast_to, pydantic.BaseModel):
        return _construct(cast_to, body, error)
    if typing.get_origin(cast_to) is list and isinstance(body, list):
        (item_type,) = typing.get_args(cast_to) or (Any,)
        if isinstance(item_type, type) and issubclass(item_type, pydantic.BaseModel):
            return [_construct(item_type, item, error) for item in body]
    return body


def _construct(
    model: type[pydantic.BaseModel], data: object, error: APIResponseValidationError
) -> pydantic.BaseModel:
    result = (
        # A root model holds the whole body, whatever its shape: no fields to map.
        model.model_construct(data)
        if issubclass(model, pydantic.RootModel)
        else model.model_construct(**_field_values(model, data))
    )
    _LENIENT[id(result)] = error
    weakref.finalize(result, _LENIENT.pop, id(result), None)
    return result


def _field_values(model: type[pydantic.BaseModel], data: object) -> dict[str, Any]:
    """The body's keys by field name (aliases resolved), a required field it lacks None."""
    values: dict[str, Any] = {
        name: None for name, field in model.model_fields.items() if field.is_required()
    }
    if isinstance(data, dict):
        names = {
            field.alias or name: name for name, field in model.model_fields.items()
        }
        for key, value in data.items():
            values[names.get(str(key), str(key))] = value
    return values


def response_validation_error(result: object) -> APIResponseValidationError | None:
    """Why ``result`` (a model returned by a call) did not validate, or ``None`` when
    it did: the error ``strict_response_validation=True`` would have raised, with the
    raw ``body`` and the ``response``."""
    if isinstance(result, pydantic.BaseModel):
        return _LENIENT.get(id(result))
    return None
