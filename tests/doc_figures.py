"""What the docs' figure tests read: a doc's text with its line breaks folded, and a run's JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def flat(doc: str = "docs/performance.md") -> str:
    """``doc`` (relative to the repository) with every run of whitespace one space: a figure may wrap."""
    return " ".join((ROOT / doc).read_text(encoding="utf-8").split())


def result(name: str) -> Any:
    """A benchmark's recorded JSON, ``bench/results/<name>``."""
    return json.loads((ROOT / "bench" / "results" / name).read_text(encoding="utf-8"))
