"""`python -m masivo_client migrate FILE`: dry runs with line numbers, the failed-out
files, CSV mapping, journals, progress output and exit statuses."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bulk_support import HERE, make_server
from loopback import ACCOUNT, TOKEN, Limits, MigrateServer, contact
from masivo_client.__main__ import COMMANDS
from masivo_client._bulk_report import Progress
from masivo_client._cli import main
from masivo_client._cli_input import cell_reader, column_path, row_to_record
from masivo_client._cli_progress import ProgressPrinter, format_duration

GENERATED = HERE.parents[1] / "generated"


def cli(*argv: str) -> tuple[int, str, str]:
    from masivo_client import Masivo

    out, err = io.StringIO(), io.StringIO()
    status = main(COMMANDS, client=Masivo, prog="masivo", argv=list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def write_jsonl(path: Path, records: list[Any]) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for record in records:
            f.write(record if isinstance(record, str) else json.dumps(record, ensure_ascii=False))
            f.write("\n")
    return path


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Any:
    with make_server(limits=Limits(min_interval=0.02, max_items=50)) as srv:
        monkeypatch.setenv("MASIVO_TOKEN", TOKEN)
        monkeypatch.setenv("MASIVO_BASE_URL", srv.url)
        yield srv


FAST = ("--min-interval", "0.02", "--progress", "none")


def test_dry_run_reports_every_bad_line_and_sends_nothing(tmp_path: Path) -> None:
    bad_email = contact(1, email=5)
    records = [contact(0), bad_email, "", contact(2), "{oops", contact(3, gender="X")]
    path = write_jsonl(tmp_path / "contacts.jsonl", records)
    status, out, err = cli("migrate", str(path), "--dry-run", "--progress", "none")
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == f"{path}:2: email: Input should be a valid string (got 5)"
    assert lines[1].startswith(f"{path}:5: Invalid JSON")  # line 3 is blank, still counted
    assert lines[2].startswith(f"{path}:6: gender: Input should be 'MALE' or 'FEMALE'")
    assert "5 records read; 2 valid (dry run, nothing sent)" in out
    assert "3 records rejected" in out and err == ""


def test_dry_run_of_a_clean_file_exits_zero(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "contacts.jsonl", [contact(i) for i in range(3)])
    status, out, _ = cli("migrate", str(path), "--dry-run", "--progress", "none")
    assert status == 0 and "3 valid" in out


def test_run_writes_what_was_not_accepted_ready_to_resend(
    endpoint: MigrateServer, tmp_path: Path
) -> None:
    endpoint.state.faults.update({2: "422", 3: "drop"})
    records: list[Any] = [contact(i) for i in range(30)]
    records[4] = contact(4, dob="not a date")
    path = write_jsonl(tmp_path / "contacts.jsonl", records)
    failed = tmp_path / "failed.jsonl"
    status, out, _ = cli("migrate", str(path), "--account-id", ACCOUNT, "--batch-size", "10",
                         "--failed-out", str(failed), *FAST)
    assert status == 1
    assert f"{path}:5: dob:" in out
    assert "batch 1, 10 records, records 11..20 (lines 12..21): failed:" in out
    assert "11 records not accepted written to" in out
    again = [json.loads(line) for line in failed.read_text().splitlines()]
    assert [r["external_id"] for r in again] == ["ext-4", *(f"ext-{i}" for i in range(11, 21))]
    assert again[0] == records[4]  # as it was read, to be fixed
    unknown = tmp_path / "failed.unknown.jsonl"
    assert "9 records with an unknown outcome written to" in out
    assert [json.loads(line)["external_id"] for line in unknown.read_text().splitlines()] == [
        f"ext-{i}" for i in range(21, 30)
    ]
    # the file of failed records goes through as it is, once fixed
    status, _, _ = cli("migrate", str(failed), "--account-id", ACCOUNT, "--dry-run", *FAST[2:])
    assert status == 1  # ext-4 still has its bad date


def test_everything_accepted_exits_zero_and_a_journal_makes_reruns_free(
    endpoint: MigrateServer, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "contacts.jsonl", [contact(i) for i in range(25)])
    journal = str(tmp_path / "job.journal")
    args = ("migrate", str(path), "--account-id", ACCOUNT, "--batch-size", "10",
            "--journal", journal, *FAST)
    status, out, _ = cli(*args)
    assert status == 0 and "25 accepted" in out and "3 batches accepted in 3 requests" in out
    status, out, _ = cli(*args)
    assert status == 0 and "25 accepted by an earlier run (3 batches skipped)" in out
    assert endpoint.recorded == {f"ext-{i}": 1 for i in range(25)}


def test_account_id_from_the_environment(
    endpoint: MigrateServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASIVO_ACCOUNT_ID", ACCOUNT)
    path = write_jsonl(tmp_path / "contacts.jsonl", [contact(0)])
    status, _, _ = cli("migrate", str(path), *FAST)
    assert status == 0 and endpoint.recorded == {"ext-0": 1}


def test_missing_account_id_is_a_usage_error(endpoint: MigrateServer, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "contacts.jsonl", [contact(0)])
    status, _, err = cli("migrate", str(path), *FAST)
    assert status == 2
    assert "missing --account-id (or set MASIVO_ACCOUNT_ID)" in err
    assert endpoint.seen == []


@pytest.mark.parametrize(
    ("name", "message"),
    [("contacts.txt", "cannot tell the format"), ("missing.jsonl", "No such file")],
)
def test_unreadable_input_is_a_usage_error(tmp_path: Path, name: str, message: str) -> None:
    if name.endswith(".txt"):
        (tmp_path / name).write_text("{}\n")
    status, _, err = cli("migrate", str(tmp_path / name), "--dry-run")
    assert status == 2 and message in err


def test_csv_columns_map_to_nested_fields(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "external_id,email_verified,dob,order.purchase_id,order.value,addresses.0.city,"
        "addresses.1.city,tags,payments\n"
        'ext-1,true,1990-12-25,o-1,20.95,Puebla,,"{""vip"": true}","[{""method"": ""CASH""}]"\n'
        "ext-2,false,,,,,Oaxaca,,\n"
        'ext-3,maybe,1990-12-25,o-3,"cheap",,,{bad,\n',
        encoding="utf-8",
    )
    failed = tmp_path / "failed.jsonl"
    status, out, _ = cli("migrate", str(path), "--dry-run", "--failed-out", str(failed),
                         "--progress", "none")
    assert status == 1
    errors = [line for line in out.splitlines() if line.startswith(str(path))]
    assert errors == [
        f"{path}:4: column tags: invalid JSON (Expecting property name enclosed in double "
        "quotes: line 1 column 2 (char 1))",
    ]
    rejected = json.loads(failed.read_text())
    assert rejected["external_id"] == "ext-3" and rejected["tags"] == "{bad"
    assert "2 valid" in out


def csv_row(header: list[str], row: list[str], line: int = 2) -> Any:
    from masivo_client import Contact

    schema = Contact.model_json_schema()
    paths = [column_path(h) for h in header]
    return row_to_record(header, paths, row, line, [cell_reader(schema, p) for p in paths])


def test_csv_row_mapping_rules() -> None:
    header = ["external_id", "order.purchase_id", "order", "addresses.1.city", "tags"]
    record = csv_row(header, ["e", "o-1", '{"value": 3}', "Puebla", ""])
    assert record.error is None and record.line == 2
    assert record.data == {"external_id": "e", "order": {"purchase_id": "o-1", "value": 3},
                           "addresses": [{"city": "Puebla"}]}
    twice = csv_row(["order.value", "order"], ["1", '{"value": 2}'])
    assert twice.error is not None and "set twice" in twice.error
    long_row = csv_row(["external_id"], ["1", "2"])
    assert long_row.error == "2 cells, but the header has 1 columns"
    text = csv_row(["first_name", "tags"], ["[draft]", "[1]"])
    assert text.data == {"first_name": "[draft]", "tags": [1]}  # JSON only where the field is


def test_csv_cells_are_typed_by_their_field_and_validate_like_json() -> None:
    from masivo_client import Contact

    header = ["external_id", "email_verified", "order.value", "order.products.0.amount",
              "addresses.0.zip_code", "payments.0.expiry_month"]
    record = csv_row(header, ["e", "TRUE", "20.95", "3", "03100", "12"])
    assert record.data == {
        "external_id": "e", "email_verified": True,
        "order": {"value": 20.95, "products": [{"amount": 3}]},
        "addresses": [{"zip_code": "03100"}], "payments": [{"expiry_month": 12}],
    }
    Contact.model_validate(record.data)  # the strict models take it
    odd = csv_row(["email_verified", "order.value"], ["maybe", "cheap"])
    assert odd.data == {"email_verified": "maybe", "order": {"value": "cheap"}}


def test_gzip_input(tmp_path: Path) -> None:
    path = tmp_path / "contacts.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for i in range(4):
            f.write(json.dumps(contact(i)) + "\n")
    status, out, _ = cli("migrate", str(path), "--dry-run", "--progress", "none")
    assert status == 0 and "4 records read; 4 valid" in out


def test_progress_lines_when_not_on_a_terminal(endpoint: MigrateServer, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "contacts.jsonl", [contact(i) for i in range(30)])
    status, _, err = cli("migrate", str(path), "--account-id", ACCOUNT, "--batch-size", "10",
                         "--min-interval", "0.02", "--progress-every", "0")
    lines = err.splitlines()
    assert status == 0 and "\r" not in err
    assert any(line.startswith("progress: 100%, 30 contacts read, 30 accepted") for line in lines)


def test_progress_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    stream = io.StringIO()
    clock = iter([0.0, 1.0, 1.01])
    printer = ProgressPrinter(stream, bar=True, noun="contacts", fraction=lambda: 0.25,
                              clock=lambda: next(clock))
    snapshot = Progress(items_read=2500, items_accepted=2000, items_rejected=3,
                        items_not_accepted=0, batches_accepted=2, requests=2, elapsed=60.0,
                        rate=41.6, total=None, eta=None, waiting=4.9, reason="pacing")
    printer(snapshot)
    printer(snapshot)
    printer(snapshot)  # within 0.1 s of the last: not drawn
    printer.close()
    text = stream.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n")
    assert "[######..................]  25%" in text
    assert "2,500 contacts read, 2,000 accepted, 3 invalid, 42/s, ETA 3m00s" in text
    assert "waiting 5s (pacing)" in text


def test_format_duration() -> None:
    assert [format_duration(s) for s in (0, 59.4, 61, 3599, 3661)] == [
        "0s", "59s", "1m01s", "59m59s", "1h01m"
    ]


def test_python_dash_m_lists_the_bulk_commands() -> None:
    done = subprocess.run([sys.executable, "-m", "masivo_client", "--help"], cwd=GENERATED,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert "migrate" in done.stdout and "Migrate contacts" in done.stdout


def test_interrupted_run_says_how_to_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import masivo_client._cli as cli_module

    def interrupted(client: Any, spec: Any, records: Any, **kwargs: Any) -> Any:
        for _ in zip(range(5), records, strict=False):
            pass
        kwargs["options"].progress(
            Progress(items_read=5, items_accepted=0, items_rejected=0, items_not_accepted=0,
                     batches_accepted=0, requests=0, elapsed=1.0, rate=5.0, total=None,
                     eta=None)
        )
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "run_sync", interrupted)
    path = write_jsonl(tmp_path / "contacts.jsonl", [contact(i) for i in range(9)])
    status, _, err = cli("migrate", str(path), "--dry-run", "--journal", "j", "--progress", "none")
    assert status == 130
    assert err == "interrupted after 5 records read. Run again with the same --journal to go on.\n"


def test_missing_credentials_are_a_usage_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "contacts.jsonl", [contact(0)])
    status, _, err = cli("migrate", str(path), "--account-id", ACCOUNT, *FAST)
    assert status == 2 and "set MASIVO_API_KEY or MASIVO_TOKEN" in err
