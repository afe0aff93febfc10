"""Highlighted snippets, computed only for the hits that are shown.

Whoosh's highlighter needs the text stored in the index and re-analyses it for
every result; here the text comes from the article store and only the page of
hits being shown is analysed, with the same term function the index used.
"""

from __future__ import annotations

from collections.abc import Collection

from newsdesk.index.engine.terms import iter_terms

Span = tuple[int, int]


def highlight_spans(text: str, terms: Collection[str]) -> list[Span]:
    """(start, end) of every word in ``text`` whose index term is in ``terms``."""
    if not terms:
        return []
    return [(start, end) for term, start, end in iter_terms(text) if term in terms]


def make_snippet(
    text: str, terms: Collection[str], width: int, spans: list[Span] | None = None
) -> tuple[str, list[Span]]:
    """A ~``width``-character window of ``text`` around the densest matches.

    Returns the snippet (whitespace folded to single spaces, "…" marking cuts)
    and the highlighted spans as offsets into the snippet. ``spans`` are the
    matches in ``text`` when the caller has them already.
    """
    if spans is None:
        spans = highlight_spans(text, terms)
    if not spans:
        start, end = 0, min(len(text), width)
    else:
        start, end = _best_window(text, spans, width)
    start, end = _snap_to_words(text, start, end)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    chunk = text[start:end]
    snippet_spans: list[Span] = []
    # Fold whitespace while keeping span offsets right: map old offsets to new.
    pieces: list[str] = [prefix]
    mapping: dict[int, int] = {}
    out_len = len(prefix)
    previous_space = False
    for i, char in enumerate(chunk):
        mapping[i] = out_len
        if char.isspace():
            if previous_space:
                continue
            char = " "
            previous_space = True
        else:
            previous_space = False
        pieces.append(char)
        out_len += 1
    mapping[len(chunk)] = out_len
    for span_start, span_end in spans:
        if span_start >= start and span_end <= end:
            snippet_spans.append((mapping[span_start - start], mapping[span_end - start]))
    return "".join(pieces) + suffix, snippet_spans


def _best_window(text: str, spans: list[Span], width: int) -> Span:
    """The window of ``width`` chars holding the most distinct matched words."""
    best_score, best_start = -1, spans[0][0]
    right = 0
    for left in range(len(spans)):
        window_start = spans[left][0]
        while right < len(spans) and spans[right][1] - window_start <= width:
            right += 1
        distinct = len({text[s:e].lower() for s, e in spans[left:right]})
        score = distinct * 1000 + (right - left)
        if score > best_score:
            best_score, best_start = score, window_start
    # Start a little before the first match so it has some context.
    start = max(0, best_start - width // 5)
    return start, min(len(text), start + width)


def _snap_to_words(text: str, start: int, end: int) -> Span:
    if start > 0:
        space = text.find(" ", start, start + 30)
        if space != -1:
            start = space + 1
    if end < len(text):
        space = text.rfind(" ", max(start, end - 30), end)
        if space != -1:
            end = space
    return start, end
