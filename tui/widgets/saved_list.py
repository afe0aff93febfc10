"""The Saved tab: the user's saved searches with their totals and, in bold, what is new.

The list owns the saved searches' workers: counting every search's total and
new matches reads the index, and adding, marking seen or removing one writes a
file, so both run in thread workers and come back as messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from newsdesk.index import NewsdeskError, SavedOverview, SavedSearches, SavedSearchStatus
from newsdesk.tui.dialogs.save_search import SaveSearchDialog
from newsdesk.tui.leave import SAVES
from newsdesk.tui.messages import StatusNews, forward_worker_failure
from newsdesk.tui.widgets.layout import clean_line
from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option
from textual.worker import Worker


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


class SavedList(OptionList):
    """One line per saved search; Enter runs it (and marks it seen), ``d`` removes it."""

    new_articles: reactive[int] = reactive(0)
    """New matches across all saved searches, as last counted (kept when a recount fails)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="saved.down"),
        Binding("k", "cursor_up", "Up", show=False, id="saved.up"),
        Binding("enter", "select", "Run saved search", id="saved.run"),
        Binding("d", "remove", "Remove saved search", id="saved.remove"),
    ]

    @dataclass
    class Run(Message):
        """Run this saved search and mark its matches seen."""

        name: str
        query: str

    def watch_new_articles(self, count: int) -> None:
        self.post_message(StatusNews(saved_new=count))

    def ask_to_save(self, current_query: Callable[[], str]) -> None:
        """Ask for a name and save ``current_query()`` under it (ctrl+s)."""

        # The dialog opens at once so the keys typed after ctrl+s go to it; it reads the query
        # when the name is entered, after the search box has taken the keys typed before.
        def saved(entered: tuple[str, str] | None) -> None:
            if entered is None:
                return
            name, query = entered
            if query:
                self.change("add", name, query)
            else:
                self.notify("Type a query first: ctrl+s saves the current search.", timeout=3)

        self.app.push_screen(SaveSearchDialog(current_query), saved)

    def __init__(self, saved: SavedSearches, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.saved = saved
        self.searches: list[SavedSearchStatus] = []

    @work(thread=True, exclusive=True, group="saved", exit_on_error=False)
    def reload(self) -> None:
        """Count every saved search's total and new matches."""
        try:
            overview = self.saved.overview()
        except NewsdeskError as exc:
            self.post_message(SavedLoaded(None, str(exc)))
            return
        self.post_message(SavedLoaded(overview))

    @work(thread=True, group="saved-write", exit_on_error=False)
    def change(self, action: str, name: str, query: str = "") -> None:
        """Add (``"add"``), mark seen (``"seen"``) or remove (``"remove"``) one saved search, then recount."""
        try:
            with SAVES.saving():
                if action == "add":
                    self.saved.add(name, query)
                    done = f"Saved search {name!r}."
                elif action == "seen":
                    self.saved.mark_seen(name)
                    done = ""
                else:
                    self.saved.remove(name)
                    done = f"Removed saved search {name!r}."
        except NewsdeskError as exc:
            self.post_message(SavedChanged("", str(exc)))
            return
        self.post_message(SavedChanged(done))

    @on(SavedLoaded)
    def _loaded(self, message: SavedLoaded) -> None:
        if message.overview is not None:
            self.new_articles = message.overview.new_articles
        self.show_overview(message.overview, message.error)

    @on(SavedChanged)
    def _changed(self, message: SavedChanged) -> None:
        if message.error:
            self.notify(message.error, severity="error", markup=False)
        elif message.done:
            self.notify(message.done, timeout=3, markup=False)
        self.reload()

    def show_overview(self, overview: SavedOverview | None, error: str | None = None) -> None:
        """List the saved searches (or the one-line reason they cannot be read)."""
        highlighted = self.highlighted
        self.searches = overview.searches if overview is not None else []
        self.clear_options()
        if error is not None:
            self.add_option(Option(Text(clean_line(error), style="bold red"), disabled=True))
            return
        if not self.searches:
            self.add_option(
                Option(Text("No saved searches: ctrl+s saves the current query.", style="dim"), disabled=True)
            )
            return
        options = []
        for index, status in enumerate(self.searches):
            text = Text(clean_line(status.name))
            if status.error:
                text.append(f"  {clean_line(status.error)}", style="red")
            else:
                text.append(f"  {status.total:,}", style="dim")
                if status.new:
                    text.append(f"  {status.new:,} new", style="bold")
            options.append(Option(text, id=f"saved-{index}"))
        self.add_options(options)
        self.highlighted = highlighted if highlighted is not None and highlighted < self.option_count else 0

    def _current(self) -> SavedSearchStatus | None:
        if self.highlighted is None or not self.searches:
            return None
        option_id = self.get_option_at_index(self.highlighted).id or ""
        index = int(option_id.removeprefix("saved-")) if option_id.startswith("saved-") else -1
        return self.searches[index] if 0 <= index < len(self.searches) else None

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        current = self._current()
        if current is not None:
            self.post_message(self.Run(current.name, current.query))
            self.change("seen", current.name)

    def action_remove(self) -> None:
        current = self._current()
        if current is not None:
            self.change("remove", current.name)
            # Off the list at once: a second d (in a burst, or before the recount) is for the next
            # search, not this one again. The recount after the removal shows the file as it is.
            if self.highlighted is not None:
                self.remove_option_at_index(self.highlighted)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_worker_failure(self, event)
