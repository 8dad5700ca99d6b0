"""The inspector's Qt tests share the synthetic event sequences of tests/inspector."""

from __future__ import annotations

import sys
from pathlib import Path

_SCENARIOS = Path(__file__).resolve().parents[2] / "inspector"
if str(_SCENARIOS) not in sys.path:
    sys.path.insert(0, str(_SCENARIOS))
