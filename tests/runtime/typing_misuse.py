"""User mistakes that ``mypy --strict`` must report: each line ending in an "expect"
comment must get an error with the error code it names, and no other line may get one.

Checked by ``test_typing.py``; never run.
"""

# Useless expressions and unused names are the point here: each line is a mistake
# for the type checker to report, not code to run.
# ruff: noqa: B018, F841

from __future__ import annotations

from masivo_client import AsyncMasivo, Masivo
from masivo_client.models import MigrateContactsResponse


def mistakes(client: Masivo, aclient: AsyncMasivo) -> None:
    client.contacts.migrate(contacts=5)  # expect: arg-type
    client.contacts.migrate(contacts=[{"email": "a@b.c"}], timezone=3)  # expect: arg-type
    client.contacts.migrate(contacts=[], account=1)  # expect: call-arg
    client.contacts.migrate(contacts=[], max_retries="2")  # expect: arg-type
    Masivo(api_key=123)  # expect: arg-type
    Masivo(http_client=object())  # expect: arg-type
    raw = client.with_raw_response.contacts.migrate(contacts=[])
    raw.parse().data.missing  # expect: attr-defined
    raw.with_raw_response_typo  # expect: attr-defined
    client.with_raw_response.contacts.migrate(contacts="x", timeout="soon")  # expect: arg-type
    result: MigrateContactsResponse = aclient.contacts.migrate(contacts=[])  # expect: assignment
