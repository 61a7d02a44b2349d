"""The models made group by group: how schemas are cut into groups, what each group
keeps of its output, and how the parts are joined (model_groups.py, model_merge.py).

The whole-document guarantee (the same bytes whether the groups are made in worker
processes, one after another, or partly from the cache) is in test_model_paths.py.
"""

from __future__ import annotations

import ast
import copy
import re
from typing import Any

import pytest

from generator.errors import GeneratorError
from generator.finite_numbers import refuse_non_finite
from generator.model_groups import ends_group, group_span, plan_groups, stub
from generator.model_merge import Part, join, kept_part, rename
from generator.model_pool import generate_models
from generator.models import check_import
from generator.nullability import refuse_null


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def chain(length: int) -> dict[str, Any]:
    """S0 <- S1 <- ... : each schema refers to the one before it."""
    schemas: dict[str, Any] = {"S0": obj(v={"type": "string"})}
    for i in range(1, length):
        schemas[f"S{i}"] = obj(prev=ref(f"S{i - 1}"))
    return schemas


def group_of(groups: list[Any], name: str) -> int:
    return next(i for i, g in enumerate(groups) if name in g.own)


def test_every_schema_is_in_one_group_after_what_it_refers_to() -> None:
    schemas = chain(200)
    groups = plan_groups(schemas)
    assert len(groups) > 1  # 200 schemas are not one group
    owned = [name for g in groups for name in g.own]
    assert sorted(owned) == sorted(schemas)
    for i in range(1, 200):
        assert group_of(groups, f"S{i - 1}") <= group_of(groups, f"S{i}")


def test_group_ends_depend_on_names_not_on_contents() -> None:
    schemas = chain(200)
    edited = copy.deepcopy(schemas)
    edited["S50"]["properties"]["added"] = {"type": "integer", "description": "x" * 5000}
    assert [g.own for g in plan_groups(schemas)] == [g.own for g in plan_groups(edited)]
    span = group_span(len(schemas))
    ends = [name for name in schemas if ends_group(name, span)]
    assert 0 < len(ends) < len(schemas) / span * 3  # about one in `span`


def test_the_span_grows_with_the_document_by_powers_of_two() -> None:
    assert [group_span(n) for n in (10, 127, 128, 1000, 100_000)] == [8, 8, 16, 16, 16]


def test_schemas_in_a_cycle_share_a_group() -> None:
    schemas = chain(200)
    schemas["S0"]["properties"]["last"] = ref("S199")  # S0 -> S199 -> ... -> S0
    assert len(plan_groups(schemas)) == 1


def test_a_discriminated_union_shares_a_group_with_its_branches() -> None:
    schemas = chain(200)
    schemas["S3"] = {"oneOf": [ref("S150"), ref("S160")],
                     "discriminator": {"propertyName": "kind"}}
    groups = plan_groups(schemas)
    assert group_of(groups, "S3") == group_of(groups, "S150") == group_of(groups, "S160")


def test_a_discriminated_parent_shares_a_group_with_its_children() -> None:
    schemas = chain(200)
    schemas["S2"] = {**obj(kind={"type": "string"}),
                     "discriminator": {"propertyName": "kind"}}
    schemas["S180"] = {"allOf": [ref("S2"), obj(extra={"type": "string"})]}
    groups = plan_groups(schemas)
    assert group_of(groups, "S2") == group_of(groups, "S180")


def test_a_union_named_from_another_group_is_seen_whole() -> None:
    pick = next(f"P{i}" for i in range(10_000) if ends_group(f"P{i}", group_span(3)))
    schemas = {"A": obj(a={"type": "string"}),
               pick: {"anyOf": [ref("A"), {"type": "null"}]},
               "User": obj(pick=ref(pick))}
    groups = plan_groups(schemas)
    user = groups[group_of(groups, "User")]
    # Its branches decide, among other things, whether the reference allows null.
    assert pick in user.whole and "A" in user.stubs


def test_a_named_schema_is_a_stub_an_extended_one_is_whole() -> None:
    schemas = chain(200)
    schemas["Child"] = {"allOf": [ref("S120"), obj(own={"type": "string"})]}
    schemas["User"] = obj(child=ref("Child"), first=ref("S10"))
    groups = plan_groups(schemas)
    user = groups[group_of(groups, "User")]
    child = groups[group_of(groups, "Child")]
    if user is not child:  # Child is named by User: seen as a stub there
        assert "Child" in user.stubs and "S120" not in user.needs
    assert "S120" in child.own or "S120" in child.whole  # extended: seen whole...
    assert "S119" in child.own or "S119" in child.whole  # ...with what it refers to


