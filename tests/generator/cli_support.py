"""Running the command line in a subprocess, in a scratch project, as a user would."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"

PYPROJECT = """\
[tool.clientgen]
spec = "spec/openapi.yaml"
output = "generated"
package = "masivo_client"
client-name = "Masivo"
env-prefix = "MASIVO"
"""


# The generator's result cache, private to this test session: hermetic (nothing from
# earlier sessions or the developer's own runs), yet each step is computed only once.
SESSION_CACHE = Path(tempfile.mkdtemp(prefix="clientgen-test-cache-"))
atexit.register(shutil.rmtree, SESSION_CACHE, ignore_errors=True)


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`python -m generator ARGS` in `cwd`, with the session's result cache."""
    environment = {**os.environ, "CLIENTGEN_CACHE_DIR": str(SESSION_CACHE), **(env or {})}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd,
                          env=environment, capture_output=True, text=True,
                          timeout=timeout, check=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too), by relative path; and empty folders.

    Bytecode is left out: importing the committed client (as other tests do) writes it.
    """
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if "__pycache__" in path.parts:
            continue
        relative = path.relative_to(folder).as_posix()
        if path.is_file():
            found[relative] = path.read_bytes()
        elif path.is_dir() and not any(path.iterdir()):
            found[relative + "/"] = b""
    return found


def seeded_project(tmp_path: Path, spec_files: dict[str, bytes | str]) -> Path:
    """A project folder: pyproject.toml, the given spec files, and a copy of generated/."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT)
    for relative, content in spec_files.items():
        target = project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    # Not the stamp: a developer's `make generate` leaves one, a fresh clone has none.
    shutil.copytree(GENERATED, project / "generated",
                    ignore=shutil.ignore_patterns("__pycache__", ".clientgen-stamp.json"))
    return project
