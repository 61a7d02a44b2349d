"""The generated package is vendorable: it works copied under any other package, and
imports nothing but itself (relatively), httpx, pydantic and the standard library."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from cli_support import GENERATED

PACKAGE = GENERATED / "masivo_client"
DEPENDENCIES = {"httpx", "pydantic"}


def test_every_import_is_relative_or_httpx_pydantic_stdlib() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 10
    for module in modules:
        tree = ast.parse(module.read_bytes(), filename=str(module))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in DEPENDENCIES or top in sys.stdlib_module_names, (
                    f"{module.relative_to(GENERATED)}:{node.lineno} imports {name!r}")


def test_it_works_vendored_under_another_package(tmp_path: Path) -> None:
    vendor = tmp_path / "vendor" / "thirdparty"
    shutil.copytree(PACKAGE, vendor / "masivo_client",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "vendor" / "__init__.py").write_text("")
    (vendor / "__init__.py").write_text("")
    program = textwrap.dedent("""
        import json, sys
        sys.path.insert(0, sys.argv[1])
        from vendor.thirdparty.masivo_client import AsyncMasivo, Contact, Masivo, models
        from vendor.thirdparty.masivo_client import RequestValidationError

        client = Masivo(api_key="k", account_id="acc")
        assert callable(client.contacts.migrate) and callable(client.auth.authorize)
        assert callable(AsyncMasivo(api_key="k").contacts.migrate)
        assert Contact(external_id="1").external_id == "1"
        try:
            client.contacts.migrate(contacts=[])
        except RequestValidationError:
            pass
        else:
            raise SystemExit("an empty batch was accepted")
        client.close()
        print(json.dumps(sorted(sys.modules)))
    """)
    # -I: no user site, no PYTHONPATH, no current folder: only what the program adds.
    result = subprocess.run([sys.executable, "-I", "-c", program, str(tmp_path)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    loaded = set(json.loads(result.stdout))
    assert "vendor.thirdparty.masivo_client._client" in loaded
    assert not {m for m in loaded if m == "masivo_client" or m.startswith("masivo_client.")}
    leaked = {m.split(".")[0] for m in loaded} & {
        "generator", "jinja2", "black", "yaml", "datamodel_code_generator",
        "openapi_spec_validator"}
    assert not leaked, f"the client imported generator-side modules: {leaked}"
