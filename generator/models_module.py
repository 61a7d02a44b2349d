"""`models.py` formatted from its pieces, not as one 800 KB module (issue 8).

The models arrive as each group's definitions, each formatted on its own and cached
(model_pool.py). Formatting the joined module again, imports fixed then the whole
style, made ruff read all of it twice: on GitHub's document 0.06 s, most of what an
edited schema waited for once its group was made. Here ruff reads only what changed:

- which imports each group's definitions use: ruff's own F401 fix on the group's
  imports and definitions (cached, so an edit checks its own group only);
- the module's head: the template's text before the models, the imports some group
  uses, and the first group's definitions, sorted (isort's rules, `I`) and formatted.
  The first definitions are there because the blank lines after the imports depend
  on what follows them (two before a class, one before an assignment).

The rest follows unchanged: ruff formats each top-level statement on its own, and the
pieces are already apart by the two blank lines it keeps between them. The result is
the bytes the whole module formatted gives (a test compares the two on real documents).
Whatever does not have the expected shape (a user's template that writes more than a
docstring before the models, or anything after them; a piece a fix changed) is
formatted whole instead: `None` here.
"""

from __future__ import annotations

import ast
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .fmt import fixed_hits, fixed_sources, format_sources, formatted_hits
from .model_merge import Joined, module_source
from .source_edits import FUTURE_IMPORT

_TRAILING_NEWLINES = re.compile(r"\n*")


def _only_a_docstring(text: str) -> bool:
    """Whether `text` (what the template writes before the models) holds nothing but a
    docstring and comments: nothing whose imports or names the models could change."""
    try:
        body = ast.parse(text).body
    except (SyntaxError, ValueError):
        return False
    return not body or (len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(
        body[0].value, ast.Constant) and isinstance(body[0].value.value, str))


class JoinedModels:
    """The joined groups, their definitions formatted: the models module's pieces."""

    def __init__(self, joined: Joined, bodies: list[str], imports: str | None) -> None:
        self.joined = joined
        self.bodies = bodies
        self.imports = imports  # those some group uses (None: not known, see `of`)
        self.source = joined.source(bodies)  # what the template is given

    @classmethod
    def of(cls, joined: Joined, ahead: Ahead | None = None) -> JoinedModels:
        """`joined` with each group's definitions formatted on their own (and cached so:
        after an edit, only the groups it changed are formatted again), and the imports
        they use found meanwhile (two ruff processes at once). `ahead`: what the cache
        held for most of them, looked up while the last groups were made."""
        names = [f"models_part{index:04d}.py" for index in range(len(joined.bodies))]
        with ThreadPoolExecutor(max_workers=1) as beside:
            imports = beside.submit(_imports_in_use, joined,
                                    ahead.fixed if ahead is not None else None)
            formatted = format_sources(dict(zip(names, joined.bodies, strict=True)),
                                       compiled=True, fixes=None,
                                       known=ahead.formatted if ahead is not None else None)
            return cls(joined, [formatted[name] for name in names], imports.result())

    def formatted(self, rendered: str) -> str | None:
        """`rendered` (the template's output around `source`) formatted as a whole module
        would be, from its pieces; None where that cannot be shown."""
        at = rendered.find(self.source)
        if at < 0 or not _TRAILING_NEWLINES.fullmatch(rendered, at + len(self.source)) or (
                not _only_a_docstring(rendered[:at])):
            return None
        pieces = self.joined.pieces(self.bodies)
        if not pieces or self.imports is None:
            return None
        head = rendered[:at] + module_source(self.imports, pieces[:1])
        text = format_sources({"models_head.py": head}, compiled=True, fixes="I")[
            "models_head.py"]
        if not text.endswith(pieces[0]):
            return None
        # As module_source places the pieces after the imports.
        return text.removesuffix(pieces[0]) + "\n\n".join(pieces).rstrip("\n") + "\n"


@dataclass(frozen=True)
class Ahead:
    """The cache's results for the groups' definitions, looked up before the last groups
    came (`ahead_of`), by source: the definitions of a group joined without them are
    almost always those of the group joined with them."""

    formatted: dict[str, str]
    fixed: dict[str, str]


def ahead_of(joined: Joined) -> Ahead:
    """What the cache holds for `joined` (most of the groups, joined already)."""
    return Ahead(formatted_hits(joined.bodies, None),
                 fixed_hits(_import_sources(_import_groups(joined)).values(), "F401"))


def _import_groups(joined: Joined) -> dict[str, tuple[str, str]]:
    """Each group's import statements and definitions (empty groups left out)."""
    return {f"models_imports{index:04d}.py": ("".join(imports), body)
            for index, (imports, body) in enumerate(zip(
                joined.imports_of, joined.bodies, strict=True)) if body.strip()}


def _import_sources(groups: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Each group as a module whose unused imports F401 finds."""
    return {name: f"{FUTURE_IMPORT}{imports}\n\n{body}"
            for name, (imports, body) in groups.items()}


def _imports_in_use(joined: Joined, known: dict[str, str] | None = None) -> str | None:
    """The import statements of every group, less those its definitions do not use (as
    ruff's F401 judges them), one after another; None if the fix changed more."""
    groups = _import_groups(joined)
    fixed = fixed_sources(_import_sources(groups), "F401", known=known)
    kept: list[str] = []
    for name, (_, body) in sorted(groups.items()):
        text = fixed[name]
        if not text.startswith(FUTURE_IMPORT) or not text.endswith(f"\n\n{body}"):
            return None
        kept.append(text.removeprefix(FUTURE_IMPORT).removesuffix(f"\n\n{body}").strip("\n"))
    return "".join(f"{text}\n" for text in kept if text)