def test_a_stub_keeps_its_own_keywords_and_drops_its_subschemas_and_annotations() -> None:
    schema = {"type": "object", "nullable": True, "description": "d", "default": {},
              "properties": {"a": ref("A")}, "required": ["a"], "items": ref("B"),
              "allOf": [ref("C")], "additionalProperties": ref("D"),
              "discriminator": {"propertyName": "a"}}
    assert stub(schema) == {"type": "object", "nullable": True, "default": {}}
    assert stub({"type": "string", "enum": ["a", "b"], "default": "a"}) == {
        "type": "string", "enum": ["a", "b"], "default": "a"}


OUTPUT = '''from __future__ import annotations

from pydantic import BaseModel
from enum import StrEnum


class Dep(BaseModel):
    inner: DepInner


class DepInner(BaseModel):
    x: int


class Own(BaseModel):
    dep: Dep
    config: Config


class Config(BaseModel):
    mode: Mode


class Mode(StrEnum):
    A = "a"


Own.model_rebuild()
Dep.model_rebuild()
'''


def test_a_group_keeps_its_own_models_and_their_inline_models_only() -> None:
    part = kept_part(OUTPUT, ast.parse(OUTPUT), ("Own",), ("Dep",), check_import)
    assert [name for name, _ in part.definitions] == ["Own", "Config", "Mode"]
    assert [name for name, _ in part.rebuilds] == ["Own"]
    assert part.imports == ("from pydantic import BaseModel\n", "from enum import StrEnum\n")


# A closed model (its optional fields refuse null), a model with only a docstring, and
# the last model of the output, which ends without a line break.
EDITED = '''from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Closed(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: str | None = None


class Bare(BaseModel):
    """Nothing but a docstring."""


class Last(BaseModel):
    name: str | None = None'''
CLOSED = {"type": "object", "additionalProperties": False,
          "properties": {"name": {"type": "string"}}}


def test_a_part_kept_with_an_edit_is_the_part_of_the_edited_source() -> None:
    from generator.finite_numbers import non_finite_edit
    from generator.nullability import null_edit
    from generator.source_edits import Positions

    tree, positions = ast.parse(EDITED), Positions(EDITED)
    schemas = {"Closed": CLOSED, "Bare": CLOSED, "Last": CLOSED}
    edit = non_finite_edit(EDITED, tree, positions).then(
        null_edit(tree, positions, schemas))
    # Made one after the other, each on the other's output: what the edit stands for.
    edited = refuse_non_finite(refuse_null(EDITED, schemas))
    assert edit.applied(EDITED) == edited
    own = ("Closed", "Bare", "Last")
    kept = kept_part(EDITED, tree, own, (), check_import, edit)
    assert kept == kept_part(edited, ast.parse(edited), own, (), check_import)
    definitions = dict(kept.definitions)
    assert "_refuse_null" in definitions["Last"]  # inserted at the very end
    assert "_refuse_null" in definitions["Closed"] and "allow_inf_nan" in definitions["Bare"]


def test_a_statement_of_another_kind_is_refused() -> None:
    source = "A = 1\nprint(A)\n"
    with pytest.raises(GeneratorError, match="unexpected kind"):
        kept_part(source, ast.parse(source), ("A",), (), check_import)


def test_an_import_inside_a_model_is_refused() -> None:
    source = "class A(BaseModel):\n    from os import system\n"
    with pytest.raises(GeneratorError, match="'system' from 'os': not allowed"):
        kept_part(source, ast.parse(source), ("A",), (), check_import)


def part(own: tuple[str, ...], *definitions: tuple[str, str]) -> Part:
    return Part(own, ("from pydantic import BaseModel\n",), definitions, ())


def test_joining_renames_a_clash_in_the_later_group_and_drops_an_exact_repeat() -> None:
    first = part(("A",), ("Links", "class Links(BaseModel):\n    href: str\n"),
                 ("A", "class A(BaseModel):\n    links: Links\n"))
    second = part(("B",), ("Links", "class Links(BaseModel):\n    rel: str\n"),
                  ("Same", "class Same(BaseModel):\n    v: int\n"),
                  ("B", "class B(BaseModel):\n    links: Links\n    s: Same\n"))
    third = part(("C",), ("Same", "class Same(BaseModel):\n    v: int\n"),
                 ("C", "class C(BaseModel):\n    s: Same\n"))
    source = join([first, second, third], ["A", "B", "C"]).source()
    tree = ast.parse(source)
    names = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
    assert names == ["Links", "A", "Links1", "Same", "B", "C"]
    assert "links: Links1\n" in source and "links: Links\n" in source
    assert source.startswith("from __future__ import annotations\n")
    assert source.count("from pydantic import BaseModel") == 1


