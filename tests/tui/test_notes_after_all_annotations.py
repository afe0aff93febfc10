"""A note picked in the All annotations view (``A``) is the one the Notes tab's keys act on next.

Before: ``A``, a pick, ``d`` in one burst deleted the first note of the picked article (or, the
same article open, the row highlighted before ``A``), not the note picked: the Notes list
showed the article's notes from their first row and the picked one was only scrolled to in
the reader.
"""

from __future__ import annotations

import pytest
from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.screens.all_annotations import AllAnnotationsScreen
from newsdesk.tui.widgets.notes_list import NotesList
from textual import events

from tests.tui.conftest import settle
from tests.tui.test_notes_held_keys import _two_articles_with_notes
from tests.tui.test_notes_next_article import _ids, _slow_notes_of


async def _all_annotations_loaded(app: NewsdeskApp, pilot) -> AllAnnotationsScreen:  # type: ignore[no-untyped-def]
    await pilot.press("A")
    for _ in range(100):
        await pilot.pause(0.02)
        screen = app.screen
        if isinstance(screen, AllAnnotationsScreen) and screen.rows:
            return screen
    raise AssertionError("the All annotations view did not load")


@pytest.mark.parametrize("open_first", [False, True], ids=["another-article-open", "same-article-open"])
@pytest.mark.parametrize("slow_notes", [0.0, 0.5], ids=["notes-at-once", "notes-slow"])
async def test_a_pick_then_d_in_one_burst_deletes_the_note_picked(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, open_first: bool, slow_notes: float
) -> None:
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        notes = demo_app.main.query_one(NotesList)
        if not open_first:  # b open, its Notes tab focused
            demo_app.main.results.open_neighbour(1)
            await settle(pilot)
            notes.focus()
            await pilot.pause()
        assert demo_app.main.reader.article.id == (a.id if open_first else b.id)
        if slow_notes:
            _slow_notes_of(demo_app, monkeypatch, a.id, slow_notes)
        screen = await _all_annotations_loaded(demo_app, pilot)
        picked = ids_a[1]  # a's second note: not the first row of a's notes
        row = next(n for n, r in enumerate(screen.shown) if r.annotation.id == picked)
        for key in ["enter", *["down"] * row, "enter", "d"]:  # every key queued before any is handled
            demo_app.post_message(events.Key(key, {"enter": "\r", "down": None}.get(key, key)))
        await settle(pilot, rounds=5)
        for _ in range(50):
            await pilot.pause(0.02)
            if picked not in _ids(demo_app, a.id):
                break
        await settle(pilot)
        assert demo_app.main.reader.article.id == a.id
        assert _ids(demo_app, a.id) == [i for i in ids_a if i != picked]
        assert _ids(demo_app, b.id) == ids_b
