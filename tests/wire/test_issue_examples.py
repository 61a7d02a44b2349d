"""The examples of the issue, on the real documents: Asana's `opt_fields` (`form`,
`explode: false`) and Petstore's oauth2-only operations, through generated clients
against respx (Prism accepts a repeated key as readily as a comma list, so the exact
form is checked here)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import respx
from test_wire import CORPUS, _generate

from generator.naming import pascal


def _client(document: str, tmp_path: Path, **credentials: Any) -> tuple[ModuleType, Any]:
    path = next(CORPUS.glob(f"{document}.*"))
    module, _model, _raw = _generate(path, tmp_path / "out")
    return module, getattr(module, pascal(document))(base_url="https://api.test",
                                                     max_retries=0, **credentials)


def test_asana_opt_fields_is_one_comma_separated_value(tmp_path: Path) -> None:
    _module, client = _client("asana", tmp_path, personal_access_token="pat-secret")
    with respx.mock(base_url="https://api.test") as api:
        route = api.get("/tasks/123").mock(return_value=httpx.Response(
            200, json={"data": {"gid": "123"}}))
        client.tasks.get_task("123", opt_fields=["name", "assignee"])
        request = route.calls.last.request
    assert request.url.query == b"opt_fields=name,assignee"
    assert request.headers["Authorization"] == "Bearer pat-secret"


def test_petstore_oauth2_operation_takes_a_token_and_names_what_is_missing(
    tmp_path: Path,
) -> None:
    module, client = _client("petstore3", tmp_path, token="oauth-access-token")
    with respx.mock(base_url="https://api.test") as api:
        route = api.get("/pet/findByStatus").mock(return_value=httpx.Response(200, json=[]))
        assert client.pet.find_pets_by_status(status="available").root == []
    assert route.calls.last.request.headers["Authorization"] == "Bearer oauth-access-token"
    assert route.calls.last.request.url.query == b"status=available"

    anonymous = module.Petstore3(base_url="https://api.test")  # some operations need nothing
    with pytest.raises(module.ConfigurationError) as info:
        anonymous.pet.find_pets_by_status(status="available")
    assert str(info.value) == (
        "GET /pet/findByStatus needs credentials: pass token= to Petstore3(), "
        "or set WIRE_PETSTORE3_TOKEN"
    )
