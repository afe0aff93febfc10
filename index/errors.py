"""Exceptions raised by the headless core.

Every error a user can cause is a subclass of :class:`NewsdeskError` and carries a
one-line message fit to print as is. The CLI maps :class:`UsageError` to exit code 2
and every other :class:`NewsdeskError` to exit code 1.
"""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base class for every error newsdesk reports to a user."""

    exit_code = 1


class UsageError(NewsdeskError):
    """The user asked for something malformed (bad argument, bad config)."""

    exit_code = 2


class ConfigError(UsageError):
    """config.yaml (or a file it names) is missing, malformed or has a wrong value."""


class QueryError(UsageError):
    """A search query could not be parsed."""


class CorpusError(NewsdeskError):
    """The corpus folder cannot be read or the state dir cannot be written."""


class ArticleNotFound(NewsdeskError):
    """No article has the given id or path."""


class IngestError(NewsdeskError):
    """One file could not be turned into articles; the run goes on without it."""


class QueryTooCostly(QueryError):
    """A query would take unbounded time (huge fuzzy distance, a wildcard matching too many words,
    a search past its time budget); the message says how to narrow it."""


class DiskFullError(CorpusError):
    """The state folder's disk is full: ``no space left on device: PATH``. Nothing half-written is left."""


class StoreDamagedError(CorpusError):
    """``articles.db`` cannot be read (corrupt, not a database); it is set aside and rebuilt from the corpus."""


class IndexDamagedError(CorpusError):
    """The search index folder cannot be read; it is set aside and rebuilt from the store."""


class SavedSearchError(UsageError):
    """A saved search's name or query is not valid, or no search has that name."""


class SavedSearchFileError(NewsdeskError):
    """The saved searches file cannot be read or written; ``str()`` names the file (and line)."""


class SearchCancelled(NewsdeskError):
    """A search was abandoned because the caller no longer wants its answer (a newer one superseded it)."""


class ExpansionLimitError(IngestError):
    """A compressed document (PDF stream, .docx zip, web archive) would expand past the configured bounds."""
