"""Red team on commit 23b3122 (a hang-up writes the Notes tab's delete or undo no worker wrote).

Hang-ups at every point of ``d``/``u``/``j``/``k`` bursts against the plain model of the keys
(tests/tui/test_notes_held_keys.py): nothing written twice, nothing lost, the right annotation
undone, whichever of the worker and the hang-up gets there first.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from newsdesk.index import Config
from newsdesk.index.annotations import AnnotationStore, owner_by_file_name
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import NewsdeskApp, close_library, make_app
from newsdesk.tui.leave import SAVES
from newsdesk.tui.widgets.notes_list import NotesList

from tests.tui.conftest import settle
from tests.tui.test_annotations_ui import _open_first_article, slow_deletes_and_undos
from tests.tui.test_notes_held_keys import _burst, _model, _two_articles_with_notes, _with_annotations


class _RecordedLate(dict):  # type: ignore[type-arg]
    """What each write changed, recorded by a thread the scheduler set aside for 0.4 s first."""

    def __setitem__(self, key, value):  # type: ignore[no-untyped-def]
        time.sleep(0.4)
        super().__setitem__(key, value)


@pytest.mark.parametrize("before", ["", "d"])
async def test_a_hang_up_undoes_the_delete_just_written_even_if_its_thread_has_not_recorded_it(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, before: str
) -> None:
    """``d u`` with the hang-up while the delete is written: the hang-up waits for the write, then
    runs the held ``u`` on what it deleted. The worker recorded what it deleted only after leaving
    ``SAVES.saving()``, which is all the hang-up waits for: a thread set aside between the two left
    the ``u`` with nothing to undo (``du``: the annotation stayed deleted) or with the delete before
    it (``d`` then ``du``: the first annotation came back and the second stayed deleted)."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        ids = await _with_annotations(demo_app, pilot, 3)
        article_id = demo_app.main.reader.article.id
        notes, editor = demo_app.main.query_one(NotesList), demo_app.main.editor
        _burst(demo_app, before)
        await settle(pilot)
        slow_deletes_and_undos(demo_app, monkeypatch, 0.2)
        monkeypatch.setattr(editor, "_landed", _RecordedLate())
        _burst(demo_app, "du")
        await pilot.pause(0.05)
        assert notes.waiting and notes.holding  # the delete is being written, the u held behind it
        demo_app.hang_up()
    SAVES.wait_idle(10)
    present = [p.annotation.id for p in library.annotations_of(article_id).placed]
    assert present == _model(ids, before + "du")


@pytest.mark.parametrize("slow", [0.0, 0.3])
@pytest.mark.parametrize("keys", ["dq", "duq", "ddq", "djdq", "duqq", "ddqq"])
async def test_q_behind_deletes_and_undos_quits_once_they_are_written(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, keys: str, slow: float
) -> None:
    """``d u q`` in one burst in the Notes tab: the u was held behind the delete, and q quit at once:
    the held u was never run (the annotation stayed deleted), and a delete whose worker had not run
    was cancelled by the exit, as at a hang-up before 23b3122. The first q now quits once the keys
    before it are done; a second q quits at once, after writing them as a hang-up does."""
    library = demo_app.library
    if slow:
        slow_deletes_and_undos(demo_app, monkeypatch, slow)
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        ids = await _with_annotations(demo_app, pilot, 3)
        article_id = demo_app.main.reader.article.id
        _burst(demo_app, keys)
        deadline = time.monotonic() + 10
        while demo_app.is_running and time.monotonic() < deadline:
            await pilot.pause(0.02)
        assert not demo_app.is_running, "q did not quit"
    SAVES.wait_idle(10)
    present = [p.annotation.id for p in library.annotations_of(article_id).placed]
    assert present == _model(ids, keys.rstrip("q"))


_KEY_OF = {"delete": "d", "undo": "u", "cursor_down": "j", "cursor_up": "k"}


