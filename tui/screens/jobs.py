"""The main screen's background work: searching and opening articles.

Every call into :mod:`newsdesk.index` that can take time runs in a thread worker and
reports back with a message; nothing here touches a widget. Each search and
each article load carries a sequence number, and a result whose number is not
the latest is dropped, so a slow old search never overwrites a newer one. A
search runs in stages (hits first, then the exact total and facets) in an
exclusive worker: a newer search cancels it, and the core stops at the next
stage once its worker is cancelled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from newsdesk.index import (
    Article,
    EntityContext,
    EntityMention,
    Hit,
    Library,
    NewsdeskError,
    QueryError,
    QueryMatcher,
    SearchCancelled,
    SearchResults,
)
from newsdesk.tui.widgets.article_list import Row
from textual import work
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker

FACETS_AFTER_SECONDS = 0.1
"""The exact total and facets are counted only once typing pauses this long: counting holds the searcher."""


@dataclass
class SearchDone(Message):
    """The first page of hits of search ``seq`` (its total may be an estimate)."""

    seq: int
    results: SearchResults
    final: bool = False
    """True when nothing more will come for this search (no counting stage)."""


@dataclass
class SearchFailed(Message):
    seq: int
    error: str


@dataclass
class FacetsDone(Message):
    """The complete answer of search ``seq``: exact total, facets, suggestion."""

    seq: int
    results: SearchResults


@dataclass
class ArticleLoaded(Message):
    seq: int
    article: Article
    hits: list[tuple[int, int]]
    mentions: list[EntityMention]
    scroll: int | None
    mark: tuple[int, int] | None = None


@dataclass
class ArticleFailed(Message):
    seq: int
    error: str


@dataclass
class MentionsLoaded(Message):
    canonical: str
    type: str
    contexts: list[EntityContext] | None
    error: str | None = None


class LibraryJobs(Screen):
    """Thread workers over one :class:`~newsdesk.index.Library`; results come back as messages."""

    library: Library
    facets_wanted: bool = True

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, query: str, seq: int, limit: int, fallback: str | None = None) -> None:
        """Search in stages: post the hits, then (after a pause in typing) the exact total and facets.

        ``fallback`` is the query as typed, run instead if the as-you-type
        rewrite ``query`` is refused (e.g. a prefix matching too many words).
        """
        worker = get_current_worker()
        try:
            try:
                self._search_stages(query, seq, limit, lambda: worker.is_cancelled)
            except QueryError:
                if fallback is None or fallback == query:
                    raise
                self._search_stages(fallback, seq, limit, lambda: worker.is_cancelled)
        except SearchCancelled:
            return
        except NewsdeskError as exc:
            if not worker.is_cancelled:
                self.post_message(SearchFailed(seq, str(exc)))

    def _search_stages(self, query: str, seq: int, limit: int, cancelled: Callable[[], bool]) -> None:
        stages = self.library.search_in_stages(query, limit=limit, cancelled=cancelled)
        first = next(stages)
        counting = self.facets_wanted or not first.total_exact or not first.total
        if cancelled():
            return
        self.post_message(SearchDone(seq, first, final=not counting))
        if not counting:
            return
        deadline = time.monotonic() + FACETS_AFTER_SECONDS
        while time.monotonic() < deadline:
            if cancelled():
                return
            time.sleep(0.01)
        complete = next(stages)
        if not cancelled():
            self.post_message(FacetsDone(seq, complete))

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def load_article(
        self, article_id: str, matcher: QueryMatcher, seq: int, scroll: int | None, mark: tuple[int, int] | None = None
    ) -> None:
        """Read an article, its entity mentions and the query's matches in it."""
        try:
            article = self.library.article(article_id)
            mentions = self.library.entities(article.id)
        except NewsdeskError as exc:
            self.post_message(ArticleFailed(seq, str(exc)))
            return
        hits = matcher.spans(article.text)  # what the list counted for this article
        if not get_current_worker().is_cancelled:
            self.post_message(ArticleLoaded(seq, article, hits, mentions, scroll, mark))

    @work(thread=True, exclusive=True, group="mentions", exit_on_error=False)
    def load_mentions(self, canonical: str, entity_type: str) -> None:
        """Every mention of an entity across the corpus (keyword in context)."""
        try:
            contexts = self.library.entity_mentions(canonical, entity_type)
        except NewsdeskError as exc:
            self.post_message(MentionsLoaded(canonical, entity_type, None, str(exc)))
            return
        self.post_message(MentionsLoaded(canonical, entity_type, contexts))


def hits_to_rows(hits: Sequence[Hit]) -> list[Row]:
    """Search hits as article-list rows."""
    return [
        Row(
            h.id,
            h.title,
            h.source,
            h.date,
            h.snippet,
            tuple(h.snippet_highlights),
            tuple(h.title_highlights),
            h.matches,
            h.copies,
        )
        for h in hits
    ]
