"""`make goldens`: regenerate every golden tree the tests compare against.

That is `generated/masivo_client` (from spec/masivo.yaml) and `tests/golden/<name>/`
(from each fixture spec in tests/fixtures/). Review the diff before committing it.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This script's folder holds tests/generator/, which must not hide the real `generator`.
sys.path[:0] = [str(HERE / "generator"), str(HERE.parent)]

from goldens import update_all  # noqa: E402


def main() -> int:
    for tree in update_all():
        print(f"updated {tree}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
