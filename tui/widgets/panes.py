"""The three panes side by side and how they share the width: the list, the reader, the side panel.

It owns the main screen's layout, as classes on itself that tui/newsdesk.tcss
styles: ``narrow`` (under SINGLE_PANE_BELOW columns the list and the reader
take turns at full width), ``reading`` (narrow, with focus in the reader or the
panel), ``panel-hidden``, and ``article-open`` (once the reader has something
to show it takes the larger share). The panel shows from
``ui.side_panel_min_columns`` columns unless ``p`` forced it shown or hidden.
Its keys (``PANE_KEYS`` and ``PANEL_TAB_KEYS`` in tui/keys.py) are its own: Tab
moves focus from pane to pane, Esc back to the list, / to the search box, ``p``
shows or hides the panel, ``z`` and ``S`` open its timeline and saved-search
tabs. Every focusable widget of the main screen is inside it, so they work
wherever focus is, and the footer lists them after the focused pane's own.

The classes sit here rather than on the screen: a class change restyles every
widget under the node that changed, and nothing outside the panes depends on them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from newsdesk.tui.keys import PANE_KEYS, PANEL_TAB_KEYS
from newsdesk.tui.widgets.article_view import ArticleView
from newsdesk.tui.widgets.results_pane import ResultsPane
from newsdesk.tui.widgets.saved_list import SavedList
from newsdesk.tui.widgets.selectable_reader import SelectableReader
from newsdesk.tui.widgets.side_panel import SidePanel
from newsdesk.tui.widgets.timeline_chart import TimelineChart
from textual import on
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.events import DescendantFocus
from textual.widget import Widget
from textual.widgets import Input, TabbedContent

SINGLE_PANE_BELOW = 90
"""Narrower than this, the list and the reader take turns at full width."""
PANES = ("left", "reader", "side")
"""The ids of the three panes, left to right."""


class Panes(Horizontal):
    """The results pane, the article view and the side panel, laid out for the screen's width."""

    BINDINGS: ClassVar[list[BindingType]] = [*PANE_KEYS, *PANEL_TAB_KEYS]

    def __init__(
        self, *, panel_from_columns: int, keys_given_away: Collection[str] = (), id: str | None = None
    ) -> None:
        super().__init__(id=id)
        for key in keys_given_away:  # config.yaml gave them to one of the screen's keys (keymap.keys_given_away)
            self._bindings.key_to_bindings.pop(key, None)
        self.panel_from_columns = panel_from_columns
        """The side panel shows by itself on screens at least this wide (``ui.side_panel_min_columns``)."""
        self.panel_forced: bool | None = None
        """``p`` showed (True) or hid (False) the panel whatever the width; None: the width decides."""

    @property
    def panel_shown(self) -> bool:
        """The side panel is on screen."""
        return not self.has_class("panel-hidden")

    def pane_of(self, widget: Widget | None) -> str | None:
        """The id of the pane ``widget`` is in ("left", "reader", "side"), or None."""
        for node in widget.ancestors_with_self if widget is not None else ():
            if node.id in PANES:
                return node.id
        return None

    def fit(self, width: int) -> None:
        """Lay the panes out for a screen ``width`` columns wide."""
        narrow = width < SINGLE_PANE_BELOW
        self.set_class(narrow, "narrow")
        self.set_class(narrow and self.pane_of(self.screen.focused) in ("reader", "side"), "reading")
        roomy = width >= self.panel_from_columns
        shown = roomy if self.panel_forced is None else self.panel_forced
        self.set_class(not shown, "panel-hidden")
        self.query_one(ResultsPane).facets_wanted = shown

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # Only a narrow screen looks different while reading, and a class change restyles
        # every pane (~30 ms), so leave it alone otherwise.
        reading = self.has_class("narrow") and self.pane_of(event.widget) in ("reader", "side")
        if reading != self.has_class("reading"):
            self.set_class(reading, "reading")

    @on(ArticleView.Opened)
    def _article_opened(self) -> None:
        # An article is in the reader: from now on the reader takes the larger share.
        if not self.has_class("article-open"):  # once: the class change restyles every pane
            self.add_class("article-open")

    def action_toggle_panel(self) -> None:
        """Show the side panel (focused, with the current search's facets) or hide it."""
        shown = not self.panel_shown
        self.panel_forced = shown
        self.fit(self.screen.size.width)
        results = self.query_one(ResultsPane)
        if shown:
            self.query_one(SidePanel).active_list().focus()
            if results.search_box.value.strip():
                results.refresh_results()  # for its facets
        elif self.pane_of(self.screen.focused) == "side":
            self.query_one(SelectableReader).focus()

    def show_tab(self, tab: str, widget: type[Widget]) -> None:
        """Show the side panel (if hidden) on ``tab`` and focus ``widget`` in it."""
        if not self.panel_shown:
            self.action_toggle_panel()
        self.query_one("#side-tabs", TabbedContent).active = tab
        self.query_one(widget).focus()

    def action_timeline(self) -> None:
        """Show and focus the timeline (``z``)."""
        self.show_tab("tab-facets", TimelineChart)

    def action_saved_tab(self) -> None:
        """Show and focus the saved searches (``S``), counted again."""
        self.show_tab("tab-saved", SavedList)
        self.query_one(SavedList).reload()  # another session may have changed them

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "focus_search" and isinstance(self.screen.focused, Input))  # "/" is typed there

    def action_focus_search(self) -> None:
        """Focus the search box ("/")."""
        # At once, not after the queued keys: "/pak" typed in one burst must land in the box.
        self.screen.set_focus(self.query_one(ResultsPane).search_box)

    def action_back(self) -> None:
        """Focus the list (Esc); on the list, forget an Enter still waiting for its answer."""
        # Back always ends on the list, never in the search box: from the list, Esc used to
        # go on to the box, so "Esc Esc q" typed a query "q" (restored at the next start)
        # instead of quitting. "/" goes to the box.
        # set_focus, not focus(): the keys typed right after Esc (a burst) go to the new pane.
        article_list = self.query_one(ResultsPane).article_list
        if self.screen.focused is not article_list:
            self.screen.set_focus(article_list)
        else:  # Esc right after Enter on the list, before the answer: it opens nothing later
            article_list.forget_open()

    def action_cycle(self, direction: int) -> None:
        """Focus the next pane (``direction`` 1) or the previous one (-1): box, list, reader, panel."""
        results = self.query_one(ResultsPane)
        panes: list[Widget] = [results.search_box, results.article_list, self.query_one(SelectableReader)]
        if self.panel_shown:
            panes.append(self.query_one(SidePanel).active_list())
        focused = self.screen.focused
        current = self.pane_of(focused)
        names = [self.pane_of(p) for p in panes]
        if focused in panes:
            index = panes.index(focused)
        elif current in names:
            index = names.index(current)
        else:
            index = 0
        panes[(index + direction) % len(panes)].focus()
