"""The article store: cleaned text, metadata and the state of every corpus file.

SQLite (in WAL mode, so readers never wait for the one writer) is the record of
what has been ingested. The Whoosh index is a cache built from it: it can be
deleted and rebuilt from this store without re-reading the corpus.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from newsdesk.index.article import Article
from newsdesk.index.display import display_path, path_from_db, path_to_db
from newsdesk.index.entities.model import INDEX_FIELDS
from newsdesk.index.errors import CorpusError
from newsdesk.index.first_indexed import FIRST_INDEXED_SCHEMA, record_first_indexed
from newsdesk.index.store_errors import CheckedConnection, cannot_write, store_error
from newsdesk.index.store_tables import (
    ADDED_COLUMNS,
    ARTICLE_COLUMNS,
    SCHEMA_VERSION,
    TABLES,
    TABLES_SQL,
    article_from_row,
    article_row,
)

BUSY_TIMEOUT = 10.0
"""Seconds a write waits for another session's write (readers never wait: WAL)."""


@dataclass(frozen=True, slots=True)
class FileState:
    """What the store remembers of one corpus file."""

    path: str
    size: int
    mtime_ns: int
    hash: str
    skipped: str | None


class ArticleStore:
    """Thread-safe access to ``articles.db``: one SQLite connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.read_only = False
        """True when the state folder cannot be written: searching works, updating does not."""
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._create_shared(path)
        try:
            self._prepare_schema()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise store_error(path, exc) from None

    def _prepare_schema(self) -> None:
        """Create what is missing, writing only then.

        Opening an existing store only reads: a write here (even a no-op
        ``CREATE TABLE IF NOT EXISTS``) would queue every reader behind a
        running update's write transaction.
        """
        present = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if present >= TABLES and not self._missing_columns():
            self._check_version()
            return
        if self.read_only:
            raise CorpusError(f"{display_path(str(self.path))}: the store is incomplete and its folder is read-only")
        # executescript commits on its own, so the script carries its own transaction.
        self.db.executescript(
            f"BEGIN IMMEDIATE;{TABLES_SQL}{FIRST_INDEXED_SCHEMA}"
            f"INSERT OR IGNORE INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');COMMIT;"
        )
        with self.transaction() as db:  # columns a newer version added, given to an older store once
            for column, declaration in self._missing_columns().items():
                db.execute(f"ALTER TABLE articles ADD COLUMN {column} {declaration}")
        self._check_version()

    def _missing_columns(self) -> dict[str, str]:
        """Columns of :data:`ADDED_COLUMNS` an existing articles table lacks."""
        present = {column[1] for column in self.db.execute("PRAGMA table_info(articles)")}
        return {name: kind for name, kind in ADDED_COLUMNS.items() if present and name not in present}

    def _check_version(self) -> None:
        if self.get_meta("schema_version") != SCHEMA_VERSION:
            raise CorpusError(
                f"{display_path(str(self.path))}: made by another newsdesk version; run `newsdesk index --rebuild`"
            )

    @staticmethod
    def _create_shared(path: Path) -> None:
        """Create the (empty) database file ourselves, with the umask's mode.

        SQLite would create it 0o644 whatever the umask, and the other analysts of
        a group sharing the corpus (umask 002) could then never write it; its -wal
        and -shm files copy the database's mode. O_EXCL: exactly one creator.
        """
        # Already there (FileExistsError), or a read-only folder or full disk: opening
        # then reads what exists, or says in one line why it cannot.
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            try:
                connection = self._connect()
            except sqlite3.Error as exc:
                raise store_error(self.path, exc) from None
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def _connect(self) -> sqlite3.Connection:
        if not self.read_only:
            connection = self._sqlite(str(self.path))
            try:
                _use_wal(connection)
                connection.execute("PRAGMA synchronous=NORMAL")
                return connection
            except (sqlite3.OperationalError, CorpusError) as exc:
                connection.close()
                if not cannot_write(exc):
                    raise
            self.read_only = True
        # A read-only state folder or a full disk: read the store as it is. WAL
        # readers need a -shm file; where none exists and none can be made, read it immutable.
        uri = self.path.resolve().as_uri()
        connection = self._sqlite(f"{uri}?mode=ro")
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return connection
        except (sqlite3.OperationalError, CorpusError):
            connection.close()
        return self._sqlite(f"{uri}?mode=ro&immutable=1")

    def _sqlite(self, target: str) -> sqlite3.Connection:
        # check_same_thread=False: each thread still uses only its own connection, but
        # close() may close them all from whichever thread shuts the library down.
        connection = sqlite3.connect(
            target,
            timeout=BUSY_TIMEOUT,
            isolation_level=None,
            check_same_thread=False,
            uri=target.startswith("file:"),
            factory=CheckedConnection,
        )
        connection.store_path = self.path  # type: ignore[attr-defined]
        return connection

    def is_intact(self) -> bool:
        """SQLite's own check of every page (reads the whole file: only before rebuilding)."""
        try:
            return self.db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        except (sqlite3.Error, CorpusError):
            return False

    def transaction(self) -> _Transaction:
        """``with store.transaction() as db:`` - one atomic write."""
        return _Transaction(self.db)

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

    # -- meta ---------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A value from the meta table, or None."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def get_metas(self, *keys: str) -> dict[str, str]:
        """Several meta values read in one statement, so from one snapshot (absent keys left out)."""
        marks = ", ".join("?" * len(keys))
        return dict(self.db.execute(f"SELECT key, value FROM meta WHERE key IN ({marks})", keys).fetchall())

    @staticmethod
    def set_meta(db: sqlite3.Connection, key: str, value: str) -> None:
        """Set a meta value inside an open transaction."""
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- files ----------------------------------------------------------------
    def file_states(self) -> dict[str, FileState]:
        """Every known corpus file by relative path."""
        rows = self.db.execute("SELECT path, size, mtime_ns, hash, skipped FROM files")
        states = (FileState(path_from_db(row[0]), *row[1:]) for row in rows)
        return {state.path: state for state in states}

    @staticmethod
    def put_file(db: sqlite3.Connection, state: FileState) -> None:
        """Record a file's state inside an open transaction."""
        db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
            (path_to_db(state.path), state.size, state.mtime_ns, state.hash, state.skipped),
        )

    @staticmethod
    def remove_file(db: sqlite3.Connection, path: str) -> None:
        """Forget a file and its articles inside an open transaction."""
        db.execute("DELETE FROM files WHERE path = ?", (path_to_db(path),))
        ArticleStore._forget_articles(db, path)

    @staticmethod
    def _forget_articles(db: sqlite3.Connection, path: str) -> None:
        key = path_to_db(path)
        for table in ("article_entities", "article_entity_state"):
            db.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT id FROM articles WHERE path = ?)", (key,))
        db.execute("DELETE FROM articles WHERE path = ?", (key,))

    # -- articles -------------------------------------------------------------
    @staticmethod
    def replace_articles(db: sqlite3.Connection, path: str, articles: Iterable[Article]) -> None:
        """Replace all articles of one file inside an open transaction."""
        articles = list(articles)
        ArticleStore._forget_articles(db, path)
        db.executemany(
            f"INSERT OR REPLACE INTO articles ({ARTICLE_COLUMNS}) VALUES ({', '.join('?' * 15)})",
            [article_row(a) for a in articles],
        )
        record_first_indexed(db, [a.id for a in articles])

    def get(self, article_id: str) -> Article | None:
        """The article with this id, or None."""
        row = self.db.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return article_from_row(row) if row else None

    def get_many(self, ids: list[str]) -> dict[str, Article]:
        """Articles by id, for the ids that exist."""
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = self.db.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id IN ({marks})", ids)
        return {row[0]: article_from_row(row) for row in rows}

    def by_path(self, path: str) -> list[Article]:
        """The articles of one corpus file, in file order."""
        rows = self.db.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE path = ? ORDER BY item", (path_to_db(path),)
        )
        return [article_from_row(row) for row in rows]

    def iter_articles(self, batch: int = 500) -> Iterator[Article]:
        """Every article, in a stable order, fetched in batches."""
        for articles in self.iter_article_batches(batch):
            yield from articles

    def iter_article_batches(self, batch: int = 500) -> Iterator[list[Article]]:
        """Every article, in a stable order, in lists of ``batch``."""
        cursor = self.db.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY path, item")
        while rows := cursor.fetchmany(batch):
            yield [article_from_row(row) for row in rows]

    def sample_articles(self, count: int, batch: int = 500) -> Iterator[Article]:
        """Up to ``count`` articles spread evenly over the store's order (every k-th), not its first ones.

        The store is in path order, so its first articles are one folder's: one language,
        source or year of a corpus filed that way. Only the row ids are read for the rest.
        """
        rowids = [rowid for (rowid,) in self.db.execute("SELECT rowid FROM articles ORDER BY path, item")]
        step = max(len(rowids) / count, 1.0) if count > 0 else 1.0
        chosen = [rowids[int(i * step)] for i in range(min(count, len(rowids)))]
        for start in range(0, len(chosen), batch):
            part = chosen[start : start + batch]
            marks = ",".join("?" * len(part))
            query = f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE rowid IN ({marks}) ORDER BY path, item"
            yield from map(article_from_row, self.db.execute(query, part).fetchall())

    def annotation_file_states(self) -> dict[str, tuple[int, int]]:
        """What the index last saw of each annotation file: path -> (mtime_ns, size)."""
        return {p: (m, s) for p, m, s in self.db.execute("SELECT path, mtime_ns, size FROM annotation_files")}

    def set_annotation_file_states(self, states: dict[str, tuple[int, int]]) -> None:
        """Record the annotation files the index now reflects."""
        with self.transaction() as db:
            db.execute("DELETE FROM annotation_files")
            db.executemany("INSERT INTO annotation_files VALUES (?, ?, ?)", [(p, m, s) for p, (m, s) in states.items()])

    def entity_fields(self, ids: list[str]) -> dict[str, dict[str, list[tuple[str, str]]]]:
        """For each article id: index field (person, org, place) -> [(canonical, aliases)]."""
        fields: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for offset in range(0, len(ids), 900):  # SQLite's limit on parameters
            chunk = ids[offset : offset + 900]
            rows = self.db.execute(
                "SELECT article_id, type, canonical, aliases FROM article_entities "
                f"WHERE article_id IN ({', '.join('?' * len(chunk))}) ORDER BY mentions DESC, canonical",
                chunk,
            )
            for article_id, kind, canonical, aliases in rows:
                fields.setdefault(article_id, {}).setdefault(INDEX_FIELDS[kind], []).append((canonical, aliases))
        return fields

    def count(self) -> int:
        """How many articles are stored."""
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def list_summaries(self, offset: int = 0, limit: int = 100) -> list[tuple[str, str, str | None, str | None, str]]:
        """(id, title, source, date, path) for a page of articles, newest first."""
        rows = self.db.execute(
            "SELECT id, title, source, date, path FROM articles "
            "ORDER BY date IS NULL, date DESC, path, item LIMIT ? OFFSET ?",
            (limit, offset),
        ).fetchall()
        return [(*row[:4], path_from_db(row[4])) for row in rows]

    def summary_position(self, article_id: str) -> int | None:
        """Where ``article_id`` is in :meth:`list_summaries`' order (its offset), or None if it is not stored."""
        key = self.db.execute("SELECT date, path, item FROM articles WHERE id = ?", (article_id,)).fetchone()
        if key is None:
            return None
        # The rows before it in "date IS NULL, date DESC, path, item" (ids are unique, so no ties).
        return self.db.execute(
            "SELECT count(*) FROM articles WHERE (date IS NULL) < (:date IS NULL) OR ((date IS NULL) = (:date IS NULL)"
            " AND (date > :date OR (date IS :date AND (path < :path OR (path = :path AND item < :item)))))",
            {"date": key[0], "path": key[1], "item": key[2]},
        ).fetchone()[0]


def _use_wal(connection: sqlite3.Connection, patience: float = 30.0) -> None:
    """Switch to WAL mode (it persists in the file), waiting out other openers.

    Changing the journal mode does not wait on SQLite's busy timeout: when
    two sessions open a new store at the same moment, one of them gets
    "database is locked" at once. So retry for a while; once WAL is on,
    it stays on and later opens only read the mode.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.db.execute("COMMIT")
        elif self.db.in_transaction:
            # After some errors (a full disk, an I/O error) SQLite has rolled back already: a
            # ROLLBACK then raised "no transaction is active" in place of the error that said why
            # (a 1M build on a full disk ended with that line instead of "no space left").
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
