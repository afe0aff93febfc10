"""Run queries: ranked hits with snippets, total, facets and "did you mean".

One Whoosh searcher is kept open and reused across queries (opening one costs
more than most searches); it is refreshed when an update commits. Searches are
serialised by a lock because a Whoosh searcher is not safe to share between
threads, and the reader app runs each search in a fresh worker thread.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from newsdesk.index.config import SearchConfig
from newsdesk.index.engine.docsets import DocSets
from newsdesk.index.engine.facets import FacetCounter
from newsdesk.index.engine.matches import query_matcher
from newsdesk.index.engine.query import make_parser, parse_query
from newsdesk.index.engine.query_limits import QUERY_SECONDS, Deadline
from newsdesk.index.engine.ranking import Ranker
from newsdesk.index.engine.results import FacetValue, Hit, SearchResults, make_hits
from newsdesk.index.engine.suggest import did_you_mean
from newsdesk.index.errors import CorpusError, IndexDamagedError, QueryError, SearchCancelled
from newsdesk.index.healing import READ_ERRORS, from_index_files
from newsdesk.index.store import ArticleStore
from newsdesk.index.stories import StoryIndex
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher

__all__ = ["ArticleSearcher", "Cancelled", "FacetValue", "Hit", "SearchResults"]

Cancelled = Callable[[], bool]
"""Asked between the stages of a search: True means the caller no longer wants the answer."""


def _check(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise SearchCancelled("search cancelled")


@dataclass(slots=True)
class _Matched:
    """What the first stage of a search found, for the second to count from."""

    searcher: Searcher
    parsed: wq.Query
    docs: set[int]
    exact: bool
    page: list[tuple[str, float]]
    """(id, score) of the page's hits."""
    copies: dict[str, tuple[str, ...]]


_LOOKUP_COST = 10
"""Looking an article's document up by id costs about ten times reading a document's stored id."""


