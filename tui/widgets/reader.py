"""The reader: an article's cleaned text at a readable width, with highlights.

A line-API widget: the text is wrapped once per width into (start, end)
offsets, and only the lines on screen are turned into strips, so a 200 KB
article with thousands of highlights opens and scrolls as fast as a short one.
Highlights are spans over ``Article.text`` (query terms, entities), styled by
component classes so a theme change recolours them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from newsdesk.index import Article, EntityMention
from newsdesk.tui.widgets.layout import (
    SpanIndex,
    StyledSpan,
    clean_line,
    clean_text,
    reflow,
    styled_segments,
    wrap_offsets,
)
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

TITLE, META, BODY, BLANK = range(4)
ENTITY_TYPES = ("PERSON", "ORG", "PLACE")


def page_separator(number: int, width: int) -> str:
    """The line drawn where page ``number`` of a paged document begins: ``──── page 2 ────``."""
    label = f" page {number} "
    side = max(2, (width - len(label)) // 2)
    return "─" * side + label + "─" * max(2, width - side - len(label))


class ReaderView(ScrollView, can_focus=True):
    """Shows one article; ``n``/``N`` move between the query's matches in it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "reader--title",
        "reader--meta",
        "reader--hit",
        "reader--hit-current",
        "reader--placeholder",
        "reader--page",
        "reader--entity-person",
        "reader--entity-org",
        "reader--entity-place",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_lines(1)", "Down", show=False, id="reader.down"),
        Binding("k,up", "scroll_lines(-1)", "Up", show=False, id="reader.up"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id="reader.page_down"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id="reader.page_up"),
        Binding("g,home", "edge(0)", "Top", show=False, id="reader.top"),
        Binding("G,end", "edge(1)", "Bottom", show=False, id="reader.bottom"),
        Binding("n", "hit(1)", "Next match", id="reader.next_hit"),
        Binding("N", "hit(-1)", "Prev match", id="reader.prev_hit"),
    ]

    @dataclass
    class HitMoved(Message):
        """The current query match changed (index into the matches, and how many)."""

        reader: ReaderView
        current: int | None
        count: int

    def __init__(self, *, max_width: int = 88, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.max_width = max_width
        self.article: Article | None = None
        self._text = ""
        self._title = ""
        self._meta = ""
        self._placeholder = "Open an article from the list (Enter)."
        self._hits: list[tuple[int, int]] = []
        self._hit_index: SpanIndex[StyledSpan] = SpanIndex([])
        self._current_hit: int | None = None
        self._marked: tuple[int, int] | None = None
        self._entity_index: SpanIndex[EntityMention] = SpanIndex([])
        self._entity_styles: dict[str, Style] = {}
        self.entity_types_shown: set[str] = set(ENTITY_TYPES)
        self.entity_colors: dict[str, Style] = {}
        self._lines: list[tuple[int, int, int]] = []
        self._body_starts: list[int] = []
        self._body_first_line = 0
        self._layout_width = -1
        self._column = 0
        self._cache: dict[int, Strip] = {}
        self._page_breaks: dict[int, int] = {}
        """Offset of the blank line before each page (after the first) -> that page's number."""
        self._scroll_wanted: int | None = None
        """A scroll position asked for with the article (a reopened one's last position), kept until
        another scroll: the reader's size can still change as it is first drawn (the list gives it
        room once an article is open), and the line must be the one asked for at the final size."""

    # -- contents -------------------------------------------------------------------
    def show_article(
        self,
        article: Article,
        hits: Sequence[tuple[int, int]] = (),
        entities: Sequence[EntityMention] = (),
        *,
        scroll: int | None = None,
        first_hit: bool = True,
    ) -> None:
        """Show ``article`` with query matches ``hits``; land on the first match unless ``scroll`` is given."""
        self.article = article
        self._text = reflow(clean_text(article.text))
        self._title = clean_line(article.title) or "(untitled)"
        words = f"{article.word_count:,} words" if article.word_count else ""
        author = f"by {clean_line(article.author)}" if article.author else ""
        tags = ", ".join(clean_line(t) for t in article.tags)
        parts = (clean_line(article.source), clean_line(article.date), author, words, tags and f"tags: {tags}")
        self._meta = " · ".join(p for p in parts if p)
        self._page_breaks = {page.start - 1: page.number for page in article.pages[1:] if page.end > page.start > 0}
        self._hits = list(hits)
        self._hit_index = SpanIndex([StyledSpan(s, e, Style(), 1) for s, e in self._hits])
        self._current_hit = None
        self._marked = None
        self.set_entities(entities)
        self._layout_width = -1
        self._relayout()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._scroll_wanted = scroll
        if scroll is not None:
            # Now, with the article (the virtual size is set, so nothing clamps it): deferred to the next
            # refresh, a loaded machine showed and saved line 0 meanwhile. Kept, and put back by every
            # re-wrap and resize of the first draw, and once more after the next refresh.
            self._scroll_to_wanted()
            self.call_after_refresh(self._scroll_to_wanted)
        elif first_hit and self._hits:
            self._current_hit = 0
            self.call_after_refresh(self.goto_hit, 0)
        self.post_message(self.HitMoved(self, self._current_hit, len(self._hits)))

    def clear(self, placeholder: str) -> None:
        """Show no article, just ``placeholder``."""
        self.article = None
        self._page_breaks = {}
        self._text = self._title = self._meta = ""
        self._placeholder = placeholder
        self._hits = []
        self._hit_index = SpanIndex([])
        self._entity_index = SpanIndex([])
        self._current_hit = None
        self._layout_width = -1
        self._relayout()
        self.scroll_to(0, 0, animate=False, immediate=True)

    def set_entities(self, entities: Sequence[EntityMention]) -> None:
        """Replace the entity highlights (mentions with offsets into the article text)."""
        self._entity_index = SpanIndex(entities)
        self._restyle_entities()

    def show_entity_types(self, types: Collection[str]) -> None:
        """Highlight only entities of these types."""
        self.entity_types_shown = set(types)
        self._restyle_entities()

    def _restyle_entities(self) -> None:
        self._entity_styles = {t: self._entity_style(t) for t in ENTITY_TYPES if t in self.entity_types_shown}
        self._cache.clear()
        self.refresh()

    def _entity_style(self, entity_type: str) -> Style:
        style = self.get_component_rich_style(f"reader--entity-{entity_type.lower()}", partial=True)
        override = self.entity_colors.get(entity_type)
        return style + override if override else style

    @property
    def highlighted_entities(self) -> int:
        """How many entity mentions are highlighted (of the types shown)."""
        return sum(1 for m in self._entity_index.spans if m.type in self._entity_styles)

    @property
    def entity_styles(self) -> dict[str, Style]:
        """The style of each entity type shown."""
        return dict(self._entity_styles)

    @property
    def hit_count(self) -> int:
        """Query matches in the open article."""
        return len(self._hits)

    @property
    def current_hit(self) -> int | None:
        """Index of the match last moved to with n/N."""
        return self._current_hit

    # -- layout ---------------------------------------------------------------------
    def _relayout(self) -> None:
        width = self.scrollable_content_region.width or self.size.width or 80
        column = max(10, min(self.max_width, width - 2))
        self._layout_width = width
        self._column = column
        lines: list[tuple[int, int, int]] = []
        if self.article is None:
            lines = [(BLANK, 0, 0), (META, 0, 0)]
            self._meta_override: str | None = self._placeholder
        else:
            self._meta_override = None
            lines += [(TITLE, s, e) for s, e in wrap_offsets(self._title, column)]
            lines += [(META, s, e) for s, e in wrap_offsets(self._meta, column)] if self._meta else []
            lines.append((BLANK, 0, 0))
        self._body_first_line = len(lines)
        body = wrap_offsets(self._text, column) if self._text else []
        lines += [(BODY, s, e) for s, e in body]
        self._body_starts = [s for s, _ in body]
        self._lines = lines
        self._cache.clear()
        self.virtual_size = Size(width, len(lines))
        self.refresh()
        if self._scroll_wanted is not None:  # the asked-for line at this width (render_line re-wraps too)
            self._scroll_to_wanted()

    def _scroll_to_wanted(self) -> None:
        if self._scroll_wanted is not None:
            # force: Textual drops a vertical scroll while its scrollbar state says "nothing to scroll",
            # and that state is only updated on the next layout (after a new article, still the last one's).
            super().scroll_to(0, self._scroll_wanted, animate=False, immediate=True, force=True)

    def scroll_to(self, x: float | None = None, y: float | None = None, **kwargs: Any) -> None:
        self._scroll_wanted = None  # any other scroll: the position asked for with the article is done
        super().scroll_to(x, y, **kwargs)

    def on_mouse_scroll_down(self) -> None:
        self._scroll_wanted = None  # Textual scrolls for the wheel without calling scroll_to

    def on_mouse_scroll_up(self) -> None:
        self._scroll_wanted = None

    def _on_resize(self, event: events.Resize) -> None:
        if self._scroll_wanted is not None:
            # A new height can have clamped the asked-for line (a new width re-wraps: _relayout puts it back).
            if self.scrollable_content_region.width != self._layout_width:
                self._relayout()
            else:
                self._scroll_to_wanted()
            return
        if self.scrollable_content_region.width != self._layout_width:
            top = self._offset_at_line(int(self.scroll_y))
            self._relayout()
            if top is not None:
                self.scroll_to(0, self.line_of_offset(top), animate=False, immediate=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
        if self._entity_index:  # styles are looked up on the next set_entities otherwise
            self._restyle_entities()

    def line_of_offset(self, offset: int) -> int:
        """The display line holding text offset ``offset``."""
        return self._body_first_line + max(0, bisect_right(self._body_starts, offset) - 1)

    def _offset_at_line(self, line: int) -> int | None:
        body_line = line - self._body_first_line
        if 0 <= body_line < len(self._body_starts):
            return self._body_starts[body_line]
        return None

    # -- rendering ------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._layout_width:
            self._relayout()
        line = y + int(self.scroll_y)
        strip = self._cache.get(line)
        if strip is None:
            strip = self._render_strip(line, width)
            self._cache[line] = strip
        return strip

    def _render_strip(self, line: int, width: int) -> Strip:
        base = self.rich_style
        if line >= len(self._lines):
            return Strip.blank(width, base)
        kind, start, end = self._lines[line]
        if kind == TITLE:
            style = base + self.get_component_rich_style("reader--title", partial=True)
            segments = [Segment(self._title[start:end], style)]
        elif kind == META:
            style = base + self.get_component_rich_style(
                "reader--placeholder" if self._meta_override else "reader--meta", partial=True
            )
            text = self._meta_override or self._meta[start:end]
            segments = [Segment(text, style)]
        elif kind == BODY and start == end and start in self._page_breaks:
            segments = [
                Segment(
                    page_separator(self._page_breaks[start], self._column),
                    base + self.get_component_rich_style("reader--page", partial=True),
                )
            ]
        elif kind == BODY:
            segments = styled_segments(self._text, start, end, self._spans(start, end), base)
        else:
            segments = []
        pad = max(1, (width - self._column) // 2) if width > self._column + 2 else 1
        return Strip([Segment(" " * pad, base), *segments]).extend_cell_length(width, base).crop(0, width)

    def _spans(self, start: int, end: int) -> list[StyledSpan]:
        styles = self._entity_styles
        spans = (
            [
                StyledSpan(m.start, m.end, styles[m.type], 0)
                for m in self._entity_index.overlapping(start, end)
                if m.type in styles
            ]
            if self._entity_index
            else []
        )
        if self._marked and self._marked[0] < end and self._marked[1] > start:
            marked_style = self.get_component_rich_style("reader--hit-current", partial=True)
            spans.append(StyledSpan(*self._marked, marked_style, 2))
        if self._hit_index:
            hit_style = self.get_component_rich_style("reader--hit", partial=True)
            current = self._hits[self._current_hit] if self._current_hit is not None else None
            current_style = self.get_component_rich_style("reader--hit-current", partial=True)
            for span in self._hit_index.overlapping(start, end):
                is_current = current is not None and (span.start, span.end) == current
                spans.append(StyledSpan(span.start, span.end, current_style if is_current else hit_style, 1))
        return spans

    # -- navigation -----------------------------------------------------------------
    def goto_hit(self, index: int) -> None:
        """Make match ``index`` current and scroll it into view (a third down the screen)."""
        if not self._hits:
            return
        self._current_hit = index % len(self._hits)
        start, _ = self._hits[self._current_hit]
        line = self.line_of_offset(start)
        height = self.scrollable_content_region.height or self.size.height
        self.scroll_to(0, max(0, line - height // 3), animate=False, immediate=True)
        self._cache.clear()
        self.refresh()
        self.post_message(self.HitMoved(self, self._current_hit, len(self._hits)))

    @property
    def marked(self) -> tuple[int, int] | None:
        """The passage shown marked (an entity mention jumped to), as text offsets; None when none is."""
        return self._marked

    def goto_span(self, start: int, end: int) -> None:
        """Mark ``text[start:end]`` (an entity mention) and scroll it into view."""
        self._marked = (start, end)
        line = self.line_of_offset(start)
        height = self.scrollable_content_region.height or self.size.height
        self.scroll_to(0, max(0, line - height // 3), animate=False, immediate=True)
        self._cache.clear()
        self.refresh()

    def next_mention(self, canonical: str, entity_type: str) -> bool:
        """Go to the next mention of an entity after the marked one (wrapping); False if none."""
        mentions = [e for e in self._entity_index.spans if e.canonical == canonical and e.type == entity_type]
        if not mentions:
            return False
        after = self._marked[0] if self._marked else -1
        following = [m for m in mentions if m.start > after]
        target = following[0] if following else mentions[0]
        self.goto_span(target.start, target.end)
        return True

    def action_hit(self, direction: int) -> None:
        if not self._hits:
            self.notify("No query matches in this article.", severity="warning", timeout=2)
            return
        if self._current_hit is None:
            top = self._offset_at_line(int(self.scroll_y)) or 0
            starts = [s for s, _ in self._hits]
            after = bisect_right(starts, top - 1)
            self.goto_hit(after if direction > 0 else after - 1)
        else:
            self.goto_hit(self._current_hit + direction)

    def action_scroll_lines(self, lines: int) -> None:
        self.scroll_to(0, self.scroll_y + lines, animate=False)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(0, self.scroll_y + direction * height, animate=False)

    def action_edge(self, bottom: int) -> None:
        self.scroll_to(0, self.max_scroll_y if bottom else 0, animate=False)
