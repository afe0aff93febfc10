"""The keys that work wherever focus is on the main screen, in groups by feature, as ? lists them.

Each group belongs to the node whose actions it runs. ``PANE_KEYS`` and
``PANEL_TAB_KEYS`` are the ``Panes`` container's own (focus and the side panel's
tabs are its business, and every focusable widget of the screen is inside it, so
its bindings fire wherever focus is). The rest are the main screen's: their
actions concern a pane that focus need not be in (``e`` works from the list),
so the screen passes them on to the widget concerned. ``KEY_TABLE`` in app.py
lists each group under its title, with the node it runs on.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

PANE_KEYS: list[BindingType] = [
    # Priority, so "/" focuses the box before the keys typed right after it arrive (a burst
    # over SSH); Panes.check_action lets it through as a character while a text box has focus.
    Binding("slash", "focus_search", "Search", id="app.search", priority=True),
    Binding("escape", "back", "Back", show=False, id="app.back"),
    Binding("tab", "cycle(1)", "Next pane", show=False, id="app.next_pane"),
    Binding("shift+tab", "cycle(-1)", "Previous pane", show=False, id="app.prev_pane"),
    Binding("p", "toggle_panel", "Panel", id="app.toggle_panel"),
]
"""Moving focus between the panes, and the side panel shown or hidden (``Panes``)."""
PANEL_TAB_KEYS: list[BindingType] = [
    Binding("z", "timeline", "Timeline", id="timeline.focus"),
    Binding("S", "saved_tab", "Saved searches", show=False, id="saved.tab"),
]
"""The side panel's timeline and saved-search tabs, shown and focused (``Panes``)."""
EVERYWHERE_KEYS: list[BindingType] = [
    Binding("left_square_bracket", "neighbour(-1)", "Prev article", show=False, id="app.prev_article"),
    Binding("right_square_bracket", "neighbour(1)", "Next article", show=False, id="app.next_article"),
    Binding("T", "app.change_theme", "Theme", show=False, id="app.theme"),
    Binding("question_mark", "app.help", "Help", id="app.help"),
    Binding("q", "app.quit", "Quit", id="app.quit"),
]
"""Moving between articles, theme, help and quitting (the screen's, or the app's through it)."""
ANNOTATION_KEYS: list[BindingType] = [
    Binding("A", "annotations_view", "All annotations", id="annotations.view"),
]
ENTITY_KEYS: list[BindingType] = [
    Binding("e", "toggle_entities", "Entities", id="entities.toggle"),
    Binding("1", "toggle_entity_type('PERSON')", "People", show=False, id="entities.person"),
    Binding("2", "toggle_entity_type('ORG')", "Organisations", show=False, id="entities.org"),
    Binding("3", "toggle_entity_type('PLACE')", "Places", show=False, id="entities.place"),
]
STORY_KEYS: list[BindingType] = [
    # priority: checked before the focused search box takes the keys typed after it (see test_story_tmux)
    Binding("ctrl+s", "save_search", "Save search", id="saved.save", priority=True),
    Binding("m", "similar", "Similar articles", show=False, id="similar.open"),
]
"""Saving the current search, and the open article's similar articles."""
