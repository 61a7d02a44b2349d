"""`python -m masivo_client migrate-customers|migrate-events|migrate-transactions FILE`:
one command per migrate endpoint, with the resend default of its `x-bulk.replay-safe`."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from bulk_support import make_server
from loopback import TOKEN, Limits, MigrateServer, with_events, with_transactions
from masivo_client.__main__ import COMMANDS
from masivo_client._cli import _parser, main


def cli(*argv: str) -> tuple[int, str, str]:
    from masivo_client import Masivo

    out, err = io.StringIO(), io.StringIO()
    status = main(COMMANDS, client=Masivo, prog="masivo", argv=list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Any:
    with make_server(limits=Limits(min_interval=0.02, max_items=1000, max_nested=1000)) as srv:
        monkeypatch.setenv("MASIVO_TOKEN", TOKEN)
        monkeypatch.setenv("MASIVO_BASE_URL", srv.url)
        yield srv


def test_one_command_per_migrate_endpoint() -> None:
    assert sorted(c.name for c in COMMANDS) == [
        "migrate", "migrate-customers", "migrate-events", "migrate-transactions"]


@pytest.mark.parametrize(("command", "default"), [
    ("migrate", False), ("migrate-customers", False), ("migrate-events", True),
    ("migrate-transactions", False),
])
def test_resend_unknown_defaults_to_the_operations_replay_safety(
    command: str, default: bool
) -> None:
    parser = _parser(COMMANDS, "masivo")
    assert parser.parse_args([command, "f.jsonl"]).resend_unknown is default
    assert parser.parse_args([command, "f.jsonl", "--no-resend-unknown"]).resend_unknown is False
    assert parser.parse_args([command, "f.jsonl", "--resend-unknown"]).resend_unknown is True


def test_events_from_a_json_lines_export(endpoint: MigrateServer, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    records = [with_events(i, 200) for i in range(12)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    status, out, _ = cli("migrate-events", str(path), "--min-interval", "0.02",
                         "--progress", "none")
    assert status == 0, out
    assert endpoint.recorded == {f"evc-{i}": 1 for i in range(12)}
    assert [n for _, n in endpoint.nested] == [1000, 1000, 400]  # 5 + 5 + 2 customers


def test_transactions_refused_before_sending_name_the_line(
    endpoint: MigrateServer, tmp_path: Path
) -> None:
    path = tmp_path / "transactions.jsonl"
    bad = with_transactions(1, 1)
    bad["transactions"][0]["type"] = "BONUS"
    path.write_text("\n".join(json.dumps(r) for r in [with_transactions(0, 2), bad]) + "\n")
    status, out, _ = cli("migrate-transactions", str(path), "--dry-run", "--progress", "none")
    assert status == 1
    assert f"{path}:2: transactions[0].type: Input should be" in out
    assert endpoint.seen == []
