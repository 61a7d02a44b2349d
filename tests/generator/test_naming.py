"""Names from a spec become safe identifiers; spec text enters code only as inert text."""

from __future__ import annotations

import ast
import io
import keyword
import math
import re
import tokenize
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from generator.api import Api, _model_names
from generator.naming import RESERVED_ARGUMENTS, Namespace, header_argument, pascal, snake
from generator.render import comment, docstring, header, pyrepr

HOSTILE = [
    '"""', "'''", '"', "\\", '\\"""', '""""', '"""""', 'x"""\nimport os\n"""',
    "\\\n", "line\r\nimport os", "\x00nul\x07bell\x1bescape", "\u2028import os",
    "\x85import os", "{{ 7 * 7 }} {% raw %}", "# not a comment", "\\N{BULLET}",
    "\\x41\\u0041", "'; import os; '", "\t\ttabbed", "",
]


# -- identifiers --------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("x-account-id", "x_account_id"),
    ("getHTTPResponse", "get_http_response"),
    ("listThings", "list_things"),
    ("class", "class_"),
    ("None", "none"),
    ("import", "import_"),
    ("2fa", "_2fa"),
    ("../../evil", "evil"),
    ("__init__", "init"),
    ("Café crème", "cafe_creme"),
    ("'; import os; '", "import_os"),
    ("", "value"),
    ("!!!", "value"),
    # Soft keywords are valid names, and which words are soft depends on the Python
    # version: they must not be renamed, or the output would depend on it.
    ("match", "match"),
    ("type", "type"),
    ("case", "case"),
])
def test_snake(text: str, expected: str) -> None:
    assert snake(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("contacts", "Contacts"),
    ("billing_info", "BillingInfo"),
    ("my-odd.schema_name", "MyOddSchemaName"),
    ("HTTPError", "HTTPError"),
    ("none", "NoneModel"),
    ("true", "TrueModel"),
    ("2fa", "Model2fa"),
    ("", "Model"),
    ("../../evil", "Evil"),
    ("Evil\"\"\"Title'); import os; #", "EvilTitleImportOs"),
])
def test_pascal(text: str, expected: str) -> None:
    assert pascal(text) == expected


def test_pascal_fallback_is_prefix_suffix_and_default() -> None:
    assert pascal("import", "Default") == "Import"
    assert pascal("9", "Default") == "Default9"
    assert pascal("false", "Default") == "FalseDefault"
    assert pascal("", "Default") == "Default"


@pytest.mark.parametrize(("wire", "expected"), [
    ("x-account-id", "account_id"),
    ("X-Request-Id", "request_id"),
    ("x-timezone", "timezone"),
    ("Authorization", "authorization"),
    ("x-", "header"),
    ("x-class", "class_"),
])
def test_header_argument(wire: str, expected: str) -> None:
    assert header_argument(wire) == expected


@given(st.text())
@example("class")
@example("2fa")
@example("__")
@example("ǅ")  # a title-case letter
def test_snake_is_a_safe_lowercase_identifier(text: str) -> None:
    name = snake(text)
    assert name.isidentifier() and name.isascii()
    assert not keyword.iskeyword(name)
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", name)
    assert snake(name) == name  # config.py relies on this to validate package names


@given(st.text())
@example("none")
@example("9lives")
def test_pascal_is_a_safe_class_name_without_underscores(text: str) -> None:
    name = pascal(text)
    assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", name)  # what the model generator keeps as is
    assert not keyword.iskeyword(name)
    assert pascal(name) == name


def test_namespace_hands_out_unique_names() -> None:
    names = Namespace({"timeout"})
    assert [names.claim(n) for n in ("a", "a", "timeout", "a", "a_2")] == [
        "a", "a_2", "timeout_2", "a_3", "a_2_2"]
    classes = Namespace({"Field"}, separator="")
    assert [classes.claim(n) for n in ("Field", "Field", "Field2")] == [
        "Field2", "Field3", "Field22"]


def test_reserved_arguments_cover_what_method_bodies_use() -> None:
    for name in ("self", "timeout", "extra_headers", "extra_body", "max_retries", "dict",
                 "str", "object", "isinstance", "validate_body", "encode_body"):
        assert name in RESERVED_ARGUMENTS


@pytest.mark.parametrize(("hint", "models"), [
    ("Sequence[Contact | Mapping[str, Any]]", {"Contact"}),
    ("UUID | str", set()),
    ("datetime | str | None", set()),
    ("Cat | Dog | Mapping[str, Any]", {"Cat", "Dog"}),
    ("Literal['Asc', \"It's\", 'a\\'B'] | Sort", {"Sort"}),
    ("Literal[1, 2]", set()),
])
def test_models_named_in_a_type_hint(hint: str, models: set[str]) -> None:
    assert _model_names(hint) == models


