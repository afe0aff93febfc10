"""The search box: an Input that says whether its text is being typed or was set whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual import events, on
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input


class SearchBox(Input):
    """Typing searches as you go (the last word as a prefix); Enter runs the query as written."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Results", id="search.submit"),
        Binding("down", "results", "Results", show=False, id="search.results"),
    ]

    # Input sets its virtual size (the text's width) on every key, and Widget's virtual size asks for a
    # layout of the whole screen: a reflow and a repaint of every widget once a burst of keys, for a box
    # whose size never changes (its CSS width and height are fixed). Input asks for the layout itself when
    # its size is "auto"; the horizontal scrolling reads the virtual size directly.
    virtual_size = Reactive(Size(0, 0), layout=False, repaint=True)

    @dataclass
    class Query(Message):
        """The query text changed. ``typing`` while a person types it; False when it was set whole."""

        box: SearchBox
        text: str
        typing: bool

        def can_replace(self, message: Message) -> bool:
            # Only the newest text matters; older ones queued behind it need no search.
            return isinstance(message, SearchBox.Query) and message.box is self.box

    @dataclass
    class ToResults(Message):
        """The user asked to go to the results (Down) without changing the query."""

        box: SearchBox

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._set_whole: str | None = None
        self.submit_now: Callable[[str], None] | None = None
        """Runs Enter's query and moves the focus to the results, while Enter is handled (set by the
        results pane): Submitted reached the pane only after the keys typed behind Enter had been
        delivered, so `harbor Enter G` in one burst typed the G into the box (red team)."""

    def set_query(self, text: str) -> None:
        """Replace the text as a finished query (a restored session, a facet filter): no prefix."""
        if text == self.value:
            self.post_message(self.Query(self, text, typing=False))
            return
        self._set_whole = text
        self.value = text

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input is not self:
            return
        typing = event.value != self._set_whole
        self._set_whole = None
        self.post_message(self.Query(self, event.value, typing))

    def _on_paste(self, event: events.Paste) -> None:
        # Input draws a control character as two cells ("^[") but counts it as one, so a pasted escape
        # sequence shifted the text under the cursor and drew past the box; a query has no use for them.
        event.prevent_default()  # Input's own handler would insert the text as pasted
        event.stop()
        text = pasted_query(event.text)
        if text:
            super()._on_paste(events.Paste(text))

    def on_resize(self, event: events.Resize) -> None:
        # Input keeps its sideways scroll across a resize: a box made narrower (a wider terminal gives the
        # side panel room, so the list's column shrinks) hid the cursor at the end of a long query.
        self.scroll_to_region(Region(self._cursor_offset, 0, 1, 1), force=True, animate=False, immediate=True)

    async def action_submit(self) -> None:
        if self.submit_now is None:
            await super().action_submit()
            return
        self.submit_now(self.value)

    def action_results(self) -> None:
        self.post_message(self.ToResults(self))


def pasted_query(text: str) -> str:
    """What a paste puts in the search box: its first line, spaces for tabs and the like, nothing unprintable."""
    line = text.splitlines()[0] if text else ""
    return "".join(" " if c.isspace() else c for c in line if c.isprintable() or c.isspace())
