"""The main screen: search and list on the left, the reader in the centre, the side panel on the right.

The screen composes the panes and routes between them: each widget owns its
state and its workers (see ARCHITECTURE.md), reports up with messages, and the
handlers here pass the news on to the widget that shows it. The layout (narrow,
reading, panel shown) and the keys that move focus are the ``Panes`` container's;
the screen's keys are those for a pane focus need not be in. It keeps no state of
its own beyond what it was opened with.
"""

from __future__ import annotations

import contextlib
from typing import ClassVar

from newsdesk.index import Config, Library
from newsdesk.tui.keymap import keys_given_away
from newsdesk.tui.keys import ANNOTATION_KEYS, ENTITY_KEYS, EVERYWHERE_KEYS, STORY_KEYS
from newsdesk.tui.messages import Narrow, OpenArticle, PanelNews, PanelRequest, StatusNews
from newsdesk.tui.part import Part
from newsdesk.tui.screens.all_annotations import AllAnnotationsScreen
from newsdesk.tui.state import CorpusState
from newsdesk.tui.web.ready import announce_ready
from newsdesk.tui.widgets.annotation_editor import AnnotationEditor
from newsdesk.tui.widgets.article_list import ArticleList
from newsdesk.tui.widgets.article_view import ArticleView
from newsdesk.tui.widgets.corpus_watcher import CorpusWatcher
from newsdesk.tui.widgets.footer import KeyHints
from newsdesk.tui.widgets.panes import Panes
from newsdesk.tui.widgets.results_pane import ResultsPane
from newsdesk.tui.widgets.saved_list import SavedList
from newsdesk.tui.widgets.search_box import SearchBox
from newsdesk.tui.widgets.selectable_reader import SelectableReader
from newsdesk.tui.widgets.side_panel import SidePanel
from newsdesk.tui.widgets.status_bar import StatusBar
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.css.query import NoMatches
from textual.events import Resize
from textual.screen import Screen


