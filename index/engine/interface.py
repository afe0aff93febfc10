"""The seam between newsdesk and its search engine: what the core calls, typed.

:class:`SearchEngine` names every method ``Library`` and its helpers
(``saved.py``, ``similar.py``) call on the searcher; :class:`IndexWriter` names
every method the indexer calls on an index writer. ``ArticleSearcher`` (Whoosh)
is the one implementation; another engine (tantivy in-process, or a client of
OpenSearch / Elasticsearch) would implement the same methods and leave ingest,
the article store, entities and annotations as they are (docs/scaling.md).
``tests/test_engine_interface.py`` fails when the core calls a searcher or
writer method these protocols do not name; mypy (``tests/test_typecheck.py``)
checks ``ArticleSearcher`` against :class:`SearchEngine` where ``Library``
assigns it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from newsdesk.index.engine.search import Cancelled, SearchResults
    from newsdesk.index.store import ArticleStore


class SearchEngine(Protocol):
    """Answers queries over one corpus' index; safe to call from any thread."""

    def search(self, text: str, limit: int | None = None, page: int = 1, facets: bool = True) -> SearchResults:
        """Ranked hits of one page; with ``facets`` the total and facet counts are exact."""
        ...

    def search_in_stages(
        self, text: str, limit: int | None = None, cancelled: Cancelled | None = None
    ) -> Iterator[SearchResults]:
        """The first page of hits as soon as known, then the same hits with exact total and facets."""
        ...

    def match_ids(self, text: str, ids: list[str]) -> tuple[int, set[str]]:
        """How many articles match ``text`` exactly, and which of ``ids`` are among them (saved searches)."""
        ...

    def more_like(self, article_id: str, text: str, top: int) -> list[tuple[str, float]]:
        """(id, score) of up to ``top`` articles sharing the key terms of ``text`` (similar articles)."""
        ...

    def use_store(self, store: ArticleStore) -> None:
        """Read article text and metadata (snippets, facets) from ``store`` from now on."""
        ...

    def close(self) -> None:
        """Release the open index."""
        ...


class IndexWriter(Protocol):
    """One open writer on the index: what the indexer calls between opening and committing it.

    Opening a writer is the engine's own business (Whoosh: a new folder for a full
    build, the current one for an incremental change; see docs/scaling.md).
    """

    def add_document(self, **fields: object) -> None:
        """Add one article, its fields as ``indexer.document_fields`` builds them."""
        ...

    def delete_by_term(self, fieldname: str, text: str) -> object:
        """Delete every document whose ``fieldname`` holds ``text`` (``path`` or ``id``)."""
        ...

    def commit(self) -> None:
        """Make every change visible to new searchers at once."""
        ...

    def cancel(self) -> None:
        """Drop every change since the writer opened."""
        ...
