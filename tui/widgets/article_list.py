"""The article list: a line-API virtual list that renders only the rows on screen.

A DataTable with 100,000 rows took 12.5 s to build; this list holds no widget
per row. Rows come from a ``fetch(offset, limit)`` function in pages, loaded in
a thread worker the first time a row of the page is drawn, and kept. Each item
renders to a few strips that are cached until the width, the cursor or the
theme changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from newsdesk.index import NewsdeskError
from newsdesk.tui.messages import OpenArticle, OpenNotComing
from newsdesk.tui.widgets.list_rows import PAGE_SIZE, CopiesFetcher, ListState, Row, RowFetcher, RowStyles, row_lines
from rich.segment import Segment
from rich.style import Style
from textual import events, on, work
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


@dataclass
class _CopiesLoaded(Message):
    generation: int
    index: int
    rows: list[Row] | None


@dataclass
class _PageLoaded(Message):
    generation: int
    page: int
    rows: list[Row] | None


class ArticleList(ScrollView, can_focus=True):
    """Articles or search hits, one item of two (browse) or four (hits) lines each."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-list--title",
        "article-list--meta",
        "article-list--snippet",
        "article-list--match",
        "article-list--cursor",
        "article-list--open",
        "article-list--pending",
        "article-list--stale",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor(1)", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, id="list.up"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id="list.page_down"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id="list.page_up"),
        Binding("g,home", "edge(0)", "Top", show=False, id="list.top"),
        Binding("G,end", "edge(1)", "Bottom", show=False, id="list.bottom"),
        Binding("enter", "open", "Open", id="list.open"),
        Binding("r", "toggle_copies", "Show/hide copies", id="list.copies", show=False),  # footer keeps ? and q
    ]

    cursor: reactive[int] = reactive(0, init=False)

    @dataclass(kw_only=True)
    class Selected(OpenArticle):
        """The user opened the item at ``index`` (Enter or click). An OpenArticle itself, opened as it arrives:
        re-posted, it would open a moment later, when the reader's width can change under its first scroll."""

        list: ArticleList
        index: int
        row: Row

    @dataclass
    class CursorMoved(Message):
        """The cursor moved to ``index``."""

        list: ArticleList
        index: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._state = ListState()
        self._generation = 0
        self._cache: dict[tuple[int, int, bool, bool], list[Strip]] = {}
        self._open_when_loaded: tuple[int, bool] | None = None
        """The row to open (and whether the reader takes the focus) once its page is read."""
        self.requested: int | None = None
        """The row :meth:`open` was last asked for, until its request reaches the results pane (or
        the contents are replaced): ] goes on from it, not from the article open before."""
        self.open_id: str | None = None
        """Id of the article open in the reader, marked in the list."""
        self.awaiting_answer = False
        """The rows are an older query's answer and the new one is on its way (set by the results pane)."""
        self._open_when_answered = False
        self._moves_when_answered: list[tuple[str, int]] = []
        """Cursor keys typed while the answer was awaited, replayed on it (red team: `harbor Enter j Enter`
        moved on the older answer, whose replacement put the cursor back on its first row)."""
        self._frame_style: Style | None = None

    # -- contents -----------------------------------------------------------------
    @property
    def total(self) -> int:
        """How many items the list shows (hits plus the copies listed under expanded ones)."""
        return self._state.total + sum(len(rows) for rows in self._state.expanded.values())

    @property
    def item_height(self) -> int:
        """Lines per item."""
        return self._state.item_height

    def show(
        self,
        total: int,
        fetch: RowFetcher,
        first: list[Row] | None = None,
        *,
        hits: bool = False,
        cursor: int = 0,
        page_size: int = PAGE_SIZE,
        fetch_copies: CopiesFetcher | None = None,
        pages: dict[int, list[Row]] | None = None,
    ) -> None:
        """Replace the contents: ``total`` items, fetched ``page_size`` at a time; ``first`` is page 0.

        ``fetch_copies`` gives the rows of a hit's copies when ``r`` lists them; ``pages``: other pages
        read already, by number.
        """
        self._generation += 1
        self._state = ListState(
            total=total, fetch=fetch, item_height=4 if hits else 2, page_size=page_size, fetch_copies=fetch_copies
        )
        for number, rows in (pages or {}).items():
            self._state.pages[number] = list(rows)
        if first is not None:
            self._state.pages[0] = list(first)
        self.requested = None
        if self._open_when_loaded is not None:  # its row is gone with the contents it was in
            self._open_when_loaded = None
            self.notify("The article was not opened: the list changed before its row was read.", timeout=4)
            self.call_later(self.post_message, OpenNotComing())  # from the list's queue: bubbles to the screen
        self._cache.clear()
        self._fit_contents()
        self.set_reactive(ArticleList.cursor, max(0, min(cursor, self.total - 1)))
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._scroll_cursor_visible()
        self.refresh()

    def set_total(self, total: int) -> None:
        """Change how many items the list holds, keeping its rows (an estimated total made exact)."""
        if total != self._state.total:
            self._state.total = total
            self._state.expanded = {i: rows for i, rows in self._state.expanded.items() if i < total}
            self._state.loading_copies = {i for i in self._state.loading_copies if i < total}
            self._fit_contents()
            self.set_reactive(ArticleList.cursor, max(0, min(self.cursor, self.total - 1)))
            self._cache.clear()
            self.refresh()

    def _fit_contents(self) -> None:
        # Only the scrollbars follow the contents: the list's size is CSS's, so no layout of the screen
        # (a scrollbar that appears or goes asks for one itself).
        size = Size(self.size.width, self.total * self._state.item_height)
        if not self.size:
            self.virtual_size = size  # not laid out yet: the first layout places the scrollbars
        elif size != self.virtual_size:
            self.set_reactive(ArticleList.virtual_size, size)
            self._scroll_update(size)

    def row(self, index: int) -> Row | None:
        """The row at ``index`` if its page is loaded (starts loading it otherwise)."""
        if not 0 <= index < self.total:
            return None
        index, copy = self._state.locate(index)
        if copy >= 0:
            return self._state.expanded[index][copy]
        page, offset = divmod(index, self._state.page_size)
        rows = self._state.pages.get(page)
        if rows is None:
            self._request(page)
            return None
        return rows[offset] if offset < len(rows) else None

    def hit_at_cursor(self) -> tuple[str, int] | None:
        """(id, index among the hits, copies listed not counted) of the hit under the cursor, or of the hit
        whose copy it is; None while its row is not read."""
        base, _ = self._state.locate(self.cursor)
        page, offset = divmod(base, self._state.page_size)
        rows = self._state.pages.get(page)
        if rows is None or offset >= len(rows):
            return None
        return rows[offset].id, base

    def index_of(self, article_id: str) -> int | None:
        """The index of a loaded row with this id."""
        return self._state.index_of(article_id)

    def _request(self, page: int) -> None:
        state = self._state
        if page in state.pending or page in state.failed or state.fetch is None:
            return
        state.pending.add(page)
        self._load_page(self._generation, page, state.page_size, state.fetch)

    @work(thread=True, group="list-pages")
    def _load_page(self, generation: int, page: int, page_size: int, fetch: RowFetcher) -> None:
        try:
            rows: list[Row] | None = fetch(page * page_size, page_size)
        except NewsdeskError:
            rows = None
        self.post_message(_PageLoaded(generation, page, rows))

    @on(_PageLoaded)
    def _page_loaded(self, message: _PageLoaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return  # rows for contents that were replaced since
        self._state.pending.discard(message.page)
        if message.rows is None:
            self._state.failed.add(message.page)
        else:
            self._state.pages[message.page] = message.rows
        self._cache.clear()
        self.refresh()
        if self._open_when_loaded is not None:
            (index, focus), self._open_when_loaded = self._open_when_loaded, None
            self.open(index, focus)
            waiting = self._open_when_loaded
            if waiting is not None and self._state.locate(waiting[0])[0] // self._state.page_size in self._state.failed:
                # A failed page is not asked for again: the open waited for ever, and said nothing.
                self._open_when_loaded = self.requested = None
                self.notify("Could not open the article: its page of the list could not be read.", severity="warning")
                self.post_message(OpenNotComing())

    # -- copies of a hit ---------------------------------------------------------------
    def action_toggle_copies(self) -> None:
        """List the copies of the hit under the cursor below it, or hide them again."""
        base, copy = self._state.locate(self.cursor)
        if base in self._state.loading_copies:  # r again before they came: take it back
            self._state.loading_copies.discard(base)
            return
        if base in self._state.expanded:
            moved = self._located()
            del self._state.expanded[base]
            self._contents_changed(self._state.shown_at(base), moved)
            return
        row = self.row(self.cursor) if copy < 0 else None
        if row is None or not row.copies or self._state.fetch_copies is None:
            self.notify("No copies: this article has no reprints among the matches.", timeout=3)
            return
        self._state.loading_copies.add(base)
        self._load_copies(self._generation, base, row.copies, self._state.fetch_copies)

    @work(thread=True, group="list-copies")
    def _load_copies(self, generation: int, index: int, ids: tuple[str, ...], fetch: CopiesFetcher) -> None:
        try:
            rows: list[Row] | None = fetch(ids)
        except NewsdeskError:
            rows = None
        self.post_message(_CopiesLoaded(generation, index, rows))

    @on(_CopiesLoaded)
    def _copies_loaded(self, message: _CopiesLoaded) -> None:
        message.stop()
        if message.generation != self._generation or message.index not in self._state.loading_copies:
            return  # other contents since, or r pressed again before they came
        self._state.loading_copies.discard(message.index)
        if message.index in self._state.expanded:
            return
        if not message.rows:
            self.notify("Could not load the copies (deleted since the search?).", severity="warning", timeout=3)
            return
        # The keys typed while they loaded moved the cursor: it stays on the row it is on now.
        moved = self._located()
        self._state.expanded[message.index] = [replace(row, copy=True) for row in message.rows]
        self._contents_changed(self._state.shown_again(self.cursor, moved[0]), moved)

    def _located(self) -> tuple[tuple[int, int], tuple[int, int] | None, tuple[int, int] | None]:
        """Where the cursor, an open waiting for its row and the last open are, before copies are listed or hidden."""
        waiting = self._open_when_loaded
        return (
            self._state.locate(self.cursor),
            self._state.locate(waiting[0]) if waiting is not None else None,
            self._state.locate(self.requested) if self.requested is not None else None,
        )

    def _contents_changed(
        self, cursor: int, moved: tuple[tuple[int, int], tuple[int, int] | None, tuple[int, int] | None]
    ) -> None:
        # Indexes held for later point at the same rows with copies listed or hidden above them.
        _, waiting, requested = moved
        if waiting is not None and self._open_when_loaded is not None:
            index, focus = self._open_when_loaded
            self._open_when_loaded = (self._state.shown_again(index, waiting), focus)
        if requested is not None and self.requested is not None:
            self.requested = self._state.shown_again(self.requested, requested)
        self._cache.clear()
        self._fit_contents()
        self.set_reactive(ArticleList.cursor, max(0, min(cursor, self.total - 1)))
        self._scroll_cursor_visible()
        self.refresh()

    # -- cursor and actions ----------------------------------------------------------
    def watch_cursor(self) -> None:
        self._scroll_cursor_visible()
        self.refresh()
        self.post_message(self.CursorMoved(self, self.cursor))

    def _scroll_cursor_visible(self) -> None:
        height = self._state.item_height
        self.scroll_to_region(Region(0, self.cursor * height, 1, height), animate=False, immediate=True)

    def move_cursor(self, index: int) -> None:
        """Put the cursor on ``index`` (clamped)."""
        if self.total:
            self.cursor = max(0, min(index, self.total - 1))

    def open(self, index: int, focus: bool = True) -> bool:
        """Move to ``index`` and open it; waits for the row's page if needed. False when out of range.

        ``focus``: the reader takes the focus once the article is shown.
        """
        if not 0 <= index < self.total:
            return False
        self.requested = index
        self.move_cursor(index)
        row = self.row(index)
        if row is None:
            self._open_when_loaded = (index, focus)
        else:
            self.post_message(self.Selected(row.id, focus=focus, first_hit=True, list=self, index=index, row=row))
        return True

    def action_cursor(self, delta: int) -> None:
        if not self._held_move("cursor", delta):
            self.move_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        if not self._held_move("page", direction):
            visible = max(1, self.scrollable_content_region.height // self._state.item_height)
            self.move_cursor(self.cursor + direction * visible)

    def action_edge(self, bottom: int) -> None:
        if not self._held_move("edge", bottom):
            self.move_cursor(self.total - 1 if bottom else 0)

    def _held_move(self, action: str, argument: int) -> bool:
        """While a new answer is awaited, a cursor key waits for it (True): it means the new answer's rows."""
        if not self.awaiting_answer:
            return False
        self._moves_when_answered.append((action, argument))
        return True

    def action_open(self) -> None:
        if self.awaiting_answer:
            # Enter typed right behind a new query ("/pad", Tab, Enter in one burst, or faster than
            # the search) means the new answer's row, not the older answer's row still shown.
            self._open_when_answered = True
            return
        self.open(self.cursor)

    def answered(self, *, shown: bool) -> None:
        """The awaited answer is in: ``shown`` in the list (an Enter typed meanwhile opens its row), or not."""
        self.awaiting_answer = False
        moves, self._moves_when_answered = self._moves_when_answered, []
        for action, argument in moves:  # typed before an Enter waiting too: the Enter opens the row they reach
            getattr(self, f"action_{action}")(argument)
        asked, self._open_when_answered = self._open_when_answered, False
        if asked and shown:
            # From the list's own queue: a message made while the results pane runs would bubble
            # no further than the pane (Textual stops a message at the node that sent it).
            self.call_later(self.open, self.cursor)

    def forget_open(self) -> None:
        """Drop an Enter still waiting for the answer: the user has moved on (red team: it opened an
        article later anyway, over the one clicked meanwhile, or took the focus from a new query
        being typed, whose next letters then ran as the reader's keys)."""
        self._open_when_answered = False
        self._moves_when_answered = []

    def on_blur(self) -> None:
        self.forget_open()

    async def _on_click(self, event: events.Click) -> None:
        index = (event.y + int(self.scroll_y)) // self._state.item_height
        if 0 <= index < self.total:
            self.forget_open()  # the row clicked is the one wanted now
            self.focus()
            self.open(index)

    def set_stale(self, stale: bool) -> None:
        """Dim the rows (an older query's answer, a newer one on its way) or not. The ``-stale`` class
        says so, set without a restyle: restyling the list (its component classes, its scrollbars)
        took ~2 ms as a burst of keys began and again with the answer; the rows are drawn dimmed."""
        if stale != self.has_class("-stale"):
            self.set_class(stale, "-stale", update=False)
            self._cache.clear()
            self.refresh()

    # -- rendering ------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        # The list's style is the same for every row of a frame: computed once, not once a row.
        self._frame_style = self._list_style()
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    def _list_style(self) -> Style:
        style = self.rich_style
        if self.has_class("-stale") and style.bgcolor is not None:  # dimmed as CSS on the list would (set_stale)
            dimmed = Color.from_rich_color(style.bgcolor) + self.get_component_styles("article-list--stale").color
            style += Style.from_color(dimmed.rich_color)
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def _on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self.virtual_size = Size(event.size.width, self.total * self._state.item_height)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = y + int(self.scroll_y)
        index, sub = divmod(line, self._state.item_height)
        if index >= self.total:
            return Strip.blank(width, self._frame_style or self._list_style())
        selected = index == self.cursor
        row = self.row(index)
        key = (index, width, selected, row is not None and row.id == self.open_id)
        strips = self._cache.get(key) if row is not None else None
        if strips is None:
            strips = self._render_item(index, row, width, selected)
            if row is not None:
                if len(self._cache) > 4000:
                    self._cache.clear()
                self._cache[key] = strips
        return strips[sub]

    def item_text(self, index: int, width: int | None = None) -> list[str]:
        """The lines item ``index`` shows, as plain text, ``width`` columns wide (default: the list's width)."""
        width = self.scrollable_content_region.width if width is None else width
        return [strip.text for strip in self._render_item(index, self.row(index), width, index == self.cursor)]

    def _render_item(self, index: int, row: Row | None, width: int, selected: bool) -> list[Strip]:
        base = self._frame_style or self._list_style()
        if selected:
            base = base + self.get_component_rich_style("article-list--cursor", partial=True)
        height = self._state.item_height
        if row is None:
            page = self._state.locate(index)[0] // self._state.page_size
            label = "  (could not load)" if page in self._state.failed else "  …"
            pending = base + self.get_component_rich_style("article-list--pending", partial=True)
            lines = [[Segment(label, pending)]] + [[] for _ in range(height - 1)]
        else:
            lines = self._item_lines(row, width - 2, base)
        is_open = row is not None and row.id == self.open_id
        open_style = base + self.get_component_rich_style("article-list--open", partial=True)
        marker = Segment("▌" if is_open else " ", open_style)
        return [Strip([marker, *segments]).extend_cell_length(width, base).crop(0, width) for segments in lines]

    def _item_lines(self, row: Row, width: int, base: Style) -> list[list[Segment]]:
        if self.has_class("-stale"):  # every part in the list's dimmed style (see set_stale)
            dim = self.get_component_rich_style("article-list--stale", partial=True)
            if base.bgcolor is not None:
                # $text-disabled has an alpha, which a Rich style drops (the rows came out brighter than
                # plain ones): blended over the row's background, as CSS on the list would.
                colour = self.get_component_styles("article-list--stale").color
                dim += Style.from_color((Color.from_rich_color(base.bgcolor) + colour).rich_color)
            return row_lines(row, width, self._state.item_height, RowStyles(base + dim, base + dim, base + dim, dim))
        styles = RowStyles(
            title=base + self.get_component_rich_style("article-list--title", partial=True),
            meta=base + self.get_component_rich_style("article-list--meta", partial=True),
            snippet=base + self.get_component_rich_style("article-list--snippet", partial=True),
            match=self.get_component_rich_style("article-list--match", partial=True),
        )
        return row_lines(row, width, self._state.item_height, styles)
