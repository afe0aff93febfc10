"""SQLite failures as one-line errors: a damaged store, a full disk, a busy or read-only one."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from newsdesk.index.display import display_path
from newsdesk.index.errors import CorpusError, DiskFullError, StoreDamagedError
from newsdesk.index.healing import disk_full, is_disk_full

_DAMAGED_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


def store_error(path: Path, exc: sqlite3.Error) -> CorpusError:
    """One line for an SQLite failure: damaged, full, busy or otherwise."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    shown = display_path(str(path))
    if code in _DAMAGED_CODES:
        return StoreDamagedError(f"{shown}: the article store is damaged ({exc})")
    if code == sqlite3.SQLITE_FULL or (code == sqlite3.SQLITE_IOERR and is_disk_full(exc, path.parent)):
        return disk_full(path.parent)  # a WAL that cannot grow is an I/O error to SQLite
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return CorpusError(f"{shown}: another newsdesk process is writing the store; try again in a moment")
    return CorpusError(f"{shown}: cannot use the article store: {exc}")


def cannot_write(exc: BaseException) -> bool:
    """True for the errors of a store that can be read but not written (read-only folder, full disk)."""
    if isinstance(exc, DiskFullError):
        return True
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_FULL)


class CheckedConnection(sqlite3.Connection):
    """A connection whose statements turn a damaged or full database into one-line errors.

    Every other SQLite error passes through unchanged (callers retry "locked").
    """

    def execute(self, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        try:
            return super().execute(*args)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            raise _checked(self, exc) from None

    def executemany(self, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        try:
            return super().executemany(*args)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            raise _checked(self, exc) from None


def _checked(connection: sqlite3.Connection, exc: sqlite3.DatabaseError | UnicodeDecodeError) -> BaseException:
    path = getattr(connection, "store_path", Path("articles.db"))
    if isinstance(exc, UnicodeDecodeError):  # newsdesk only writes valid UTF-8 text: garbled bytes
        return StoreDamagedError(f"{display_path(str(path))}: the article store is damaged (text is not UTF-8)")
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code not in _DAMAGED_CODES and code not in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
        return exc
    return store_error(path, exc)
