"""Request bodies on the wire: JSON, multipart, url-encoded forms, binary and text.

``encode_request_body`` turns what a generated method was given into an
``EncodedBody``, which builds the body again for every attempt, so that a retried
upload re-sends all of it: bytes are reused, seekable files are rewound to where they
were. A one-shot body (an iterator, a pipe) is marked not ``replayable``: the client
then sends it once and says so rather than retrying with a truncated body.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, TypeAlias

import pydantic

from ._config import PartEncoding, RequestBodySpec
from ._exceptions import RequestValidationError
from ._serialization import form_pairs, primitive, query_string
from ._types import NotGiven

__all__ = ["BinaryInput", "EncodedBody", "FileInput", "encode_request_body"]

BinaryInput: TypeAlias = (
    bytes | bytearray | memoryview | IO[bytes] | Iterable[bytes] | AsyncIterable[bytes]
)
"""A binary body: bytes, a file opened in binary mode, or an iterator of chunks (sent
once: it cannot be re-read for a retry). ``AsyncIterable`` on the async client only."""

FileInput: TypeAlias = (
    bytes
    | IO[bytes]
    | tuple[str, bytes | IO[bytes]]
    | tuple[str, bytes | IO[bytes], str]
)
"""A file part of a multipart body: its bytes or a binary file, optionally as
``(filename, content)`` or ``(filename, content, content_type)``."""

_CHUNK = 64 * 1024
_BINARY_DEFAULT = "application/octet-stream"


def _json_bytes(value: object) -> bytes:
    if isinstance(value, bytes):  # already encoded by ``encode_body``
        return value
    if isinstance(value, pydantic.BaseModel):
        value = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode()


def _seekable(value: object) -> bool:
    try:
        return bool(getattr(value, "seekable", lambda: False)())
    except (OSError, ValueError):
        return False


def _is_file(value: object) -> bool:
    return hasattr(value, "read") and not isinstance(value, io.TextIOBase)


@dataclass
class EncodedBody:
    """A request body ready to be built into each attempt's request."""

    content_type: str | None = None  # None: none, or set by httpx (multipart)
    content: bytes | None = None
    stream: object = None  # a file or iterator sent as the body
    parts: list[tuple[str, tuple[Any, ...]]] | None = None  # multipart, for httpx
    files: list[tuple[IO[bytes], int]] = field(default_factory=list)  # to rewind
    replayable: bool = True

    def request_arguments(self, attempt: int, is_async: bool) -> dict[str, Any]:
        """Keyword arguments of ``httpx.Client.build_request`` for one attempt."""
        if attempt and not self.replayable:  # the client never retries these
            raise RuntimeError("a one-shot request body cannot be sent twice")
        for file, position in self.files:
            file.seek(position)
        if self.parts is not None:
            return {"files": self.parts}
        if self.stream is not None:
            return {"content": _stream(self.stream, is_async)}
        if self.content is not None:
            return {"content": self.content}
        return {}


def _stream(source: object, is_async: bool) -> Any:
    """The body ``source`` (a file or an iterator of chunks) in the form httpx wants."""
    if _is_file(source):
        chunks: Iterable[bytes] = _file_chunks(source)
    elif isinstance(source, AsyncIterable):
        if not is_async:
            raise RequestValidationError(
                [("(body)", "an async iterator needs the async client")]
            )
        return source
    else:
        chunks = source  # type: ignore[assignment]
    return _async_chunks(chunks) if is_async else chunks


def _file_chunks(file: Any) -> Iterator[bytes]:
    while True:
        chunk = file.read(_CHUNK)
        if not chunk:
            return
        yield bytes(chunk)


