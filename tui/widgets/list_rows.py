"""What the article list shows for each article: the rows, and how a row is laid out in lines.

Plain functions over a :class:`Row` and the styles to use, and the list's
contents (:class:`ListState`), so the list widget (``article_list.py``) only
decides which rows are on screen and caches their strips. Titles and snippets
are untrusted text: they become plain segments, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from newsdesk.index import ArticleNotFound, Hit, Library
from newsdesk.tui.widgets.layout import StyledSpan, clean_line, styled_segments, wrap_offsets
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style


@dataclass(frozen=True, slots=True)
class Row:
    """What the list shows for one article (a browsed article or a search hit)."""

    id: str
    title: str
    source: str | None
    date: str | None
    snippet: str | None = None
    snippet_spans: Sequence[tuple[int, int]] = ()
    title_spans: Sequence[tuple[int, int]] = ()
    matches: int | None = None
    """Query matches in the article (search hits only)."""
    copies: tuple[str, ...] = ()
    """Ids of the reprints folded into this hit (shown as "+N copies"; ``r`` lists them under it)."""
    copy: bool = False
    """This row is one of the copies listed under an expanded hit."""


RowFetcher = Callable[[int, int], list[Row]]
"""``fetch(offset, limit)``: rows for a page; called in a worker thread."""
CopiesFetcher = Callable[[Sequence[str]], list[Row]]
"""``fetch_copies(ids)``: rows for a hit's copies; called in a worker thread."""


PAGE_SIZE = 100
"""Rows fetched at a time (unless the list is told otherwise)."""


@dataclass
class ListState:
    """What the article list holds: how many items, how to fetch their rows, the pages loaded, the copies listed."""

    total: int = 0
    fetch: RowFetcher | None = None
    item_height: int = 2
    page_size: int = PAGE_SIZE
    pages: dict[int, list[Row]] = field(default_factory=dict)
    pending: set[int] = field(default_factory=set)
    failed: set[int] = field(default_factory=set)
    fetch_copies: CopiesFetcher | None = None
    expanded: dict[int, list[Row]] = field(default_factory=dict)
    """Base index of an expanded hit -> its copies' rows, listed under it."""
    loading_copies: set[int] = field(default_factory=set)
    """Base indexes of hits whose copies ``r`` asked for and that have not come yet."""

    def locate(self, index: int) -> tuple[int, int]:
        """(base index, copy number) of the item shown at ``index``; copy -1 is the hit itself."""
        extra = 0
        for base in sorted(self.expanded):
            head = base + extra
            if index <= head:
                break
            copies = len(self.expanded[base])
            if index <= head + copies:
                return base, index - head - 1
            extra += copies
        return index - extra, -1

    def shown_again(self, index: int, located: tuple[int, int]) -> int:
        """Where the item once found at ``located`` (:meth:`locate`) is shown now; ``index`` if out of range."""
        base, copy = located
        if base >= self.total:
            return index
        if copy < 0:
            return self.shown_at(base)
        rows = self.expanded.get(base)
        return self.shown_at(base) + 1 + copy if rows is not None and copy < len(rows) else self.shown_at(base)

    def shown_at(self, base: int) -> int:
        """The index at which the hit at ``base`` is shown (after the copies listed above it)."""
        return base + sum(len(rows) for i, rows in self.expanded.items() if i < base)

    def index_of(self, article_id: str) -> int | None:
        """The index at which a loaded row with this id is shown."""
        for page, rows in self.pages.items():
            for offset, row in enumerate(rows):
                if row.id == article_id:
                    return self.shown_at(page * self.page_size + offset)
        for base, copies in self.expanded.items():
            for number, row in enumerate(copies, 1):
                if row.id == article_id:
                    return self.shown_at(base) + number
        return None


@dataclass(frozen=True, slots=True)
class RowStyles:
    """The styles of an item's parts (from the list's component classes, so themes apply)."""

    title: Style
    meta: Style
    snippet: Style
    match: Style
    """Added to the query's matches in the title and the snippet."""


def row_lines(row: Row, width: int, height: int, styles: RowStyles) -> list[list[Segment]]:
    """``row`` as ``height`` lines of segments at most ``width`` cells wide: title, meta, then the snippet."""
    match = styles.match
    title = clean_line(row.title) or "(untitled)"
    title_spans = _spans(row.title_spans, match) if title == row.title else []
    if row.copy:  # listed under its hit: marked, and the spans shifted past the mark
        title = f"↳ {title}"
        title_spans = [replace(span, start=span.start + 2, end=span.end + 2) for span in title_spans]
    lines = [_truncated(title, width, title_spans, styles.title)]
    hits = f"{row.matches} match{'es' if row.matches != 1 else ''}" if row.matches else None
    copies = f"+{len(row.copies)} {'copy' if len(row.copies) == 1 else 'copies'}" if row.copies else None
    meta = " · ".join(clean_line(x) for x in (row.source, row.date, hits, copies) if x)
    lines.append(_truncated(meta, width, [], styles.meta))
    if height > 2:
        snippet = clean_line(row.snippet)
        spans = _spans(row.snippet_spans, match) if snippet == row.snippet else []
        wrapped = wrap_offsets(snippet, max(1, width))
        for line_no in range(height - 2):
            if line_no >= len(wrapped):
                lines.append([])
                continue
            start, end = wrapped[line_no]
            segments = styled_segments(
                snippet, start, end, [s for s in spans if s.end > start and s.start < end], styles.snippet
            )
            if line_no == height - 3 and line_no < len(wrapped) - 1:
                segments.append(Segment("…", styles.snippet))
            lines.append(segments)
    return lines


def hits_to_rows(hits: Sequence[Hit]) -> list[Row]:
    """Search hits as article-list rows."""
    return [
        Row(
            h.id,
            h.title,
            h.source,
            h.date,
            h.snippet,
            tuple(h.snippet_highlights),
            tuple(h.title_highlights),
            h.matches,
            h.copies,
        )
        for h in hits
    ]


def copies_to_rows(library: Library, ids: Sequence[str]) -> list[Row]:
    """Rows for the copies of a hit (those deleted since the search are left out); call in a worker."""
    rows = []
    for article_id in ids:
        try:
            article = library.article(article_id)
        except ArticleNotFound:
            continue
        rows.append(Row(article.id, article.title, article.source, article.date, article.text[:400]))
    return rows


def _spans(spans: Sequence[tuple[int, int]], style: Style) -> list[StyledSpan]:
    return [StyledSpan(start, end, style) for start, end in spans]


def _truncated(text: str, width: int, spans: list[StyledSpan], style: Style) -> list[Segment]:
    """One line of ``text`` fitting ``width`` cells, with "…" when it had to be cut."""
    if cell_len(text) <= width:
        return styled_segments(text, 0, len(text), spans, style)
    end = max(0, width - 1)
    while end > 0 and cell_len(text[:end]) > width - 1:
        end -= 1
    return [*styled_segments(text, 0, end, [s for s in spans if s.start < end], style), Segment("…", style)]
