"""BM25 ranking over the exact match set, from the arrays the match was computed from.

Whoosh's own ranking pass re-reads every posting through its matcher objects
(several Python calls a posting) even when :mod:`newsdesk.index.engine.docsets` has just
read the same postings to count the matches. Scoring each word's document numbers
and frequencies (:mod:`newsdesk.index.engine.frequencies`: from the frequency files,
or decoded) in a few vectorised numpy steps gives the same BM25 formula (Whoosh's
BM25F defaults: B=0.75, K1=1.2, field boosts) at a fraction of the cost.

What scores: the positive terms of the query and its phrases. A phrase scores
as one term, as Lucene's PhraseQuery does: its occurrences in the document are
the term frequency and its weight is the sum of its words' idf. That needs only
the counts the phrase check found (by word positions, or from the word-pair
fields) and each word's document frequency, never the postings of its words,
which for a phrase of common words are the cost. Expansions (prefix, wildcard, fuzzy) and ranges
score as constants, as in Lucene's default rewrite: ranking by hundreds of
expanded terms costs far more than it tells. Ties go to the newer article.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from newsdesk.index.engine.columns import read_all
from newsdesk.index.engine.docsets import DocSets
from newsdesk.index.engine.freqfile import numpy
from newsdesk.index.engine.phrase_sets import PhraseKey
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

if TYPE_CHECKING:
    import numpy as np

B = 0.75
K1 = 1.2


def _positive_leaves(q: wq.Query, boost: float = 1.0) -> Iterator[tuple[wq.Term | wq.Phrase, float]]:
    """Every positive term and phrase of ``q`` with its boost."""
    if isinstance(q, (wq.Term, wq.Phrase)):
        yield q, boost * q.boost
    elif isinstance(q, (wq.And, wq.Or)):
        for child in q.children():
            yield from _positive_leaves(child, boost * q.boost)
    elif isinstance(q, (wq.AndNot, wq.AndMaybe, wq.Require)):
        yield from _positive_leaves(q.a, boost * q.boost)
        if isinstance(q, wq.AndMaybe):
            yield from _positive_leaves(q.b, boost * q.boost)


def scoring_terms(q: wq.Query, boost: float = 1.0) -> Iterator[tuple[str, str, float]]:
    """(field, term, boost) for every positive, scoring term of ``q`` (one-word phrases included)."""
    for leaf, weight in _positive_leaves(q, boost):
        if isinstance(leaf, wq.Term):
            yield leaf.fieldname, leaf.text, weight
        elif len(leaf.words) == 1:
            yield leaf.fieldname, leaf.words[0], weight


def scoring_phrases(q: wq.Query, boost: float = 1.0) -> Iterator[tuple[PhraseKey, float]]:
    """(phrase, boost) for every positive phrase of two or more words in ``q``."""
    for leaf, weight in _positive_leaves(q, boost):
        if isinstance(leaf, wq.Phrase) and len(leaf.words) > 1:
            yield (leaf.fieldname, tuple(leaf.words), max(leaf.slop, 1)), weight


def _idf(documents: int, frequency: int) -> float:
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


class Ranker:
    """Ranks match sets for one searcher; caches per-field document lengths."""

    def __init__(self, docsets: DocSets) -> None:
        self.docsets = docsets
        self._newest_first: tuple[list[str], list[int]] | None = None
        self._norm_arrays: dict[str, np.ndarray] = {}

    def _norms(self, fieldname: str) -> np.ndarray:
        """``K1 * (1 - B + B * length / average)`` of every document: the length part of BM25's denominator.

        Computed once per field and searcher, as one float64 array (a Python list of
        them held ~60 MB a field at 1M articles), so that scoring a term that most
        documents hold is one division a posting, not the whole formula. The same
        operations in the same order as the scalar formula: the same floats.
        """
        norms = self._norm_arrays.get(fieldname)
        if norms is None:
            np = numpy()
            parts = [_segment_lengths(segment_reader, fieldname) for segment_reader, _ in self.docsets.segments]
            lengths = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
            total = int(lengths.sum())
            average = (total / len(lengths)) if len(lengths) and total else 1.0
            norm = K1 * (1 - B)
            slope = K1 * B / average
            norms = self._norm_arrays[fieldname] = norm + slope * lengths.astype(np.float64)
        return norms

    def score_arrays(self, q: wq.Query, matched: set[int]) -> tuple[np.ndarray, np.ndarray]:
        """(BM25 score, whether any scoring term or phrase occurs) of every document number; zero outside ``matched``.

        Each term's postings come as arrays (``DocSets.frequencies``: from the
        frequency files for long lists), so a term most documents hold is scored
        in a few vectorised steps instead of one Python step a posting. The
        arithmetic is the scalar formula's, in the same order, so the scores are
        the same floats.
        """
        np = numpy()
        docsets = self.docsets
        documents = max(docsets.doc_count_all, 1)
        scores = np.zeros(documents)
        scored = np.zeros(documents, dtype=bool)
        in_matched = _mask(matched, documents)
        schema = docsets.schema
        # Sorted, not a set's order: the sum's order (hence its last bits) must not follow the hash seed.
        for fieldname, text, boost in sorted(set(scoring_terms(q)), key=repr):
            docsets.deadline.check()  # the query's time budget covers ranking too
            field = schema[fieldname]
            if not field.scorable:
                continue
            ids, frequencies = docsets.frequencies(fieldname, text)
            if not len(ids):
                continue
            weight = _idf(documents, len(ids)) * boost * getattr(field.format, "field_boost", 1.0)
            weight = weight * (K1 + 1)
            keep = in_matched[ids]
            docs = ids[keep]
            tf = frequencies[keep].astype(np.float64)  # before any arithmetic: float64 throughout, as the formula
            scores[docs] += weight * tf / (tf + self._norms(fieldname)[docs])
            scored[docs] = True
        for key, boost in sorted(set(scoring_phrases(q)), key=repr):
            fieldname, words, _slop = key
            field = schema[fieldname]
            occurrences = docsets.phrase_occurrences.get(key)
            if not field.scorable or not occurrences:
                continue
            idf = sum(_idf(documents, docsets.doc_frequency(fieldname, word)) for word in words)
            weight = idf * boost * getattr(field.format, "field_boost", 1.0) * (K1 + 1)
            docs = np.fromiter(occurrences.keys(), dtype=np.int64, count=len(occurrences))
            tf = np.fromiter(occurrences.values(), dtype=float, count=len(occurrences))
            keep = in_matched[docs]
            docs, tf = docs[keep], tf[keep]
            scores[docs] += weight * tf / (tf + self._norms(fieldname)[docs])
            scored[docs] = True
        return scores, scored

    def scores(self, q: wq.Query, matched: set[int], phrase_counts: dict[int, int] | None = None) -> dict[int, float]:
        """BM25 score of each matched document that any scoring term or phrase occurs in.

        The phrases' occurrences come from the docsets' last evaluation
        (``DocSets.phrase_occurrences``); ``phrase_counts`` (their sum per
        document) is accepted for the callers' sake and not needed.
        """
        scores, scored = self.score_arrays(q, matched)
        docs = numpy().flatnonzero(scored)
        return dict(zip(docs.tolist(), scores[docs].tolist(), strict=True))

    def top(
        self, q: wq.Query, matched: set[int], phrase_counts: dict[int, int], dates: list[str], count: int
    ) -> list[tuple[int, float]]:
        """The best ``count`` (docnum, score) pairs of ``matched``."""
        np = numpy()
        scores, scored = self.score_arrays(q, matched)
        docs = np.flatnonzero(scored)
        if len(docs) > 4 * count > 0:
            # The count-th best score, found by partition, leaves only its equals and betters for
            # the keyed heap (ties broken by date), instead of one Python key call per match.
            values = scores[docs]
            threshold = np.partition(values, len(values) - count)[len(values) - count]
            docs = docs[values >= threshold]
        ranked = zip(docs.tolist(), scores[docs].tolist(), strict=True)
        best = heapq.nlargest(count, ranked, key=lambda item: (item[1], dates[item[0]], -item[0]))
        if len(best) < count and np.count_nonzero(scored) < len(matched):
            # Matches no scoring term reaches (prefix or range only): newest first.
            reached = set(np.flatnonzero(scored).tolist())
            best.extend((d, 0.0) for d in self._newest(matched, reached, dates, count - len(best)))
        return best

    def _newest(self, matched: set[int], scored: set[int], dates: list[str], count: int) -> list[int]:
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


def _mask(docs: set[int], size: int) -> np.ndarray:
    """A boolean array over every document number, true for ``docs``."""
    np = numpy()
    found = np.zeros(size, dtype=bool)
    found[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
    return found


_BYTE_TO_LENGTH = [byte_to_length(b) or 1 for b in range(256)]
"""A length byte's length (0, a document without the field, counts as 1)."""


def _segment_lengths(segment_reader: Any, fieldname: str) -> np.ndarray:
    """Every document's length in ``fieldname``, read as one column (whoosh3 internals)."""
    np = numpy()
    count = segment_reader.doc_count_all()
    column = segment_reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return np.ones(count, dtype=np.int64)
    return np.array(_BYTE_TO_LENGTH, dtype=np.int64)[np.array(read_all(column, count), dtype=np.uint8)]
