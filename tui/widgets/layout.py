"""Plain-text layout for the line-API widgets: cleaning, wrapping and styled segments.

Everything here works on offsets into one string, so highlight spans computed
by :mod:`newsdesk.index` (offsets into ``Article.text``) apply to wrapped lines without
copying or re-tokenising the text. Nothing here parses markup: article text is
untrusted and is only ever turned into plain :class:`rich.segment.Segment` runs.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import attrgetter
from typing import Generic, Protocol, TypeVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

# C0/C1 controls (but not tab/newline), DEL, and the bidi/zero-width format
# characters that can reorder or hide text in a terminal.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_WORD = re.compile(r"\S+")


def clean_line(text: str | None) -> str:
    """``text`` on one line with control and escape characters removed (titles, snippets)."""
    if not text:
        return ""
    return " ".join(_UNSAFE.sub("", text).split())


def clean_text(text: str) -> str:
    """Multi-line text with control characters removed but the same length (offsets stay valid).

    The store already strips them; this is the defensive second pass. Each
    unsafe character becomes a space so highlight offsets still line up.
    """
    text = text.replace("\t", " ")
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(" ", text)


_LIST_ITEM = re.compile(r"[ \t]*([-*•–]|\d+[.)])\s")


def reflow(text: str) -> str:
    """Join the lines of each paragraph (a newline becomes a space); same length, so offsets hold.

    Many sources hard-wrap their text at ~70 columns; re-wrapping it at the
    reader's width needs one line per paragraph. Blank lines, lines that start
    a list item and lines after one ending in ":" or ";" (list items whose
    markers the cleaner removed) keep their line break.
    """
    if "\n" not in text:
        return text
    lines = text.split("\n")
    out = [lines[0]]
    for previous, line in pairwise(lines):
        ends = previous.rstrip()[-1:]
        joins = ends and ends not in ":;" and line.strip() and not _LIST_ITEM.match(line)
        out.append(" " if joins else "\n")
        out.append(line)
    return "".join(out)


def wrap_offsets(text: str, width: int, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Greedy word wrap of ``text[start:end]`` to ``width`` cells: (start, end) of each line.

    Existing newlines end a line; an empty source line gives an empty output
    line. A word longer than ``width`` is cut. Trailing spaces are not part of
    a line.
    """
    width = max(1, width)
    end = len(text) if end is None else end
    lines: list[tuple[int, int]] = []
    position = start
    while position <= end:
        newline = text.find("\n", position, end)
        line_end = end if newline == -1 else newline
        _wrap_one(text, position, line_end, width, lines)
        if newline == -1:
            break
        position = newline + 1
    return lines


def _wrap_one(text: str, start: int, end: int, width: int, out: list[tuple[int, int]]) -> None:
    if start >= end or not text[start:end].strip():
        out.append((start, start))
        return
    ascii_only = text[start:end].isascii()
    measure = len if ascii_only else cell_len
    line_start = line_end = -1
    used = 0
    for match in _WORD.finditer(text, start, end):
        word_start, word_end = match.span()
        word_width = measure(match.group())
        if line_start < 0:
            line_start, line_end, used = word_start, word_end, word_width
        else:
            gap = word_start - line_end
            if used + gap + word_width <= width:
                line_end = word_end
                used += gap + word_width
                continue
            out.append((line_start, line_end))
            line_start, line_end, used = word_start, word_end, word_width
        while used > width:  # a word wider than the line: cut it
            cut = line_start + _fit(text, line_start, line_end, width, ascii_only)
            out.append((line_start, cut))
            line_start = cut
            used = measure(text[line_start:line_end])
    if line_start >= 0:
        out.append((line_start, line_end))


def _fit(text: str, start: int, end: int, width: int, ascii_only: bool) -> int:
    """How many characters of ``text[start:end]`` fit in ``width`` cells (at least 1)."""
    if ascii_only:
        return max(1, min(width, end - start))
    used = 0
    for count, char in enumerate(text[start:end]):
        used += cell_len(char)
        if used > width:
            return max(1, count)
    return end - start


@dataclass(frozen=True, slots=True)
class StyledSpan:
    """A styled range of a text; higher ``layer`` is applied on top."""

    start: int
    end: int
    style: Style
    layer: int = 0


class Span(Protocol):
    """Anything with offsets: a StyledSpan, an entity mention."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


SpanT = TypeVar("SpanT", bound=Span)


class SpanIndex(Generic[SpanT]):
    """Spans sorted by start, for finding those that touch a line quickly."""

    def __init__(self, spans: Sequence[SpanT]) -> None:
        self.spans = sorted(spans, key=attrgetter("start", "end"))
        self.starts = [s.start for s in self.spans]
        self.longest = max((s.end - s.start for s in self.spans), default=0)

    def __len__(self) -> int:
        return len(self.spans)

    def overlapping(self, start: int, end: int) -> list[SpanT]:
        """Spans that overlap ``[start, end)``."""
        first = bisect_left(self.starts, start - self.longest)
        found = []
        for span in self.spans[first:]:
            if span.start >= end:
                break
            if span.end > start:
                found.append(span)
        return found


def styled_segments(text: str, start: int, end: int, spans: Sequence[StyledSpan], base: Style) -> list[Segment]:
    """Segments for ``text[start:end]`` in ``base`` with ``spans`` layered on top."""
    if not spans:
        return [Segment(text[start:end], base)] if end > start else []
    cuts = {start, end}
    for span in spans:
        cuts.add(min(max(span.start, start), end))
        cuts.add(min(max(span.end, start), end))
    ordered = sorted(cuts)
    layered = sorted(spans, key=lambda s: s.layer)
    segments = []
    for left, right in pairwise(ordered):
        if right <= left:
            continue
        style = base
        for span in layered:
            if span.start <= left and span.end >= right:
                style = style + span.style
        segments.append(Segment(text[left:right], style))
    return segments
