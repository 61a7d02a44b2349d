"""What the model step hands datamodel-code-generator, and what it accepts back.

Allow-lists both ways: only reviewed schema keywords go in, only reviewed names may be
imported by what comes out. The post-processors place their edits by `ast` positions,
so line separators that `str.splitlines()` knows and Python does not cannot move them.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import pytest

from generator.errors import GeneratorError
from generator.finite_numbers import refuse_non_finite
from generator.fmt import format_python
from generator.models import _check_defined, _generate, check_import
from generator.nullability import refuse_null


def document(schemas: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "m", "version": "0"}, "paths": {},
            "components": {"schemas": schemas}}


def classes(source: str) -> dict[str, ast.ClassDef]:
    return {n.name: n for n in ast.parse(source).body if isinstance(n, ast.ClassDef)}


def test_library_keywords_do_not_reach_the_model_generator() -> None:
    source = _generate(document({
        "Evil": {"type": "string", "customTypePath": "pydantic.ImportString"},
        "Path": {"type": "string", "customTypePath": "pydantic.FilePath",
                 "x-python-type": "os.PathLike"},
    }), ["Evil", "Path"])
    assert "ImportString" not in source and "FilePath" not in source
    assert "os" not in {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
    assert "class Evil(RootModel[StrictStr])" in source


def test_property_names_that_look_like_keywords_or_extensions_are_kept() -> None:
    """Names under `properties` are data: a closed model keeps `x-id`, `customTypePath`
    and non-ASCII names, so the client accepts every field the spec allows."""
    source = _generate(document({"Closed": {
        "type": "object", "additionalProperties": False,
        "properties": {"x-id": {"type": "string"}, "customTypePath": {"type": "string"},
                       "naïve": {"type": "integer"}},
    }}), ["Closed"])
    assert "alias='x-id'" in source
    assert "alias='customTypePath'" in source
    assert "naïve: StrictInt | None = None" in source


def _check(source: str, expected: set[str]) -> None:
    """The checks `generate_source` makes of the model generator's output."""
    tree = ast.parse(source)
    _check_defined(tree, expected)
    for node in ast.walk(tree):
        check_import(node)


@pytest.mark.parametrize("line", [
    "from pydantic import ImportString",
    "from pydantic import FilePath",
    "from pydantic import DirectoryPath",
    "from pydantic import Json",
    "from typing_extensions import deprecated",
    "import os",
    "from . import models",
    "from os import path",
])
def test_models_may_import_only_reviewed_names(line: str) -> None:
    with pytest.raises(GeneratorError, match="not allowed"):
        _check(f"from __future__ import annotations\n{line}\n", set())


def test_typing_extensions_type_alias_is_accepted() -> None:
    """datamodel-code-generator emits TypeAliasType for some additionalProperties schemas;
    typing_extensions comes with pydantic, so the client still needs only pydantic."""
    _check("from typing_extensions import TypeAliasType\nX = TypeAliasType('X', int)\n", {"X"})


def test_an_enum_typed_default_is_an_enum_member() -> None:
    source = _generate(document({
        "Mode": {"type": "string", "enum": ["vip", "dnsrr"]},
        "Spec": {"type": "object", "properties": {
            "mode": {"allOf": [{"$ref": "#/components/schemas/Mode"}], "default": "vip"},
            "other": {"$ref": "#/components/schemas/Mode", "default": "dnsrr"}}},
    }), ["Mode", "Spec"])
    assert "= Mode.VIP" in source and "= Mode.DNSRR" in source
    assert not re.search(r"^    \w+:.*= '(vip|dnsrr)'$", source, re.M), source


SEPARATORS = ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c", "\r"]


@pytest.mark.parametrize("separator", SEPARATORS, ids=[hex(ord(s)) for s in SEPARATORS])
def test_promised_checks_are_in_every_model_whatever_the_descriptions_hold(
        separator: str) -> None:
    text = f"one{separator}two{separator}{separator}three é{separator}"
    schemas = {
        "Closed": {"type": "object", "additionalProperties": False, "description": text,
                   "properties": {"a": {"type": "string", "description": text},
                                  "b": {"type": "number", "description": text}}},
        "Open": {"type": "object", "description": text,
                 "properties": {"c": {"type": "number", "description": text}}},
        "Child": {"allOf": [{"$ref": "#/components/schemas/Open"},
                            {"type": "object", "description": text,
                             "properties": {"d": {"type": "integer"}}}]},
        "Number": {"type": "number", "description": text},
    }
    source = _generate(document(schemas), list(schemas))
    found = classes(format_python(source, "models.py"))
    assert_promises_kept(found, closed={"Closed": {"a", "b"}})


