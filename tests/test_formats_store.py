"""Pages and format metadata in the article store, including a store made before they existed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from newsdesk.index.article import Article, Page
from newsdesk.index.store import ArticleStore

OLD_ARTICLES = """
CREATE TABLE articles (
    id TEXT PRIMARY KEY, path TEXT NOT NULL, item INTEGER NOT NULL, title TEXT NOT NULL,
    source TEXT, date TEXT, url TEXT, author TEXT, language TEXT, tags TEXT NOT NULL,
    word_count INTEGER NOT NULL, content_hash TEXT NOT NULL, text TEXT NOT NULL
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO articles VALUES ('0123456789abcdef', 'a.txt', 0, 'Old', NULL, NULL, NULL, NULL, 'en', '[]', 1, 'h', 'Old');
"""


def test_pages_and_extra_round_trip(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path / "articles.db")
    article = Article(
        id="fedcba9876543210",
        path="r.pdf",
        item=0,
        title="T",
        text="one\n\ntwo",
        pages=[Page(1, 0, 3), Page(2, 5, 8)],
        extra={"attached_to": "m.eml#0", "captured": "2021"},
    )
    with store.transaction() as db:
        ArticleStore.replace_articles(db, "r.pdf", [article])
    assert store.get(article.id) == article
    store.close()


def test_a_store_from_before_pages_gains_the_columns_in_place(tmp_path: Path) -> None:
    path = tmp_path / "articles.db"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_ARTICLES)
    store = ArticleStore(path)
    [old] = store.by_path("a.txt")
    assert (old.title, old.pages, old.extra) == ("Old", [], {})
    store.close()
    again = ArticleStore(path)  # a second open finds the columns already there
    assert again.get("0123456789abcdef") == old
    again.close()
