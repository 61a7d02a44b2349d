"""The models of each group kept apart from the rest of its output, then joined.

A group's output (see model_groups.py) defines the models of its own schemas, the
models the model generator made for their inline schemas, and the same for every
schema they refer to. `kept_part` keeps what is the group's own: every definition
reachable from its own schemas without passing through a schema of another group.
That includes a copy of another group's inline model where the generator flattened
a parent's fields into a child.

`join` puts the groups' parts one after another, in group order. Names are the
generator's choice inside one call, so two groups may use one name: a part that is
the very text already there is dropped (the same inline model twice); otherwise the
later group's model is renamed (`Links` -> `Links1`), inside that group's part only,
where every use of it lies. A component schema's name is never renamed.
"""

from __future__ import annotations

import ast
import json
import tokenize
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate

from .errors import GeneratorError
from .source_edits import FUTURE_IMPORT, Edit, apply, source_lines


@dataclass(frozen=True)
class Part:
    """What one group contributes: its import lines, its definitions (name, source) in
    the generator's order, and the `Model.model_rebuild()` lines that must come last."""

    own: tuple[str, ...]
    imports: tuple[str, ...]
    definitions: tuple[tuple[str, str], ...]
    rebuilds: tuple[tuple[str, str], ...]

    def to_json(self) -> str:
        return json.dumps([self.own, self.imports, self.definitions, self.rebuilds])

    @classmethod
    def from_json(cls, text: str) -> Part:
        own, imports, definitions, rebuilds = json.loads(text)
        return cls(tuple(own), tuple(imports), tuple((n, s) for n, s in definitions),
                   tuple((n, s) for n, s in rebuilds))


def _defined_name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.ClassDef):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
            node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return None


def _rebuilt(node: ast.stmt) -> str | None:
    """`X` of a statement `X.model_rebuild()`."""
    if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr == "model_rebuild"
            and isinstance(node.value.func.value, ast.Name)):
        return node.value.func.value.id
    return None


def kept_part(source: str, tree: ast.Module, own: tuple[str, ...], others: Iterable[str],
              check: Callable[[ast.AST], None], edit: Edit | None = None) -> Part:
    """The group's own part of the model generator's output (`source`, parsed: `tree`)
    with `edit` made to it: the same part as of the edited source, without parsing it.

    `own`: the group's schemas; `others`: the schemas of earlier groups it refers to.
    `check` sees every node on the way (the models' import allow-list).
    """
    edit = edit or Edit()
    lines = source_lines(source)  # ast's line numbers: not str.splitlines()
    starts = list(accumulate((len(line) for line in lines), initial=0))
    insertions = sorted(edit.insertions, key=lambda item: item[0])  # stable, as `apply`

    def text_of(first: int, last: int) -> str:
        """Lines `first` to `last` (1-based), with the edit's insertions among them (one
        at the end of the source, which may end without a line break, included)."""
        start, end = starts[first - 1], starts[last]
        inside = [(at - start, text) for at, text in insertions
                  if start <= at < end or at == end == len(source)]
        return apply("".join(lines[first - 1:last]), inside)

    added = ast.parse(edit.imports)  # placed first, after `from __future__`
    imports = [text for text in edit.imports.splitlines(keepends=True) if text.strip()]
    for inner in ast.walk(added):
        check(inner)
    definitions: dict[str, str] = {}
    uses: dict[str, set[str]] = {}
    rebuilds: list[tuple[str, str]] = []
    for node in tree.body:
        assert node.end_lineno is not None
        text = text_of(node.lineno, node.end_lineno)
        name = _defined_name(node)
        nodes = list(ast.walk(node))
        for inner in nodes:
            check(inner)
        if isinstance(node, ast.ImportFrom):
            if text.strip() != FUTURE_IMPORT.strip():
                imports.append(text)
        elif name is not None:
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            definitions[name] = text_of(first, node.end_lineno)
            uses[name] = {n.id for n in nodes if isinstance(n, ast.Name)}
        elif _rebuilt(node) is not None:
            rebuilds.append((str(_rebuilt(node)), text))
        else:  # an allow-list: nothing else may reach the models module
            raise GeneratorError("the model generator wrote a statement of an unexpected "
                                 f"kind: {type(node).__name__} at line {node.lineno}")
    boundary = set(others)
    reached: set[str] = set()
    pending = [name for name in own if name in definitions]
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        reached.add(name)
        pending.extend(used for used in uses[name]
                       if used in definitions and used not in boundary)
    outside = _reachable(boundary, definitions, uses) - reached
    kept = tuple((name, text) for name, text in definitions.items() if name not in outside)
    kept_names = {name for name, _ in kept}
    return Part(tuple(own), tuple(imports), kept,
                tuple((name, text) for name, text in rebuilds if name in kept_names))


