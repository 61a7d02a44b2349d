"""Valid documents a generator trips on (tests/fixtures/degenerate/ and empty/): each
generates a client, with the names a reader would choose, and says what it changed."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from goldens import Fixture, generate, write_tree

from generator import api
from generator.errors import GeneratorError
from generator.loader import load_spec
from generator.naming import MAX_MODULE_NAME
from generator.parse import ParsedSpec, parse

OPTIONS = {"package": "degenerate_client", "client_name": "Degenerate",
           "env_prefix": "DEGENERATE"}


@cache
def parsed(name: str = "degenerate") -> ParsedSpec:
    return parse(load_spec(Fixture(name).spec), {**OPTIONS, "package": f"{name}_client"})


def resources() -> dict[str, api.Resource]:
    return {r.tag: r for r in parsed().api.resources}


def methods(tag: str) -> dict[str, api.Operation]:
    return {op.name: op for op in resources()[tag].operations}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The degenerate client, imported from a temporary folder."""
    fixture = Fixture("degenerate")
    root = tmp_path_factory.mktemp("degenerate")
    write_tree(generate(fixture.config(root)), root / fixture.package)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(fixture.package)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.split(".")[0] == fixture.package]:
            del sys.modules[name]


def test_operations_without_tags_are_grouped_by_path_after_the_shared_prefix() -> None:
    assert set(resources()) == {"pet", "stores", "contacts", "is_closed",
                                next(t for t in resources() if t.startswith("aVeryLong"))}


def test_operations_without_operation_id_are_named_after_method_and_path() -> None:
    assert set(methods("pet")) == {"get_pet", "post_pet", "get_pet_pet_id",
                                   "delete_pet_pet_id"}
    assert set(methods("stores")) == {"get_stores_store_id_items"}


def test_path_level_parameters_apply_and_an_operation_overrides_them() -> None:
    get = {p.wire_name: p for p in methods("pet")["get_pet_pet_id"].parameters}
    delete = {p.wire_name: p for p in methods("pet")["delete_pet_pet_id"].parameters}
    assert set(get) == {"petId", "base-url", "http-client"}
    assert get["petId"].type_hint == "int"
    assert delete["petId"].type_hint == "str"  # the operation's own declaration wins


def test_a_resource_named_like_a_model_gets_the_resource_suffix() -> None:
    assert "Pet" in parsed().api.schema_names
    assert resources()["pet"].class_name == "PetResource"
    assert resources()["contacts"].class_name == "Contacts"


def test_headers_named_like_constructor_arguments_do_not_repeat_them() -> None:
    names = {p.wire_name: p.name for p in methods("pet")["get_pet_pet_id"].parameters}
    assert names == {"petId": "pet_id", "base-url": "base_url_header",
                     "http-client": "http_client_header"}
    settings = {s.name for s in parsed().api.param_defaults}
    assert settings == {"base_url_header", "http_client_header"}


def test_client_constructor_takes_both_the_settings_and_its_own_arguments(package: Any) -> None:
    client = package.Degenerate(base_url="https://example.test", base_url_header="h",
                                http_client_header="c")
    assert client.base_url == "https://example.test"
    client.close()


def test_operation_ids_beside_a_bulk_operation_keep_the_bulk_methods() -> None:
    found = methods("contacts")
    assert found["migrate"].bulk is not None
    assert found["migrate_all_2"].operation_id == "migrate_all"  # `migrate_all` is the bulk one
    assert found["migrate_bulk"].operation_id == "migrate_bulk"
    constants = [op.constant for op in found.values()]
    bulk_constants = [f"{op.constant}_BULK" for op in found.values() if op.bulk]
    assert len(set(constants + bulk_constants)) == len(constants) + len(bulk_constants)


def test_bulk_and_plain_methods_are_distinct_on_the_client(package: Any) -> None:
    contacts = package.Degenerate().contacts
    assert contacts.migrate_all.__doc__ != contacts.migrate_all_2.__doc__
    assert callable(contacts.migrate_bulk)


def test_a_tag_named_like_a_client_property_does_not_replace_it(package: Any) -> None:
    assert resources()["is_closed"].attribute == "is_closed_2"
    client = package.Degenerate()
    assert client.is_closed is False
    client.close()
    assert client.is_closed is True


def test_a_tag_too_long_for_a_file_name_gets_a_short_module() -> None:
    (long,) = [r for t, r in resources().items() if t.startswith("aVeryLong")]
    assert len(long.attribute) > 255
    assert len(long.module) <= MAX_MODULE_NAME
    assert long.module.startswith("a_very_long_tag_name")


