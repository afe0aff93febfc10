"""Where a query matches inside one article: the spans the list counts and the reader highlights.

One function decides what "a match" is, so the article list's "N matches" and the
reader's ``match i/N`` (``n``/``N``) can never disagree. A match is an occurrence of
what the query matched: a word (its index term, so stems and expanded wildcards
count), or a whole phrase, which counts once however many words it has. Overlapping
matches (a word inside a matched phrase, two phrase occurrences sharing words) merge
into one span. Words under ``NOT`` are never matches.

Text is split into words with the index's own term function
(:func:`newsdesk.index.engine.terms.iter_terms`), so a phrase found here is a phrase the
index found: word positions are the same on both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsdesk.index.engine.phrase_checks import within_slop_occurrences
from newsdesk.index.engine.terms import iter_terms
from whoosh import query as wq

Span = tuple[int, int]
Phrase = tuple[tuple[str, ...], int]
"""A phrase's index terms in order, and its slop (1: side by side)."""

TEXT_FIELDS = ("title", "body")
"""The fields whose matches are shown: an article's title and its text."""


@dataclass(frozen=True, slots=True)
class QueryMatcher:
    """What one query matches inside an article, per field (``title``, ``body``)."""

    words: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Index terms that match on their own."""
    phrases: Mapping[str, tuple[Phrase, ...]] = field(default_factory=dict)
    """Phrases (two or more words) that match only together."""

    def spans(self, text: str, field: str = "body") -> list[Span]:
        """The query's matches in ``text`` (an article's ``field``): sorted, non-overlapping."""
        return match_spans(text, self.words.get(field, frozenset()), self.phrases.get(field, ()))

    @property
    def terms(self) -> frozenset[str]:
        """Every index term the query can match, in any field."""
        found: set[str] = set()
        for words in self.words.values():
            found |= words
        for phrases in self.phrases.values():
            for terms, _slop in phrases:
                found.update(terms)
        return frozenset(found)


def match_spans(text: str, words: Collection[str], phrases: Iterable[Phrase] = ()) -> list[Span]:
    """(start, end) of each match of ``words`` and ``phrases`` in ``text``, overlaps merged."""
    phrases = [p for p in phrases if p[0]]
    if not words and not phrases:
        return []
    tokens = list(iter_terms(text))
    spans = [(start, end) for term, start, end in tokens if term in words] if words else []
    if phrases:
        wanted = {term for terms, _slop in phrases for term in terms}
        positions: dict[str, list[int]] = {term: [] for term in wanted}
        for index, (term, _, _) in enumerate(tokens):
            if term in wanted:
                positions[term].append(index)
        for terms, slop in phrases:
            for first, last in _phrase_occurrences(terms, max(slop, 1), positions):
                spans.append((tokens[first][1], tokens[last][2]))
    return _merged(spans)


def _phrase_occurrences(terms: Sequence[str], slop: int, positions: dict[str, list[int]]) -> list[Span]:
    """(first, last) word index of each occurrence: each word within ``slop`` after the one before."""
    lists = [positions[term] for term in terms]
    if not all(lists):
        return []
    return within_slop_occurrences(lists, slop)


def _merged(spans: list[Span]) -> list[Span]:
    if len(spans) < 2:
        return spans
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        last_start, last_end = merged[-1]
        if start < last_end:
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged


Expander = Callable[[wq.MultiTerm], Iterable[str | bytes]]


def query_matcher(parsed: wq.Query, reader: Any, expand: Expander | None = None) -> QueryMatcher:
    """The matcher for a parsed query; ``reader`` (the index's) expands wildcards, prefixes and fuzzy terms.

    ``expand``, when given, expands those instead: the searcher passes its bounded
    expansion (capped word count, fuzzy compared in C) so that highlighting costs
    no more than matching did.
    """
    words: dict[str, set[str]] = {}
    phrases: dict[str, list[Phrase]] = {}
    _collect(parsed, reader, words, phrases, expand)
    return QueryMatcher(
        words={name: frozenset(terms) for name, terms in words.items()},
        phrases={name: tuple(dict.fromkeys(found)) for name, found in phrases.items()},
    )


def _collect(
    q: wq.Query, reader: Any, words: dict[str, set[str]], phrases: dict[str, list[Phrase]], expand: Expander | None
) -> None:
    if isinstance(q, wq.Not):
        return  # what the query excludes is not a match
    if isinstance(q, wq.AndNot):
        _collect(q.a, reader, words, phrases, expand)
        return
    if isinstance(q, wq.Phrase):
        if q.fieldname in TEXT_FIELDS and q.words:
            terms = tuple(_text(w) for w in q.words)
            if len(terms) == 1:
                words.setdefault(q.fieldname, set()).add(terms[0])
            else:
                phrases.setdefault(q.fieldname, []).append((terms, max(q.slop, 1)))
        return
    if q.is_leaf():
        name = q.field()
        if name in TEXT_FIELDS:
            if expand is not None and isinstance(q, wq.MultiTerm) and not isinstance(q, wq.Variations):
                found: Iterable[str | bytes] = expand(q)
            else:
                found = (t for _, t in q.expanded_terms(reader))
            words.setdefault(name, set()).update(_text(t) for t in found)
        return
    for child in q.children():
        _collect(child, reader, words, phrases, expand)


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
