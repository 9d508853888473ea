"""Where things are: the repository root and the test data, cassettes and bundled config."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
CASSETTES = REPO / "cassettes"
CONFIG = REPO / "config"
