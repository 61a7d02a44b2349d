"""What JSON cannot carry is refused by the models, naming the field, before sending:
NaN and Infinity anywhere, and null where the spec does not make a field nullable."""

from __future__ import annotations

import ast
import json
import math

import pydantic
import pytest
import respx
from masivo_client import Masivo, RequestValidationError
from masivo_client.models import Contact

from generator.finite_numbers import refuse_non_finite

BASE_URL = "https://app.masivo.ai/api/storefront/v1"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_models_refuse_non_finite_numbers_naming_the_field(value: float) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Contact.model_validate({"order": {"value": value}})
    assert [e["loc"] for e in caught.value.errors()] == [("order", "value")]


def test_migrate_all_reports_a_nan_record_instead_of_sending_null() -> None:
    with respx.mock(base_url=BASE_URL) as mock:
        route = mock.post("/contacts/migrate").respond(201, json={"data": {"message": "ok"}})
        with Masivo(token="t", account_id="acc") as client:
            report = client.contacts.migrate_all(
                [{"external_id": "a", "order": {"value": math.nan}}, {"external_id": "b"}],
                rate_limit=None,
            )
    assert [(r.index, r.errors[0][0]) for r in report.rejected] == [(0, "order.value")]
    assert [json.loads(c.request.content) for c in route.calls] == [
        {"contacts": [{"external_id": "b"}]}
    ]


def test_migrate_refuses_infinity_before_sending() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as mock:
        route = mock.post("/contacts/migrate").respond(201, json={"data": {"message": "ok"}})
        with Masivo(token="t", account_id="acc") as client, \
                pytest.raises(RequestValidationError, match=r"contacts\[0\]\.order\.value"):
            client.contacts.migrate(contacts=[{"order": {"value": math.inf}}])
    assert route.calls.call_count == 0


def _configs(source: str) -> dict[str, str]:
    tree = ast.parse(source)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and getattr(
                        statement.targets[0], "id", "") == "model_config":
                    found[node.name] = ast.unparse(statement.value)
    return found


def test_the_setting_joins_every_kind_of_config_call() -> None:
    source = (
        "from __future__ import annotations\n"
        "class A(BaseModel):\n    model_config = ConfigDict(extra='forbid')\n    x: int\n"
        "class B(BaseModel):\n    model_config = ConfigDict(\n        extra='allow',\n    )\n"
        "class C(BaseModel):\n    model_config = ConfigDict()\n"
        "class D(BaseModel):\n    '''A docstring\n    on two lines.'''\n    y: float\n"
        "class E(A):\n    z: float\n"
        "class F(StrEnum):\n    X = 'X'\n"
    )
    edited = refuse_non_finite(source)
    assert _configs(edited) == {
        "A": "ConfigDict(extra='forbid', allow_inf_nan=False)",
        "B": "ConfigDict(extra='allow', allow_inf_nan=False)",
        "C": "ConfigDict(allow_inf_nan=False)",
        "D": "ConfigDict(allow_inf_nan=False)",
    }
    tree = ast.parse(edited)
    d = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "D")
    assert ast.get_docstring(d) == "A docstring\non two lines."
    assert edited.startswith("from __future__ import annotations\nfrom pydantic import ConfigDict")
