"""The console script `clientgen` and `python -m generator`, and their settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import GENERATED, ROOT, SESSION_CACHE, run_cli, snapshot

CONSOLE_SCRIPT = Path(sys.executable).parent / "clientgen"


def console(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CONSOLE_SCRIPT), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False,
                          env={**os.environ, "CLIENTGEN_CACHE_DIR": str(SESSION_CACHE)})


@pytest.mark.parametrize("how", ["console-script", "python-m"])
def test_help(how: str, tmp_path: Path) -> None:
    result = console("--help", cwd=tmp_path) if how == "console-script" else run_cli(
        "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: clientgen ")
    for flag in ("--spec", "--output", "--package", "--client-name", "--templates",
                 "--check", "--force", "--config"):
        assert flag in result.stdout


def test_the_console_script_generates_the_committed_client(tmp_path: Path) -> None:
    output = tmp_path / "out"
    result = console("--output", str(output), cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {output / 'masivo_client'} (")
    assert snapshot(output / "masivo_client") == snapshot(GENERATED / "masivo_client")


def test_flags_override_the_pyproject_settings(tmp_path: Path) -> None:
    output = tmp_path / "out"
    result = run_cli("--output", str(output), "--package", "other_client",
                     "--client-name", "Other", "--env-prefix", "OTHER", "-q", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # --quiet
    client = (output / "other_client" / "_client.py").read_text()
    assert "class Other(SyncAPIClient):" in client
    assert "class AsyncOther(AsyncAPIClient):" in client
    assert 'env="OTHER_API_KEY"' in client
    assert not (output / "masivo_client").exists()


def test_settings_are_read_from_the_config_file_given(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text(
        "[tool.clientgen]\n"
        f'spec = "{ROOT / "spec" / "masivo.yaml"}"\n'
        'output = "client-out"\npackage = "from_file"\n')
    result = run_cli("--config", "settings.toml", "--check", cwd=tmp_path)
    assert result.returncode == 1  # nothing generated yet
    assert "client-out/from_file is out of date" in result.stderr
    assert "  + _client.py\n" in result.stderr
    assert not (tmp_path / "client-out").exists()


@pytest.mark.parametrize(("settings", "flags", "message"), [
    ('sepc = "x.yaml"\n', (), "unknown keys in [tool.clientgen]: sepc"),
    ("", (), "no spec given: pass --spec or set spec in [tool.clientgen]"),
    ('spec = "x.yaml"\n', ("--package", "bad-name"),
     "package 'bad-name' is not a valid Python module name"),
    ('spec = "x.yaml"\n', ("--client-name", "my client"),
     "client-name 'my client' is not a valid class name"),
    ('spec = "x.yaml"\n', ("--env-prefix", "lower"),
     "env-prefix 'lower' must be upper-case letters, digits, _"),
])
def test_bad_settings_are_one_line_errors(settings: str, flags: tuple[str, ...], message: str,
                                          tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.clientgen]\n" + settings)
    result = run_cli(*flags, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.endswith(f"{message}\n")
    assert result.stderr.count("\n") == 1