# -- filters --------------------------------------------------------------------------

def _docstring_value(text: str) -> str:
    """What `text` must read as once it sits in a docstring."""
    cleaned = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "",
                     text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return cleaned + " " if cleaned.endswith('"') else cleaned


@pytest.mark.parametrize("text", HOSTILE)
def test_docstring_filter_keeps_text_inside_the_docstring(text: str) -> None:
    source = f'def f() -> None:\n    """{docstring(text)}"""\n'
    tree = ast.parse(source)
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    assert len(function.body) == 1  # nothing but the docstring
    assert ast.get_docstring(function, clean=False) == _docstring_value(text)


@given(st.text())
def test_docstring_filter_never_ends_the_string(text: str) -> None:
    source = f'"""{docstring(text)}"""\nAFTER = 1\n'
    tree = ast.parse(source)
    assert len(tree.body) == 2
    assert isinstance(tree.body[0], ast.Expr)
    assert isinstance(tree.body[0].value, ast.Constant)
    assert tree.body[0].value.value == _docstring_value(text)


@pytest.mark.parametrize("text", HOSTILE)
def test_comment_filter_stays_one_comment(text: str) -> None:
    _assert_one_comment(text)


@given(st.text())
def test_comment_filter_stays_one_comment_for_any_text(text: str) -> None:
    _assert_one_comment(text)


def _assert_one_comment(text: str) -> None:
    line = comment(text)
    assert "\n" not in line and "\r" not in line and line == line.strip()
    source = f"x = 1  # {line}\ny = 2\n"
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
              if t.type == tokenize.COMMENT]
    assert len(tokens) == 1
    assert len(ast.parse(source).body) == 2


@pytest.mark.parametrize("value", [*HOSTILE, 0, -1, 10**30, 1.5, True, False, None])
def test_pyrepr_reads_back_as_the_same_value(value: Any) -> None:
    assert ast.literal_eval(pyrepr(value)) == value


@given(st.one_of(st.text(), st.integers(), st.booleans(), st.none(),
                 st.floats(allow_nan=False, allow_infinity=False)))
def test_pyrepr_round_trips_any_scalar(value: Any) -> None:
    assert ast.literal_eval(pyrepr(value)) == value


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_pyrepr_of_non_finite_floats_is_an_expression_not_a_bare_name(value: float) -> None:
    code = pyrepr(value)
    assert code.startswith("float(")
    result = eval(code, {"__builtins__": {"float": float}})
    assert math.isnan(result) if math.isnan(value) else result == value


@pytest.mark.parametrize("value", [[1], {"a": 1}, object()])
def test_pyrepr_refuses_non_scalars(value: Any) -> None:
    with pytest.raises(TypeError, match="not a scalar"):
        pyrepr(value)


def test_header_is_two_comment_lines_whatever_the_spec_file_is_called() -> None:
    model = Api(title="t", version="1", description="", servers=("http://x",), resources=(),
                schemes=(), credentials=(), param_defaults=(), schema_names=(),
                spec_sha256="ab" * 32, spec_name="evil\nimport os\r.yaml")
    python = header(model, "9.9.9", "models.py")
    assert python == ("# Generated by clientgen 9.9.9 from evil import os.yaml; do not edit.\n"
                      f"# spec sha256: {'ab' * 32}\n")
    markdown = header(replace(model, spec_name="api.yaml"), "9.9.9", "README.md")
    assert markdown == ("<!--\nGenerated by clientgen 9.9.9 from api.yaml; do not edit.\n"
                        f"spec sha256: {'ab' * 32}\n-->\n\n")


def test_runtime_members_are_cached_by_the_runtimes_source(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import naming

    monkeypatch.delenv("CLIENTGEN_NO_CACHE", raising=False)
    monkeypatch.setenv("CLIENTGEN_CACHE_DIR", str(tmp_path / "cache"))
    runtime = tmp_path / "_base_client.py"
    monkeypatch.setattr(naming, "_RUNTIME", runtime)
    runtime.write_text("class Base:\n    def close(self):\n        self.pool = 1\n"
                       "class Client(Base):\n    timeout: float\n")
    first = naming.runtime_members.__wrapped__("Client")
    assert first == {"close", "pool", "timeout"}
    assert naming.runtime_members.__wrapped__("Client") == first  # from the cache
    runtime.write_text("class Client:\n    def send(self):\n        pass\n")
    assert naming.runtime_members.__wrapped__("Client") == {"send"}
