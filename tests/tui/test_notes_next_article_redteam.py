"""Red team on 08aa68c (keys typed in the Notes tab after ``]`` wait for the next article's notes)."""

from __future__ import annotations

import threading
import time

import pytest
from newsdesk.index import NewsdeskError
from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.dialogs.annotate import AnnotateDialog
from newsdesk.tui.leave import SAVES
from newsdesk.tui.messages import OpenArticle
from newsdesk.tui.widgets.notes_list import NotesList

from tests.tui.conftest import settle
from tests.tui.test_annotations_ui import slow_deletes_and_undos
from tests.tui.test_notes_held_keys import _burst, _two_articles_with_notes
from tests.tui.test_notes_next_article import _ids, _slow_notes_of


def _pages_of_two_loaded_when(app: NewsdeskApp, loaded: threading.Event) -> None:
    """The browse list keeps only its first 2 rows; the others come in pages of 2, the third and fourth
    rows once ``loaded`` is set (one thread waits: Textual's thread workers share a small pool)."""
    state = app.main.results.article_list._state
    rows = [row for page in sorted(state.pages) for row in state.pages[page]]

    def fetch(offset: int, limit: int):  # type: ignore[no-untyped-def]
        if offset == 2:
            loaded.wait(10)
        return rows[offset : offset + limit]

    state.page_size, state.fetch, state.pages = 2, fetch, {0: rows[:2]}


async def _page_loaded_once_notes_of(  # type: ignore[no-untyped-def]
    app: NewsdeskApp, pilot, article_id: str, page_loaded: threading.Event
) -> None:
    """Once the Notes list shows ``article_id``'s notes (an open waiting for its page meanwhile), the
    page is read; then everything settles."""
    notes = app.main.query_one(NotesList)
    for _ in range(100):
        await pilot.pause(0.02)
        if notes._shown_article == article_id:
            break
    assert notes._shown_article == article_id
    await pilot.pause(0.1)
    page_loaded.set()
    await settle(pilot)


async def test_two_next_articles_the_second_waiting_for_its_page_keys_wait_for_the_second(
    demo_app: NewsdeskApp,
) -> None:
    """``] ] d``: the second ``]``'s article is on a page of the list not loaded yet, so its open
    waits; the first article's notes come meanwhile. The d is for the second article's notes."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        assert demo_app.main.reader.article.id == a.id
        third = demo_app.main.results.article_list.row(2).id  # type: ignore[union-attr]
        page_loaded = threading.Event()
        _pages_of_two_loaded_when(demo_app, page_loaded)  # the third's page is not loaded
        _burst(demo_app, "]]d")
        # the second article's notes come while the third's open waits
        await _page_loaded_once_notes_of(demo_app, pilot, b.id, page_loaded)
        assert demo_app.main.reader.article.id == third
        assert (_ids(demo_app, a.id), _ids(demo_app, b.id)) == (ids_a, ids_b)
        assert not demo_app.main.query_one(NotesList).holding


async def _hang_up_once_the_next_article_is_in_the_reader(  # type: ignore[no-untyped-def]
    app: NewsdeskApp, pilot, monkeypatch: pytest.MonkeyPatch, keys: str, next_id: str
) -> None:
    """``keys`` in one burst, the next article's notes slow: the link drops once that article is in the
    reader, its notes not yet shown, the keys held."""
    _slow_notes_of(app, monkeypatch, next_id, 0.8)
    _burst(app, keys)
    for _ in range(40):
        await pilot.pause(0.02)
        if app.main.editor.article.id == next_id:
            break
    assert app.main.editor.article.id == next_id and app.main.query_one(NotesList).holding
    app.hang_up()
    for _ in range(10):
        await pilot.pause(0.02)


async def test_a_hang_up_after_the_next_article_loaded_never_runs_keys_typed_on_the_one_left_on_it(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``d d ]``, the first delete slow, the next article in the reader, its notes not yet shown, and
    the link drops: the second d was typed on the first article's list; it must not delete on the next."""
    slow_deletes_and_undos(demo_app, monkeypatch, 0.6)
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        await _hang_up_once_the_next_article_is_in_the_reader(demo_app, pilot, monkeypatch, "dd]", b.id)
    SAVES.wait_idle(10)
    assert demo_app.return_code == 129
    assert _ids(demo_app, b.id) == ids_b
    assert _ids(demo_app, a.id) in (ids_a[1:], [])


