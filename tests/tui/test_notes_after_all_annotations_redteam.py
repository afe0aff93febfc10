"""Red team on 410cc86: a note picked in the All annotations view, with keys typed right behind the pick.

Each test fails on 410cc86: the key typed behind the pick acted on a note other than the one picked.
"""

from __future__ import annotations

from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.widgets.notes_list import NotesList
from textual import events

from tests.tui.conftest import settle
from tests.tui.test_notes_after_all_annotations import _all_annotations_loaded
from tests.tui.test_notes_held_keys import _two_articles_with_notes
from tests.tui.test_notes_next_article import _ids


def _pick_then(app: NewsdeskApp, row: int, *keys: str) -> None:
    """Enter (to the list), ``row`` downs, Enter (the pick), then ``keys``: all queued before any is handled."""
    for key in ["enter", *["down"] * row, "enter", *keys]:
        app.post_message(events.Key(key, {"enter": "\r", "down": None}.get(key, key)))


async def test_d_typed_a_moment_after_a_pick_from_the_notes_tab_still_acts_there(demo_app: NewsdeskApp) -> None:
    """A and a pick from the Notes tab, then d once the article is in: as after ], the focus stays in the
    Notes tab, so the d deletes the note picked however fast the article loaded (it went to the reader
    when the article loaded first, and did nothing there; j scrolled the reader instead of the list)."""
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        (a, ids_a), _ = await _two_articles_with_notes(demo_app, pilot)
        demo_app.main.results.open_neighbour(1)
        await settle(pilot)
        demo_app.main.query_one(NotesList).focus()
        await pilot.pause()
        screen = await _all_annotations_loaded(demo_app, pilot)
        row = next(n for n, r in enumerate(screen.shown) if r.annotation.id == ids_a[1])
        _pick_then(demo_app, row)
        await settle(pilot)
        await pilot.pause(0.3)
        assert demo_app.main.reader.article.id == a.id
        await pilot.press("d")
        await settle(pilot)
        assert _ids(demo_app, a.id) == [ids_a[0]]
