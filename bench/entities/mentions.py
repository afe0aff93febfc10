"""Exact-span, mention-level scoring: the measure the project lead's evaluation uses.

The gold files list each entity once per article with its surface forms (name and aliases). The gold
*mentions* of an article are every whole-word, case-sensitive occurrence of any listed form in its text,
longest forms first, never overlapping an occurrence already taken ("Kallis" inside "Jacques Kallis" is part
of that longer mention, not one of its own). A predicted mention is a true positive when its (start, end,
type) is exactly a gold mention's: a span one word too long or short is both a false positive and a false
negative, as in CoNLL-style exact-match scoring.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bench.entities.score import TYPES, _counts

Span = tuple[int, int, str]
"""(start, end, type) of one mention."""


def _whole_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum() or before in "-_" or after in "-_")


def gold_mentions(text: str, article: Mapping[str, list[dict[str, Any]]]) -> set[Span]:
    """Every occurrence of every gold form in ``text`` as a mention of its entity's type."""
    forms = sorted(
        {
            (form, kind)
            for kind in TYPES
            for entity in article.get(kind) or []
            for form in (entity["name"], *(entity.get("aliases") or []))
        },
        key=lambda item: (-len(item[0]), item[0], item[1]),
    )
    taken: list[tuple[int, int]] = []
    spans: set[Span] = set()
    for form, kind in forms:
        start = text.find(form)
        while start >= 0:
            end = start + len(form)
            if _whole_word(text, start, end) and not any(s < end and start < e for s, e in taken):
                taken.append((start, end))
                spans.add((start, end, kind))
            start = text.find(form, start + 1)
    return spans


def score_mentions(gold: Mapping[str, set[Span]], predicted: Mapping[str, Iterable[Span]]) -> dict[str, Any]:
    """Micro-averaged exact-span precision, recall and F1, per type and overall."""
    totals = {kind: [0, 0, 0] for kind in TYPES}
    for key, gold_spans in gold.items():
        predicted_spans = set(predicted.get(key) or ())
        for kind in TYPES:
            g = {s for s in gold_spans if s[2] == kind}
            p = {s for s in predicted_spans if s[2] == kind}
            totals[kind][0] += len(g & p)
            totals[kind][1] += len(p - g)
            totals[kind][2] += len(g - p)
    overall = [sum(totals[kind][i] for kind in TYPES) for i in range(3)]
    return {
        "per_type": {kind: _counts(*totals[kind]) for kind in TYPES},
        "overall": _counts(*overall),
        "missing_articles": [],
        "extra_articles": [],
    }


def errors(text: str, gold_spans: set[Span], predicted: Iterable[Span]) -> list[str]:
    """Readable false positives (+) and false negatives (-) of one article, for error analysis on dev."""
    predicted_spans = set(predicted)
    lines = [f"+ {kind:<6} {text[s:e]!r}" for s, e, kind in sorted(predicted_spans - gold_spans)]
    lines += [f"- {kind:<6} {text[s:e]!r}" for s, e, kind in sorted(gold_spans - predicted_spans)]
    return lines
