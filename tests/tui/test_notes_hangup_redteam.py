"""Red team on commit 23b3122 (a hang-up writes the Notes tab's delete or undo no worker wrote).

Hang-ups at every point of ``d``/``u``/``j``/``k`` bursts against the plain model of the keys
(tests/tui/test_notes_held_keys.py): nothing written twice, nothing lost, the right annotation
undone, whichever of the worker and the hang-up gets there first.
"""

from __future__ import annotations

import time

import pytest
from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.leave import SAVES
from newsdesk.tui.widgets.notes_list import NotesList

from tests.tui.conftest import settle
from tests.tui.test_annotations_ui import _open_first_article, slow_deletes_and_undos
from tests.tui.test_notes_held_keys import _burst, _model, _with_annotations


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
