"""The main screen: search and list on the left, the reader in the centre, the side panel on the right.

The screen composes the panes and routes between them: each widget owns its
state and its workers (see ARCHITECTURE.md), reports up with messages, and the
handlers here pass the news on to the widget that shows it. The screen's own
state is the layout (narrow, reading, panel shown) and the article to reopen
once the restored query's results are in.
"""

from __future__ import annotations

import contextlib
from functools import partial
from typing import ClassVar

from newsdesk.index import Config, Library
from newsdesk.tui.keys import ANNOTATION_KEYS, ENTITY_KEYS, PANE_KEYS, STORY_KEYS
from newsdesk.tui.messages import WorkerFailed, forward_worker_failure
from newsdesk.tui.state import CorpusState
from newsdesk.tui.web.ready import announce_ready
from newsdesk.tui.widgets.annotation_editor import AnnotationEditor
from newsdesk.tui.widgets.article_list import ArticleList
from newsdesk.tui.widgets.article_view import ArticleView
from newsdesk.tui.widgets.corpus_watcher import CorpusWatcher
from newsdesk.tui.widgets.footer import KeyHints
from newsdesk.tui.widgets.notes_list import NotesList
from newsdesk.tui.widgets.results_pane import ResultsPane
from newsdesk.tui.widgets.saved_list import SavedList
from newsdesk.tui.widgets.search_box import SearchBox
from newsdesk.tui.widgets.selectable_reader import SelectableReader
from newsdesk.tui.widgets.side_panel import EntityList, FacetList, SidePanel, facet_clause
from newsdesk.tui.widgets.status_bar import StatusBar
from newsdesk.tui.widgets.timeline_chart import TimelineChart
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.events import DescendantFocus, Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, TabbedContent
from textual.worker import Worker

SINGLE_PANE_BELOW = 90
"""Narrower than this, the list and the reader take turns at full width."""
UPDATE_DELAY = 0.3
"""Seconds after start before the background update begins."""


