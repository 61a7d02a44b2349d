"""The package README's examples are code a user will paste: they must parse, and every
`client.<resource>.<method>` they call must exist on the generated client."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import masivo_client

README = Path(__file__).resolve().parents[2] / "generated" / "masivo_client" / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 3


def test_every_python_example_parses() -> None:
    for block in BLOCKS:
        ast.parse(block)


def test_every_client_call_in_the_examples_exists() -> None:
    client = masivo_client.Masivo(token="t", account_id="a")
    calls = set()
    for block in BLOCKS:
        calls |= set(re.findall(r"client\.(\w+)\.(\w+)\(", block))
    assert ("contacts", "migrate_all") in calls
    for resource, method in calls:
        assert callable(getattr(getattr(client, resource), method)), (resource, method)
    client.close()


JSON_BLOCKS = re.findall(r"```json\n(.*?)```", README.read_text(), flags=re.S)


def test_every_json_lines_example_is_a_record_its_operation_accepts() -> None:
    """The migration guide's export lines, one per bulk operation, in guide order."""
    from masivo_client import models

    items = [models.Contact, models.MigratedCustomer, models.CustomerWithEvents,
             models.CustomerWithTransactions]
    assert len(JSON_BLOCKS) == len(items)
    for block, model in zip(JSON_BLOCKS, items, strict=True):
        model.model_validate_json(block.strip())
