"""The Saved tab: the user's saved searches with their totals and, in bold, what is new."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from newsdesk.index import SavedOverview, SavedSearchStatus
from newsdesk.tui.widgets.layout import clean_line
from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class SavedList(OptionList):
    """One line per saved search; Enter runs it (and marks it seen), ``d`` removes it."""

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

    @dataclass
    class Remove(Message):
        """Forget this saved search."""

        name: str

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.searches: list[SavedSearchStatus] = []

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

    def action_remove(self) -> None:
        current = self._current()
        if current is not None:
            self.post_message(self.Remove(current.name))
