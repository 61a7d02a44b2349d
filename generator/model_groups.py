"""Component schemas cut into groups that the model generator can handle one at a time.

Generating the models of a big document in one call is most of a first run, and an
edit of one schema would redo all of it. So the schemas are cut into groups: each
group is generated on its own (on every core, see model_pool.py), cached by its own
input (an edit re-runs only the groups that see the edited schema), and the results
are joined (model_merge.py).

A group's input is its own schemas plus what the model generator must see of the
schemas they refer to. A schema they extend (`allOf`) is seen whole, with all it
refers to: its fields may be copied into the child. A schema they only name is seen
as a stub: its own keywords (type, format, enum, default, nullable, ...) without its
subschemas and annotations, enough to type the reference (an enum default becomes a member, a
nullable schema an optional type) without generating everything behind it. Only the
models of the group's own schemas are kept from its output (model_merge.py); the
others come from their own group. Two rules make that sound:

- Groups follow the references: a schema comes after everything it refers to (schemas
  that refer to each other, a cycle, always share a group). Joined in that order,
  every base class, alias and root-model parameter is defined before it is used.
- A discriminated union changes the models of its branches (their tag field becomes
  a `Literal`), so a union and its branches, and a discriminated parent and the
  schemas that extend it through `allOf`, always share a group too.

Where a group ends depends only on schema names (a hash of the name), not on the
schemas' contents or the machine: an edit moves no boundary, and the output is the
same bytes on one core or many.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .schema_keywords import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_ONES

_PREFIX = "#/components/schemas/"
# About one schema in `span` ends a group (by its name's hash). The span grows with the
# document, by powers of two (so that adding a schema seldom changes it), up to 16: an
# edit then re-runs a group of a few dozen schemas (GitHub: 0.1 s, not the 0.45 s of a
# span of 64). Measured on the documents of `make bench`, the model generator's CPU for
# all groups is the same for spans 8 to 64 on most (GitHub, Stripe, asana, slack); on
# OpenAI, whose unions are seen whole by many groups, a span of 16 costs 12% more than 32.
MIN_SPAN, MAX_SPAN = 8, 16


def group_span(schema_count: int) -> int:
    span = MIN_SPAN
    while span < MAX_SPAN and span * 2 * 8 <= schema_count:
        span *= 2
    return span



@dataclass(frozen=True)
class GroupInput:
    """Everything one group's models are made from (and so its cache key)."""

    document: dict[str, Any]  # what the model generator sees (model_groups.py)
    # Of each stub, the simplest schema that allows null as the whole schema does (a
    # stub lacks the subschemas that decide it).
    stub_nulls: dict[str, Any]
    own: tuple[str, ...]
    needs: tuple[str, ...]

    @property
    def null_schemas(self) -> dict[str, Any]:
        """What decides which references allow null: each schema the generator sees,
        its stubs answered by `stub_nulls`."""
        schemas: dict[str, Any] = self.document["components"]["schemas"]
        return {name: self.stub_nulls.get(name, schema) for name, schema in schemas.items()}

    def key(self) -> str:
        """The input as JSON text, in its own order (the order of a schema's properties
        is the order of the model's fields). It is also what crosses to a worker
        process: one string, not a tree of objects for this process to pickle while it
        renders the rest of the client."""
        return json.dumps([self.document, self.stub_nulls, self.own, self.needs],
                          ensure_ascii=False, check_circular=False)

    @classmethod
    def from_key(cls, key: str) -> GroupInput:
        document, stub_nulls, own, needs = json.loads(key)
        return cls(document, stub_nulls, tuple(own), tuple(needs))


# What a stub leaves out: every place a subschema can sit, what only an object's or a
# union's own model reads, and the annotations only its own model shows (so that a
# reworded description re-runs only the group that owns the schema).
_NOT_IN_STUB = frozenset({"items", "required", "discriminator", "description", "title",
                          "example", "examples", "externalDocs", *SCHEMA_MAPS, *SCHEMA_LISTS,
                          *SCHEMA_ONES})


@dataclass(frozen=True)
class Group:
    own: tuple[str, ...]  # the schemas whose models this group makes, in document order
    whole: tuple[str, ...]  # schemas of other groups the generator sees whole
    stubs: tuple[str, ...]  # schemas of other groups it sees as stubs (`stub`)

    @property
    def needs(self) -> tuple[str, ...]:
        return (*self.whole, *self.stubs)


def stub(schema: Any) -> Any:
    """What a group sees of a schema it only names."""
    if not isinstance(schema, dict):
        return schema
    return {key: value for key, value in schema.items() if key not in _NOT_IN_STUB}


