"""Finding an annotated passage again after the article's text changed.

In order, first that applies:

1. the text's hash is unchanged: the stored offsets;
2. the quote is still at the stored offsets;
3. the quote occurs elsewhere exactly: the occurrence nearest the old
   position (ties broken by how well the context before and after matches);
4. a fuzzy match (rapidfuzz's best partial alignment of the quote; of its first
   and last 64 characters for a quote over 1,000 characters), scored on the
   quote and its context, above a threshold: that span, fitted to word edges
   (a quote over 20,000 characters is only found exactly);
5. otherwise the annotation is an orphan: kept, listed, never deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from newsdesk.index.annotations.model import CONTEXT_CHARS, Annotation
from rapidfuzz import fuzz

AnchorHow = Literal["unchanged", "in place", "moved", "fuzzy", "orphan"]
FUZZY_MIN_SCORE = 80.0
"""Minimum combined similarity (0-100) for a fuzzy match; below it the annotation is an orphan."""


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where an annotation sits in the current text (start == end == -1 for an orphan)."""

    start: int
    end: int
    how: AnchorHow

    @property
    def orphan(self) -> bool:
        return self.how == "orphan"


ORPHAN = Anchor(-1, -1, "orphan")


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> float:
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    score = 0.0
    if prefix:
        score += fuzz.ratio(prefix, before)
    if suffix:
        score += fuzz.ratio(suffix, after)
    parts = bool(prefix) + bool(suffix)
    return score / parts if parts else 100.0


def occurrences(text: str, quote: str) -> list[int]:
    """Every start of ``quote`` in ``text``, overlapping ones included."""
    found, position = [], text.find(quote)
    while position >= 0:
        found.append(position)
        position = text.find(quote, position + 1)
    return found


_WORD_EDGE = re.compile(r"\b")
_EDGE_CANDIDATES = 8
LONG_QUOTE = 1_000
"""Quotes longer than this are re-anchored by aligning their ends, not the whole quote."""
MAX_FUZZY_QUOTE = 20_000
"""Quotes longer than this are only found exactly (scoring one would take seconds)."""
_END_CHARS = 64


def _best_span(text: str, quote: str, start: int, end: int) -> tuple[int, int]:
    """The span near ``start``-``end`` (an approximate alignment) most like ``quote``, on word edges."""
    slack = max(8, len(quote) // 4)
    lo, hi = max(0, start - slack), min(len(text), end + slack)
    edges = [lo + m.start() for m in _WORD_EDGE.finditer(text[lo:hi])] or [start, end]
    starts = [e for e in edges if abs(e - start) <= slack and (e == 0 or not text[e].isspace())]
    ends = [e for e in edges if abs(e - end) <= slack and e > 0 and not text[e - 1].isspace()]
    # The word edges nearest the alignment only: every pair within a long quote's slack
    # is hundreds of thousands of comparisons (minutes for a 4,000-character quote).
    keep = _EDGE_CANDIDATES if len(quote) <= LONG_QUOTE else 2
    starts = sorted(starts, key=lambda e: abs(e - start))[:keep]
    ends = sorted(ends, key=lambda e: abs(e - end))[:keep]
    best, best_score = (start, end), -1.0
    for s in starts or [start]:
        for e in ends or [end]:
            if e > s:
                score = fuzz.ratio(quote, text[s:e])
                if score > best_score:
                    best, best_score = (s, e), score
    return best


def _short_quote_span(quote: str, text: str) -> tuple[int, int] | None:
    alignment = fuzz.partial_ratio_alignment(quote, text, score_cutoff=FUZZY_MIN_SCORE)
    return None if alignment is None else (alignment.dest_start, alignment.dest_end)


def _long_quote_span(quote: str, text: str) -> tuple[int, int] | None:
    """Where a long quote's first and last words sit now, if they are about a quote apart.

    Aligning a whole long quote costs seconds to minutes (a 4,000-character quote in
    a repetitive text took over a minute), so only its ends are aligned; the caller
    still scores the whole span.
    """
    if len(quote) > MAX_FUZZY_QUOTE:
        return None  # a passage this long is only found exactly (an orphan otherwise, kept)
    head = fuzz.partial_ratio_alignment(quote[:_END_CHARS], text, score_cutoff=FUZZY_MIN_SCORE)
    if head is None:
        return None
    low, high = head.dest_start + len(quote) * 3 // 4, head.dest_start + len(quote) * 5 // 4
    tail = fuzz.partial_ratio_alignment(quote[-_END_CHARS:], text[low:high], score_cutoff=FUZZY_MIN_SCORE)
    if tail is None:
        return None
    return head.dest_start, low + tail.dest_end


def anchor(annotation: Annotation, text: str, content_hash: str) -> Anchor:
    """Where ``annotation`` belongs in ``text`` now."""
    target = annotation.target
    quote = target.exact
    if not quote:
        return ORPHAN
    if annotation.content_hash == content_hash and target.end <= len(text):
        return Anchor(target.start, target.end, "unchanged")
    if text[target.start : target.end] == quote:
        return Anchor(target.start, target.end, "in place")
    found = occurrences(text, quote)
    if found:

        def distance(start: int) -> tuple[int, float]:
            context = _context_score(text, start, start + len(quote), target.prefix, target.suffix)
            return abs(start - target.start), -context

        best = min(found, key=distance)
        return Anchor(best, best + len(quote), "moved")
    span = _long_quote_span(quote, text) if len(quote) > LONG_QUOTE else _short_quote_span(quote, text)
    if span is None:
        return ORPHAN
    start, end = _best_span(text, quote, *span)
    quote_score = fuzz.ratio(quote, text[start:end])
    combined = 0.7 * quote_score + 0.3 * _context_score(text, start, end, target.prefix, target.suffix)
    if combined < FUZZY_MIN_SCORE or end <= start:
        return ORPHAN
    return Anchor(start, end, "fuzzy")
