"""What the search worker of the results pane posts back: each answer tagged with its search's number."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsdesk.index import NewsdeskError, SearchResults
from newsdesk.tui.widgets.list_rows import Row
from textual.message import Message


@dataclass
class SearchDone(Message):
    """The first page of hits of search ``seq`` (its total may be an estimate)."""

    seq: int
    results: SearchResults
    final: bool = False
    """True when nothing more will come for this search (no counting stage)."""
    pages: dict[int, list[Row]] = field(default_factory=dict)
    """Pages of hits past the first, read with it (where the cursor's article is now, for the same query)."""


@dataclass
class SearchFailed(Message):
    seq: int
    error: str
    damaged: bool = False
    """The index was found damaged: it needs rebuilding from the store."""


@dataclass
class FacetsDone(Message):
    """The complete answer of search ``seq``: exact total, facets, suggestion."""

    seq: int
    results: SearchResults


class CountingFailed(NewsdeskError):
    """The counting stage failed after the hits were shown: not a QueryError, so the query as typed
    is not run instead (that fallback is for an as-you-type rewrite refused before any hits)."""


__all__ = ["CountingFailed", "FacetsDone", "SearchDone", "SearchFailed"]
