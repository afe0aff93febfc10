"""Red team on 40be091 + 9ffc184: keys typed in the All annotations view before it has read its rows.

Each test failed on adf1332 (see the commit that fixes it for what was seen).
"""

from __future__ import annotations

import time

import pytest
from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.screens.all_annotations import AllAnnotationsScreen, load_rows
from textual import events

from tests.tui.conftest import settle
from tests.tui.test_notes_after_all_annotations_redteam import _slowed
from tests.tui.test_notes_held_keys import _two_articles_with_notes


def _keys(app: NewsdeskApp, *keys: str) -> None:
    for key in keys:
        app.post_message(events.Key(key, {"enter": "\r"}.get(key, key if len(key) == 1 else None)))


@pytest.mark.parametrize("key", ["end", "pagedown"])
async def test_end_or_pagedown_typed_before_the_rows_are_read_then_enter_picks_the_last_row(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """``A`` Enter End Enter in one burst, the rows slow to read: End acted on the empty list and was
    lost, and the Enter behind it picked the first row, not the last one the keys reach."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        await _two_articles_with_notes(demo_app, pilot)
        last = load_rows(library)[0][-1].annotation
        assert len(load_rows(library)[0]) > 1
        _slowed(library, monkeypatch)
        _keys(demo_app, "A", "enter", key, "enter")
        await settle(pilot)
        await pilot.pause(1.0)
        await settle(pilot)
        assert not isinstance(demo_app.screen, AllAnnotationsScreen)
        assert demo_app.main.reader.current_annotation == last.id


async def test_home_after_downs_typed_before_the_rows_are_read_picks_the_first_row(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Down Down Home Enter before the rows are read: the downs waited, Home did not, so the pick was
    the third row, not the first."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        await _two_articles_with_notes(demo_app, pilot)
        first = load_rows(library)[0][0].annotation
        _slowed(library, monkeypatch)
        _keys(demo_app, "A", "enter", "down", "down", "home", "enter")
        await settle(pilot)
        await pilot.pause(1.0)
        await settle(pilot)
        assert not isinstance(demo_app.screen, AllAnnotationsScreen)
        assert demo_app.main.reader.current_annotation == first.id


async def test_enter_mashed_before_the_rows_are_read_picks_once(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``A`` and Enter four times before the rows are read: one pick, no error."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        await _two_articles_with_notes(demo_app, pilot)
        first = load_rows(library)[0][0].annotation
        _slowed(library, monkeypatch)
        _keys(demo_app, "A", "enter", "enter", "enter", "enter")
        await settle(pilot)
        await pilot.pause(1.0)
        await settle(pilot)
        assert demo_app.is_running
        assert not isinstance(demo_app.screen, AllAnnotationsScreen)
        assert demo_app.main.reader.current_annotation == first.id


async def test_a_load_that_fails_says_so_and_keeps_the_reader_running(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows cannot be read (a state folder unreadable): the view says so; the app goes on."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        await _two_articles_with_notes(demo_app, pilot)
        _slowed(library, monkeypatch, 0.2, PermissionError(13, "Permission denied"))
        _keys(demo_app, "A", "enter", "enter")
        await settle(pilot)
        await pilot.pause(0.6)
        await settle(pilot)
        assert demo_app.is_running
        _keys(demo_app, "escape")
        await settle(pilot)
        assert not isinstance(demo_app.screen, AllAnnotationsScreen)


async def test_escape_while_the_rows_load_closes_the_view_and_the_late_rows_do_no_harm(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``A`` Enter Down Escape before the rows are read, then ``A`` again once they are: no pick, no error."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        await _two_articles_with_notes(demo_app, pilot)
        before = demo_app.main.reader.article.id
        _slowed(library, monkeypatch)
        _keys(demo_app, "A", "enter", "down", "escape")
        await settle(pilot)
        await pilot.pause(1.0)
        await settle(pilot)
        assert demo_app.is_running
        assert not isinstance(demo_app.screen, AllAnnotationsScreen)
        assert demo_app.main.reader.article.id == before


async def test_a_filter_typed_while_the_rows_load_then_enter_picks_from_the_filtered_rows(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filter typed before the rows are read applies to them, and the Enter behind it picks within it."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        await _two_articles_with_notes(demo_app, pilot)
        rows = load_rows(library)[0]
        wanted = rows[-1].annotation
        word = next(w for w in wanted.target.exact.split() if w.isalpha() and len(w) > 3)
        _slowed(library, monkeypatch)
        _keys(demo_app, "A", *word, "enter", "enter")
        await settle(pilot)
        await pilot.pause(1.0)
        await settle(pilot)
        assert not isinstance(demo_app.screen, AllAnnotationsScreen)
        picked = demo_app.main.reader.current_annotation
        assert picked in {r.annotation.id for r in rows if word.casefold() in r.annotation.target.exact.casefold()}


async def test_keys_waiting_for_no_rows_at_all_leave_the_view_open_and_usable(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No annotation at all: Enter Down End Enter before the (empty) rows are read do nothing; Esc closes."""
    monkeypatch.setattr(demo_app.library, "annotation_entries", lambda: (time.sleep(0.4), ([], []))[1])
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        await pilot.pause(0.2)
        _keys(demo_app, "A", "enter", "down", "end", "enter")
        await settle(pilot)
        await pilot.pause(0.8)
        await settle(pilot)
        assert isinstance(demo_app.screen, AllAnnotationsScreen)
        _keys(demo_app, "escape")
        await settle(pilot)
        assert demo_app.is_running and not isinstance(demo_app.screen, AllAnnotationsScreen)


async def test_a_hang_up_while_keys_wait_for_the_rows_ends_the_reader_cleanly(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link drops while ``A`` Enter End Enter wait for slow rows: the reader ends with the hang-up code."""
    from newsdesk.tui.leave import HANG_UP_EXIT_CODE

    library = demo_app.library
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        await _two_articles_with_notes(demo_app, pilot)
        _slowed(library, monkeypatch, 1.0)
        _keys(demo_app, "A", "enter", "end", "enter")
        await pilot.pause(0.2)
        demo_app.hang_up()
        await pilot.pause(1.5)
    assert demo_app.return_code == HANG_UP_EXIT_CODE


async def test_d_typed_behind_a_pick_before_the_rows_are_read_deletes_the_note_picked(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``A`` Enter Down Enter ``d`` in one burst, the rows slow: the ``d`` reached the view (which has no
    ``d``) and was lost, unsaid, though the same burst with the rows read at once deletes the picked note."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        await _two_articles_with_notes(demo_app, pilot)
        before = [r.annotation.id for r in load_rows(library)[0]]
        _slowed(library, monkeypatch)
        _keys(demo_app, "A", "enter", "down", "enter", "d")
        await settle(pilot)
        for _ in range(60):
            await pilot.pause(0.1)
            if len(load_rows(library)[0]) < len(before):
                break
        await settle(pilot)
        assert not isinstance(demo_app.screen, AllAnnotationsScreen)
        assert [r.annotation.id for r in load_rows(library)[0]] == [before[0], *before[2:]]
