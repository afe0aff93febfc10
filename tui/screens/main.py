"""The main screen: search and list on the left, the reader in the centre, the side panel on the right."""

from __future__ import annotations

import contextlib
from functools import partial
from typing import ClassVar

from newsdesk.index import Config, Library
from newsdesk.tui.messages import WorkerFailed, forward_worker_failure
from newsdesk.tui.screens.annotating import AnnotationActions
from newsdesk.tui.screens.entities import EntityActions
from newsdesk.tui.screens.jobs import ArticleFailed, ArticleLoaded
from newsdesk.tui.screens.story import StoryActions
from newsdesk.tui.state import CorpusState
from newsdesk.tui.web.ready import announce_ready
from newsdesk.tui.widgets.annotating_reader import AnnotatingReader
from newsdesk.tui.widgets.article_list import ArticleList
from newsdesk.tui.widgets.corpus_watcher import CorpusWatcher
from newsdesk.tui.widgets.reader import ReaderView
from newsdesk.tui.widgets.results_pane import ResultsPane
from newsdesk.tui.widgets.search_box import SearchBox
from newsdesk.tui.widgets.side_panel import FacetList, SidePanel, facet_clause
from newsdesk.tui.widgets.status_bar import StatusBar
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.events import DescendantFocus, Resize
from textual.widget import Widget
from textual.widgets import Footer, Input
from textual.worker import Worker

SINGLE_PANE_BELOW = 90
"""Narrower than this, the list and the reader take turns at full width."""
UPDATE_DELAY = 0.3
"""Seconds after start before the background update begins."""


