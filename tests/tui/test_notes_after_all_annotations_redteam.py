"""Red team on 410cc86: a note picked in the All annotations view, with keys typed right behind the pick.

Each test fails on 410cc86: the key typed behind the pick acted on a note other than the one picked.
"""

from __future__ import annotations

import time

import pytest
from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.leave import SAVES
from newsdesk.tui.screens.all_annotations import AllAnnotationsScreen, load_rows
from newsdesk.tui.widgets.notes_list import NotesList
from textual import events

from tests.tui.conftest import settle
from tests.tui.test_annotations_ui import _open_first_article, slow_deletes_and_undos
from tests.tui.test_notes_after_all_annotations import _all_annotations_loaded
from tests.tui.test_notes_held_keys import _two_articles_with_notes, _with_annotations
from tests.tui.test_notes_next_article import _ids, _slow_notes_of


def _pick_then(app: NewsdeskApp, row: int, *keys: str) -> None:
    """Enter (to the list), ``row`` downs, Enter (the pick), then ``keys``: all queued before any is handled."""
    for key in ["enter", *["down"] * row, "enter", *keys]:
        app.post_message(events.Key(key, {"enter": "\r", "down": None}.get(key, key)))


def _warnings(app: NewsdeskApp) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.mark.parametrize("open_first", [False, True], ids=["another-article-open", "same-article-open"])
async def test_a_pick_deleted_by_another_session_meanwhile_then_d_deletes_nothing_else(
    demo_app: NewsdeskApp, open_first: bool
) -> None:
    """A, the pick, d: another session deleted the note picked after the view listed it. The d deleted the
    first note of the article (or, the article open already, the row highlighted before A): the one the
    user meant to delete was gone, and another note went with it."""
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        notes = demo_app.main.query_one(NotesList)
        if not open_first:
            demo_app.main.results.open_neighbour(1)
            await settle(pilot)
            notes.focus()
            await pilot.pause()
        screen = await _all_annotations_loaded(demo_app, pilot)
        picked = ids_a[1]
        row = next(n for n, r in enumerate(screen.shown) if r.annotation.id == picked)
        demo_app.library.delete_annotation(a.id, picked)  # another session, after the view was listed
        _pick_then(demo_app, row, "d")
        await settle(pilot, rounds=5)
        await pilot.pause(0.3)
        await settle(pilot)
        assert demo_app.main.reader.article.id == a.id
        assert _ids(demo_app, a.id) == [ids_a[0]], "a note that was not picked was deleted"
        assert _ids(demo_app, b.id) == ids_b
        assert any("picked" in m for m in _warnings(demo_app)), _warnings(demo_app)


@pytest.mark.parametrize("notes_count", [3, 4])
async def test_a_pick_made_while_a_delete_is_written_then_d_deletes_the_one_picked(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, notes_count: int
) -> None:
    """d (slow: a lock held, a slow disk), then A, a pick of another note of the same article, and d. The
    delete's answer came after the pick: the list began at its first row again (or kept the row number
    of the pick, now another note's), and the second d deleted a note that was not picked."""
    slow_deletes_and_undos(demo_app, monkeypatch, 1.5)
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        await _open_first_article(demo_app, pilot)
        ids = await _with_annotations(demo_app, pilot, notes_count)
        article_id = demo_app.main.reader.article.id
        demo_app.post_message(events.Key("d", "d"))  # deletes ids[0]; written slowly
        await pilot.pause(0.05)
        screen = await _all_annotations_loaded(demo_app, pilot)
        picked = ids[2]
        row = next(n for n, r in enumerate(screen.shown) if r.annotation.id == picked)
        _pick_then(demo_app, row, "d")
        for _ in range(200):
            await pilot.pause(0.05)
            if len(_ids(demo_app, article_id)) <= notes_count - 2:
                break
        await settle(pilot)
        assert _ids(demo_app, article_id) == [i for i in ids if i not in (ids[0], picked)]


