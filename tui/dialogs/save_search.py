"""Name the current query to save it: the dialog behind ctrl+s."""

from __future__ import annotations

from typing import ClassVar

from newsdesk.index import SavedSearchError, check_saved_name
from newsdesk.tui.widgets.layout import clean_line
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

QUERY_CHARS = 200


class SaveSearchDialog(ModalScreen[str | None]):
    """Asks for a name; dismisses with it (checked), or None on Esc."""

    DEFAULT_CSS = """
    SaveSearchDialog { align: center middle; }
    #save-search-body { width: 70; max-width: 100%; height: auto; border: round $accent; padding: 0 1;
                        background: $panel; }
    #save-search-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="save_search.cancel"),
    ]

    def __init__(self, query: str, names_in_use: list[str]) -> None:
        super().__init__()
        self.query_text = query
        self.names_in_use = names_in_use

    def compose(self) -> ComposeResult:
        query = clean_line(self.query_text)
        if len(query) > QUERY_CHARS:
            query = query[: QUERY_CHARS - 1] + "…"
        with Vertical(id="save-search-body"):
            yield Static(Text("Save search", style="bold"))
            yield Static(Text(query, style="italic"))
            default = clean_line(self.query_text)[:60].strip()
            yield Input(default, placeholder="a name for this search", id="save-search-name")
            yield Static("", id="save-search-error")
            yield Static(Text("enter: save (a search of the same name is replaced) · esc: cancel", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#save-search-name", Input).focus()

    @on(Input.Submitted, "#save-search-name")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            name = check_saved_name(event.value)
        except SavedSearchError as exc:
            self.query_one("#save-search-error", Static).update(Text(str(exc)))
            return
        self.dismiss(name)