@dataclass(frozen=True)
class _Named:
    """What one walk of a schema finds (every mapping inside it is looked at once)."""

    referred: set[str]  # every component it names: `$ref`s and discriminator mappings
    extended: set[str]  # those an `allOf` anywhere inside it names: its model may copy them
    union_members: list[Any]  # the branches of every discriminated union inside it


def _named(value: Any) -> _Named:
    found = _Named(set(), set(), [])
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            name = _name_of(item)
            if name is not None:
                found.referred.add(name)
            discriminator = item.get("discriminator")
            if isinstance(discriminator, dict):
                mapping = discriminator.get("mapping")
                mapped = list(mapping.values()) if isinstance(mapping, dict) else []
                found.referred.update(n for t in mapped if (n := _name_of(t)) is not None)
                for key in ("oneOf", "anyOf"):
                    found.union_members.extend(item.get(key) or [])
                found.union_members.extend(mapped)
            parts = item.get("allOf")
            if isinstance(parts, list):
                found.extended.update(n for part in parts if (n := _name_of(part)) is not None)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _name_of(reference: Any) -> str | None:
    if isinstance(reference, dict):
        reference = reference.get("$ref")
    if isinstance(reference, str) and reference.startswith(_PREFIX):
        return reference[len(_PREFIX):]
    return None


def reference_graph(schemas: dict[str, Any],
                    named: dict[str, _Named]) -> dict[str, set[str]]:
    """Schema -> the schemas it refers to, plus the reverse edges that tie a discriminated
    union to its branches and a discriminated parent to its `allOf` children. `named`:
    each schema's `_named`."""
    edges = {name: named[name].referred & schemas.keys() for name in schemas}
    for name, schema in schemas.items():
        for member in named[name].union_members:
            target = _name_of(member)
            if target in schemas:
                edges[target].add(name)
        parts = schema.get("allOf") if isinstance(schema, dict) else None
        for part in parts if isinstance(parts, list) else []:
            parent = _name_of(part)
            if parent in schemas and isinstance(schemas[parent], dict) and isinstance(
                    schemas[parent].get("discriminator"), dict):
                edges[parent].add(name)
    return edges


def _components(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components, each after every component it refers to (Tarjan's
    algorithm, iterative; names and edges visited in sorted order, so it is stable)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(edges[successor]))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component))
    return found


def ends_group(name: str, span: int) -> bool:
    return int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:8], 16) % span == 0


def plan_groups(schemas: dict[str, Any]) -> list[Group]:
    """The groups, in an order where each comes after every group it refers to."""
    walked = {name: _named(schema) for name, schema in schemas.items()}
    edges = reference_graph(schemas, walked)
    extended = {name: found.extended for name, found in walked.items()}
    position = {name: i for i, name in enumerate(schemas)}
    span = group_span(len(schemas))
    groups: list[list[str]] = []
    current: list[str] = []
    for component in _components(edges):
        current.extend(component)
        # A run of unlucky names still ends somewhere.
        if any(ends_group(name, span) for name in component) or len(current) >= 4 * span:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    planned = []
    for members in groups:
        own = set(members)
        whole = _seen_whole(members, schemas, edges, extended) - own
        named = {target for name in own | whole for target in edges[name]} - own - whole
        stubs: set[str] = set()
        while named:  # a stub that is a `$ref` itself needs its target, as a stub too
            name = named.pop()
            stubs.add(name)
            target = _name_of(stub(schemas[name]))
            if target in schemas and target not in own | whole | stubs:
                named.add(target)

        def ordered(names: set[str]) -> tuple[str, ...]:
            return tuple(sorted(names, key=position.__getitem__))

        planned.append(Group(own=ordered(own), whole=ordered(whole), stubs=ordered(stubs)))
    return planned


def _seen_whole(members: list[str], schemas: dict[str, Any], edges: dict[str, set[str]],
                extended: dict[str, set[str]]) -> set[str]:
    """The schemas of other groups the model generator must see whole: those `members`
    extend (and those they extend in turn), and the unions they name (whose branches
    decide, among other things, whether a reference to one allows null). A `$ref` alias
    of one counts as the schema it names."""
    def shown_whole_by(name: str) -> list[str]:
        return [*extended[name], *(t for t in edges[name] if _is_union(schemas.get(t)))]

    found: set[str] = set()
    pending = [target for name in members for target in shown_whole_by(name)]
    while pending:
        name = pending.pop()
        if name in found or name not in schemas:
            continue
        found.add(name)
        pending.extend(shown_whole_by(name))
        alias = _name_of(schemas[name])
        if alias is not None:
            pending.append(alias)
    return found


def _is_union(schema: Any) -> bool:
    return isinstance(schema, dict) and any(k in schema for k in ("anyOf", "oneOf"))
