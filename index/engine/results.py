"""What a search answers: ranked hits with snippets, the total, facets, timeline and "did you mean"."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from newsdesk.index.display import display_path
from newsdesk.index.engine.matches import QueryMatcher
from newsdesk.index.engine.snippets import Span, make_snippet
from newsdesk.index.store import ArticleStore
from newsdesk.index.timeline import Timeline


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


def make_hits(
    store: ArticleStore,
    hit_ids: list[tuple[str, float]],
    matcher: QueryMatcher,
    copies: dict[str, tuple[str, ...]],
    snippet_chars: int,
) -> list[Hit]:
    """Hits with snippets for ``(id, score)`` pairs, read from the store (no lock needed)."""
    articles = store.get_many([article_id for article_id, _ in hit_ids])
    hits = []
    for article_id, score in hit_ids:
        article = articles.get(article_id)
        if article is None:  # deleted since the searcher opened
            continue
        in_text = matcher.spans(article.text, "body")
        in_title = matcher.spans(article.title, "title")
        snippet, spans = make_snippet(article.text, (), snippet_chars, in_text)
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
                copies=copies.get(article.id, ()),
            )
        )
    return hits