class MainScreen(Screen):
    """The reader's one working screen."""

    # Keys for a pane that focus need not be in; the keys that move focus are Panes'. The footer
    # lists these in this order, after the focused pane's and Panes' own.
    BINDINGS: ClassVar[list[BindingType]] = [*STORY_KEYS, *ENTITY_KEYS, *ANNOTATION_KEYS, *EVERYWHERE_KEYS]

    # The panes and widgets the handlers below route to.
    results = Part(ResultsPane)
    search_box = Part(SearchBox)
    article_list = Part(ArticleList)
    article_view = Part(ArticleView)
    reader = Part(SelectableReader)
    editor = Part(AnnotationEditor)
    watcher = Part(CorpusWatcher)
    panes = Part(Panes)
    side_panel = Part(SidePanel)
    saved_list = Part(SavedList)
    status_bar = Part(StatusBar)

    def __init__(
        self, library: Library, config: Config, restore: CorpusState, *, index_on_start: bool = True, watch: bool = True
    ) -> None:
        super().__init__()
        self.library = library
        self.config = config
        self.restore = restore
        self.index_on_start = index_on_start
        self.watching = watch and config.ui.watch_seconds > 0

    def compose(self) -> ComposeResult:
        ui = self.config.ui
        yield StatusBar(id="status")
        # A key config.yaml gave to one of this screen's bindings is no longer Panes' (they were one node's).
        given_away = keys_given_away(Panes.BINDINGS, self.BINDINGS, self.app._keymap)
        with Panes(panel_from_columns=ui.side_panel_min_columns, keys_given_away=given_away, id="body"):
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

    def on_mount(self) -> None:
        self.side_panel.styles.width = self.config.ui.side_panel_width
        self.status_bar.corpus_name = self.library.name
        open_now = self.results.restore(self.restore)
        self.saved_list.reload()
        if open_now is not None:
            self._open(open_now)
        self.article_list.focus()
        # Under `newsdesk serve` the server holds the tab's keys until this screen exists.
        self.call_after_refresh(announce_ready, self.app)
        self.watcher.start(index_now=self.index_on_start)

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

    def on_resize(self, event: Resize) -> None:
        # Here, not in Panes: the screen hears of a new size before the layout is drawn for it.
        self.panes.fit(event.size.width)

    # -- news from one pane for another ------------------------------------------------
    @on(OpenArticle)  # ArticleList.Selected included
    def _open(self, request: OpenArticle) -> None:
        # Here, since the reader highlights the matches of the query the results pane shows.
        self.side_panel.expect_notes(request.article_id, request.serial)  # the Notes tab's keys wait for its notes
        self.article_view.open(request, self.results.matcher)

    @on(ArticleView.Opened)
    def _opened(self, message: ArticleView.Opened) -> None:
        self.side_panel.show_entities(message.mentions)
        self.results.show_open(message.article.id)

    @on(StatusNews)
    def _status_news(self, news: StatusNews) -> None:
        self.status_bar.show(news)
        if news.indexing is not None:
            self.results.indexing = news.indexing  # an empty list then says "indexing…"

    @on(PanelNews)
    def _panel_news(self, news: PanelNews) -> None:
        self.side_panel.show(news)

    @on(PanelRequest)
    def _panel_request(self, request: PanelRequest) -> None:
        self.article_view.answer(request)

    @on(Narrow)
    def _narrow(self, request: Narrow) -> None:
        self.results.narrow(request)

    @on(SavedList.Run)
    def _run_saved(self, message: SavedList.Run) -> None:
        # A saved query means what it says: set_query runs it as written, never as a prefix.
        self.search_box.set_query(message.query)

    @on(ResultsPane.Counted)
    def _counted(self, message: ResultsPane.Counted) -> None:
        self.watcher.article_count = message.total

    @on(ResultsPane.IndexDamaged)
    def _index_damaged(self) -> None:
        self.watcher.heal()  # rebuilt from the store; the list follows when it is done

    @on(AnnotationEditor.Indexed)
    def _annotations_indexed(self) -> None:
        self.watcher.check_index()

    @on(CorpusWatcher.Indexed)
    def _indexed(self, message: CorpusWatcher.Indexed) -> None:
        if message.list_stale:
            self.results.refresh_results()
        self.saved_list.reload()

    @on(CorpusWatcher.IndexChanged)
    def _index_changed(self) -> None:
        self.results.refresh_results()
        self.saved_list.reload()  # another session's update may bring new matches: the header counts them

    # -- actions: the screen's keys of tui/keys.py, passed on to the widget concerned ------
    def action_neighbour(self, delta: int) -> None:
        # From the side panel (going through the Notes tab article by article) the focus stays
        # there: had the reader taken it once the article loaded, keys typed right after ] in a
        # burst went to the list or to the reader by how fast the article loaded ("d ] d").
        focused = self.app.focused
        in_panel = focused is not None and self.side_panel in focused.ancestors_with_self
        made = OpenArticle.made
        if self.results.open_neighbour(delta, focus=not in_panel):
            # At once, before the next key of a burst reaches the Notes tab (KeyOrder): the request
            # naming the article may yet wait for its page of the list. Requests made before it
            # (an earlier ]'s, still on its way to this screen) no longer say what the keys wait for.
            self.side_panel.expect_notes(None, made + 1)

    def action_annotations_view(self) -> None:
        """Every annotation in the corpus; the one picked opens in the reader, and the Notes tab's
        keys typed behind the pick act on it (not on the first note of its article)."""
        # Picked from the side panel (the Notes tab), the focus stays there, as for ]: had the reader
        # taken it once the article loaded, the keys typed behind the pick went to the Notes tab or to the
        # reader by how fast the article loaded (red team: d did nothing, j scrolled the reader).
        focused = self.app.focused
        in_panel = focused is not None and self.side_panel in focused.ancestors_with_self

        def picked(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            article_id, annotation_id = choice
            self.editor.go_to(article_id, annotation_id)
            request = OpenArticle(article_id, focus=not in_panel)
            # At once, as for ], before a key typed behind the pick reaches the Notes tab, which highlights
            # the pick in its turn among the keys it holds.
            self.side_panel.expect_notes(article_id, request.serial, pick=annotation_id)
            self.post_message(request)

        self.app.push_screen(AllAnnotationsScreen(self.library), picked)

    def action_toggle_entities(self) -> None:
        self.article_view.toggle_entities()

    def action_toggle_entity_type(self, entity_type: str) -> None:
        self.article_view.toggle_entity_type(entity_type)

    def action_save_search(self) -> None:
        search_box = self.search_box
        self.saved_list.ask_to_save(lambda: search_box.value)

    def action_similar(self) -> None:
        self.article_view.show_similar()
