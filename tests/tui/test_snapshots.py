"""Snapshots of the main screens at 80x24 and 120x40 (pytest-textual-snapshot).

The demo corpus is fixed and indexed before the app starts, the app neither
indexes nor watches, and no time or duration is shown, so the pictures are
the same on every run. Update with ``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from newsdesk.index import Config
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import NewsdeskApp, make_app
from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui.conftest import settle

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def app_factory(demo_state: Path, isolated_ui_state: Path) -> Callable[[], NewsdeskApp]:
    def factory() -> NewsdeskApp:
        return make_app(
            demo_corpus(),
            Config(),
            demo_state,
            state_file=isolated_ui_state / "ui.json",
            index_on_start=False,
            watch=False,
        )

    return factory


def _steady_cursor(pilot: Pilot) -> None:
    """A text box's cursor blinks every 0.5 s, headless too: hold it on so the picture does not
    depend on when it is taken (test_search_results failed under load on the blink)."""
    for text_box in pilot.app.screen.query(Input):
        text_box.cursor_blink = False


async def _settled(pilot: Pilot) -> None:
    await settle(pilot)
    _steady_cursor(pilot)


def _typing(*keys: str) -> Callable[[Pilot], object]:
    async def run(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot, rounds=4)
        _steady_cursor(pilot)

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_start_screen(snap_compare, app_factory, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(), terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_search_results(snap_compare, app_factory, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(), terminal_size=size, run_before=_typing("slash", *"ceasefire"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reading_a_search_hit(snap_compare, app_factory, size) -> None:  # type: ignore[no-untyped-def]
    keys = ("slash", *"launch pad", "enter", "enter")
    assert snap_compare(app_factory(), terminal_size=size, run_before=_typing(*keys))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_query_error(snap_compare, app_factory, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(), terminal_size=size, run_before=_typing("slash", *'"launch pad'))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, app_factory, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(), terminal_size=size, run_before=_typing("question_mark"))


def test_side_panel_toggled_on_at_80_columns(snap_compare, app_factory) -> None:  # type: ignore[no-untyped-def]
    keys = ("slash", *"Geneva", "enter", "enter", "p")
    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=_typing(*keys))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_annotating_a_sentence(snap_compare, app_factory, size) -> None:  # type: ignore[no-untyped-def]
    keys = ("enter", "v", "s", "t", *"evidence")
    assert snap_compare(app_factory(), terminal_size=size, run_before=_typing(*keys))


def test_annotated_passage_in_the_reader(snap_compare, app_factory) -> None:  # type: ignore[no-untyped-def]
    keys = ("enter", "v", "s", "t", *"evidence", "enter", "j")
    assert snap_compare(app_factory(), terminal_size=(120, 40), run_before=_typing(*keys))
