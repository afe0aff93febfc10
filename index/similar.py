"""Articles like a given one: reprints (the same text, lightly edited) first, then related coverage.

Candidates come from Whoosh's "more like this" over the article's key terms;
each is then compared word for word with shingles (runs of
:data:`SHINGLE_WORDS` words): the share of the shorter text's shingles found in
the other (containment) stays high when a reprint adds boilerplate or cuts a
sentence, and is near zero for a different article on the same topic, which
shares words but rarely runs of four.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsdesk.index.engine.terms import iter_terms

if TYPE_CHECKING:
    from newsdesk.index.article import Article
    from newsdesk.index.engine.interface import SearchEngine
    from newsdesk.index.store import ArticleStore

SHINGLE_WORDS = 4
REPRINT_OVERLAP = 0.5
"""Containment from which an article counts as a reprint."""
CANDIDATES = 50
MAX_TEXT = 200_000
"""Characters of each text compared: a 20 MB article took 30 s of ``m`` (key terms and runs of
every word); its first 200,000 characters (some 30,000 words) take well under a second, and a
reprint shares its beginning."""


@dataclass(frozen=True, slots=True)
class SimilarArticle:
    """One article like the asked-for one."""

    id: str
    path: str
    title: str
    source: str | None
    date: str | None
    overlap: float
    """Share (0-1) of the shorter text's 4-word runs that the other text has too."""
    reprint: bool
    """The same story with small edits (overlap >= 0.5)."""
    score: float
    """Whoosh's key-term similarity: orders the articles that are not reprints."""


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[int]:
    """Hashes of every run of ``size`` index terms in ``text`` (all of it when shorter)."""
    terms = [term for term, _, _ in iter_terms(text)]
    if len(terms) <= size:
        return {hash(tuple(terms))} if terms else set()
    return {hash(tuple(terms[i : i + size])) for i in range(len(terms) - size + 1)}


def overlap(first: set[int], second: set[int]) -> float:
    """Containment of the smaller shingle set in the larger (0 when either is empty)."""
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def similar_articles(
    article: Article, store: ArticleStore, searcher: SearchEngine, limit: int = 10
) -> list[SimilarArticle]:
    """Up to ``limit`` articles like ``article``: reprints first (closest first), then by key terms."""
    text = article.text[:MAX_TEXT]
    candidates = searcher.more_like(article.id, text, max(CANDIDATES, limit))
    found = store.get_many([article_id for article_id, _ in candidates])
    own = shingles(text)
    similar = []
    for article_id, score in candidates:
        other = found.get(article_id)
        if other is None:
            continue
        share = overlap(own, shingles(other.text[:MAX_TEXT]))
        similar.append(
            SimilarArticle(
                other.id,
                other.path,
                other.title,
                other.source,
                other.date,
                round(share, 4),
                share >= REPRINT_OVERLAP,
                score,
            )
        )
    similar.sort(key=lambda s: (not s.reprint, -s.overlap if s.reprint else -s.score))
    return similar[:limit]
