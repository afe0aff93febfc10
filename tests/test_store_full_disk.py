"""A full disk inside a store transaction is reported as a full disk.

SQLite rolls a transaction back itself after some errors (a full disk, an I/O error); the
store's ROLLBACK then raised "cannot rollback - no transaction is active", and that line
replaced the one that said why: a 1M build on a full disk ended with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from newsdesk.index.errors import DiskFullError
from newsdesk.index.store import ArticleStore


def test_a_full_disk_inside_a_transaction_says_the_disk_is_full(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path / "articles.db")
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 4}")  # the database cannot grow further: SQLITE_FULL
    with pytest.raises(DiskFullError), store.transaction() as db:
        for number in range(200):
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"key{number}", "x" * 4000))
    assert not store.db.in_transaction
    store.db.execute(f"PRAGMA max_page_count = {pages + 10_000}")
    with store.transaction() as db:  # the store goes on working once there is room
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", ("after", "ok"))
    assert store.get_meta("after") == "ok"