def assert_promises_kept(found: dict[str, ast.ClassDef], closed: dict[str, set[str]]) -> None:
    """Every model class configures allow_inf_nan=False in its own body (not in a docstring);
    every closed model with optional non-nullable fields has the null-refusing validator."""
    for name, node in found.items():
        bases = {getattr(b, "id", getattr(getattr(b, "value", None), "id", "")) for b in node.bases}
        if bases & {"StrEnum", "IntEnum", "Enum"}:
            continue
        configs = [s for s in node.body if isinstance(s, ast.Assign)
                   and getattr(s.targets[0], "id", "") == "model_config"]
        if not configs:  # a subclass of another generated model inherits its config
            assert bases & found.keys(), f"{name} has no model_config"
            continue
        keywords = {k.arg: k.value for k in configs[0].value.keywords}  # type: ignore[attr-defined]
        assert isinstance(keywords.get("allow_inf_nan"), ast.Constant), name
        assert keywords["allow_inf_nan"].value is False, name
    for name, fields in closed.items():
        validators = [s for s in found[name].body if isinstance(s, ast.FunctionDef)
                      and s.name == "_refuse_null"]
        assert validators, f"{name} lost its null-refusing validator"
        decorator = validators[0].decorator_list[0]
        assert isinstance(decorator, ast.Call)
        assert {a.value for a in decorator.args if isinstance(a, ast.Constant)} == fields


def test_edits_land_after_a_docstring_holding_a_line_separator() -> None:
    source = ('from __future__ import annotations\n'
              'from pydantic import BaseModel, ConfigDict\n\n\n'
              'class A(BaseModel):\n'
              '    """x\u2028y\x0cz\x85w"""\n'
              '    model_config = ConfigDict(extra="forbid")\n'
              '    a: str | None = None\n'
              '    """é\u2028"""\n\n\n'
              'class B(A):\n'
              '    """p\u2028q"""\n'
              '    b: int\n')
    schemas = {"A": {"type": "object", "additionalProperties": False,
                     "properties": {"a": {"type": "string"}}}}
    edited = refuse_non_finite(refuse_null(source, schemas))
    assert_promises_kept(classes(edited), closed={"A": {"a"}})


def test_unused_imports_are_pruned_and_the_rest_kept() -> None:
    source = ("from __future__ import annotations\n"
              "from collections.abc import Mapping, Sequence\n"
              "from typing import Any\n"
              "from . import models\n"
              "from .x import Exported\n"
              "__all__ = ['Exported']\n"
              "def f(a: Sequence[int]) -> None: ...\n")
    assert format_python(source, "m.py") == (
        "from __future__ import annotations\n"
        "\n"
        "from collections.abc import Sequence\n"
        "\n"
        "from .x import Exported\n"
        "\n"
        '__all__ = ["Exported"]\n'
        "\n"
        "\n"
        "def f(a: Sequence[int]) -> None: ...\n")


def test_a_module_without_imports_is_formatted_by_one_ruff_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import fmt

    monkeypatch.setenv("CLIENTGEN_NO_CACHE", "1")
    started: list[list[str]] = []
    original = fmt._start

    def counting(arguments: list[str], stdin: str | None = None) -> Any:
        started.append(arguments)
        return original(arguments, stdin)

    monkeypatch.setattr(fmt, "_start", counting)
    assert format_python("X   =  'a'\n", "_version.py") == 'X = "a"\n'
    assert [arguments[0] for arguments in started] == ["format"]
    started.clear()  # with an import, it is fixed first
    assert format_python("import os\nX   =  'a'\n", "v.py") == 'X = "a"\n'
    assert [arguments[0] for arguments in started] == ["check", "format"]


