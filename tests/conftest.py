"""Shared test setup: the committed client in generated/ is importable as `masivo_client`."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"

if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))