class ArticleSearcher:
    """Searches one corpus' index; safe to call from any thread."""

    def __init__(
        self,
        index_dir: Callable[[], Path | None],
        store: ArticleStore,
        config: SearchConfig,
        on_damaged: Callable[[], None] = lambda: None,
        index_named: Callable[[], bool] = lambda: False,
    ) -> None:
        self._index_dir = index_dir
        self._index_named = index_named
        self._on_damaged = on_damaged
        self._store = store
        self._config = config
        self._lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._searcher_dir: Path | None = None
        self._parser: Any = None
        self._facet_counter: tuple[DocSets, FacetCounter] | None = None
        self._docsets_cache: DocSets | None = None
        self._ranker: Ranker | None = None
        self._stories: tuple[Searcher, StoryIndex] | None = None
        self.query_seconds: float | None = QUERY_SECONDS
        """Time budget of one search (None: unbounded); past it :class:`QueryTooCostly` says to narrow the query."""

    def use_store(self, store: ArticleStore) -> None:
        """Read articles from ``store`` from now on (a damaged one was replaced)."""
        self._store = store

    def close(self) -> None:
        """Release the open index files."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self._close_docsets()

    def _current(self) -> Searcher:
        directory = self._index_dir()
        if directory is None:
            if self._index_named():
                # The store names a folder that is missing or fails its check: damage, which an
                # update heals from the store; "no index yet" sent readers to a command they had run.
                self._on_damaged()
                raise IndexDamagedError(
                    "the search index is damaged or missing; the next `newsdesk index` (or search) rebuilds it "
                    "from the store"
                )
            raise CorpusError("the corpus has no index yet; run `newsdesk index`")
        searcher = self._searcher
        if searcher is not None and directory == self._searcher_dir and searcher.up_to_date():
            return searcher
        # Never Searcher.refresh(): whoosh3's reader reuse appends the old segments to the
        # new ones, so a document re-added by a commit (an annotation change) was listed
        # twice ("ghost rows"), and it reuses the reader of a segment whose only change is
        # deletions, so deleted articles stayed found. A fresh searcher costs a few ms.
        self._drop_searcher()  # first: if opening the new folder fails, nothing closed stays referenced
        # Plain reads instead of mmap: a mapped index counts fully against
        # the process' resident memory once a few broad queries touch it.
        ix = FileStorage(str(directory), supports_mmap=False).open_index()
        fresh = ix.searcher()
        self._parser = make_parser(ix.schema, self._config.title_boost)
        self._searcher, self._searcher_dir = fresh, directory
        return fresh

    def search(self, text: str, limit: int | None = None, page: int = 1, facets: bool = True) -> SearchResults:
        """Run ``text``; ``limit`` hits per page (default from config), 1-based ``page``.

        With ``facets`` the total and facet counts are exact. Without, a very
        common phrase may be verified only in part and its total estimated
        (``total_exact`` is then False): the reader shows hits first and asks
        for facets in a second, slower call. One time budget covers the whole call.
        """
        stages = self._stages(text, limit, page, exact=facets, deadline=Deadline(self.query_seconds))
        first = next(stages)
        if facets:
            return next(stages)
        if first.total:
            return first
        # Nothing matched: "did you mean" is the answer, as with facets (it costs little here).
        return replace(first, suggestion=next(stages).suggestion)

    def search_in_stages(
        self, text: str, limit: int | None = None, cancelled: Cancelled | None = None
    ) -> Iterator[SearchResults]:
        """Yield the first page of hits as soon as they are known, then the complete answer.

        The first answer has no facets, timeline or suggestion, and its total may be
        an estimate (``total_exact`` False); the second has the same hits with
        the exact total, the facets, the timeline and the "did you mean". ``cancelled``
        is asked before and between the stages (and between facets): once it
        says True, :class:`SearchCancelled` is raised and the searcher is free
        for the next query. Stop iterating after the first answer to skip the
        counting altogether. Each stage has the per-query time budget.
        """
        return self._stages(text, limit, 1, exact=False, cancelled=cancelled)

    def _stages(
        self,
        text: str,
        limit: int | None,
        page: int,
        *,
        exact: bool,
        cancelled: Cancelled | None = None,
        deadline: Deadline | None = None,
    ) -> Iterator[SearchResults]:
        """The one path of every search: the hits (``exact``: from the exact match set), then the rest.

        ``deadline`` is the budget of both stages together; without one, each stage gets its own.
        """
        started = time.perf_counter()
        limit = limit or self._config.page_size
        if page < 1 or limit < 1:
            raise QueryError("page and limit must be 1 or more")
        with self._lock:
            _check(cancelled)
            first, found = self._first_stage(text, limit, page, exact, cancelled, deadline)
        # Snippets come from the store: no lock needed, the next search may start meanwhile.
        first.hits = make_hits(self._store, found.page, first.matcher, found.copies, self._config.snippet_chars)
        first.took_ms = (time.perf_counter() - started) * 1000
        yield first
        with self._lock:
            _check(cancelled)
            complete = self._second_stage(first, found, cancelled, deadline)
        complete.took_ms = (time.perf_counter() - started) * 1000
        yield complete

    def _first_stage(
        self, text: str, limit: int, page: int, exact: bool, cancelled: Cancelled | None, deadline: Deadline | None
    ) -> tuple[SearchResults, _Matched]:
        """The page of hits and the total (a common phrase's estimated unless ``exact``); the caller holds the lock."""
        deadline = deadline or Deadline(self.query_seconds)
        for attempt in self._attempts():
            with attempt:
                searcher = self._current()
                parsed = parse_query(self._parser, text)
                docsets = self._docsets(searcher)
                matched = docsets.match(parsed, exact=exact, deadline=deadline)
                unverified = docsets.unverified
                complete = exact or not docsets.sampled  # nothing to match again in the second stage
                _check(cancelled)
                ranked, copies = self._rank_stories(searcher, parsed, matched, docsets.phrase_counts, page * limit)
                deadline.check()
                matcher = query_matcher(parsed, searcher.reader(), expand=docsets.expand)
                stories = None if unverified else self._story_index(searcher).count(matched)
        first = SearchResults(
            query=text,
            total=len(matched) + unverified,
            total_exact=not unverified,
            took_ms=0.0,
            page=page,
            page_size=limit,
            hits=[],
            terms=matcher.terms,
            matcher=matcher,
            stories=stories,
        )
        return first, _Matched(searcher, parsed, matched, complete, ranked[(page - 1) * limit :], copies)

    def _second_stage(
        self, first: SearchResults, found: _Matched, cancelled: Cancelled | None, deadline: Deadline | None
    ) -> SearchResults:
        """``first`` with the exact total, facets, timeline and "did you mean"; the caller holds the lock."""
        deadline = deadline or Deadline(self.query_seconds)
        for attempt in self._attempts():
            with attempt:
                current = self._current()
                matched = found.docs
                if current is not found.searcher or not found.exact:
                    # Only phrases are ever verified in part, and an update may have moved the documents.
                    matched = self._docsets(current).match(found.parsed, exact=True, deadline=deadline)
                total = len(matched)
                stories = self._story_index(current).count(matched)
                facet_counts = self._facets(current, matched, cancelled) if total else {}
                timeline = self._counter(current).timeline(matched)
                _check(cancelled)
                # "Did you mean" is an extra: skipped when the query already used half its time.
                text = first.query
                suggestion = self._suggest(current, text) if not total and not deadline.spent(0.5) else None
        return replace(
            first,
            total=total,
            total_exact=True,
            facets=facet_counts,
            suggestion=suggestion,
            timeline=timeline,
            stories=stories,
        )

    def _attempts(self) -> Iterator[_Attempt]:
        """Run a block until it reads the index without a read error, at most three times.

        ``for attempt in self._attempts(): with attempt: ...`` (the caller holds the lock).
        A read error from the index files while the store names another folder than the
        one read means a rebuild replaced it meanwhile: the block runs again on the new
        one. The same error on the folder still named is damage (:class:`IndexDamagedError`).
        """
        for number in range(3):
            attempt = _Attempt(self, last=number == 2)
            yield attempt
            if attempt.done:
                return

    def _read_failed(self, exc: BaseException, last: bool) -> bool:
        """True to try again (the index moved); raises when the index is damaged."""
        if not isinstance(exc, READ_ERRORS) or not from_index_files(exc):
            return False
        read = self._searcher_dir
        self._drop_searcher()
        if not last and (read is None or self._index_dir() != read):
            return True
        # A garbled index file (the cheap check on open sees only sizes and the TOC).
        self._on_damaged()
        raise IndexDamagedError(
            f"the search index is damaged ({type(exc).__name__}); "
            "the next `newsdesk index` (or search) rebuilds it from the store"
        ) from None

    def _drop_searcher(self) -> None:
        """Forget the open searcher (the caller holds the lock)."""
        if self._searcher is not None:
            with contextlib.suppress(*READ_ERRORS):
                self._searcher.close()
        self._searcher = self._searcher_dir = None
        self._close_docsets()
        self._ranker = None
        self._stories = None
        self._facet_counter = None

    def match_ids(self, text: str, ids: list[str]) -> tuple[int, set[str]]:
        """How many articles match ``text`` (exactly), and which of ``ids`` are among them."""
        with self._lock:
            for attempt in self._attempts():
                with attempt:
                    searcher = self._current()
                    matched = self._docsets(searcher).match(parse_query(self._parser, text), exact=True)
                    found = set()
                    if len(ids) * _LOOKUP_COST > len(matched):
                        # Many new ids (a month away, a store made again: every article is new): reading
                        # the matches' ids is ~10x cheaper per article than looking each new id up, which
                        # took 1.4 s per saved search per 20,000 articles, holding the lock searches wait on.
                        wanted = set(ids)
                        found = {i for i in (searcher.stored_fields(d)["id"] for d in matched) if i in wanted}
                    else:
                        for article_id in ids:
                            docnum = searcher.document_number(id=article_id)
                            if docnum is not None and docnum in matched:
                                found.add(article_id)
        return len(matched), found

    def more_like(self, article_id: str, text: str, top: int) -> list[tuple[str, float]]:
        """(id, score) of up to ``top`` articles sharing the key terms of ``text`` (the article's own)."""
        with self._lock:
            for attempt in self._attempts():
                with attempt:
                    searcher = self._current()
                    docnum = searcher.document_number(id=article_id)
                    if docnum is None:
                        return []
                    hits = searcher.more_like(docnum, "body", text=text, top=top + 1, numterms=25)
                    similar = [(hit["id"], hit.score) for hit in hits if hit.docnum != docnum][:top]
        return similar

    def _story_index(self, searcher: Searcher) -> StoryIndex:
        """The reprint groups as this searcher's documents (read once per opened index)."""
        if self._stories is None or self._stories[0] is not searcher:
            self._stories = (searcher, StoryIndex.load(self._store.db, lambda i: searcher.document_number(id=i)))
        return self._stories[1]

    def _rank_stories(
        self, searcher: Searcher, parsed: wq.Query, matched: set[int], phrase_counts: dict[int, int], count: int
    ) -> tuple[list[tuple[str, float]], dict[str, tuple[str, ...]]]:
        """The best ``count`` stories (a reprint group once, at its best-ranked member) and their copies."""

        def rank(wanted: int) -> list[tuple[str, float]]:
            return self._rank(searcher, parsed, matched, phrase_counts, wanted)

        return self._story_index(searcher).fold(rank, count, matched)

    def _docsets(self, searcher: Searcher) -> DocSets:
        if self._docsets_cache is None or self._docsets_cache.searcher is not searcher:
            self._close_docsets()
            self._docsets_cache = DocSets(searcher)
        return self._docsets_cache

    def _close_docsets(self) -> None:
        if self._docsets_cache is not None:
            with contextlib.suppress(*READ_ERRORS):
                self._docsets_cache.close()  # its frequency files
            self._docsets_cache = None

    def _rank(
        self,
        searcher: Searcher,
        parsed: wq.Query,
        matched: set[int],
        phrase_counts: dict[int, int],
        count: int,
    ) -> list[tuple[str, float]]:
        """(id, score) of the best ``count`` matches (see :mod:`newsdesk.index.engine.ranking`)."""
        if not matched:
            return []
        if self._ranker is None or self._ranker.docsets is not self._docsets_cache:
            self._ranker = Ranker(self._docsets(searcher))
        best = self._ranker.top(parsed, matched, phrase_counts, self._column(searcher, "date"), count)
        return [(searcher.stored_fields(docnum)["id"], score) for docnum, score in best]

    # -- facets -------------------------------------------------------------------
    def _counter(self, searcher: Searcher) -> FacetCounter:
        """The facet columns of this searcher's index, read once (see :mod:`.facets`)."""
        docsets = self._docsets(searcher)
        if self._facet_counter is None or self._facet_counter[0] is not docsets:
            self._facet_counter = (docsets, FacetCounter(docsets.segments, docsets.all_docs))
        return self._facet_counter[1]

    def _column(self, searcher: Searcher, facet: str) -> list[str]:
        return self._counter(searcher).column(facet)

    def _facets(
        self, searcher: Searcher, docnums: set[int], cancelled: Cancelled | None = None
    ) -> dict[str, list[FacetValue]]:
        counter = self._counter(searcher)
        limit = self._config.facet_limit
        result = {}
        for facet in self._config.facets:
            _check(cancelled)
            ranked = counter.count(facet, docnums, self._config.date_bucket)[:limit]
            if facet == "date":
                ranked.sort()
            result[facet] = [FacetValue(v, c) for v, c in ranked]
        return result

    def _suggest(self, searcher: Searcher, text: str) -> str | None:
        """ "Did you mean" for the words the index does not know; None when out of time (it is an extra)."""
        return did_you_mean(text, self._docsets(searcher), self._store)


class _Attempt:
    """One run of a block that reads the index (see :meth:`ArticleSearcher._attempts`)."""

    def __init__(self, searcher: ArticleSearcher, last: bool) -> None:
        self._searcher = searcher
        self._last = last
        self.done = False

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, trace: object) -> bool:
        if exc is None:
            self.done = True
            return False
        return self._searcher._read_failed(exc, self._last)