def test_an_inline_model_named_like_a_component_of_another_group_is_renamed() -> None:
    first = part(("A",), ("User", "class User(BaseModel):\n    name: str\n"),
                 ("A", "class A(BaseModel):\n    user: User\n"))
    second = part(("User",), ("User", "class User(BaseModel):\n    id: int\n"))
    source = join([first, second], ["A", "User"]).source()
    assert "class User1(BaseModel):\n    name: str" in source
    assert "user: User1\n" in source and "class User(BaseModel):\n    id: int" in source


def test_a_repeat_that_uses_a_renamed_name_is_renamed_too() -> None:
    first = part(("A",), ("Inner", "class Inner(BaseModel):\n    a: int\n"),
                 ("Outer", "class Outer(BaseModel):\n    i: Inner\n"),
                 ("A", "class A(BaseModel):\n    o: Outer\n"))
    second = part(("B",), ("Inner", "class Inner(BaseModel):\n    b: str\n"),
                  ("Outer", "class Outer(BaseModel):\n    i: Inner\n"),
                  ("B", "class B(BaseModel):\n    o: Outer\n"))
    source = join([first, second], ["A", "B"]).source()
    assert "class Outer1(BaseModel):\n    i: Inner1\n" in source
    assert "o: Outer1\n" in source


def test_a_component_defined_twice_is_a_generator_bug() -> None:
    first = part(("A",), ("A", "class A(BaseModel):\n    x: int\n"))
    with pytest.raises(GeneratorError, match="both define A"):
        join([first, part(("A",), ("A", "class A(BaseModel):\n    y: int\n"))], ["A"])


def test_renaming_touches_names_not_attributes_or_strings() -> None:
    text = 'class B(BaseModel):\n    m: Mode = Mode.Mode\n    s: Literal["Mode"]\n'
    assert rename(text, {"Mode": "Mode1"}) == (
        'class B(BaseModel):\n    m: Mode1 = Mode1.Mode\n    s: Literal["Mode"]\n')


def test_groups_joined_make_the_same_models_as_one_call() -> None:
    """Many groups (a long chain, inline models named alike in each) against the whole
    document in one call: the same definitions, whatever their order."""
    from generator.models import _generate

    schemas: dict[str, Any] = {}
    for i in range(120):
        schemas[f"Item{i}"] = obj(
            prev=ref(f"Item{i - 1}") if i else {"type": "string"},
            status={"type": "string", "enum": ["on", "off"], "default": "on"},
            mode=ref("Mode"))
    schemas["Mode"] = {"type": "string", "enum": ["fast", "slow"], "default": "fast"}
    document = {"openapi": "3.0.3", "info": {"title": "m", "version": "0"}, "paths": {},
                "components": {"schemas": schemas}}
    assert len(plan_groups(schemas)) > 1
    grouped = generate_models(document, list(schemas))
    whole = _generate(document, list(schemas))

    def components(source: str) -> dict[str, str]:
        return {n.name: ast.unparse(n) for n in ast.parse(source).body
                if isinstance(n, ast.ClassDef) and n.name in schemas}

    assert components(grouped) == components(whole)
    compile(grouped, "models.py", "exec")


def test_a_stub_still_says_whether_a_reference_allows_null() -> None:
    """An allOf schema named from another group is a stub there (no allOf: it would
    seem to accept anything, null too), yet the closed model that names it still refuses
    null for it: decided on the whole schema."""
    ender = next(f"U{i}" for i in range(10_000) if ends_group(f"U{i}", group_span(4)))
    schemas: dict[str, Any] = {
        "A": obj(a={"type": "string"}), "B": obj(b={"type": "integer"}),
        ender: {"allOf": [ref("A"), ref("B")]},
        "Zclosed": {**obj(u=ref(ender)), "additionalProperties": False},
    }
    groups = plan_groups(schemas)
    closed = groups[group_of(groups, "Zclosed")]
    assert ender in closed.stubs  # seen as a stub where Zclosed is made
    document = {"openapi": "3.0.3", "info": {"title": "m", "version": "0"}, "paths": {},
                "components": {"schemas": schemas}}
    source = generate_models(document, list(schemas))
    assert re.search(r"@field_validator\((['\"])u\1, mode=\"before\"\)", source)
