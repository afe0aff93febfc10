"""The article store's SQLite tables, and how an article becomes a row and back.

Kept apart from the connection handling (index/store.py), which creates these
tables in a new store and adds :data:`ADDED_COLUMNS` to an older one.
"""

from __future__ import annotations

import json
import re

from newsdesk.index.article import Article, Page
from newsdesk.index.display import path_from_db, path_to_db
from newsdesk.index.first_indexed import FIRST_INDEXED_SCHEMA

SCHEMA_VERSION = "1"
"""The store's layout version: a store of another version is refused (rebuild it)."""

TABLES_SQL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash TEXT NOT NULL,
    skipped TEXT            -- why the file gave no article, or NULL
);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    item INTEGER NOT NULL,
    title TEXT NOT NULL,
    source TEXT, date TEXT, url TEXT, author TEXT, language TEXT,
    tags TEXT NOT NULL,     -- JSON list
    word_count INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    pages TEXT NOT NULL DEFAULT '[]',   -- JSON [[number, start, end], ...] for paged documents
    extra TEXT NOT NULL DEFAULT '{}'    -- JSON object of format-specific metadata
);
CREATE INDEX IF NOT EXISTS articles_by_path ON articles (path, item);
-- Entities, cached by the text's hash and what extracted them (extractor key),
-- so a rebuild or an unchanged article in a changed file never re-extracts.
CREATE TABLE IF NOT EXISTS entity_cache (
    content_hash TEXT NOT NULL,
    extractor TEXT NOT NULL,
    mentions TEXT NOT NULL,     -- JSON [[start, end, type, canonical], ...] into the text
    title TEXT NOT NULL,        -- JSON [[start, end, type, canonical], ...] into the title
    PRIMARY KEY (content_hash, extractor)
);
-- Per article and entity: for entity search, top lists and keyword-in-context.
CREATE TABLE IF NOT EXISTS article_entities (
    article_id TEXT NOT NULL,
    type TEXT NOT NULL,
    canonical TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    aliases TEXT NOT NULL,      -- other surface forms, joined by U+001F
    PRIMARY KEY (article_id, type, canonical)
);
CREATE INDEX IF NOT EXISTS article_entities_by_name ON article_entities (type, canonical);
CREATE TABLE IF NOT EXISTS article_entity_state (article_id TEXT PRIMARY KEY, extractor TEXT NOT NULL);
-- Annotation files as the index last saw them, to re-index only annotated articles that changed.
CREATE TABLE IF NOT EXISTS annotation_files (path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL);
"""

TABLES = frozenset(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", TABLES_SQL + FIRST_INDEXED_SCHEMA))
"""Every table a complete store has (the first-indexed dates' table included)."""
ARTICLE_COLUMNS = (
    "id, path, item, title, source, date, url, author, language, tags, word_count, content_hash, text, pages, extra"
)
"""The articles table's columns, in the order of :func:`article_row` and :func:`article_from_row`."""
# Columns added after schema version 1 shipped: added in place to an older store (no rebuild needed).
ADDED_COLUMNS = {"pages": "TEXT NOT NULL DEFAULT '[]'", "extra": "TEXT NOT NULL DEFAULT '{}'"}


def article_from_row(row: tuple) -> Article:
    """The article a row of :data:`ARTICLE_COLUMNS` holds."""
    (id_, path, item, title, source, date, url, author, language, tags, words, chash, text, pages, extra) = row
    return Article(
        id=id_,
        path=path_from_db(path),
        item=item,
        title=title,
        text=text,
        source=source,
        date=date,
        url=url,
        author=author,
        language=language,
        tags=json.loads(tags),
        word_count=words,
        content_hash=chash,
        pages=[Page(*page) for page in json.loads(pages)],
        extra=json.loads(extra),
    )


def article_row(a: Article) -> tuple[object, ...]:
    """The row of :data:`ARTICLE_COLUMNS` that stores article ``a``."""
    return (
        a.id,
        path_to_db(a.path),
        a.item,
        a.title,
        a.source,
        a.date,
        a.url,
        a.author,
        a.language,
        json.dumps(a.tags, ensure_ascii=False),
        a.word_count,
        a.content_hash,
        a.text,
        json.dumps([[p.number, p.start, p.end] for p in a.pages]),
        json.dumps(a.extra, ensure_ascii=False),
    )
