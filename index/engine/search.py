"""Run queries: ranked hits with snippets, total, facets and "did you mean".

One Whoosh searcher is kept open and reused across queries (opening one costs
more than most searches); it is refreshed when an update commits. Searches are
serialised by a lock because a Whoosh searcher is not safe to share between
threads, and the reader app runs each search in a fresh worker thread.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from newsdesk.index.article import MULTI_VALUE_SEPARATOR
from newsdesk.index.config import SearchConfig
from newsdesk.index.display import display_path
from newsdesk.index.engine.columns import column_values
from newsdesk.index.engine.docsets import DocSets, _phrases_only
from newsdesk.index.engine.matches import QueryMatcher, query_matcher
from newsdesk.index.engine.query import DEFAULT_FIELDS, make_parser, parse_query
from newsdesk.index.engine.query_limits import QUERY_SECONDS, Deadline
from newsdesk.index.engine.ranking import Ranker
from newsdesk.index.engine.schema import FACET_COLUMNS, iter_terms, term_for
from newsdesk.index.engine.snippets import Span, make_snippet
from newsdesk.index.errors import CorpusError, IndexDamagedError, QueryError, QueryTooCostly, SearchCancelled
from newsdesk.index.healing import READ_ERRORS, from_index_files
from newsdesk.index.store import ArticleStore
from newsdesk.index.stories import StoryIndex
from newsdesk.index.timeline import Timeline, build_timeline
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher

_PLAIN_WORD = re.compile(r'(?<![\w:*~"])([^\W\d_][\w\']*)(?![\w:*~"])')

Cancelled = Callable[[], bool]
"""Asked between the stages of a search: True means the caller no longer wants the answer."""


def _check(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise SearchCancelled("search cancelled")


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked result."""

    id: str
    path: str
    title: str
    score: float
    snippet: str
    snippet_highlights: list[Span]
    title_highlights: list[Span]
    source: str | None
    date: str | None
    matches: int = 0
    """How many matches of the query the article's text holds, a phrase counting once: what the
    list shows, and what the reader steps through with n/N (:class:`QueryMatcher`)."""
    copies: tuple[str, ...] = ()
    """Ids of the other matching articles of this hit's reprint group, folded into it (:mod:`.stories`)."""


@dataclass(frozen=True, slots=True)
class FacetValue:
    """A facet value and how many matching articles have it."""

    value: str
    count: int


