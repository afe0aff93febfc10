"""Per-user reader state (last query, open article, scroll position, theme), kept between runs.

Stored as JSON in ``$XDG_STATE_HOME/newsdesk/ui-state.json``, one entry per
corpus (keyed by its absolute path) plus the chosen theme, which is the user's
and not the corpus'. Writes are atomic (temp file, fsync, ``os.replace``), so a
crash never leaves a half-written file; an unreadable file is ignored rather
than stopping the app.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import platformdirs
from newsdesk.index import APP_NAME, write_atomic

STATE_FILE_NAME = "ui-state.json"


def default_state_file() -> Path:
    """Where the reader keeps its state for this user."""
    return Path(platformdirs.user_state_dir(APP_NAME)) / STATE_FILE_NAME


@dataclass(slots=True)
class CorpusState:
    """What the reader restores when the same corpus is opened again."""

    query: str = ""
    article: str | None = None
    """Id of the article open in the reader."""
    scroll: int = 0
    """Reader scroll position (lines)."""


class UIStateStore:
    """Reads and writes the state file; never raises on a bad or missing file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_state_file()
        self._data = self._read()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def theme(self) -> str | None:
        """The theme chosen last, if any."""
        theme = self._data.get("theme")
        return theme if isinstance(theme, str) else None

    def corpus(self, key: str) -> CorpusState:
        """The state saved for the corpus ``key`` (its absolute path)."""
        raw = self._data.get("corpora", {}).get(key)
        if not isinstance(raw, dict):
            return CorpusState()
        known = {f.name: f for f in fields(CorpusState)}
        values: dict[str, Any] = {}
        for name, value in raw.items():
            if name in known and isinstance(value, (str, int, type(None))):
                values[name] = value
        state = CorpusState(**values)
        if not isinstance(state.query, str) or not isinstance(state.scroll, int):
            return CorpusState()
        return state

    def save(self, key: str, state: CorpusState, theme: str | None) -> None:
        """Record ``state`` for the corpus ``key`` and the theme, atomically."""
        corpora = self._data.setdefault("corpora", {})
        if not isinstance(corpora, dict):
            corpora = self._data["corpora"] = {}
        corpora[key] = asdict(state)
        if theme:
            self._data["theme"] = theme
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(self._data, ensure_ascii=False, indent=1))
