"""Reprint sketches made while reading, kept in a side file until the reprint sync stores them.

Sketching an article (index/reprints.py) needs only its text, which the reader
processes have at hand while the main process mostly waits for them; in the
reprint sync, which runs while the writer processes index, the same work
competes with them for the cores. So the readers sketch each article and the
main process keeps the packed sketches here, keyed by article id and content
hash; the sync takes a sketch from here when the article's text is still the
one sketched and makes it itself otherwise.

The file is a cache, not state: it is made fresh by each update, removed when
the update ends, and any error writing or reading it only means the sync
sketches those articles itself (a full disk, for one, is then reported by the
store's own writes). It is not the article store so that a large first index
does not leave the store a copy of every sketch larger (SQLite keeps a
dropped table's pages).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from newsdesk.index.reprints import _pack, sketch

PENDING_FILE = "reprint-sketches.tmp"


def packed_sketch(text: str) -> tuple[bytes, bytes]:
    """``sketch(text)`` as the reprint tables hold it: sorted signed 64-bit shingles, then band keys."""
    made = sketch(text)
    return _pack(made.shingles, "q"), _pack(made.bands, "q")


class PendingSketches:
    """Packed sketches by (article id, content hash), in a throwaway SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db: sqlite3.Connection | None = None
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)  # a crashed update's file may be half written
        try:
            self.db = sqlite3.connect(path)
            self.db.execute("PRAGMA journal_mode=OFF")
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.execute(
                "CREATE TABLE sketches (article_id TEXT, content_hash TEXT, shingles BLOB, bands BLOB, "
                "PRIMARY KEY (article_id, content_hash)) WITHOUT ROWID"
            )
        except sqlite3.Error:
            self.close()

    def add(self, rows: Iterable[tuple[str, str, bytes, bytes]]) -> None:
        """Keep (article id, content hash, shingles, bands) rows; on any error, keep none from now on."""
        if self.db is None:
            return
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO sketches VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error:
            self.close()

    def get(self, article_id: str, content_hash: str) -> tuple[bytes, bytes] | None:
        """The packed sketch kept for this article and text, if any."""
        if self.db is None:
            return None
        try:
            row = self.db.execute(
                "SELECT shingles, bands FROM sketches WHERE article_id = ? AND content_hash = ?",
                (article_id, content_hash),
            ).fetchone()
        except sqlite3.Error:
            self.close()
            return None
        return (row[0], row[1]) if row is not None else None

    def close(self) -> None:
        """Close and remove the file."""
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
