"""BM25 ranking over the exact match set, from postings already decoded.

Whoosh's own ranking pass re-reads every posting through its matcher objects
(several Python calls a posting) even when :mod:`newsdesk.index.engine.docsets` has just
decoded the same postings to count the matches. Scoring straight from those
decoded postings gives the same BM25 formula (Whoosh's BM25F defaults: B=0.75,
K1=1.2, field boosts) at a fraction of the cost.

What scores: the positive terms of the query, words of phrases included, and
each phrase's occurrences. Expansions (prefix, wildcard, fuzzy) and ranges
score as constants, as in Lucene's default rewrite: ranking by hundreds of
expanded terms costs far more than it tells. Ties go to the newer article.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from typing import Any

from newsdesk.index.engine.columns import read_all
from newsdesk.index.engine.docsets import DocSets
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

B = 0.75
K1 = 1.2
PHRASE_WEIGHT = 2.0
"""A phrase occurrence counts this many times a lone word's weight."""


def scoring_terms(q: wq.Query, boost: float = 1.0) -> Iterator[tuple[str, str, float]]:
    """(field, term, boost) for every positive, scoring term of ``q``."""
    if isinstance(q, wq.Term):
        yield q.fieldname, q.text, boost * q.boost
    elif isinstance(q, wq.Phrase):
        for word in q.words:
            yield q.fieldname, word, boost * q.boost
    elif isinstance(q, (wq.And, wq.Or)):
        for child in q.children():
            yield from scoring_terms(child, boost * q.boost)
    elif isinstance(q, (wq.AndNot, wq.AndMaybe, wq.Require)):
        yield from scoring_terms(q.a, boost * q.boost)
        if isinstance(q, wq.AndMaybe):
            yield from scoring_terms(q.b, boost * q.boost)


class Ranker:
    """Ranks match sets for one searcher; caches per-field document lengths."""

    def __init__(self, docsets: DocSets) -> None:
        self.docsets = docsets
        self._lengths: dict[str, list[int]] = {}
        self._average: dict[str, float] = {}
        self._newest_first: tuple[list[str], list[int]] | None = None

    def _field_lengths(self, fieldname: str) -> tuple[list[int], float]:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = []
            for segment_reader, _offset in self.docsets.segments:
                lengths.extend(_segment_lengths(segment_reader, fieldname))
            total = sum(lengths)
            self._lengths[fieldname] = lengths
            self._average[fieldname] = (total / len(lengths)) if lengths and total else 1.0
        return lengths, self._average[fieldname]

    def scores(self, q: wq.Query, matched: set[int], phrase_counts: dict[int, int]) -> dict[int, float]:
        """BM25 score of each matched document that any scoring term occurs in."""
        scores: dict[int, float] = {}
        documents = max(self.docsets.doc_count_all, 1)
        schema = self.docsets.schema
        for fieldname, text, boost in set(scoring_terms(q)):
            self.docsets.deadline.check()  # the query's time budget covers ranking too
            field = schema[fieldname]
            if not field.scorable:
                continue
            postings = self.docsets.postings(fieldname, text)
            if not postings:
                continue
            idf = math.log(1 + (documents - len(postings) + 0.5) / (len(postings) + 0.5))
            weight = idf * boost * getattr(field.format, "field_boost", 1.0)
            lengths, average = self._field_lengths(fieldname)
            frequency = field.format.decode_frequency
            norm = K1 * (1 - B)
            slope = K1 * B / average
            if len(postings) <= len(matched):
                pairs = ((d, v) for d, v in postings.items() if d in matched)
            else:
                pairs = ((d, postings[d]) for d in matched if d in postings)
            for docnum, value in pairs:
                tf = frequency(value)
                scores[docnum] = scores.get(docnum, 0.0) + weight * tf * (K1 + 1) / (
                    tf + norm + slope * lengths[docnum]
                )
        if phrase_counts:
            for docnum, count in phrase_counts.items():
                if docnum in matched:
                    scores[docnum] = scores.get(docnum, 0.0) * (1 + PHRASE_WEIGHT * math.log1p(count))
        return scores

    def top(
        self, q: wq.Query, matched: set[int], phrase_counts: dict[int, int], dates: list[str], count: int
    ) -> list[tuple[int, float]]:
        """The best ``count`` (docnum, score) pairs of ``matched``."""
        scores = self.scores(q, matched, phrase_counts)
        best = heapq.nlargest(count, scores.items(), key=lambda item: (item[1], dates[item[0]], -item[0]))
        if len(best) < count and len(scores) < len(matched):
            # Matches no scoring term reaches (prefix or range only): newest first.
            best.extend((d, 0.0) for d in self._newest(matched, scores, dates, count - len(best)))
        return best

    def _newest(self, matched: set[int], scored: dict[int, float], dates: list[str], count: int) -> list[int]:
        """The newest ``count`` documents of ``matched`` not in ``scored``, ties to the lower number.

        A prefix that most articles match would put every one of them through a
        heap keyed in Python (tens of ms at 100k); walking the documents newest
        first stops after about ``count * documents / matches`` steps instead.
        """
        if len(matched) * len(matched) < count * len(dates):  # few matches: the heap is cheaper
            unscored = (d for d in matched if d not in scored)
            return heapq.nlargest(count, unscored, key=lambda d: (dates[d], -d))
        if self._newest_first is None or self._newest_first[0] is not dates:
            # Stable and reversed: equal dates keep their ascending document order, as -d does above.
            self._newest_first = (dates, sorted(range(len(dates)), key=dates.__getitem__, reverse=True))
        found = []
        for docnum in self._newest_first[1]:
            if docnum in matched and docnum not in scored:
                found.append(docnum)
                if len(found) == count:
                    break
        return found


_BYTE_TO_LENGTH = [byte_to_length(b) for b in range(256)]


def _segment_lengths(segment_reader: Any, fieldname: str) -> list[int]:
    """Every document's length in ``fieldname``, read as one column (whoosh3 internals)."""
    count = segment_reader.doc_count_all()
    column = segment_reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return [1] * count
    return [_BYTE_TO_LENGTH[b] or 1 for b in read_all(column, count)]