async def test_an_undo_typed_on_the_article_left_is_not_lost(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``d u ]``: the delete is slow and the next article's list comes first. The u undoes the d
    typed before it whatever list is shown: dropped, the note stayed deleted though u was typed."""
    slow_deletes_and_undos(demo_app, monkeypatch, 0.6)
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        _burst(demo_app, "du]")
        await settle(pilot)
        assert (_ids(demo_app, a.id), _ids(demo_app, b.id)) == (ids_a, ids_b)
        assert not demo_app.main.query_one(NotesList).holding


async def test_a_hang_up_after_the_next_article_loaded_still_runs_an_undo_typed_on_the_one_left(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``d u ]`` then a dropped link, the next article in the reader: the held u still undoes the d."""
    slow_deletes_and_undos(demo_app, monkeypatch, 0.6)
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        await _hang_up_once_the_next_article_is_in_the_reader(demo_app, pilot, monkeypatch, "du]", b.id)
    SAVES.wait_idle(10)
    assert demo_app.return_code == 129
    assert (_ids(demo_app, a.id), _ids(demo_app, b.id)) == (ids_a, ids_b)


async def test_next_then_back_in_one_burst_starts_at_the_first_row(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``j`` then ``] [ d``: back on the first article its notes start at the first row, as after any
    open; the next article (slow to read) never showed, so the list kept the row j had moved to."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        real = demo_app.library.article

        def slow_b(ref: str):  # type: ignore[no-untyped-def]
            if ref == b.id:
                time.sleep(0.3)
            return real(ref)

        monkeypatch.setattr(demo_app.library, "article", slow_b)
        _burst(demo_app, "j")
        await settle(pilot)
        _burst(demo_app, "][d")
        await settle(pilot)
        assert demo_app.main.reader.article.id == a.id
        assert (_ids(demo_app, a.id), _ids(demo_app, b.id)) == (ids_a[1:], ids_b)


async def test_keys_held_behind_an_edit_never_act_on_the_list(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``] e d``: the e runs once the next article's notes show and opens its dialog; the d typed
    behind it was meant for that dialog, not for the list: it deleted the note being edited."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        _slow_notes_of(demo_app, monkeypatch, b.id, 0.3)
        _burst(demo_app, "]ed")
        await settle(pilot)
        assert isinstance(demo_app.screen, AnnotateDialog)
        assert (_ids(demo_app, a.id), _ids(demo_app, b.id)) == (ids_a, ids_b)
        assert not demo_app.main.query_one(NotesList).holding


async def test_keys_held_behind_an_edit_behind_a_write_never_act_on_the_list(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``d e d`` with the delete slow: the e edits the row the delete left highlighted, the second d
    (typed for its dialog) deletes nothing."""
    slow_deletes_and_undos(demo_app, monkeypatch, 0.4)
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        _burst(demo_app, "ded")
        await settle(pilot)
        assert isinstance(demo_app.screen, AnnotateDialog)
        assert (_ids(demo_app, a.id), _ids(demo_app, b.id)) == (ids_a[1:], ids_b)


async def test_next_article_whose_page_of_the_list_fails_lets_the_keys_go_at_once(
    demo_app: NewsdeskApp,
) -> None:
    """``] d`` on the last loaded row, the next page of the list failing to load: the open never
    happens. It said nothing, and the d waited OPEN_WAIT_SECONDS (10 s) in silence before it was dropped."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        _burst(demo_app, "]")
        await settle(pilot)
        assert demo_app.main.reader.article.id == b.id
        state = demo_app.main.results.article_list._state
        rows = [row for page in sorted(state.pages) for row in state.pages[page]]

        def fetch(offset: int, limit: int):  # type: ignore[no-untyped-def]
            if offset >= 2:
                raise NewsdeskError("the index is being replaced")
            return rows[offset : offset + limit]

        state.page_size, state.fetch, state.pages = 2, fetch, {0: rows[:2]}
        _burst(demo_app, "]d")
        await settle(pilot)
        await pilot.pause(0.5)
        notes = demo_app.main.query_one(NotesList)
        assert not notes.opening and not notes.holding
        assert demo_app.main.reader.article.id == b.id
        assert (_ids(demo_app, a.id), _ids(demo_app, b.id)) == (ids_a, ids_b)
        said = [n.message for n in demo_app._notifications]
        assert any("could not" in m.lower() for m in said), said
        # Nor does the list act on the article left, for a d typed in the burst after the failure came
        # (seen under load): as when the next article fails to open.
        assert notes.shown.placed == [] and notes.shown.errors
        _burst(demo_app, "d")
        await settle(pilot)
        assert _ids(demo_app, b.id) == ids_b