def test_enum_members_that_python_would_fold_together_stay_distinct(package: Any) -> None:
    kind = package.models.ContactKind
    assert [m.value for m in kind] == ["ﬁ", "fi", "ᴬ", "A"]
    assert all(m.name.isascii() for m in kind)


def test_enum_typed_defaults_are_members(package: Any) -> None:
    models = package.models
    assert models.Pet(name="x").mode is models.Mode.VIP
    assert models.Contact().mode is models.Mode.DNSRR


def test_a_closed_model_accepts_every_property_the_spec_allows(package: Any) -> None:
    pet = package.models.Pet.model_validate(
        {"name": "n", "x-id": "a", "customTypePath": "os.system", "naïve": 1.5})
    assert (pet.x_id, pet.custom_type_path, pet.naïve) == ("a", "os.system", 1.5)
    assert pet.model_dump(by_alias=True, exclude_none=True)["customTypePath"] == "os.system"


def test_schemas_named_like_pydantic_types_are_renamed() -> None:
    assert {"StrictStr2", "BaseModel2"} <= set(parsed().api.schema_names)


def test_the_readme_holds_spec_text_as_text(package: Any) -> None:
    readme = (Path(package.__file__).parent / "README.md").read_text()
    assert "<script>" not in readme
    assert "Degenerate &lt;script&gt;alert(1)&lt;/script&gt;" in readme
    assert "rate_limit_tier='dev\"elopment\\x60'," in readme  # a literal, backtick escaped


def test_an_empty_document_generates_and_says_so() -> None:
    empty = parsed("empty")
    assert empty.api.resources == ()
    assert empty.api.schema_names == ()
    assert [(w.kind, w.message, w.pointer) for w in empty.warnings] == [
        ("empty-document", "the document has neither operations nor schemas: "
                           "the client has nothing but its runtime", "")]


def test_duplicate_operation_ids_get_distinct_methods_and_a_located_warning(
        tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: D, version: '1'}\npaths:\n"
        "  /a:\n    get:\n      operationId: same\n      tags: [t]\n"
        "      responses: {'204': {description: x}}\n"
        "  /b:\n    get:\n      operationId: same\n      tags: [t]\n"
        "      responses: {'204': {description: x}}\n")
    # The meta-schema refuses duplicate operationIds; parsing does not rely on it.
    result = parse(load_spec(spec, meta_schema=False), OPTIONS)
    names = sorted(op.name for r in result.api.resources for op in r.operations)
    assert names == ["same", "same_2"]
    assert [str(w) for w in result.warnings] == [
        f"{spec}:11 at /paths/~1b/get/operationId: operationId 'same' is also used by GET /a; "
        "the methods get distinct names"]
    assert [w.kind for w in result.warnings] == ["duplicate-operation-id"]


@pytest.mark.parametrize(("option", "value", "message"), [
    ("package", "httpx", "package 'httpx' would shadow the module of that name"),
    ("package", "json", "package 'json' would shadow the module of that name"),
    ("client_name", "APIError", "client-name 'APIError' would shadow a name the package"),
    ("client_name", "StrictStr", "client-name 'StrictStr' would shadow a name the package"),
])
def test_names_that_would_shadow_what_the_package_needs_are_refused(
        option: str, value: str, message: str) -> None:
    with pytest.raises(GeneratorError, match=message):
        parse(load_spec(Fixture("empty").spec), {**OPTIONS, option: value})


@pytest.mark.parametrize("text", [
    # 3.1: components alone, no `paths` at all
    "openapi: 3.1.0\ninfo: {title: T, version: '1'}\ncomponents:\n  schemas:\n"
    "    Thing: {type: object, properties: {id: {type: integer}}}\n",
    # no components: the one schema is inline
    "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /x:\n    get:\n"
    "      responses:\n        '200':\n          description: ok\n          content:\n"
    "            application/json:\n              schema: {type: object, properties: "
    "{a: {type: string}}}\n",
], ids=["no-paths", "no-components"])
def test_documents_without_paths_or_schemas_generate(text: str, tmp_path: Path) -> None:
    from generator.config import Config
    from generator.pipeline import build_files

    spec = tmp_path / "openapi.yaml"
    spec.write_text(text)
    config = Config(spec=spec, output=tmp_path / "out", package="t_client", client_name="T",
                    env_prefix="T", templates=None)
    files, _, _ = build_files(config)
    for path, content in files.items():
        if path.endswith(".py"):
            compile(content, path, "exec")
    assert "models.py" in files and "_client.py" in files