async def _keys_then_hang_up(app: NewsdeskApp, keys: str, yields: list[int], slow: float) -> None:
    """The keys one by one, each followed by ``yields`` turns of the event loop (0: the next key comes
    before this one's request, its worker or its thread got anywhere), then a hang-up."""
    async with app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(app, pilot)
        ids = await _with_annotations(app, pilot, 3)
        article_id = app.main.reader.article.id
        notes = app.main.query_one(NotesList)
        received: list[str] = []
        act = notes._act

        def spy(action: str) -> None:  # what the list was given, whatever it did with it
            received.append(action)
            act(action)

        notes._act = spy  # type: ignore[method-assign]
        library = app.library
        for name in ("delete_annotation", "restore_annotation"):
            real = getattr(library, name)

            def slowed(*args, _real=real, **kwargs):  # type: ignore[no-untyped-def]
                time.sleep(slow)
                return _real(*args, **kwargs)

            setattr(library, name, slowed)
        for key, turns in zip(keys, yields, strict=False):
            _burst(app, key)
            for _ in range(turns):
                await asyncio.sleep(0)
        flight = notes.in_flight()
        editor = app.main.editor
        stage = (
            "idle"
            if flight is None
            else "its worker's"
            if flight[0] in editor._claimed
            else "to a worker"
            if flight[0] in editor._requested
            else "asked"
        )
        event(f"at the hang-up: {stage}, {'keys held' if notes.holding else 'none held'}")
        had = "".join(_KEY_OF[a] for a in received if a in _KEY_OF)  # keys still on their way are not acted on
        app.hang_up()
    SAVES.wait_idle(10)
    present = [p.annotation.id for p in app.library.annotations_of(article_id).placed]
    assert present == _model(ids, had), (had, received)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.text("dujk", min_size=1, max_size=10),
    st.lists(st.integers(0, 8), min_size=10, max_size=10),
    st.sampled_from([0.0, 0.02]),
)
@example("ddjdju", [0, 7, 5, 6, 6, 7, 0, 0, 0, 0], 0.0)  # the last d was handled after the hang-up, and deleted
def test_a_hang_up_at_any_point_of_a_burst_ends_as_the_model_of_the_keys_the_list_had(
    demo_index: Path, tmp_path_factory: pytest.TempPathFactory, keys: str, yields: list[int], slow: float
) -> None:
    """Whether each key, its request, its worker or its thread had got anywhere when the link
    dropped: the keys the Notes list had been given are each acted on once, in order."""
    state = tmp_path_factory.mktemp("hang-up") / "demo-state"
    shutil.copytree(demo_index, state)
    app = make_app(demo_corpus(), Config(), state, index_on_start=False, watch=False)
    try:
        asyncio.run(_keys_then_hang_up(app, keys, yields, slow))
    finally:
        close_library(app.library)


