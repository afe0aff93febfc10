"""The SQLite FTS5 baseline: same files, same queries, top 20 with snippets and a total."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path


def build(corpus: Path, db_path: Path) -> dict[str, float]:
    """Index every .txt file of ``corpus`` (title = first line) into an FTS5 table."""
    started = time.perf_counter()
    db = sqlite3.connect(db_path)
    db.execute("CREATE VIRTUAL TABLE articles USING fts5(path UNINDEXED, title, body, tokenize='porter unicode61')")
    docs = 0
    with db:
        for path in sorted(corpus.rglob("*.txt")):
            text = path.read_text(encoding="utf-8")
            title, _, body = text.partition("\n")
            db.execute("INSERT INTO articles VALUES (?, ?, ?)", (str(path.relative_to(corpus)), title, body))
            docs += 1
    db.close()
    seconds = time.perf_counter() - started
    return {"docs": docs, "seconds": seconds, "docs_per_s": docs / seconds, "size_bytes": db_path.stat().st_size}


def fts5_query(query: str) -> str:
    """The bench's Whoosh-syntax queries in FTS5 syntax (they share AND, "phrases" and prefix*)."""
    return query


def search(db: sqlite3.Connection, query: str, limit: int = 20) -> tuple[int, list[tuple[str, str]]]:
    """(total, [(path, snippet)]) for one query, ranked by bm25."""
    match = fts5_query(query)
    total = db.execute("SELECT count(*) FROM articles WHERE articles MATCH ?", (match,)).fetchone()[0]
    hits = db.execute(
        "SELECT path, snippet(articles, 2, '[', ']', '…', 24) FROM articles WHERE articles MATCH ? "
        "ORDER BY bm25(articles, 0, 2.0, 1.0) LIMIT ?",
        (match, limit),
    ).fetchall()
    return total, hits
