"""The hostile fixture (tests/fixtures/hostile/): its text tries to break out of every
string, docstring and comment. The generated package must hold it as data only."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from goldens import Fixture, generate, runtime_files, write_tree

FIXTURE = Fixture("hostile")
HOSTILE_NAMES = {"os", "system", "__import__", "eval", "exec", "echo", "pwned", "evil_os"}
# What a spec-driven module may import: typing and the two dependencies, nothing else.
ALLOWED_IMPORTS = {"__future__", "collections.abc", "typing", "datetime", "uuid", "enum",
                   "decimal", "ipaddress", "pydantic", "httpx"}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return generate(FIXTURE.config(tmp_path_factory.mktemp("hostile")))


def spec_driven_modules(files: dict[str, bytes]) -> dict[str, ast.Module]:
    runtime = runtime_files()
    return {path: ast.parse(content, filename=path) for path, content in files.items()
            if path.endswith(".py") and path not in runtime}


def identifiers(tree: ast.AST) -> set[str]:
    """Every name the code binds or uses: variables, attributes, functions, classes,
    arguments, imported names, keywords of calls."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(node.name)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name)
        elif isinstance(node, ast.keyword) and node.arg:
            found.add(node.arg)
    return found


def test_every_module_compiles(files: dict[str, bytes]) -> None:
    modules = [p for p in files if p.endswith(".py")]
    assert len(modules) > 10
    for path in modules:
        compile(files[path], path, "exec")


def test_no_spec_text_became_an_import(files: dict[str, bytes]) -> None:
    for path, tree in spec_driven_modules(files).items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = {alias.name for alias in node.names}
                assert modules <= ALLOWED_IMPORTS, (path, modules)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module in ALLOWED_IMPORTS, (path, node.module)


def test_no_spec_text_became_a_name(files: dict[str, bytes]) -> None:
    for path, tree in spec_driven_modules(files).items():
        leaked = identifiers(tree) & HOSTILE_NAMES
        assert not leaked, (path, leaked)


def test_no_spec_text_became_a_call(files: dict[str, bytes]) -> None:
    """The only calls are to names the templates and the model generator write."""
    allowed = {"Operation", "PathParam", "QueryParam", "HeaderParam", "RequestOptions",
               "Field", "ConfigDict", "ClientConfig", "ApiKeyAuth", "CredentialSpec",
               "ParamDefault", "isinstance", "validate_body", "encode_body",
               "to_raw_response_wrapper",
               "async_to_raw_response_wrapper", "request", "__init__", "super", "_copy_with"}
    allowed |= {"Evil", "AsyncEvil", "Init", "AsyncInit", "HostileWithRawResponse",
                "AsyncHostileWithRawResponse", "EvilWithRawResponse",
                "AsyncEvilWithRawResponse", "InitWithRawResponse",
                "AsyncInitWithRawResponse"}
    for path, tree in spec_driven_modules(files).items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else (
                    func.attr if isinstance(func, ast.Attribute) else "?")
                assert name in allowed, (path, ast.unparse(node)[:200])


def test_the_resource_module_defines_exactly_the_expected_names(files: dict[str, bytes]) -> None:
    tree = spec_driven_modules(files)["resources/evil.py"]
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    assert set(classes) == {"Evil", "AsyncEvil", "EvilWithRawResponse",
                            "AsyncEvilWithRawResponse"}
    for name in ("Evil", "AsyncEvil"):
        methods = [n.name for n in classes[name].body
                   if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        assert methods == ["import_os_system_echo_pwned"]
    assignments = {t.id for n in tree.body if isinstance(n, ast.Assign)
                   for t in n.targets if isinstance(t, ast.Name)}
    assert assignments == {"__all__", "_IMPORT_OS_SYSTEM_ECHO_PWNED"}


def test_the_hostile_text_is_still_there_as_data(files: dict[str, bytes]) -> None:
    """Escaped, not dropped: the wire names and values reach the runtime unchanged."""
    spec = yaml.safe_load(FIXTURE.spec.read_text())
    operation = spec["paths"]['/evil/{id"); import os; ("}']["post"]
    tree = spec_driven_modules(files)["resources/evil.py"]
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
               and isinstance(n.value, str)}
    assert '/evil/{id"); import os; ("}' in strings
    for parameter in operation["parameters"]:
        assert parameter["name"] in strings
    assert '"""\nimport os\n' in strings  # a header's default
    docstring = ast.get_docstring(tree)
    assert docstring is not None and docstring.startswith('Tag docstring breaker """ import os')


def test_the_package_imports_and_runs_without_executing_spec_text(
        files: dict[str, bytes], tmp_path: Path) -> None:
    write_tree(files, tmp_path / FIXTURE.package)
    program = textwrap.dedent("""
        import os, subprocess, sys

        def trap(*args, **kwargs):
            raise SystemExit("spec text was executed")

        os.system = subprocess.Popen = subprocess.run = os.popen = trap
        sys.path.insert(0, sys.argv[1])
        import hostile_client
        from hostile_client.models import Kind, Payload

        client = hostile_client.Hostile(api_key="k", base_url="http://127.0.0.1:9")
        assert callable(client.evil.import_os_system_echo_pwned)
        assert callable(client.init.class_)
        values = sorted(member.value for member in Kind)
        assert values == sorted(["a'b", 'c"d', "\\\\", 'x\"\"\"\\nimport os', "import os",
                                 "None", ""]), values
        payload = Payload.model_validate({'a"b': '\"', "'; import os; '": 2})
        dumped = payload.model_dump(by_alias=True, exclude_unset=True)
        assert dumped == {'a"b': '\"', "'; import os; '": 2}, dumped
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", program, str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "ok\n"


def test_hostile_tag_names_cannot_choose_file_paths(files: dict[str, bytes]) -> None:
    """The tag `../../evil` becomes resources/evil.py; `__init__` does not overwrite the
    package's resources/__init__.py."""
    resources = sorted(p for p in files if p.startswith("resources/"))
    assert resources == ["resources/__init__.py", "resources/evil.py", "resources/init.py"]
    assert all(".." not in p and not p.startswith("/") for p in files)
