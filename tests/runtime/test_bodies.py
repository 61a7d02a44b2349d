"""Bodies and answers beyond JSON, through the same retries, errors and raw responses:
multipart (files, fields, per-part encoding), url-encoded forms, binary (bytes, files,
iterators), text; binary, text and empty answers."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from masivo_client._base_client import (
    AsyncAPIClient,
    ClientConfig,
    Operation,
    PartEncoding,
    RequestBodySpec,
    SyncAPIClient,
)
from masivo_client._exceptions import InternalServerError, RequestValidationError
from masivo_client._response import async_to_raw_response_wrapper, to_raw_response_wrapper
from runtime_helpers import Fakes, call

pytestmark = pytest.mark.anyio

BASE = "https://files.example/v1"
CONFIG = ClientConfig(
    package="masivo_client", version="0", client_name="Files", env_prefix="FILES",
    default_base_url=BASE,
)


class Files(SyncAPIClient):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(config=CONFIG, credentials={}, param_defaults={}, **kwargs)


class AsyncFiles(AsyncAPIClient):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(config=CONFIG, credentials={}, param_defaults={}, **kwargs)


def upload(kind: Any, content_type: str, **encoding: PartEncoding) -> Operation:
    return Operation(method="POST", path="/upload",
                     body=RequestBodySpec(kind=kind, content_type=content_type,
                                          encoding=encoding))


@pytest.fixture
def api() -> Any:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def client(flavor: str, fakes: Fakes, **kwargs: Any) -> Any:
    c = Files(**kwargs) if flavor == "sync" else AsyncFiles(**kwargs)
    fakes.install(c)
    return c


async def post(flavor: str, fakes: Fakes, api: respx.MockRouter, operation: Operation,
               body: object, answers: list[httpx.Response] | None = None) -> respx.Route:
    route = api.post("/upload").mock(side_effect=answers or [httpx.Response(204)])
    c = client(flavor, fakes)
    await call(c.request(operation, cast_to=None, body=body))
    await call(c.close())
    return route


def parts(request: httpx.Request) -> list[tuple[dict[str, str], bytes]]:
    """The parts of a multipart request: (headers, content)."""
    boundary = request.headers["Content-Type"].split("boundary=", 1)[1].encode()
    out = []
    for chunk in request.content.split(b"--" + boundary)[1:-1]:
        head, _, data = chunk.strip(b"\r\n").partition(b"\r\n\r\n")
        headers = dict(line.decode().split(": ", 1) for line in head.split(b"\r\n"))
        out.append((headers, data))
    return out


async def test_multipart_files_fields_and_encoding(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    operation = upload("multipart", "multipart/form-data",
                       meta=PartEncoding(content_type="application/json",
                                         headers=(("X-Part", "1"),)),
                       image=PartEncoding(content_type="image/png"))
    route = await post(flavor, fakes, api, operation, {
        "title": "Cat", "count": 2, "image": io.BytesIO(b"\x89PNG"),
        "meta": {"a": 1}, "docs": [("a.txt", b"A", "text/plain"), b"B"],
    })
    request = route.calls.last.request
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    got = parts(request)
    assert got[0] == ({"Content-Disposition": 'form-data; name="title"'}, b"Cat")
    assert got[1] == ({"Content-Disposition": 'form-data; name="count"'}, b"2")
    assert got[2][0]["Content-Type"] == "image/png" and got[2][1] == b"\x89PNG"
    assert got[3][0] == {"Content-Disposition": 'form-data; name="meta"',
                         "X-Part": "1", "Content-Type": "application/json"}
    assert json.loads(got[3][1]) == {"a": 1}
    assert got[4][0]["Content-Disposition"] == 'form-data; name="docs"; filename="a.txt"'
    assert got[4][0]["Content-Type"] == "text/plain" and got[4][1] == b"A"
    assert got[5][1] == b"B"


async def test_a_retried_multipart_upload_resends_the_whole_body(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    data = b"x" * 200_000
    route = await post(flavor, fakes, api, upload("multipart", "multipart/form-data"),
                       {"file": io.BytesIO(data)},
                       [httpx.Response(503), httpx.Response(204)])
    assert route.call_count == 2
    first, second = (c.request for c in route.calls)
    assert parts(first)[0][1] == data and parts(second)[0][1] == data


async def test_url_encoded_form_with_encoding_styles(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    operation = upload("form", "application/x-www-form-urlencoded",
                       tags=PartEncoding(style="form", explode=False),
                       filter=PartEncoding(style="deepObject", explode=True))
    route = await post(flavor, fakes, api, operation, {
        "name": "a b&c", "tags": ["x", "y"], "ids": [1, 2], "filter": {"k": "v"}})
    request = route.calls.last.request
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.content == b"name=a%20b%26c&tags=x,y&ids=1&ids=2&filter%5Bk%5D=v"


async def test_binary_bytes_and_seekable_files_are_retried_whole(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    operation = upload("binary", "application/octet-stream")
    route = await post(flavor, fakes, api, operation, b"\x00\x01",
                       [httpx.Response(500), httpx.Response(204)])
    assert [c.request.content for c in route.calls] == [b"\x00\x01", b"\x00\x01"]
    assert route.calls.last.request.headers["Content-Type"] == "application/octet-stream"
    source = io.BytesIO(b"skip" + b"y" * 100_000)
    source.seek(4)
    route = await post(flavor, fakes, api, operation, source,
                       [httpx.Response(500), httpx.Response(204)])
    assert [len(c.request.content) for c in route.calls[-2:]] == [100_000, 100_000]


async def test_a_one_shot_iterator_is_sent_once_and_not_retried(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"ab"
        yield b"cd"

    route = api.post("/upload").mock(side_effect=[httpx.Response(503), httpx.Response(204)])
    c = client(flavor, fakes)
    with pytest.raises(InternalServerError) as info:
        await call(c.request(upload("binary", "application/octet-stream"), cast_to=None,
                             body=chunks()))
    assert route.call_count == 1
    assert route.calls.last.request.content == b"abcd"
    assert "not retried: the request body is a one-shot iterator" in str(info.value)
    await call(c.close())


async def test_text_body(flavor: str, fakes: Fakes, api: respx.MockRouter) -> None:
    route = await post(flavor, fakes, api, upload("text", "text/plain"), "héllo")
    request = route.calls.last.request
    assert request.content == "héllo".encode()
    assert request.headers["Content-Type"] == "text/plain"


async def test_wrong_body_types_are_refused_before_sending(flavor: str, fakes: Fakes) -> None:
    c = client(flavor, fakes)
    with pytest.raises(RequestValidationError):
        await call(c.request(upload("text", "text/plain"), cast_to=None, body=12))
    with pytest.raises(RequestValidationError):
        await call(c.request(upload("multipart", "multipart/form-data"), cast_to=None,
                             body=b"raw"))
    with pytest.raises(RequestValidationError):
        await call(c.request(upload("binary", "application/octet-stream"), cast_to=None,
                             body=io.StringIO("text mode")))
    await call(c.close())


DOWNLOAD = Operation(method="GET", path="/file",
                     response_kinds={"200": "binary", "203": "text", "204": "empty"},
                     accept="application/octet-stream, text/plain")


async def test_binary_text_and_empty_answers(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    route = api.get("/file").mock(side_effect=[
        httpx.Response(200, content=b"\x00\xff"),
        httpx.Response(203, text="plain"),
        httpx.Response(204),
    ])
    c = client(flavor, fakes)
    assert await call(c.request(DOWNLOAD, cast_to=bytes)) == b"\x00\xff"
    assert route.calls.last.request.headers["Accept"] == "application/octet-stream, text/plain"
    assert await call(c.request(DOWNLOAD, cast_to=bytes)) == "plain"
    assert await call(c.request(DOWNLOAD, cast_to=bytes)) is None
    await call(c.close())


async def test_raw_response_of_a_binary_answer(
    flavor: str, fakes: Fakes, api: respx.MockRouter
) -> None:
    api.get("/file").mock(return_value=httpx.Response(200, content=b"PK\x03\x04",
                                                      headers={"X-Size": "4"}))
    c = client(flavor, fakes)

    def fetch() -> Any:
        return c.request(DOWNLOAD, cast_to=bytes)

    async def afetch() -> Any:
        return await c.request(DOWNLOAD, cast_to=bytes)

    raw = (to_raw_response_wrapper(fetch)() if flavor == "sync"
           else await async_to_raw_response_wrapper(afetch)())
    assert raw.headers["X-Size"] == "4"
    assert raw.parse() == b"PK\x03\x04"
    await call(c.close())


async def test_debug_log_of_a_streamed_body(
    flavor: str, fakes: Fakes, api: respx.MockRouter, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import logging

    monkeypatch.setenv("FILES_LOG", "debug")
    caplog.set_level(logging.DEBUG)
    await post(flavor, fakes, api, upload("binary", "application/octet-stream"),
               io.BytesIO(b"abc"))
    assert "body=streamed" in caplog.text
    await post(flavor, fakes, api, upload("text", "text/plain"), "abc")
    assert "body=3 bytes" in caplog.text
