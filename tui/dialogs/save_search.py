"""Name the current query to save it: the dialog behind ctrl+s."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from newsdesk.index import SavedSearchError, check_saved_name
from newsdesk.tui.widgets.layout import clean_line
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

QUERY_CHARS = 200
DEFAULT_NAME_CHARS = 60


class SaveSearchDialog(ModalScreen[tuple[str, str] | None]):
    """Asks for a name; dismisses with (name, query), or None on Esc. A blank name uses the query."""

    DEFAULT_CSS = """
    SaveSearchDialog { align: center middle; }
    #save-search-body { width: 70; max-width: 100%; height: auto; border: round $accent; padding: 0 1;
                        background: $panel; }
    #save-search-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="save_search.cancel"),
    ]

    def __init__(self, query: Callable[[], str]) -> None:
        super().__init__()
        self.current_query = query

    def compose(self) -> ComposeResult:
        with Vertical(id="save-search-body"):
            yield Static(Text("Save search", style="bold"))
            yield Static(id="save-search-query")
            name_box = Input(placeholder="a name (enter alone: the query itself)", id="save-search-name")
            # Never focused: every key comes to this screen first, in the order typed, and is
            # passed on from here (a box that takes focus on mount would let the keys typed
            # in one burst after ctrl+s overtake the ones before it).
            name_box.can_focus = False
            yield name_box
            yield Static("", id="save-search-error")
            yield Static(Text("enter: save (a search of the same name is replaced) · esc: cancel", style="dim"))

    def on_mount(self) -> None:
        self.call_after_refresh(self._show_query)

    def _show_query(self) -> None:
        query = clean_line(self.current_query())
        if len(query) > QUERY_CHARS:
            query = query[: QUERY_CHARS - 1] + "…"
        self.query_one("#save-search-query", Static).update(Text(query or "(no query yet)", style="italic"))

    def on_key(self, event: events.Key) -> None:
        # Each key goes into the box's own queue, so they keep the order they were typed in.
        name_box = self.query_one("#save-search-name", Input)
        bindings = name_box._bindings.key_to_bindings.get(event.key, ())
        if bindings:
            event.stop()
            name_box.call_later(self.app.run_action, bindings[0].action, name_box)
        elif event.is_printable and event.character:
            event.stop()
            name_box.post_message(events.Key(event.key, event.character))

    @on(Input.Submitted, "#save-search-name")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        query = self.current_query().strip()
        self._show_query()
        value = event.value if event.value.strip() else clean_line(query)[:DEFAULT_NAME_CHARS]
        try:
            name = check_saved_name(value)
        except SavedSearchError as exc:
            self.query_one("#save-search-error", Static).update(Text(str(exc)))
            return
        self.dismiss((name, query))
