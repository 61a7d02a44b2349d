"""Located warnings: defects the generator works around, each naming file, line, pointer.

The tolerance policy (README, "Imperfect documents"): a defect that does not stop a
correct client is a warning and generation goes on; a part that cannot be generated
correctly is left out with a warning naming it. `strict` turns every warning into
an error. Every stage adds to one `Diagnostics`, which the command line summarises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import SpecError

Origin = tuple[str, int | None]  # (file as shown to the user, 1-based line or None)


class Diagnostic:
    """One warning. Its file and line are looked up only when asked for: finding a line
    in a big JSON document means scanning it, and a summary needs none."""

    def __init__(self, kind: str, message: str, file: str | None, line: int | None,
                 pointer: str | None, locate: Callable[[str], Origin] | None = None) -> None:
        self.kind = kind  # a short, stable slug: `duplicate-required`, `dangling-ref`, ...
        self.message = message
        self.pointer = pointer
        self._file = file
        self._line = line
        self._locate = locate

    def _resolve(self) -> None:
        if self._locate is not None:
            self._file, self._line = self._locate(self.pointer or "")
            if self.pointer is None:
                self._line = None
            self._locate = None

    @property
    def file(self) -> str:
        self._resolve()
        return self._file or ""

    @property
    def line(self) -> int | None:
        self._resolve()
        return self._line

    def __repr__(self) -> str:
        return f"Diagnostic({self.kind!r}, {str(self)!r})"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        at = "" if self.pointer is None else f" at {self.pointer or '/'}"
        return f"{where}{at}: {self.message}"


class StrictModeError(SpecError):
    """`--strict`: the warnings, every one of them an error."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        first = diagnostics[0]
        super().__init__(first.message, file=first.file, line=first.line,
                         pointer=first.pointer)
        self.diagnostics = diagnostics

    def __str__(self) -> str:
        return "\nclientgen: error: ".join(
            f"{d} [{d.kind}]" if len(self.diagnostics) > 1 else str(d)
            for d in self.diagnostics)


@dataclass
class Diagnostics:
    """Every warning of one run, in the order found; duplicates (same kind, place and
    message) are kept once."""

    locate: Callable[[str], Origin]
    strict: bool = False
    items: list[Diagnostic] = field(default_factory=list)
    _seen: set[tuple[str, str | None, str]] = field(default_factory=set)

    def warn(self, kind: str, message: str, pointer: str | None) -> None:
        key = (kind, pointer, message)
        if key in self._seen:
            return
        self._seen.add(key)
        self.items.append(Diagnostic(kind, message, None, None, pointer, self.locate))

    def add_unlocated(self, kind: str, message: str, file: str) -> None:
        key = (kind, None, message)
        if key not in self._seen:
            self._seen.add(key)
            self.items.append(Diagnostic(kind, message, file, None, None))

    def raise_if_strict(self) -> None:
        """In strict mode, every warning so far is an error."""
        if self.strict and self.items:
            raise StrictModeError(list(self.items))