@pytest.mark.parametrize(("keys", "mine_kept"), [("d", True), ("jdd", False), ("jdud", True), ("jddu", True)])
async def test_a_hang_up_never_deletes_another_accounts_annotation(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, keys: str, mine_kept: bool
) -> None:
    """Another account's annotation highlighted when ``d`` is asked for, or when a held ``d`` runs
    at the hang-up: the hang-up writes what the handler would have, which deletes only one's own."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        article = demo_app.main.reader.article
        bob = AnnotationStore(library.state_dir, user="bob", owner_of=owner_by_file_name)
        theirs = bob.add(article, 0, 3, ["from-bob"])
        os.chown(bob.files.own_file(article.id), 54321, -1)  # another account's file, as on a shared server
        end = article.text.index(" ", 10)
        mine = library.add_annotation(article, 5, end, ["mine"])
        await _with_annotations(demo_app, pilot, 0)
        notes = demo_app.main.query_one(NotesList)
        assert [p.annotation.id for p in notes.shown.placed] == [theirs.id, mine.id]
        slow_deletes_and_undos(demo_app, monkeypatch, 0.2)
        for key in keys:  # each handed to the list, none answered: the first d's request unhandled
            {"d": notes.action_delete, "u": notes.action_undo, "j": notes.action_cursor_down}[key]()
        demo_app.hang_up()
    SAVES.wait_idle(10)
    present = [p.annotation.id for p in library.annotations_of(article.id).placed]
    # jdud: after the delete the highlight falls back to the first row, bob's, where u leaves it.
    assert present == [theirs.id] + ([mine.id] if mine_kept else [])


async def test_a_hang_up_with_the_lock_held_does_not_wait_for_it_once_per_held_key(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``d d d d d`` while another process holds the annotation file's lock, then a hang-up: the
    delete under way failed after the lock's 30 s, then each held d waited 30 s more for the same
    lock, one after the other (50 keys: 25 minutes of a reader with no terminal, where
    docs/reliability.md says it ends within the lock's 30 s). The hang-up's own writes now stop
    once that long has passed; what they did not write stays as it was, as a failed write does."""
    import fcntl

    from newsdesk.index.annotations import files
    from newsdesk.tui.widgets import notes_changes

    lock_seconds = 1.0  # the lock's 30 s, shortened
    monkeypatch.setattr(files._locked.__wrapped__, "__defaults__", (lock_seconds,))
    monkeypatch.setattr(notes_changes, "HANG_UP_WRITES_SECONDS", lock_seconds, raising=False)
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        ids = await _with_annotations(demo_app, pilot, 5)
        article_id = demo_app.main.reader.article.id
        notes = demo_app.main.query_one(NotesList)
        own_file = library.annotations.files.own_file(article_id)
        lock = os.open(own_file.parent / f"{own_file.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another process of the same user, stuck mid-write
            _burst(demo_app, "ddddd")
            await pilot.pause(0.1)
            assert notes.waiting and len(notes._held) == 4
            started = time.monotonic()
            demo_app.hang_up()
            took = time.monotonic() - started
        finally:
            os.close(lock)
    SAVES.wait_idle(10)
    assert took < 2.5 * lock_seconds, f"the hang-up took {took:.1f} s with the lock held"
    assert [p.annotation.id for p in library.annotations_of(article_id).placed] == ids


async def test_d_right_after_next_article_acts_on_the_next_articles_notes(demo_app: NewsdeskApp) -> None:
    """``] d`` in one burst from the Notes tab: the d deleted the highlighted annotation of the article
    being left (its list was still shown), where ``d ] d`` deletes on the next one and the docs say the
    keys after ``]`` go to the next article's notes. (``u`` brings it back.)"""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, _) = await _two_articles_with_notes(demo_app, pilot)
        _burst(demo_app, "]d")
        await settle(pilot)
    assert [p.annotation.id for p in library.annotations_of(a.id).placed] == ids_a
    assert library.annotations_of(b.id).placed == []


async def test_a_hang_up_after_a_q_that_waits_for_the_notes_tab_ends_as_a_hang_up(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``d u q`` then the link drops: the hang-up runs the held u, and the q waiting for it must not
    then quit a second time (it did: the exit code became 0 instead of 129, the state saved twice)."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        ids = await _with_annotations(demo_app, pilot, 2)
        article_id = demo_app.main.reader.article.id
        notes = demo_app.main.query_one(NotesList)
        slow_deletes_and_undos(demo_app, monkeypatch, 0.3)
        _burst(demo_app, "duq")
        await pilot.pause(0.1)
        assert notes.quit_when_done and notes.holding
        demo_app.hang_up()
        for _ in range(10):  # what the loop runs before it ends
            await pilot.pause(0.02)
    SAVES.wait_idle(10)
    assert demo_app.return_code == 129
    assert [p.annotation.id for p in library.annotations_of(article_id).placed] == ids


async def test_a_hang_up_while_a_second_q_shows_its_notice_ends_as_a_hang_up(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second q shows its notice, then writes (QUIT_NOTICE_SECONDS later): a hang-up in between
    writes the held keys itself, and the reader ends as a hang-up (129), the u not run twice."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        ids = await _with_annotations(demo_app, pilot, 2)
        article_id = demo_app.main.reader.article.id
        slow_deletes_and_undos(demo_app, monkeypatch, 0.5)
        _burst(demo_app, "duqq")
        await pilot.pause(0.1)
        assert any("Writing the Notes tab's deletes" in n.message for n in demo_app._notifications)
        demo_app.hang_up()
        for _ in range(30):
            await pilot.pause(0.02)
    SAVES.wait_idle(10)
    assert demo_app.return_code == 129
    assert [p.annotation.id for p in library.annotations_of(article_id).placed] == ids
