"""When each article was first indexed, as a sequence number that only grows.

"What's new" in a saved search means "first indexed after I last looked". A
wall-clock stamp cannot answer that safely: an update stamps its articles when
it reads them but commits later, so a look in between would record a time after
the stamp without having seen the articles, and they would never count as new.
SQLite hands out AUTOINCREMENT numbers inside the one write transaction at a
time, so numbers grow in commit order; the time is kept beside them for people.

The table is created on any store (old ones too) and never cleared by a
rebuild, so an article keeps its first number while its file keeps its path.
Articles indexed before the table existed have no row and count as old.
``META_INDEXED_SEQ`` is the highest number the search index reflects, recorded
when an update makes the index match the store: a search seen at that number has
seen everything up to it. ``META_EPOCH`` names this sequence; a store deleted and
made again starts a new epoch, and a search seen in another epoch counts all its
matches as new rather than losing any.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

FIRST_INDEXED_SCHEMA = """
CREATE TABLE IF NOT EXISTS first_indexed (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL            -- ISO 8601, UTC
);
"""
META_INDEXED_SEQ = "first_indexed_seq"
META_EPOCH = "first_indexed_epoch"


def record_first_indexed(db: sqlite3.Connection, ids: Iterable[str]) -> None:
    """Give every id not seen before the next number, inside the caller's write transaction."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    db.executemany("INSERT OR IGNORE INTO first_indexed (id, at) VALUES (?, ?)", [(i, stamp) for i in ids])


def mark_indexed(db: sqlite3.Connection) -> None:
    """Record that the search index now reflects every number given so far (in a write transaction)."""
    highest = db.execute("SELECT coalesce(max(seq), 0) FROM first_indexed").fetchone()[0]
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (META_INDEXED_SEQ, str(highest)))
    db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (META_EPOCH, uuid.uuid4().hex))


def indexed_seq(db: sqlite3.Connection) -> tuple[str, int]:
    """(epoch, highest number the search index reflects); ("", 0) before the first indexed update."""
    rows = dict(db.execute("SELECT key, value FROM meta WHERE key IN (?, ?)", (META_INDEXED_SEQ, META_EPOCH)))
    try:
        return rows.get(META_EPOCH, ""), int(rows.get(META_INDEXED_SEQ, "0"))
    except ValueError:
        return rows.get(META_EPOCH, ""), 0


def indexed_after(db: sqlite3.Connection, after: int, upto: int) -> list[str]:
    """Ids first indexed with a number in (``after``, ``upto``]."""
    rows = db.execute("SELECT id FROM first_indexed WHERE seq > ? AND seq <= ?", (after, upto))
    return [row[0] for row in rows]