def _reachable(roots: Iterable[str], definitions: dict[str, str],
               uses: dict[str, set[str]]) -> set[str]:
    reached: set[str] = set()
    pending = [name for name in roots if name in definitions]
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending.extend(used for used in uses[name] if used in definitions)
    return reached


def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", name)  # Python's own identity of identifiers


def _imported_names(line: str) -> set[str]:
    tree = ast.parse(line)
    return {alias.asname or alias.name for node in tree.body
            if isinstance(node, ast.ImportFrom) for alias in node.names}


def rename(source: str, renames: dict[str, str]) -> str:
    """`source` with every identifier in `renames` replaced: names, not attributes
    (`Mode.VIP` renames `Mode`, not `VIP`), and never text inside strings."""
    if not renames:
        return source
    lines = source_lines(source)  # rows as ast and our edits count them
    tokens = list(tokenize.generate_tokens(iter(lines).__next__))
    edits: list[tuple[tuple[int, int], tuple[int, int], str]] = []
    previous = ""
    for token in tokens:
        if token.type == tokenize.NAME and token.string in renames and previous != ".":
            edits.append((token.start, token.end, renames[token.string]))
        if token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
            previous = token.string
    for (row, start), (_, end), text in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + text + line[end:]
    return "".join(lines)


@dataclass(frozen=True)
class Joined:
    """The models module in pieces: its imports, each group's definitions (one text per
    group, so that each can be formatted, and cached, on its own), the rebuild lines."""

    imports: tuple[str, ...]
    bodies: tuple[str, ...]
    tail: tuple[str, ...]
    imports_of: tuple[tuple[str, ...], ...]  # each body's imports: its group's

    def source(self, bodies: Iterable[str] | None = None) -> str:
        """The module's source, with `bodies` (formatted ones) for the groups' texts."""
        return module_source("".join(self.imports), self.pieces(bodies))

    def pieces(self, bodies: Iterable[str] | None = None) -> list[str]:
        """The texts after the imports, each group's (`bodies`, if given) then the tail,
        as `source` places them: apart, by two blank lines."""
        return [p.strip("\n") + "\n" for p in [*(self.bodies if bodies is None else bodies),
                                               *self.tail] if p.strip()]


def module_source(imports: str, pieces: list[str]) -> str:
    return "\n\n".join([FUTURE_IMPORT, imports, *pieces]).rstrip("\n") + "\n"


def join(parts: list[Part], components: Iterable[str]) -> Joined:
    """The models module from every group's part, in group order."""
    reserved = {_key(name) for name in components}
    imports: dict[str, None] = {}
    for part in parts:
        imports.update(dict.fromkeys(part.imports))
    taken = {_key(n) for line in imports for n in _imported_names(line)} | reserved
    emitted: dict[str, str] = {}  # key of each name defined so far -> its source
    bodies: list[str] = []
    tail: list[str] = []
    imports_of: list[tuple[str, ...]] = []
    for part in parts:
        renames, dropped = _settle_names(part, emitted, taken)
        body: list[str] = []
        for name, text in part.definitions:
            if name in dropped:
                continue
            final = renames.get(name, name)
            text = rename(text, renames)
            emitted[_key(final)] = text
            taken.add(_key(final))
            body.append(text)
        bodies.append("\n\n".join(body))
        imports_of.append(part.imports)
        tail.extend(rename(text, renames) for name, text in part.rebuilds if name not in dropped)
    return Joined(tuple(imports), tuple(bodies), tuple(tail), tuple(imports_of))


def _settle_names(part: Part, emitted: dict[str, str],
                  taken: set[str]) -> tuple[dict[str, str], set[str]]:
    """Which of a part's definitions to rename (old -> new) and which to drop as the very
    text an earlier group defined. A dropped definition must not use a renamed name: its
    text would then mean something else here; such a one is renamed instead."""
    order = [name for name, _ in part.definitions]
    texts = dict(part.definitions)
    own = set(part.own)
    clashing: list[str] = []
    dropped: set[str] = set()
    for name in order:
        key = _key(name)
        if name in own:
            if key in emitted:
                raise GeneratorError(f"two groups of models both define {name}; "
                                     "this is a bug in the generator")
        elif emitted.get(key) == texts[name]:
            dropped.add(name)
        elif key in taken:
            clashing.append(name)
    while True:
        spoiled = [name for name in order if name in dropped and _uses(texts[name], clashing)]
        if not spoiled:
            break
        dropped.difference_update(spoiled)
        clashing.extend(spoiled)
    used = taken | {_key(name) for name in order}
    renames: dict[str, str] = {}
    for name in sorted(clashing, key=order.index):
        number = 1
        while _key(f"{name}{number}") in used:
            number += 1
        renames[name] = f"{name}{number}"
        used.add(_key(renames[name]))
    return renames, dropped


def _uses(text: str, names: list[str]) -> bool:
    if not names:
        return False
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(ast.parse(text)))