async def test_next_article_whose_list_is_replaced_before_its_page_came_lets_the_keys_go_at_once(
    demo_app: NewsdeskApp,
) -> None:
    """``] d`` with the next row's page on its way, and the list replaced meanwhile (a new search's
    answer, a refresh after a note was saved): the open is dropped with the page; the d waited 10 s."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        article_list = demo_app.main.results.article_list
        page_loaded = threading.Event()
        _pages_of_two_loaded_when(demo_app, page_loaded)
        rows = article_list._state.fetch(0, 30)  # type: ignore[misc]
        _burst(demo_app, "]]d")
        notes = demo_app.main.query_one(NotesList)
        for _ in range(100):
            await pilot.pause(0.02)
            if notes._shown_article == b.id:
                break
        assert notes.opening and notes.holding  # the second ] waits for its page
        article_list.show(len(rows), lambda offset, limit: rows[offset : offset + limit], rows)
        page_loaded.set()
        await settle(pilot)
        await pilot.pause(0.3)
        assert not notes.opening and not notes.holding
        assert (_ids(demo_app, a.id), _ids(demo_app, b.id)) == (ids_a, ids_b)
        assert notes.shown.placed == [] and notes.shown.errors  # a d coming after acts on no list


async def test_the_first_articles_open_handled_after_the_second_next_never_ends_the_wait(
    demo_app: NewsdeskApp,
) -> None:
    """``] ] d`` on a loaded machine: the first ``]``'s request reached the screen only after the
    second ``]`` (whose row's page was on its way) had been handled; it named the first article as
    the one the keys wait for, and the d deleted there once its notes came (seen under load)."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        main = demo_app.main
        page_loaded = threading.Event()
        _pages_of_two_loaded_when(demo_app, page_loaded)
        late = OpenArticle(b.id, focus=False)  # the first ]'s request, made before the second ]
        main.results.open_index = 1  # as that request did on its way through the results pane
        main.action_neighbour(1)  # the second ]: its row waits for its page
        main.post_message(late)
        _burst(demo_app, "d")
        # the first article's notes come while the second's open waits
        await _page_loaded_once_notes_of(demo_app, pilot, b.id, page_loaded)
        assert (_ids(demo_app, a.id), _ids(demo_app, b.id)) == (ids_a, ids_b)
        assert main.reader.article.id not in (a.id, b.id)


async def test_two_next_articles_both_waiting_for_their_page_go_two_articles_on(demo_app: NewsdeskApp) -> None:
    """``] ]`` from the last loaded row: both opens wait for the next page, and the second ] went
    from the open article again (the first had not opened yet): the two opened the same article."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        _, (b, _) = await _two_articles_with_notes(demo_app, pilot)
        _burst(demo_app, "]")
        await settle(pilot)
        assert demo_app.main.reader.article.id == b.id
        article_list = demo_app.main.results.article_list
        fourth = article_list.row(3).id  # type: ignore[union-attr]
        page_loaded = threading.Event()
        _pages_of_two_loaded_when(demo_app, page_loaded)
        _burst(demo_app, "]]")
        await pilot.pause(0.3)
        page_loaded.set()
        await settle(pilot)
        assert demo_app.main.reader.article.id == fourth


@pytest.mark.parametrize("keys", ["ed", "edd", "e dq", "jed"])
async def test_keys_typed_right_behind_e_never_act_on_the_list(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, keys: str
) -> None:
    """``e d`` in one burst with the notes already shown (no ] before it, so e was not held): the
    edit request reached the editor only after the key was through, and the d, delivered before the
    dialog was up, deleted the note being edited (CI, tmux, "] e d" with the notes quick to show).
    An edit is now answered like a delete: the keys behind it wait, and are dropped once its dialog
    is up (they were typed for it), a q among them too."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), _ = await _two_articles_with_notes(demo_app, pilot)
        view = demo_app.main.article_view
        answer = view.answer

        def late(request):  # type: ignore[no-untyped-def]  # the edit request on its way a while (load)
            if isinstance(request, NotesList.Picked) and request.action == "edit":
                demo_app.main.set_timer(0.3, lambda: answer(request))  # as from the screen, its router
            else:
                answer(request)

        monkeypatch.setattr(view, "answer", late)
        _burst(demo_app, keys.replace(" ", ""))
        await pilot.pause(0.5)
        await settle(pilot)
        assert isinstance(demo_app.screen, AnnotateDialog)
        assert demo_app.is_running
        assert _ids(demo_app, a.id) == ids_a
        for _ in range(2):  # a key that reached the dialog was typed into it: Esc asks once first
            if isinstance(demo_app.screen, AnnotateDialog):
                await pilot.press("escape")
                await settle(pilot)
        assert not isinstance(demo_app.screen, AnnotateDialog)
        notes = demo_app.main.query_one(NotesList)
        assert not notes.holding and not notes.waiting
        _burst(demo_app, "d")  # the list takes keys again
        await settle(pilot)
        assert len(_ids(demo_app, a.id)) == len(ids_a) - 1