class MainScreen(AnnotationActions, EntityActions, StoryActions):
    """The reader's one working screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority, so "/" focuses the box before the keys typed right after it arrive (a burst
        # over SSH); check_action lets it through as a character while a text box has focus.
        Binding("slash", "focus_search", "Search", id="app.search", priority=True),
        Binding("escape", "back", "Back", show=False, id="app.back"),
        Binding("tab", "cycle(1)", "Next pane", show=False, id="app.next_pane"),
        Binding("shift+tab", "cycle(-1)", "Previous pane", show=False, id="app.prev_pane"),
        Binding("left_square_bracket", "neighbour(-1)", "Prev article", show=False, id="app.prev_article"),
        Binding("right_square_bracket", "neighbour(1)", "Next article", show=False, id="app.next_article"),
        Binding("p", "toggle_panel", "Panel", id="app.toggle_panel"),
        Binding("T", "app.change_theme", "Theme", show=False, id="app.theme"),
        Binding("question_mark", "app.help", "Help", id="app.help"),
        Binding("q", "app.quit", "Quit", id="app.quit"),
    ]

    def __init__(
        self, library: Library, config: Config, restore: CorpusState, *, index_on_start: bool = True, watch: bool = True
    ) -> None:
        super().__init__()
        self.library = library
        self.config = config
        self.restore = restore
        self.index_on_start = index_on_start
        self.watching = watch and config.ui.watch_seconds > 0
        self._article_seq = 0
        self._panel_forced: bool | None = None
        self._first_hit_on_open = True
        self._reopen: CorpusState | None = None

    # -- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="body"):
            yield ResultsPane(self.library, id="left")
            yield AnnotatingReader(id="reader", max_width=self.config.ui.reader_width)
            yield SidePanel(id="side")
        yield Footer()
        yield CorpusWatcher(self.library, watch_seconds=self.config.ui.watch_seconds, watching=self.watching)

    @property
    def results(self) -> ResultsPane:
        return self.query_one(ResultsPane)

    @property
    def search_box(self) -> SearchBox:
        return self.query_one(SearchBox)

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def reader(self) -> AnnotatingReader:
        return self.query_one(AnnotatingReader)

    @property
    def watcher(self) -> CorpusWatcher:
        return self.query_one(CorpusWatcher)

    def on_mount(self) -> None:
        self.query_one("#side").styles.width = self.config.ui.side_panel_width
        status, watcher = self.query_one(StatusBar), self.watcher
        status.corpus_name = self.library.name
        self.watch(watcher, "article_count", partial(setattr, status, "article_count"))
        self.watch(watcher, "note", partial(setattr, status, "index_note"))
        self.watch(watcher, "indexing", partial(setattr, status, "indexing"))
        self.watch(watcher, "indexing", partial(setattr, self.results, "indexing"))
        self.setup_entities(self.reader, self.config.ui.entity_colors)
        self.setup_annotations(self.reader, self.config.ui.tag_colors)
        restore = self.restore
        if restore.query:
            self.search_box.set_query(restore.query)  # its Query message runs the search
        else:
            self.results.show_browse()
        self._update_status()
        self.load_saved()
        if restore.article and restore.query:
            self._reopen = restore  # once the query's results (and terms to highlight) are in
        elif restore.article:
            self._reopen_article(restore)
        self.article_list.focus()
        # Under `newsdesk serve` the server holds the tab's keys until this screen exists.
        self.call_after_refresh(announce_ready, self.app)
        # Let the first screen draw before the update's walk over the corpus competes for the GIL.
        watcher.start(index_now=self.index_on_start, delay=UPDATE_DELAY)

    def on_resize(self, event: Resize) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        narrow = width < SINGLE_PANE_BELOW
        self.set_class(narrow, "narrow")
        self.set_class(narrow and self._pane_of(self.focused) in ("reader", "side"), "reading")
        roomy = width >= self.config.ui.side_panel_min_columns
        shown = roomy if self._panel_forced is None else self._panel_forced
        self.set_class(not shown, "panel-hidden")
        self.results.facets_wanted = shown

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # Only a narrow screen looks different while reading, and a class change on the
        # screen restyles every widget (~30 ms), so leave it alone otherwise.
        reading = self.has_class("narrow") and self._pane_of(event.widget) in ("reader", "side")
        if reading != self.has_class("reading"):
            self.set_class(reading, "reading")

    def _pane_of(self, widget: Widget | None) -> str | None:
        for node in widget.ancestors_with_self if widget is not None else ():
            if node.id in ("left", "reader", "side"):
                return node.id
        return None

    def _reopen_article(self, restore: CorpusState) -> None:
        self._reopen = None
        self._first_hit_on_open = False
        if restore.article:
            self.open_article(restore.article, scroll=restore.scroll, focus=False)

    def current_state(self) -> CorpusState:
        """What to restore next time."""
        reader = self.reader
        return CorpusState(
            query=self.search_box.value,
            article=reader.article.id if reader.article else None,
            scroll=int(reader.scroll_y),
        )

    # -- status line ------------------------------------------------------------------
    def _update_status(self) -> None:
        status = self.query_one(StatusBar)
        status.entity_note = self.entity_note()
        status.saved_note = self.saved_note()

    def stop_background(self) -> None:
        """The app is leaving: a running update or corpus poll ends at its next check."""
        with contextlib.suppress(NoMatches):  # never mounted: nothing runs
            self.watcher.stopping = True

    @on(CorpusWatcher.Indexed)
    def _indexed(self, message: CorpusWatcher.Indexed) -> None:
        if message.list_stale:
            self.refresh_results()
        self.load_saved()

    def refresh_results(self) -> None:
        """Show the current query's results (or the article list) again, keeping the cursor."""
        self.results.refresh_results()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_worker_failure(self, event)

    @on(WorkerFailed)
    def _worker_failed(self, message: WorkerFailed) -> None:
        """The one place worker failures end up: shown, never a crash."""
        self.notify(f"{message.group} failed: {message.error}", severity="error")

    # -- the results pane's news for the rest of the screen ------------------------------
    @on(ResultsPane.Counted)
    def _counted(self, message: ResultsPane.Counted) -> None:
        self.watcher.article_count = message.total

    @on(ResultsPane.Stale)
    def _results_stale(self, message: ResultsPane.Stale) -> None:
        self.query_one(FacetList).set_class(message.stale, "-stale")

    @on(ResultsPane.Facets)
    def _facets(self, message: ResultsPane.Facets) -> None:
        self.query_one(SidePanel).show_facets(message.facets)

    @on(ResultsPane.Answered)
    def _answered(self) -> None:
        if self._reopen is not None:
            self._reopen_article(self._reopen)

    @on(FacetList.Chosen)
    def _facet_chosen(self, message: FacetList.Chosen) -> None:
        self.results.narrow(facet_clause(message.facet, message.value, message.exclude))

    # -- opening articles -------------------------------------------------------------
    @on(ArticleList.Selected)
    def _selected(self, message: ArticleList.Selected) -> None:
        self._first_hit_on_open = True
        self.open_article(message.row.id, focus=True)

    def open_article(
        self, article_id: str, *, scroll: int | None = None, focus: bool = True, mark: tuple[int, int] | None = None
    ) -> None:
        """Load an article into the reader (in a worker), then focus the reader if ``focus``."""
        self._article_seq += 1
        self._focus_reader_on_load = focus
        self.load_article(article_id, self.results.matcher, self._article_seq, scroll, mark)

    def open_mention(self, article_id: str, start: int, end: int) -> None:
        self._first_hit_on_open = False
        self.open_article(article_id, mark=(start, end))

    def entities_changed(self) -> None:
        self._update_status()

    @on(ArticleLoaded)
    def _article_loaded(self, message: ArticleLoaded) -> None:
        if message.seq != self._article_seq:
            return
        reader = self.reader
        reader.show_article(
            message.article, message.hits, message.mentions, scroll=message.scroll, first_hit=self._first_hit_on_open
        )
        if message.mark is not None:
            reader.call_after_refresh(reader.goto_span, *message.mark)
        self.query_one(SidePanel).show_entities(message.mentions)
        self.load_annotations(message.article)
        self.article_list.open_id = message.article.id
        self.article_list.refresh()
        if self._focus_reader_on_load:
            reader.focus()

    @on(ArticleFailed)
    def _article_failed(self, message: ArticleFailed) -> None:
        if message.seq == self._article_seq:
            self.reader.clear(message.error)

    @on(ReaderView.HitMoved)
    def _hit_moved(self, message: ReaderView.HitMoved) -> None:
        if message.count:
            position = "" if message.current is None else f"{message.current + 1}/"
            self.query_one(StatusBar).hit_note = f"match {position}{message.count} (n/N)"
        else:
            self.query_one(StatusBar).hit_note = ""

    # -- actions ----------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "focus_search" and isinstance(self.focused, Input))

    def action_focus_search(self) -> None:
        # At once, not after the queued keys: "/pak" typed in one burst must land in the box.
        self.set_focus(self.search_box)

    def _panes(self) -> list[Widget]:
        panes: list[Widget] = [self.search_box, self.article_list, self.reader]
        if not self.has_class("panel-hidden"):
            panes.append(self.query_one(SidePanel).active_list())
        return panes

    def action_cycle(self, direction: int) -> None:
        panes = self._panes()
        current = self._pane_of(self.focused)
        names = [self._pane_of(p) for p in panes]
        if self.focused in panes:
            index = panes.index(self.focused)
        elif current in names:
            index = names.index(current)
        else:
            index = 0
        panes[(index + direction) % len(panes)].focus()

    def action_back(self) -> None:
        # set_focus, not focus(): the keys typed right after Esc (a burst) go to the new pane.
        pane = self._pane_of(self.focused)
        if pane in ("reader", "side"):
            self.set_focus(self.article_list)
        elif self.focused is self.article_list:
            self.set_focus(self.search_box)
        else:
            self.set_focus(self.article_list)

    def action_neighbour(self, delta: int) -> None:
        if not self.results.open_neighbour(delta):
            self.notify("No more articles in the list.", timeout=2)

    def action_toggle_panel(self) -> None:
        shown = self.has_class("panel-hidden")
        self._panel_forced = shown
        self._apply_width(self.size.width)
        if shown:
            self.query_one(SidePanel).active_list().focus()
            if self.search_box.value.strip():
                self.results.refresh_results()  # for its facets
        if not shown and self._pane_of(self.focused) == "side":
            self.reader.focus()