async def test_a_second_pick_before_the_first_ones_notes_showed_drops_the_keys_typed_for_the_first(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A, a pick, d, A, another pick, d, the first pick's notes slow: both d ran on the second pick's
    notes, and the note below the second pick went too (the first d was typed for the first pick)."""
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        _slow_notes_of(demo_app, monkeypatch, b.id, 3.0)
        screen = await _all_annotations_loaded(demo_app, pilot)
        row = next(n for n, r in enumerate(screen.shown) if r.annotation.id == ids_b[0])
        _pick_then(demo_app, row, "d")
        await pilot.pause(0.1)
        screen = await _all_annotations_loaded(demo_app, pilot)
        row = next(n for n, r in enumerate(screen.shown) if r.annotation.id == ids_a[0])
        _pick_then(demo_app, row, "d")
        for _ in range(200):
            await pilot.pause(0.05)
            if ids_a[0] not in _ids(demo_app, a.id):
                break
        await settle(pilot)
        await pilot.pause(0.5)
        assert demo_app.main.reader.article.id == a.id
        assert _ids(demo_app, a.id) == [ids_a[1]], "the d typed for the first pick deleted on the second's"
        assert _ids(demo_app, b.id) == ids_b
        assert any("picked" in m for m in _warnings(demo_app)), _warnings(demo_app)


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


async def test_a_hang_up_behind_a_pick_made_while_a_delete_is_written_deletes_the_one_picked(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """d (slow), A, a pick of another note of the same article, d, then the link drops before the first
    delete is answered: the hang-up ran the held d on the list read afresh at the pick's row number, the
    note below it (here: the first row, the pick's number being past the end)."""
    slow_deletes_and_undos(demo_app, monkeypatch, 3.0)
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        await _open_first_article(demo_app, pilot)
        ids = await _with_annotations(demo_app, pilot, 3)
        article_id = demo_app.main.reader.article.id
        notes = demo_app.main.query_one(NotesList)
        demo_app.post_message(events.Key("d", "d"))
        await pilot.pause(0.05)
        screen = await _all_annotations_loaded(demo_app, pilot)
        row = next(n for n, r in enumerate(screen.shown) if r.annotation.id == ids[2])
        _pick_then(demo_app, row, "d")
        for _ in range(100):
            await pilot.pause(0.02)
            if not notes.opening and notes.holding:
                break
        assert notes.waiting and notes.holding  # the picked article's notes shown, the d held behind the delete
        demo_app.hang_up()
    SAVES.wait_idle(10)
    assert [p.annotation.id for p in library.annotations_of(article_id).placed] == [ids[1]]


async def test_u_behind_a_pick_of_the_note_being_deleted_puts_it_back(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """d (slow), A, a pick of the very note being deleted (the view listed it before the delete landed),
    then u: the pick finds its note gone, and the u, which undoes whatever row is highlighted, was dropped
    with the keys behind the pick: the note stayed deleted though u was typed to bring it back."""
    slow_deletes_and_undos(demo_app, monkeypatch, 1.5)
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        await _open_first_article(demo_app, pilot)
        ids = await _with_annotations(demo_app, pilot, 2)
        article_id = demo_app.main.reader.article.id
        demo_app.post_message(events.Key("d", "d"))  # deletes ids[0]; written slowly
        await pilot.pause(0.05)
        screen = await _all_annotations_loaded(demo_app, pilot)
        row = next(n for n, r in enumerate(screen.shown) if r.annotation.id == ids[0])
        _pick_then(demo_app, row, "u")
        for _ in range(200):
            await pilot.pause(0.05)
            if ids[0] in _ids(demo_app, article_id) and not demo_app.main.query_one(NotesList).waiting:
                break
        await settle(pilot)
        assert _ids(demo_app, article_id) == ids


def _slowed(library, monkeypatch: pytest.MonkeyPatch, seconds: float = 0.5, fail: Exception | None = None) -> None:  # type: ignore[no-untyped-def]
    """Reading the All annotations view's rows takes ``seconds`` (a large corpus, a slow disk), then
    fails with ``fail`` if given."""
    real = library.annotation_entries

    def slowed():  # type: ignore[no-untyped-def]
        time.sleep(seconds)
        if fail is not None:
            raise fail
        return real()

    monkeypatch.setattr(library, "annotation_entries", slowed)


@pytest.mark.parametrize("row", [0, 1])
async def test_a_pick_typed_before_the_rows_are_read_picks_the_row_the_keys_reach(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, row: int
) -> None:
    """``A`` Enter, ``row`` Downs, Enter in one burst, the rows slow to read. The keys reached an empty list:
    the Enter that picks found no row, and it and the keys behind it were lost, unsaid. They now wait."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        await _two_articles_with_notes(demo_app, pilot)
        wanted = load_rows(library)[0][row].annotation
        _slowed(library, monkeypatch)
        demo_app.post_message(events.Key("A", "A"))
        _pick_then(demo_app, row)
        await settle(pilot)
        await pilot.pause(1.0)
        await settle(pilot)
        assert not isinstance(demo_app.screen, AllAnnotationsScreen), "the pick was lost: the view is still open"
        assert demo_app.main.reader.article.id == wanted.article_id
        assert demo_app.main.reader.current_annotation == wanted.id
