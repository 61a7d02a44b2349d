"""Limits on what a spec may ask of the generator (README, "Untrusted spec text").

Each is far above what real documents need (the largest public ones we test hold
80,000 values, nest 25 deep and have enums of 600 values) and far below what
would make the generator hang, exhaust memory or overflow Python's stack.
"""

from __future__ import annotations

MAX_FILE_BYTES = 32 * 1024 * 1024  # one spec file
MAX_TOTAL_BYTES = 64 * 1024 * 1024  # the spec and every file it references
MAX_DEPTH = 100  # nested objects and arrays in the bundled document
MAX_VALUES = 1_000_000  # values in the document, YAML aliases counted each time they are used
MAX_ENUM_VALUES = 5_000  # values of one `enum`
MAX_INT_DIGITS = 4_300  # Python's own limit on converting digits to an int
CHILD_DEADLINE_SECONDS = 120.0  # the meta-schema check's child process (CLIENTGEN_CHILD_DEADLINE)