async def _async_chunks(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield bytes(chunk)


def encode_request_body(
    spec: RequestBodySpec | None, json_body: object, body: object
) -> EncodedBody:
    """The body of a call: ``json_body`` as JSON (``spec`` None), else ``body``
    encoded as ``spec`` says. ``None`` or ``NOT_GIVEN`` sends no body."""
    if spec is None or spec.kind == "json":
        if json_body is None or isinstance(json_body, NotGiven):
            return EncodedBody()
        try:
            content = _json_bytes(json_body)
        except (TypeError, ValueError) as exc:
            raise RequestValidationError(
                [("(body)", f"cannot encode as JSON: {exc}")]
            ) from None
        content_type = "application/json" if spec is None else spec.content_type
        return EncodedBody(content_type=content_type, content=content)
    if body is None or isinstance(body, NotGiven):
        return EncodedBody()
    if spec.kind == "multipart":
        return _multipart(spec, _fields(body))
    if spec.kind == "form":
        return _form(spec, _fields(body))
    if spec.kind == "text":
        return _text(spec, body)
    return _binary(spec, body)


def _fields(body: object) -> Mapping[str, object]:
    if isinstance(body, pydantic.BaseModel):
        return dict(body)
    if not isinstance(body, Mapping):
        raise RequestValidationError(
            [("(body)", f"expected a mapping of fields, got {type(body).__name__}")]
        )
    return body


def _concrete(content_type: str) -> str:
    """A media range of the spec (``*/*``, ``application/*``) as a type one can send."""
    kind = content_type.split(";", 1)[0].strip()
    return _BINARY_DEFAULT if kind in ("*/*", "application/*") else content_type


def _binary(spec: RequestBodySpec, body: object) -> EncodedBody:
    content_type = _concrete(spec.content_type)
    if isinstance(body, bytes | bytearray | memoryview):
        return EncodedBody(content_type=content_type, content=bytes(body))
    if isinstance(body, str):
        return EncodedBody(content_type=content_type, content=body.encode())
    if isinstance(body, io.TextIOBase):
        raise RequestValidationError(
            [("(body)", "open the file in binary mode ('rb'), not text mode")]
        )
    if _is_file(body):
        if _seekable(body):
            file: Any = body
            return EncodedBody(
                content_type=content_type, stream=body, files=[(file, file.tell())]
            )
        return EncodedBody(content_type=content_type, stream=body, replayable=False)
    if isinstance(body, Iterable | AsyncIterable):
        return EncodedBody(content_type=content_type, stream=body, replayable=False)
    raise RequestValidationError(
        [
            (
                "(body)",
                f"expected bytes, a binary file or an iterator of bytes, "
                f"got {type(body).__name__}",
            )
        ]
    )


def _text(spec: RequestBodySpec, body: object) -> EncodedBody:
    if isinstance(body, bytes):
        return EncodedBody(content_type=spec.content_type, content=body)
    if not isinstance(body, str):
        raise RequestValidationError(
            [("(body)", f"expected str, got {type(body).__name__}")]
        )
    return EncodedBody(content_type=spec.content_type, content=body.encode())


def _plain(value: object) -> object:
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return value


def _form(spec: RequestBodySpec, fields: Mapping[str, object]) -> EncodedBody:
    pairs: list[tuple[str, str]] = []
    for name, value in fields.items():
        if value is None:
            continue
        encoding = spec.encoding.get(name, PartEncoding())
        if encoding.content_type and "json" in encoding.content_type:
            pairs.extend(
                form_pairs(name, json.dumps(_plain(value), separators=(",", ":")))
            )
            continue
        pairs.extend(
            form_pairs(
                name,
                _plain(value),
                encoding.style,
                encoding.explode,
                encoding.allow_reserved,
            )
        )
    return EncodedBody(
        content_type=spec.content_type, content=query_string(pairs).encode()
    )


def _multipart(spec: RequestBodySpec, fields: Mapping[str, object]) -> EncodedBody:
    parts: list[tuple[str, tuple[Any, ...]]] = []
    body = EncodedBody(parts=parts)
    for name, value in fields.items():
        if value is None:
            continue
        encoding = spec.encoding.get(name, PartEncoding())
        items = (
            value
            if isinstance(value, list | tuple) and not _is_file_tuple(value)
            else [value]
        )
        for item in items:
            parts.append((name, _part(name, item, encoding, body)))
    if not parts:  # httpx sends no body for no parts; the spec still wants multipart
        boundary = os.urandom(8).hex()
        return EncodedBody(
            content_type=f"multipart/form-data; boundary={boundary}",
            content=f"--{boundary}--\r\n".encode(),
        )
    return body


def _is_file_tuple(value: object) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) in (2, 3)
        and isinstance(value[0], str)
        and (isinstance(value[1], bytes) or _is_file(value[1]))
    )


def _part(
    name: str, value: object, encoding: PartEncoding, body: EncodedBody
) -> tuple[Any, ...]:
    """One part for httpx: ``(filename, content, content_type, headers)``."""
    headers = dict(encoding.headers)
    if _is_file_tuple(value):
        given: tuple[Any, ...] = value  # type: ignore[assignment]
        filename, content = given[0], given[1]
        content_type = (
            given[2] if len(given) > 2 else encoding.content_type or _BINARY_DEFAULT
        )
        _track(content, body)
        return (filename, content, content_type, headers)
    if isinstance(value, bytes | bytearray | memoryview):
        return (name, bytes(value), encoding.content_type or _BINARY_DEFAULT, headers)
    if _is_file(value):
        _track(value, body)
        filename = os.path.basename(str(getattr(value, "name", name))) or name
        return (filename, value, encoding.content_type or _BINARY_DEFAULT, headers)
    plain = _plain(value)
    if isinstance(plain, Mapping | list) or (
        encoding.content_type and "json" in encoding.content_type
    ):
        content_type = encoding.content_type or "application/json"
        return (
            None,
            json.dumps(plain, separators=(",", ":"), ensure_ascii=False),
            content_type,
            headers,
        )
    if encoding.content_type:
        return (None, primitive(plain), encoding.content_type, headers)
    return (None, primitive(plain), None, headers)


def _track(content: object, body: EncodedBody) -> None:
    """Remember where a file part starts, or mark the body one-shot."""
    if not _is_file(content):
        return
    if _seekable(content):
        file: Any = content
        body.files.append((file, file.tell()))
    else:
        body.replayable = False