@dataclass(slots=True)
class SearchResults:
    """The answer to one query."""

    query: str
    total: int
    total_exact: bool
    """False when ``total`` is an estimate (a very common phrase searched without facets)."""
    took_ms: float
    page: int
    page_size: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    terms: frozenset[str] = frozenset()
    """Index terms the query matched."""
    matcher: QueryMatcher = field(default_factory=QueryMatcher)
    """Finds the query's matches inside an article (``matcher.spans(article.text)``), as the hits counted them."""
    timeline: Timeline | None = None
    """Matches per period (searches with facets only, whose total is exact)."""
    stories: int | None = None
    """Distinct stories (reprint groups) among the matches; None when ``total`` is an estimate."""

    def to_json(self) -> dict[str, Any]:
        """The JSON object ``newsdesk search --json`` prints."""
        return {
            "query": self.query,
            "total": self.total,
            "total_exact": self.total_exact,
            "took_ms": round(self.took_ms, 2),
            "page": self.page,
            "hits": [
                {
                    "id": h.id,
                    "path": display_path(h.path),
                    "title": h.title,
                    "score": round(h.score, 4),
                    "snippet": h.snippet,
                    "highlights": [list(s) for s in h.snippet_highlights],
                    "source": h.source,
                    "date": h.date,
                    "matches": h.matches,
                    "copies": list(h.copies),
                }
                for h in self.hits
            ],
            "facets": {name: [asdict(v) for v in values] for name, values in self.facets.items()},
            "suggestion": self.suggestion,
            "timeline": self.timeline.to_json() if self.timeline is not None else None,
            "stories": self.stories,
        }


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
        self._facet_cache: dict[str, list[str]] = {}
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
        self._facet_cache = {}
        return fresh

    def search(self, text: str, limit: int | None = None, page: int = 1, facets: bool = True) -> SearchResults:
        """Run ``text``; ``limit`` hits per page (default from config), 1-based ``page``.

        With ``facets`` the total and facet counts are exact. Without, a very
        common phrase may be verified only in part and its total estimated
        (``total_exact`` is then False): the reader shows hits first and asks
        for facets in a second, slower call.
        """
        started = time.perf_counter()
        limit = limit or self._config.page_size
        if page < 1 or limit < 1:
            raise QueryError("page and limit must be 1 or more")
        with self._lock:
            deadline = Deadline(self.query_seconds)
            for attempt in self._attempts():
                with attempt:
                    searcher = self._current()
                    parsed = parse_query(self._parser, text)
                    docsets = self._docsets(searcher)
                    matched = docsets.match(parsed, exact=facets, deadline=deadline)
                    unverified = docsets.unverified
                    total = len(matched) + unverified
                    ranked, copies = self._rank_stories(searcher, parsed, matched, docsets.phrase_counts, page * limit)
                    deadline.check()
                    hit_ids = ranked[(page - 1) * limit :]
                    matcher = query_matcher(parsed, searcher.reader(), expand=docsets.expand)
                    facet_counts = self._facets(searcher, matched) if facets and total else {}
                    timeline = build_timeline(self._column(searcher, "date")[d] for d in matched) if facets else None
                    # "Did you mean" is an extra: skipped when the query already used half its time.
                    suggestion = self._suggest(searcher, text) if not total and not deadline.spent(0.5) else None
                    stories = None if unverified else self._story_index(searcher).count(matched)
        return SearchResults(
            query=text,
            total=total,
            total_exact=not unverified,
            took_ms=(time.perf_counter() - started) * 1000,
            page=page,
            page_size=limit,
            hits=self._hits(hit_ids, matcher, copies),
            facets=facet_counts,
            suggestion=suggestion,
            terms=matcher.terms,
            matcher=matcher,
            timeline=timeline,
            stories=stories,
        )

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
        started = time.perf_counter()
        limit = limit or self._config.page_size
        if limit < 1:
            raise QueryError("limit must be 1 or more")
        with self._lock:
            _check(cancelled)
            deadline = Deadline(self.query_seconds)
            for attempt in self._attempts():
                with attempt:
                    searcher = self._current()
                    parsed = parse_query(self._parser, text)
                    docsets = self._docsets(searcher)
                    matched = docsets.match(parsed, exact=False, deadline=deadline)
                    unverified = docsets.unverified
                    _check(cancelled)
                    ranked, copies = self._rank_stories(searcher, parsed, matched, docsets.phrase_counts, limit)
                    matcher = query_matcher(parsed, searcher.reader(), expand=docsets.expand)
                    stories = None if unverified else self._story_index(searcher).count(matched)
        first = SearchResults(
            query=text,
            total=len(matched) + unverified,
            total_exact=not unverified,
            took_ms=(time.perf_counter() - started) * 1000,
            page=1,
            page_size=limit,
            hits=self._hits(ranked, matcher, copies),
            terms=matcher.terms,
            matcher=matcher,
            stories=stories,
        )
        yield first
        with self._lock:
            _check(cancelled)
            deadline = Deadline(self.query_seconds)
            for attempt in self._attempts():
                with attempt:
                    current = self._current()
                    if current is not searcher or _phrases_only(parsed):
                        # Only phrases are ever verified in part, and an update may have moved the documents.
                        matched = self._docsets(current).match(parsed, exact=True, deadline=deadline)
                    total = len(matched)
                    stories = self._story_index(current).count(matched)
                    facet_counts = self._facets(current, matched, cancelled) if total else {}
                    timeline = build_timeline(self._column(current, "date")[d] for d in matched)
                    _check(cancelled)
                    suggestion = self._suggest(current, text) if not total and not deadline.spent(0.5) else None
        yield replace(
            first,
            total=total,
            total_exact=True,
            facets=facet_counts,
            suggestion=suggestion,
            timeline=timeline,
            stories=stories,
            took_ms=(time.perf_counter() - started) * 1000,
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

    def _hits(
        self, hit_ids: list[tuple[str, float]], matcher: QueryMatcher, copies: dict[str, tuple[str, ...]] | None = None
    ) -> list[Hit]:
        """Hits with snippets for ``(id, score)`` pairs, read from the store (no lock needed)."""
        articles = self._store.get_many([article_id for article_id, _ in hit_ids])
        hits = []
        for article_id, score in hit_ids:
            article = articles.get(article_id)
            if article is None:  # deleted since the searcher opened
                continue
            in_text = matcher.spans(article.text, "body")
            in_title = matcher.spans(article.title, "title")
            snippet, spans = make_snippet(article.text, (), self._config.snippet_chars, in_text)
            hits.append(
                Hit(
                    id=article.id,
                    path=article.path,
                    title=article.title,
                    score=score,
                    snippet=snippet,
                    snippet_highlights=spans,
                    title_highlights=in_title,
                    source=article.source,
                    date=article.date,
                    matches=len(in_text),
                    copies=(copies or {}).get(article.id, ()),
                )
            )
        return hits

    def _drop_searcher(self) -> None:
        """Forget the open searcher (the caller holds the lock)."""
        if self._searcher is not None:
            with contextlib.suppress(*READ_ERRORS):
                self._searcher.close()
        self._searcher = self._searcher_dir = None
        self._docsets_cache = None
        self._ranker = None
        self._stories = None

    def match_ids(self, text: str, ids: list[str]) -> tuple[int, set[str]]:
        """How many articles match ``text`` (exactly), and which of ``ids`` are among them."""
        with self._lock:
            for attempt in self._attempts():
                with attempt:
                    searcher = self._current()
                    matched = self._docsets(searcher).match(parse_query(self._parser, text), exact=True)
                    found = set()
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
            self._docsets_cache = DocSets(searcher)
        return self._docsets_cache

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
    def _column(self, searcher: Searcher, facet: str) -> list[str]:
        values = self._facet_cache.get(facet)
        if values is None:
            values = []
            for segment_reader, _offset in self._docsets(searcher).segments:
                raw = column_values(segment_reader, FACET_COLUMNS[facet])
                values.extend(v.decode("utf-8", "surrogatepass") if v else "" for v in raw)
            self._facet_cache[facet] = values
        return values

    def _facets(
        self, searcher: Searcher, docnums: set[int], cancelled: Cancelled | None = None
    ) -> dict[str, list[FacetValue]]:
        result = {}
        for facet in self._config.facets:
            _check(cancelled)
            values = self._column(searcher, facet)
            counts: Counter[str] = Counter()
            picked = [values[d] for d in docnums]
            if facet == "date":
                width = {"day": 10, "month": 7, "year": 4}[self._config.date_bucket]
                counts.update(v[:width] for v in picked if v)
            elif facet in ("tags", "person", "org", "place"):
                for value in picked:
                    if value:
                        counts.update(value.split(MULTI_VALUE_SEPARATOR))
            else:
                counts.update(v for v in picked if v)
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            if facet == "date":
                ranked = sorted(ranked[: self._config.facet_limit])
            result[facet] = [FacetValue(v, c) for v, c in ranked[: self._config.facet_limit]]
        return result

    # -- did you mean -------------------------------------------------------------
    def _suggest(self, searcher: Searcher, text: str) -> str | None:
        """ "Did you mean" for the words the index does not know; None when out of time (it is an extra)."""
        try:
            return self._suggest_within_deadline(searcher, text)
        except QueryTooCostly:
            return None

    def _suggest_within_deadline(self, searcher: Searcher, text: str) -> str | None:
        reader = searcher.reader()
        docsets = self._docsets(searcher)
        changed = False

        def replace(match: re.Match[str]) -> str:
            nonlocal changed
            word = match.group(1)
            if word in ("AND", "OR", "NOT", "TO", "to"):
                return word
            term = term_for(word)
            if any(reader.frequency(f, term) for f in DEFAULT_FIELDS):
                return word
            # The first letter is kept, as spell checkers usually do; nearest first,
            # then the most common. (Whoosh's suggest() builds a Levenshtein automaton
            # in Python per word: seconds for a long one.)
            near = list(docsets.near_words("body", term, 2))
            if not near:
                return word
            best, _ = min(near, key=lambda found: (found[1], -reader.doc_frequency("body", found[0]), found[0]))
            surface = self._surface_form(searcher, best.decode("utf-8"))
            if surface is None:
                return word
            changed = True
            return surface

        suggestion = _PLAIN_WORD.sub(replace, text)
        return suggestion if changed and suggestion != text else None

    def _surface_form(self, searcher: Searcher, term: str) -> str | None:
        """A word as written in the corpus whose index term is ``term`` (stems are not words)."""
        for docnum in searcher.docs_for_query(wq.Term("body", term)):
            article = self._store.get(searcher.stored_fields(docnum)["id"])
            if article is None:
                continue
            for found, start, end in iter_terms(article.text):
                if found == term:
                    return article.text[start:end].lower()
            break
        return None


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
