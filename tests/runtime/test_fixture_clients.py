"""The clients generated from tests/fixtures/security and tests/fixtures/bodies, called
through their generated methods (sync and async) against respx: what reaches the wire."""

from __future__ import annotations

import base64
import importlib
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import respx
from runtime_helpers import call

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "generator"))

from goldens import Fixture, generate, write_tree  # noqa: E402

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    out = tmp_path_factory.mktemp("fixture_clients")
    for name in ("security", "bodies"):
        fixture = Fixture(name)
        write_tree(generate(fixture.config(out)), out / fixture.package)
    sys.path.insert(0, str(out))
    try:
        yield {name: importlib.import_module(f"{name}_client") for name in ("security", "bodies")}
    finally:
        sys.path.remove(str(out))


def make(packages: dict[str, ModuleType], name: str, flavor: str, **kwargs: Any) -> Any:
    module = packages[name]
    cls_name = name.capitalize()
    cls = getattr(module, cls_name if flavor == "sync" else f"Async{cls_name}")
    return cls(**kwargs)


SECURE = "https://secure.example.test/v1"
FILES = "https://files.example.test/v1"


async def test_security_fixture_every_scheme(
    flavor: str, packages: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    with respx.mock(base_url=SECURE) as api:
        token = api.post("/oauth/token").mock(return_value=httpx.Response(
            200, json={"access_token": "cc-token", "expires_in": 3600}))
        routes = {path: api.get(path).mock(return_value=httpx.Response(204))
                  for path in ("/basic", "/bearer", "/keys", "/oauth", "/oidc", "/either",
                               "/optional")}
        public = api.get("/public").mock(return_value=httpx.Response(
            200, json={"anonymous": True}))
        monkeypatch.setenv("SECURITY_OIDC_TOKEN", "oidc-from-env")
        client = make(packages, "security", flavor, username="ann", password="pw",
                      token="bearer-1", header_key="hk-1", query_key="qk-1",
                      api_key="cookie-1", client_id="app", client_secret="shh-secret")
        r = client.default
        await call(r.with_basic())
        assert routes["/basic"].calls.last.request.headers["Authorization"] == (
            "Basic " + base64.b64encode(b"ann:pw").decode())
        await call(r.with_bearer())
        assert routes["/bearer"].calls.last.request.headers["Authorization"] == "Bearer bearer-1"
        await call(r.with_keys())
        keys = routes["/keys"].calls.last.request
        assert keys.headers["X-API-Key"] == "hk-1"
        assert keys.url.params["key"] == "qk-1"
        assert keys.headers["Cookie"] == "session=cookie-1"
        await call(r.with_oauth())
        assert token.call_count == 1
        assert routes["/oauth"].calls.last.request.headers["Authorization"] == "Bearer cc-token"
        await call(r.with_open_id_connect())
        assert routes["/oidc"].calls.last.request.headers["Authorization"] == (
            "Bearer oidc-from-env")
        await call(r.with_either())
        assert routes["/either"].calls.last.request.headers["Authorization"].startswith("Basic")
        await call(r.with_optional())
        assert routes["/optional"].calls.last.request.headers["X-API-Key"] == "hk-1"
        who = await call(r.public())
        assert who.anonymous is True
        assert "Authorization" not in public.calls.last.request.headers
        await call(client.close())


async def test_security_fixture_missing_credentials_named(
    flavor: str, packages: dict[str, ModuleType]
) -> None:
    client = make(packages, "security", flavor)  # some operations need nothing
    with pytest.raises(packages["security"].ConfigurationError) as info:
        await call(client.default.with_oauth())
    assert str(info.value) == (
        "GET /oauth needs credentials: pass oauth_token= or client_id= and client_secret= "
        "to Security(), or set SECURITY_OAUTH_TOKEN or SECURITY_CLIENT_ID and "
        "SECURITY_CLIENT_SECRET"
    )
    with respx.mock(base_url=SECURE) as api:
        api.get("/optional").mock(return_value=httpx.Response(204))
        await call(client.default.with_optional())  # `{}`: anonymous is fine
        assert "X-API-Key" not in api.calls.last.request.headers
    await call(client.close())


async def test_bodies_fixture_multipart_form_binary_text(
    flavor: str, packages: dict[str, ModuleType]
) -> None:
    client = make(packages, "bodies", flavor)
    r = client.default
    with respx.mock(base_url=FILES) as api:
        upload = api.post("/photos").mock(return_value=httpx.Response(201, json={"id": 7}))
        photo = await call(r.upload_photo(title="Cat", file=io.BytesIO(b"PNG"),
                                          thumbnails=[b"t1", b"t2"], meta={"camera": "x"}))
        assert photo.id == 7
        request = upload.calls.last.request
        body = request.content
        assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
        assert b'name="file"; filename="file"\r\nContent-Type: image/png\r\n\r\nPNG' in body
        assert body.count(b'form-data; name="thumbnails"') == 2
        assert b'name="meta"\r\nX-Part: meta\r\nContent-Type: application/json' in body

        login = api.post("/login").mock(return_value=httpx.Response(202))
        assert await call(r.login(user="ann lee", scopes=["a", "b"])) is None
        assert login.calls.last.request.content == b"user=ann%20lee&scopes=a,b"
        login.mock(return_value=httpx.Response(200, json={"ok": True}))
        result = await call(r.login(user="ann"))
        assert result is not None and result.ok is True

        replace = api.put("/photos/5/raw").mock(return_value=httpx.Response(204))
        assert await call(r.replace_photo(5, body=b"\x00\x01")) is None
        assert replace.calls.last.request.headers["Content-Type"] == "application/octet-stream"

        caption = api.put("/photos/5/caption").mock(return_value=httpx.Response(
            200, text="stored", headers={"Content-Type": "text/plain"}))
        assert await call(r.set_caption(5, body="hello")) == "stored"
        assert caption.calls.last.request.headers["Accept"] == "text/plain"

        api.get("/photos/5/raw").mock(return_value=httpx.Response(200, content=b"\x89PNG"))
        assert await call(r.download_photo(5)) == b"\x89PNG"
        raw = await call(client.with_raw_response.default.download_photo(5))
        assert raw.status_code == 200 and raw.parse() == b"\x89PNG"
    await call(client.close())


async def test_bodies_fixture_parameter_styles(
    flavor: str, packages: dict[str, ModuleType]
) -> None:
    client = make(packages, "bodies", flavor)
    with respx.mock(base_url=FILES) as api:
        route = api.get(path__startswith="/styles/").mock(
            return_value=httpx.Response(200, json={"id": 1}))
        matrix = api.get(path__startswith="/matrix/").mock(return_value=httpx.Response(204))
        await call(client.default.matrix_style([1, 2]))
        assert matrix.calls.last.request.url.raw_path.decode() == "/v1/matrix/;matrix=1,2"
        await call(client.default.styles(
            ["a", "b"], fields=["name", "assignee"], ids=[1, 2],
            words=["x", "y"], filter={"color": "red"}, redirect="/next?a=1",
            where={"n": 1}, trace={"id": "t1"}, prefs=["dark", "wide"]))
        request = route.calls.last.request
        assert request.url.raw_path.decode() == (
            "/v1/styles/.a.b?fields=name,assignee&filter%5Bcolor%5D=red"
            "&ids=1%7C2&redirect=/next?a=1&where=%7B%22n%22%3A1%7D&words=x%20y"
        )
        assert request.headers["X-Trace"] == "id=t1"
        assert request.headers["Cookie"] == "prefs=dark,wide"
        assert json.loads(route.calls.last.response.content) == {"id": 1}
    await call(client.close())


async def test_bodies_fixture_streams_a_binary_answer(
    flavor: str, packages: dict[str, ModuleType]
) -> None:
    client = make(packages, "bodies", flavor)
    pulled: list[bytes] = []

    def chunks() -> Iterator[bytes]:
        for part in (b"\x89PNG", b"-chunk-2", b"-chunk-3"):
            pulled.append(part)  # what the server has produced so far
            yield part

    async def achunks() -> Any:
        for part in chunks():
            yield part

    with respx.mock(base_url=FILES) as api:
        api.get("/photos/5/raw").mock(return_value=httpx.Response(
            200, content=chunks() if flavor == "sync" else achunks()))
        got: list[bytes] = []
        if flavor == "sync":
            with client.with_streaming_response.default.download_photo(5) as response:
                assert response.status_code == 200
                assert pulled == []  # nothing read before the caller iterates
                got = list(response.iter_bytes())
        else:
            async with client.with_streaming_response.default.download_photo(5) as response:
                assert response.status_code == 200
                assert pulled == []
                got = [chunk async for chunk in response.aiter_bytes()]
        assert b"".join(got) == b"\x89PNG-chunk-2-chunk-3"

        api.get("/photos/6/raw").mock(return_value=httpx.Response(404, json={"e": "gone"}))
        with pytest.raises(packages["bodies"].NotFoundError) as info:
            if flavor == "sync":
                with client.with_streaming_response.default.download_photo(6):
                    pass
            else:
                async with client.with_streaming_response.default.download_photo(6):
                    pass
        assert info.value.body == {"e": "gone"}  # an error's body is read to report it
    await call(client.close())


async def test_bodies_fixture_json_under_another_media_type_and_redirect_result(
    flavor: str, packages: dict[str, ModuleType]
) -> None:
    client = make(packages, "bodies", flavor)
    with respx.mock(base_url=FILES) as api:
        route = api.patch("/photos/5").mock(return_value=httpx.Response(200, json={"id": 5}))
        photo = await call(client.default.patch_photo(5, title="New", revision=3))
        assert photo.id == 5
        request = route.calls.last.request
        # +json media type kept; the readOnly `id` is not asked for; the Content-Type
        # header parameter is ignored; the required property without a schema is sent.
        assert request.headers["Content-Type"] == "application/merge-patch+json"
        assert json.loads(request.content) == {"title": "New", "revision": 3}

        api.get("/photos/5/link").mock(return_value=httpx.Response(
            302, headers={"Location": "https://cdn.example/5.png"}))
        assert await call(client.default.photo_link(5)) is None  # the declared answer
        raw = await call(client.with_raw_response.default.photo_link(5))
        assert raw.status_code == 302
        assert raw.headers["Location"] == "https://cdn.example/5.png"
    await call(client.close())
