"""Errors the generator reports to its user: one paragraph, no traceback."""

from __future__ import annotations


class GeneratorError(Exception):
    """A problem the user can fix; the command line prints it and exits 1.

    `warnings`: what the run had found before it stopped (printed before the error).
    """

    warnings: tuple[object, ...] = ()


class SpecError(GeneratorError):
    """The spec is broken: says which file, which line and which JSON pointer."""

    def __init__(
        self, message: str, *, file: str, line: int | None = None, pointer: str | None = None
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.pointer = pointer
        where = file if line is None else f"{file}:{line}"
        # No pointer for a file that is not even YAML: "at /" would point nowhere.
        at = "" if pointer is None else f" at {pointer or '/'}"
        super().__init__(f"{where}{at}: {message}")