class MainScreen(Screen):
    """The reader's one working screen."""

    # Feature keys first: the footer lists the bindings in this order (as before the screen was split).
    BINDINGS: ClassVar[list[BindingType]] = [*STORY_KEYS, *ENTITY_KEYS, *ANNOTATION_KEYS, *PANE_KEYS]

    def __init__(
        self, library: Library, config: Config, restore: CorpusState, *, index_on_start: bool = True, watch: bool = True
    ) -> None:
        super().__init__()
        self.library = library
        self.config = config
        self.restore = restore
        self.index_on_start = index_on_start
        self.watching = watch and config.ui.watch_seconds > 0
        self._panel_forced: bool | None = None
        self._reopen: CorpusState | None = None

    def compose(self) -> ComposeResult:
        ui = self.config.ui
        yield StatusBar(id="status")
        with Horizontal(id="body"):
            yield ResultsPane(self.library, id="left")
            yield ArticleView(
                self.library,
                reader_width=ui.reader_width,
                entity_colors=ui.entity_colors,
                tag_colors=ui.tag_colors,
                id="reader",
            )
            yield SidePanel(self.library.saved, id="side")
        yield KeyHints()
        yield CorpusWatcher(self.library, watch_seconds=ui.watch_seconds, watching=self.watching)

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
    def article_view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def reader(self) -> SelectableReader:
        return self.query_one(SelectableReader)

    @property
    def editor(self) -> AnnotationEditor:
        return self.query_one(AnnotationEditor)

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
        self.watch(self.query_one(SavedList), "new_articles", partial(setattr, status, "saved_new"))
        restore = self.restore
        if restore.query:
            self.search_box.set_query(restore.query)  # its Query message runs the search
        else:
            self.results.show_browse()
        self.query_one(SavedList).reload()
        if restore.article and restore.query:
            self._reopen = restore  # once the query's results (and terms to highlight) are in
        elif restore.article:
            self._reopen_article(restore)
        self.article_list.focus()
        # Under `newsdesk serve` the server holds the tab's keys until this screen exists.
        self.call_after_refresh(announce_ready, self.app)
        # Let the first screen draw before the update's walk over the corpus competes for the GIL.
        watcher.start(index_now=self.index_on_start, delay=UPDATE_DELAY)

    def current_state(self) -> CorpusState:
        """What to restore next time."""
        reader = self.reader
        return CorpusState(
            query=self.search_box.value,
            article=reader.article.id if reader.article else None,
            scroll=int(reader.scroll_y),
        )

    def stop_background(self) -> None:
        """The app is leaving: a running update or corpus poll ends at its next check."""
        with contextlib.suppress(NoMatches):  # never mounted: nothing runs
            self.watcher.stopping = True

    # -- layout -----------------------------------------------------------------------
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

    async def show_side_tab(self, tab: str, widget: type[Widget]) -> None:
        """Show the side panel (if hidden) on ``tab`` and focus ``widget`` in it."""
        if self.has_class("panel-hidden"):
            await self.run_action("toggle_panel")  # awaited: unawaited, the panel stayed hidden
        self.query_one("#side-tabs", TabbedContent).active = tab
        self.query_one(widget).focus()

    # -- opening articles -------------------------------------------------------------
    def open_article(
        self,
        article_id: str,
        *,
        scroll: int | None = None,
        focus: bool = True,
        mark: tuple[int, int] | None = None,
        first_hit: bool | None = None,
    ) -> None:
        """Load an article into the reader with the shown query's matches; focus the reader if ``focus``."""
        self.article_view.open(
            article_id, self.results.matcher, scroll=scroll, focus=focus, mark=mark, first_hit=first_hit
        )

    def _reopen_article(self, restore: CorpusState) -> None:
        self._reopen = None
        if restore.article:
            self.open_article(restore.article, scroll=restore.scroll, focus=False, first_hit=False)

    @on(ArticleList.Selected)
    def _selected(self, message: ArticleList.Selected) -> None:
        self.open_article(message.row.id, focus=True, first_hit=True)

    @on(ArticleView.OpenRequested)
    def _open_requested(self, message: ArticleView.OpenRequested) -> None:
        self.open_article(message.article_id, mark=message.mark, first_hit=False if message.mark else None)

    @on(AnnotationEditor.OpenAt)
    def _open_at(self, message: AnnotationEditor.OpenAt) -> None:
        self.open_article(message.article_id)

    @on(ArticleView.Opened)
    def _opened(self, message: ArticleView.Opened) -> None:
        if not self.has_class("article-open"):  # once: a class change on the screen restyles every widget
            self.add_class("article-open")
        self.query_one(SidePanel).show_entities(message.mentions)
        self.article_list.open_id = message.article.id
        self.article_list.refresh()

    # -- news from one pane for another ------------------------------------------------
    @on(ResultsPane.Counted)
    def _counted(self, message: ResultsPane.Counted) -> None:
        self.watcher.article_count = message.total

    @on(ResultsPane.IndexDamaged)
    def _index_damaged(self) -> None:
        self.watcher.heal()  # rebuilt from the store; the list follows when it is done

    @on(ResultsPane.Stale)
    def _results_stale(self, message: ResultsPane.Stale) -> None:
        self.query_one(FacetList).set_class(message.stale, "-stale")

    @on(ResultsPane.Facets)
    def _facets(self, message: ResultsPane.Facets) -> None:
        self.query_one(SidePanel).show_facets(message.facets)

    @on(ResultsPane.TimelineChanged)
    def _timeline_changed(self, message: ResultsPane.TimelineChanged) -> None:
        self.query_one(TimelineChart).show_timeline(message.timeline, pending=message.pending)

    @on(ResultsPane.Answered)
    def _answered(self) -> None:
        if self._reopen is not None:
            self._reopen_article(self._reopen)

    @on(FacetList.Chosen)
    def _facet_chosen(self, message: FacetList.Chosen) -> None:
        self.results.narrow(facet_clause(message.facet, message.value, message.exclude))

    @on(TimelineChart.Narrow)
    def _narrow_to_period(self, message: TimelineChart.Narrow) -> None:
        self.results.narrow(message.clause, group=True)
        self.article_list.focus()

    @on(SavedList.Run)
    def _run_saved(self, message: SavedList.Run) -> None:
        # A saved query means what it says: set_query runs it as written, never as a prefix.
        self.search_box.set_query(message.query)

    @on(EntityList.Jump)
    def _jump(self, message: EntityList.Jump) -> None:
        self.reader.next_mention(message.canonical, message.type)

    @on(EntityList.InCorpus)
    def _in_corpus(self, message: EntityList.InCorpus) -> None:
        self.article_view.show_mentions(message.canonical, message.type)

    @on(ArticleView.EntitiesShown)
    def _entities_shown(self, message: ArticleView.EntitiesShown) -> None:
        self.query_one(StatusBar).entity_note = message.note

    @on(ArticleView.HitMoved)
    def _hit_moved(self, message: ArticleView.HitMoved) -> None:
        position = "" if message.current is None else f"{message.current + 1}/"
        self.query_one(StatusBar).hit_note = f"match {position}{message.count} (n/N)" if message.count else ""

    @on(AnnotationEditor.Shown)
    def _annotations_shown(self, message: AnnotationEditor.Shown) -> None:
        self.query_one(NotesList).show_annotations(message.found, message.answered)

    @on(AnnotationEditor.Indexed)
    def _annotations_indexed(self) -> None:
        self.watcher.check_index()

    @on(NotesList.Picked)
    def _annotation_picked(self, message: NotesList.Picked) -> None:
        self.editor.picked(message, self.reader)

    @on(NotesList.UndoRequested)
    def _undo_annotation(self, message: NotesList.UndoRequested) -> None:
        self.editor.undo(message.change)

    @on(CorpusWatcher.Indexed)
    def _indexed(self, message: CorpusWatcher.Indexed) -> None:
        if message.list_stale:
            self.results.refresh_results()
        self.query_one(SavedList).reload()

    @on(CorpusWatcher.IndexChanged)
    def _index_changed(self) -> None:
        self.results.refresh_results()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_worker_failure(self, event)

    @on(WorkerFailed)
    def _worker_failed(self, message: WorkerFailed) -> None:
        """The one place worker failures end up: shown, never a crash."""
        self.notify(f"{message.group} failed: {message.error}", severity="error")

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
        # Back always ends on the list, never in the search box: from the list, Esc used to
        # go on to the box, so "Esc Esc q" typed a query "q" (restored at the next start)
        # instead of quitting. "/" goes to the box.
        # set_focus, not focus(): the keys typed right after Esc (a burst) go to the new pane.
        if self.focused is not self.article_list:
            self.set_focus(self.article_list)
        else:  # Esc right after Enter on the list, before the answer: it opens nothing later
            self.article_list.forget_open()

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

    def action_annotations_view(self) -> None:
        self.editor.show_all()

    def action_toggle_entities(self) -> None:
        self.article_view.toggle_entities()

    def action_toggle_entity_type(self, entity_type: str) -> None:
        self.article_view.toggle_entity_type(entity_type)

    def action_save_search(self) -> None:
        search_box = self.search_box
        self.query_one(SavedList).ask_to_save(lambda: search_box.value)

    async def action_saved_tab(self) -> None:
        await self.show_side_tab("tab-saved", SavedList)
        self.query_one(SavedList).reload()  # another session may have changed them

    async def action_timeline(self) -> None:
        await self.show_side_tab("tab-facets", TimelineChart)

    def action_similar(self) -> None:
        self.article_view.show_similar()
