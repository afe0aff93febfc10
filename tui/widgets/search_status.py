"""The line above the article list: what the list holds, and whether it is still the answer.

The list is never left looking current while a newer query is being searched
or has failed: the line says "searching…" or names the older query the list
still shows, and the results pane dims the list meanwhile.
"""

from __future__ import annotations

from newsdesk.tui.widgets.layout import clean_line
from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.widget import Widget

QUERY_SHOWN_CHARS = 24
"""An older query named in the line is cut to this many characters."""


def _quoted(query: str) -> str:
    query = clean_line(query)
    if len(query) > QUERY_SHOWN_CHARS:
        query = query[: QUERY_SHOWN_CHARS - 1] + "…"
    return f"“{query}”"


def _results(total: int, exact: bool) -> str:
    return f"{'' if exact else 'about '}{total:,} result{'s' if total != 1 else ''}"


class SearchStatus(Widget):
    """Says what the list shows: all articles, a query's hits (maybe still counting), or an older answer."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown_query: str | None = None
        """The query whose answer the list shows (None: all articles)."""
        self._note = ""
        self._shorter: tuple[str, ...] = ()
        """Shorter forms of the note, shown in this order when it does not fit."""

    def browsing(self, total: int, indexing: bool) -> None:
        """The list shows every article."""
        self.shown_query = None
        self._show(f"{total:,} articles" if total or not indexing else "indexing…", stale=False, busy=False)

    def searching(self) -> None:
        """A newer query is running; the list still shows the older answer."""
        self._show("searching…" + self._older(), stale=True, busy=True)

    def failed(self) -> None:
        """The newest query could not run (its error is shown elsewhere); the list shows an older answer."""
        self._show(self._older().removeprefix(" · ") or "", stale=True, busy=False)

    def hits(
        self,
        query: str,
        total: int,
        exact: bool,
        *,
        counting: bool,
        typed: str,
        suggestion: str | None = None,
        stories: int | None = None,
    ) -> None:
        """The list shows ``query``'s hits; ``counting`` while the exact total and facets are on their way.

        ``stories``: how many items the list holds when reprints are folded into one (fewer than ``total``).
        """
        self.shown_query = query
        count = text = _results(total, exact)
        if stories is not None and stories < total:
            text += f" in {stories:,} {'story' if stories == 1 else 'stories'}"
        if query != typed:  # the last word ran as a prefix
            text += f" for {clean_line(query.split()[-1])[-QUERY_SHOWN_CHARS:]}"
        shorter: tuple[str, ...] = ()
        if counting:
            text += " · counting…"
        elif suggestion:
            # The suggestion is what the line is for: when the line is too narrow, the rest gives way first.
            did_you_mean = f"did you mean: {clean_line(suggestion)}"
            text += f" · {did_you_mean}"
            shorter = (f"{count} · {did_you_mean}", did_you_mean, f"try: {clean_line(suggestion)}")
        self._show(text, stale=False, busy=counting, shorter=shorter)

    def _older(self) -> str:
        if self.shown_query is None:
            return " · list: all articles"
        return f" · list still shows {_quoted(self.shown_query)}"

    def render(self) -> Text:
        width = self.content_region.width
        if width <= 0:  # hidden (a narrow screen while reading): nothing to fit
            return Text(self._note, no_wrap=True)
        note = next((text for text in (self._note, *self._shorter) if cell_len(text) <= width), None)
        if note is None:  # nothing fits whole: cut the shortest at the edge, never at a word before it
            note = self._shorter[-1] if self._shorter else self._note
            return Text(set_cell_size(note, max(0, width - 1)) + "…", no_wrap=True)
        return Text(note, no_wrap=True)

    def _show(self, text: str, *, stale: bool, busy: bool, shorter: tuple[str, ...] = ()) -> None:
        if stale != self.has_class("-stale") or busy != self.has_class("-busy"):
            # One restyle for both classes (the line's first answer changes both), not one each.
            self.set_class(stale, "-stale", update=False)
            self.set_class(busy, "-busy", update=False)
            self.update_node_styles()
        if text != self._note or shorter != self._shorter:  # every key of a burst says "searching…": redraw once
            self._note, self._shorter = text, shorter
            self.refresh()  # one line of fixed height: no layout pass (a Static's update does one)
