"""Red-team findings on Panes owning the keys that move focus (/ Esc Tab p z S): they must work
wherever the user can be, as they did when they were the main screen's."""

from __future__ import annotations

from pathlib import Path

import pytest
from newsdesk.index import Config
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import NewsdeskApp, close_library, make_app
from newsdesk.tui.dialogs.similar import SimilarDialog
from newsdesk.tui.messages import WorkerFailed
from newsdesk.tui.screens.all_annotations import AllAnnotationsScreen
from newsdesk.tui.widgets.article_list import ArticleList
from newsdesk.tui.widgets.search_box import SearchBox

from tests.tui.conftest import settle, toasts


async def test_a_resize_that_hides_the_focused_side_panel_leaves_the_keys_working(demo_app: NewsdeskApp) -> None:
    # The panel shows from 120 columns; at 80 it hides. Focus was in it (z: the timeline), and a
    # hidden widget loses focus: with focus nowhere, Panes' keys (its BINDINGS) never fired, so
    # "/" and Esc did nothing, as if the reader had hung.
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert demo_app.focused is not None
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(demo_app.focused, ArticleList)
        await pilot.press("slash", "a")
        await settle(pilot)
        assert isinstance(demo_app.focused, SearchBox)
        assert demo_app.focused.value == "a"


@pytest.mark.parametrize(
    ("keymap", "keys", "shows"),
    [
        # The screen's keys remapped onto a key Panes has by default: the user's remap wins, as
        # Textual has it inside one node and as it was while all of these were the screen's.
        ({"similar.open": "p"}, ["enter", "escape", "p"], SimilarDialog),
        ({"annotations.view": "z"}, ["z"], AllAnnotationsScreen),
        ({"app.quit": "slash"}, ["slash"], None),
    ],
)
async def test_a_screen_key_remapped_onto_a_panes_key_wins(
    demo_state: Path, keymap: dict[str, str], keys: list[str], shows: type | None
) -> None:
    config = Config()
    config.ui.keymap = keymap
    app = make_app(demo_corpus(), config, demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if shows is None:  # quit
            assert not app.is_running
        else:
            assert isinstance(app.screen, shows)
    close_library(app.library)


async def test_a_worker_failure_shows_markup_literally_and_no_escape_reaches_the_terminal(demo_state: Path) -> None:
    # An error's text is not ours: a path or a message from a damaged file can hold terminal escapes
    # (OSC 52 writes the clipboard, CSI recolours or clears the screen) as well as markup.
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        error = "boom \x1b]52;c;aGVsbG8=\x07 \x1b[31mred\x1b[0m [/] [b]x[/b] \x9b2J\u202eend\nnext"
        app.main.article_list.post_message(WorkerFailed("search", error))
        await settle(pilot)
        shown = toasts(app)
        assert len(shown) == 1 and "[/] [b]x[/b]" in shown[0]
        for control in ("\x1b", "\x9b", "\x07", "\u202e"):
            assert control not in shown[0]
        assert app.is_running
    close_library(app.library)