def test_ruff_is_looked_up_by_one_thread_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first lookup builds sysconfig's variables; a second thread reading them
    meanwhile found none and failed the run (`TypeError` in ruff's finder). Joining the
    models asks from two threads at once when no earlier file needed ruff."""
    import threading
    import time

    import ruff.__main__

    from generator import fmt

    inside = 0
    most = 0
    count = threading.Lock()

    def slow_lookup() -> str:
        nonlocal inside, most
        with count:
            inside += 1
            most = max(most, inside)
        time.sleep(0.05)  # long enough for the other threads to arrive
        with count:
            inside -= 1
        return "/found/ruff"

    monkeypatch.setattr(ruff.__main__, "find_ruff_bin", slow_lookup)
    fmt._ruff_binary.cache_clear()
    try:
        found: list[str] = []
        threads = [threading.Thread(target=lambda: found.append(fmt._ruff())) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert found == ["/found/ruff"] * 4
        assert most == 1
    finally:
        fmt._ruff_binary.cache_clear()


def test_imports_are_merged_and_sorted() -> None:
    source = ("from __future__ import annotations\n"
              "from pydantic import ConfigDict\nfrom typing import Any\n"
              "from pydantic import BaseModel, ConfigDict\nfrom enum import Enum\n"
              "class A(BaseModel, Enum):\n    model_config = ConfigDict()\n    a: Any\n")
    formatted = format_python(source, "m.py")
    assert formatted.startswith(
        "from __future__ import annotations\n\nfrom enum import Enum\nfrom typing import Any\n"
        "\nfrom pydantic import BaseModel, ConfigDict\n\n\nclass A")


def test_an_emitted_file_that_does_not_compile_fails_the_run() -> None:
    with pytest.raises(GeneratorError, match=r"generated _client.py is not valid Python "
                                             r"\(duplicate argument 'base_url'"):
        format_python("def f(*, base_url: str, base_url: int) -> None: ...\n", "_client.py")


@pytest.mark.parametrize(("schema", "kept"), [
    ({"type": "string", "default": ["a", "b"]}, False),  # not of its type: a defect
    ({"type": "integer", "default": True}, False),
    ({"type": "string", "enum": ["a"], "default": "b"}, False),
    ({"type": "integer", "enum": [1], "default": True}, False),
    ({"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Other"},
      "default": {"k": {"v": 1}}}, False),  # a literal where models are expected
    ({"type": "string", "default": "a"}, True),
    ({"type": ["integer", "null"], "default": 3}, True),
    ({"type": "number", "default": 1}, True),
    ({"type": "array", "items": {"type": "string"}, "default": ["a"]}, True),
    ({"$ref": "#/components/schemas/Other", "default": "x"}, False),  # a model, not "x"
    ({"$ref": "#/components/schemas/Color", "default": "red"}, True),  # an enum member
])
def test_only_defaults_the_models_can_carry_reach_them(schema: dict[str, Any],
                                                       kept: bool) -> None:
    source = _generate(document({
        "Other": {"type": "object", "properties": {"v": {"type": "integer"}}},
        "Color": {"type": "string", "enum": ["red", "blue"]},
        "Holder": {"type": "object", "properties": {"field": schema}},
    }), ["Other", "Color", "Holder"])
    (line,) = [s for s in source.splitlines() if s.startswith("    field:")]
    assert line.endswith("= None") != kept, line


def test_a_discriminated_subclass_repeats_its_parent_constant() -> None:
    """A one-value enum is a `Literal` in the parent and in the subclass a discriminated
    union narrows: an enum class in one and a plain literal in the other would not be
    compatible types."""
    kind = {"type": "string", "enum": ["episode"]}
    source = _generate(document({
        "Base": {"type": "object", "required": ["type"], "properties": {"type": kind}},
        "Episode": {"allOf": [{"$ref": "#/components/schemas/Base"},
                              {"type": "object", "properties": {"n": {"type": "integer"}}}]},
        "Track": {"type": "object", "required": ["type"],
                  "properties": {"type": {"type": "string", "enum": ["track"]}}},
        "Item": {"type": "object", "properties": {"item": {
            "discriminator": {"propertyName": "type"},
            "oneOf": [{"$ref": "#/components/schemas/Episode"},
                      {"$ref": "#/components/schemas/Track"}]}}},
    }), ["Base", "Episode", "Track", "Item"])
    found = classes(source)
    for name in ("Base", "Episode"):
        fields = [s for s in found[name].body if isinstance(s, ast.AnnAssign)
                  and getattr(s.target, "id", "") == "type"]
        assert [ast.unparse(f.annotation) for f in fields] in (
            [], ["Literal['episode']"]), name
    assert "class Type(" not in source


def test_recursive_schemas_make_working_models() -> None:
    source = _generate(document({
        "Node": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            "parent": {"$ref": "#/components/schemas/Node"}}},
        "Left": {"type": "object", "properties": {"right": {"$ref": "#/components/schemas/Right"}}},
        "Right": {"type": "object", "properties": {"left": {"$ref": "#/components/schemas/Left"}}},
    }), ["Node", "Left", "Right"])
    namespace: dict[str, Any] = {}
    exec(compile(format_python(source, "models.py"), "models.py", "exec"), namespace)
    node = namespace["Node"].model_validate(
        {"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}],
         "parent": {"name": "p"}})
    assert node.children[0].children[0].name == "c"
    left = namespace["Left"].model_validate({"right": {"left": {"right": {}}}})
    assert left.right.left.right is not None


def test_every_committed_model_keeps_the_promised_checks() -> None:
    """The golden trees and the Masivo client: allow_inf_nan=False in every model, and
    the null-refusing validator where the fixtures hold closed models with descriptions
    full of line separators."""
    from goldens import ALL_FIXTURES, GENERATED

    trees = [GENERATED / "masivo_client", *(f.golden for f in ALL_FIXTURES)]
    for tree in trees:
        found = classes((tree / "models.py").read_text(encoding="utf-8"))
        closed = {"Pet": {"mode", "x_id", "custom_type_path", "naïve", "size"}} if (
            tree.name == "degenerate_client") else {}
        assert_promises_kept(found, closed=closed)


def test_an_allof_that_contradicts_its_parent_makes_a_flat_model() -> None:
    """A subclass redeclaring a parent's field with another type would fail mypy; the
    model gets the parent's fields inline instead. A narrowing (const of the same type)
    keeps the subclass."""
    status_a = {"type": "string", "enum": ["done", "open"]}
    source = _generate(document({
        "StatusA": status_a,
        "StatusB": {"type": "string", "enum": ["done", "open", "gone"]},
        "Base": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"}, "kind": {"type": "string"},
            "status": {"$ref": "#/components/schemas/StatusA"}}},
        "Middle": {"allOf": [{"$ref": "#/components/schemas/Base"},
                             {"type": "object", "properties": {"extra": {"type": "integer"}}}]},
        "Contradicts": {"allOf": [{"$ref": "#/components/schemas/Middle"}, {
            "type": "object", "required": ["status"],
            "properties": {"status": {"$ref": "#/components/schemas/StatusB"}}}]},
        "Narrows": {"allOf": [{"$ref": "#/components/schemas/Base"}, {
            "type": "object", "properties": {"kind": {"const": "special"}}}]},
    }), ["StatusA", "StatusB", "Base", "Middle", "Contradicts", "Narrows"])
    found = classes(source)
    assert [ast.unparse(b) for b in found["Contradicts"].bases] == ["BaseModel"]
    fields = {s.target.id for s in found["Contradicts"].body  # type: ignore[union-attr]
              if isinstance(s, ast.AnnAssign) and s.target.id != "model_config"}  # type: ignore[union-attr]
    assert fields == {"id", "kind", "status", "extra"}
    assert [ast.unparse(b) for b in found["Narrows"].bases] == ["Base"]


def test_a_model_default_is_not_copied_onto_the_fields_that_refer_to_it() -> None:
    source = _generate(document({
        "Flag": {"type": "boolean", "default": True},
        "Mode": {"type": "string", "enum": ["a", "b"], "default": "b"},
        "Holder": {"type": "object", "properties": {
            "flag": {"$ref": "#/components/schemas/Flag"},
            "mode": {"$ref": "#/components/schemas/Mode"}}},
    }), ["Flag", "Mode", "Holder"])
    assert "flag: Flag | None = None" in source
    assert "mode: Mode | None = Mode.B" in source


def test_property_names_that_python_folds_keep_their_wire_name() -> None:
    """`ﬁeld` (a ligature) is the identifier `field` to Python: without an alias a closed
    model would refuse the key the spec names, and the null check would miss it."""
    import sys
    import types

    source = format_python(_generate(document({"M": {
        "type": "object", "additionalProperties": False,
        "properties": {"ﬁeld": {"type": "string"}, "ﬂag": {"type": "string", "maxLength": 3},
                       "naïve": {"type": "string"}}}}), ["M"]), "models.py")
    module = types.ModuleType("folded_models")
    sys.modules[module.__name__] = module  # pydantic resolves annotations in the module
    try:
        exec(compile(source, "folded_models", "exec"), module.__dict__)
        model = module.M
        data = {"ﬁeld": "a", "ﬂag": "b", "naïve": "c"}
        assert model.model_validate(data).model_dump(by_alias=True) == data
        for key in data:
            with pytest.raises(ValueError, match="null is not allowed"):
                model.model_validate({key: None})
        with pytest.raises(ValueError, match="at most 3"):
            model.model_validate({"ﬂag": "long"})
    finally:
        del sys.modules[module.__name__]


def test_a_component_keeps_its_name_when_an_inline_schema_wants_it_too() -> None:
    # `AMessage.role` is an inline enum the library names `Role`; the component `Role` is
    # what the resources return. The component keeps the name, the inline one is prefixed.
    source = _generate(document({
        "AMessage": {"type": "object", "properties": {
            "role": {"type": "string", "enum": ["developer", "system", "user"]}}},
        "Role": {"type": "object", "properties": {"name": {"type": "string"}}},
    }), ["AMessage", "Role"])
    defined = classes(source)
    assert "name" in ast.unparse(defined["Role"])  # the component, not the enum
    assert "StrEnum" not in ast.unparse(defined["Role"])
    assert "AMessageRole" in defined and "Role1" not in defined
