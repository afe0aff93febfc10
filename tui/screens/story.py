"""The main screen's story features: saved searches (Saved tab, ctrl+s), the timeline (z), similar articles (m)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from newsdesk.index import NewsdeskError, SavedOverview, SimilarArticle
from newsdesk.tui.dialogs.save_search import SaveSearchDialog
from newsdesk.tui.dialogs.similar import SimilarDialog
from newsdesk.tui.screens.jobs import LibraryJobs
from newsdesk.tui.widgets.results_pane import ResultsPane
from newsdesk.tui.widgets.saved_list import SavedList
from newsdesk.tui.widgets.search_box import SearchBox
from newsdesk.tui.widgets.timeline_chart import TimelineChart
from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, TabbedContent


@dataclass
class SavedLoaded(Message):
    """The saved searches with their counts (or why they could not be read)."""

    overview: SavedOverview | None
    error: str | None = None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SavedLoaded)


@dataclass
class SavedChanged(Message):
    """A saved search was added, seen or removed (``error``: it was not)."""

    done: str
    error: str | None = None


@dataclass
class SimilarLoaded(Message):
    """Articles like the open one (or why they could not be found)."""

    title: str
    found: list[SimilarArticle]
    error: str | None = None


class StoryActions(LibraryJobs):
    """Saved searches and the timeline, mixed into the main screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: checked before the focused search box takes the keys typed after it (see test_story_tmux)
        Binding("ctrl+s", "save_search", "Save search", id="saved.save", priority=True),
        Binding("z", "timeline", "Timeline", id="timeline.focus"),
        Binding("S", "saved_tab", "Saved searches", show=False, id="saved.tab"),
        Binding("m", "similar", "Similar articles", show=False, id="similar.open"),
    ]

    saved_overview: SavedOverview | None = None

    # -- status line ----------------------------------------------------------------
    def saved_note(self) -> str:
        """For the status line: how many new articles wait across saved searches."""
        overview = self.saved_overview
        if overview is None or not overview.new_articles:
            return ""
        count = overview.new_articles
        return f"{count:,} new in saved searches"

    def _update_status(self) -> None:
        raise NotImplementedError

    # -- saved searches -------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="saved", exit_on_error=False)
    def load_saved(self) -> None:
        """Count every saved search's total and new matches."""
        try:
            overview = self.library.saved.overview()
        except NewsdeskError as exc:
            self.post_message(SavedLoaded(None, str(exc)))
            return
        self.post_message(SavedLoaded(overview))

    @work(thread=True, group="saved-write", exit_on_error=False)
    def change_saved(self, action: str, name: str, query: str = "") -> None:
        """Add, mark seen or remove one saved search, then recount."""
        saved = self.library.saved
        try:
            if action == "add":
                saved.add(name, query)
                done = f"Saved search {name!r}."
            elif action == "seen":
                saved.mark_seen(name)
                done = ""
            else:
                saved.remove(name)
                done = f"Removed saved search {name!r}."
        except NewsdeskError as exc:
            self.post_message(SavedChanged("", str(exc)))
            return
        self.post_message(SavedChanged(done))

    @on(SavedLoaded)
    def _saved_loaded(self, message: SavedLoaded) -> None:
        if message.overview is not None or self.saved_overview is None:
            self.saved_overview = message.overview
        self.query_one(SavedList).show_overview(message.overview, message.error)
        self._update_status()

    @on(SavedChanged)
    def _saved_changed(self, message: SavedChanged) -> None:
        if message.error:
            self.notify(message.error, severity="error", markup=False)
        elif message.done:
            self.notify(message.done, timeout=3, markup=False)
        self.load_saved()

    @on(SavedList.Run)
    def _run_saved(self, message: SavedList.Run) -> None:
        # A saved query means what it says: set_query runs it as written, never as a prefix.
        self.query_one("#search", SearchBox).set_query(message.query)
        self.change_saved("seen", message.name)

    @on(SavedList.Remove)
    def _remove_saved(self, message: SavedList.Remove) -> None:
        self.change_saved("remove", message.name)

    def action_save_search(self) -> None:
        # The dialog opens at once so the keys typed after ctrl+s go to it; it reads the query
        # when the name is entered, after the search box has taken the keys typed before.
        search_box = self.query_one("#search", Input)

        def saved(entered: tuple[str, str] | None) -> None:
            if entered is None:
                return
            name, query = entered
            if query:
                self.change_saved("add", name, query)
            else:
                self.notify("Type a query first: ctrl+s saves the current search.", timeout=3)

        self.app.push_screen(SaveSearchDialog(lambda: search_box.value), saved)

    async def action_saved_tab(self) -> None:
        await self.show_side_tab("tab-saved", SavedList)
        self.load_saved()  # another session may have changed them

    async def show_side_tab(self, tab: str, widget: type[Widget]) -> None:
        """Show the side panel (if hidden) on ``tab`` and focus ``widget`` in it."""
        if self.has_class("panel-hidden"):
            await self.run_action("toggle_panel")  # awaited: unawaited, the panel stayed hidden
        self.query_one("#side-tabs", TabbedContent).active = tab
        self.query_one(widget).focus()

    # -- similar articles ------------------------------------------------------------------
    def action_similar(self) -> None:
        article = self.query_one("#reader").article  # type: ignore[attr-defined]
        if article is None:
            self.notify("Open an article first: m lists the articles like it.", timeout=3)
            return
        self.find_similar(article.id, article.title)

    @work(thread=True, exclusive=True, group="similar", exit_on_error=False)
    def find_similar(self, article_id: str, title: str) -> None:
        """Articles like ``article_id``: reprints first."""
        try:
            found = self.library.similar(article_id, limit=30)
        except NewsdeskError as exc:
            self.post_message(SimilarLoaded(title, [], str(exc)))
            return
        self.post_message(SimilarLoaded(title, found))

    @on(SimilarLoaded)
    def _similar_loaded(self, message: SimilarLoaded) -> None:
        if message.error:
            self.notify(message.error, severity="error", markup=False)
            return

        def picked(article_id: str | None) -> None:
            if article_id is not None:
                self.open_article(article_id)

        self.app.push_screen(SimilarDialog(message.title, message.found), picked)

    def open_article(self, article_id: str) -> None:
        raise NotImplementedError

    # -- timeline -------------------------------------------------------------------------
    async def action_timeline(self) -> None:
        await self.show_side_tab("tab-facets", TimelineChart)

    @on(ResultsPane.TimelineChanged)
    def _timeline_changed(self, message: ResultsPane.TimelineChanged) -> None:
        self.query_one(TimelineChart).show_timeline(message.timeline, pending=message.pending)

    @on(Input.Changed, "#search")
    def _timeline_cleared(self, event: Input.Changed) -> None:
        if not event.value.strip():
            self.query_one(TimelineChart).show_timeline(None)

    @on(TimelineChart.Narrow)
    def _narrow_to_period(self, message: TimelineChart.Narrow) -> None:
        self.query_one(ResultsPane).narrow(message.clause, group=True)
        self.query_one("#list").focus()
