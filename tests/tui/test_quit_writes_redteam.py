"""Red team on 62ea0bc (a second q with the Notes tab's keys held says it writes them, then writes
and quits): a write that fails there, and a quit that does not happen after those writes."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from newsdesk.index.annotations import AnnotationFileError
from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.leave import SAVES

from tests.tui.conftest import settle
from tests.tui.test_annotations_ui import _open_first_article, slow_deletes_and_undos
from tests.tui.test_notes_held_keys import _burst, _with_annotations


async def _until_quit(app: NewsdeskApp, pilot, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while app.is_running and app.return_code is None and time.monotonic() < deadline:
        await pilot.pause(0.02)


async def test_the_notes_tab_works_again_when_a_second_q_does_not_quit(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``d u q q`` while the start's save of kept annotations is still under way (another session
    holds a lock): the second q wrote the held keys, and the quit then waited for that save, which
    failed, so the reader stayed. The Notes list then acted on no key for the rest of the session
    (it stops taking keys when the held ones are written), and a later ``d u q`` quit at once with
    the u never run: the annotation stayed deleted."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        ids = await _with_annotations(demo_app, pilot, 2)
        article_id = demo_app.main.reader.article.id
        demo_app._saving_kept = True  # the start's save of kept annotations, waiting for a lock
        slow_deletes_and_undos(demo_app, monkeypatch, 0.5)
        _burst(demo_app, "duqq")
        await pilot.pause(1.5)
        SAVES.wait_idle(10)
        await settle(pilot)
        assert [p.annotation.id for p in library.annotations_of(article_id).placed] == ids
        demo_app._saving_kept = False  # it failed: the reader stays, to say why (app._save_kept_annotations)
        _burst(demo_app, "d")
        await settle(pilot)
        assert [p.annotation.id for p in library.annotations_of(article_id).placed] == ids[1:], "d did nothing"
        _burst(demo_app, "u")
        await settle(pilot)
        _burst(demo_app, "duq")  # the q waits for the u held behind the d
        await _until_quit(demo_app, pilot, 5)
    SAVES.wait_idle(10)
    assert [p.annotation.id for p in library.annotations_of(article_id).placed] == ids


@pytest.mark.parametrize(
    ("keys", "delete_seconds", "undo_seconds", "said"),
    [
        # The second q writes the held u (the disk full by then): the reader quit (exit 0) with the
        # annotation deleted and nothing said.
        ("duqq", 0.5, 0.0, ("No space left on device", "q quits")),
        # The q waits for the delete and the held u, then quits: with the u failing, its error was shown
        # and the reader quit straight after, before anyone could read it.
        ("duq", 0.2, 0.0, ("q quits",)),
        # The delete lands before the second q's writes, so the held u is already being written by its
        # worker when they start: there was nothing left for them to write, the reader quit without
        # waiting for it, and the u failing was never said.
        ("duqq", 0.1, 0.6, ("No space left on device",)),
        # The u's worker is writing when the second q's writes start, and they wait for it, then run the
        # held j: the u failing was not counted (seen in tmux with another session's lock held all along).
        ("dujqq", 0.1, 0.6, ("Not quitting",)),
    ],
)
async def test_a_q_waiting_for_an_undo_that_fails_stays_and_says_so(
    demo_app: NewsdeskApp,
    monkeypatch: pytest.MonkeyPatch,
    keys: str,
    delete_seconds: float,
    undo_seconds: float,
    said: tuple[str, ...],
) -> None:
    """A q (or two) behind ``d u`` whose undo fails (a full disk): the reader quit, the annotation
    deleted and the u that could bring it back gone with the session. It now stays, says why (in one
    line), a later u puts the annotation back once there is room, and q then quits."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        ids = await _with_annotations(demo_app, pilot, 2)
        article_id = demo_app.main.reader.article.id
        slow_deletes_and_undos(demo_app, monkeypatch, delete_seconds)
        restore = library.restore_annotation

        def disk_full(*args, **kwargs):  # type: ignore[no-untyped-def]
            time.sleep(undo_seconds)
            raise AnnotationFileError("annotations.yaml: not saved: No space left on device")

        monkeypatch.setattr(library, "restore_annotation", disk_full)
        _burst(demo_app, keys)
        await _until_quit(demo_app, pilot, 3)
        assert demo_app.return_code is None, "quit with the undo not written"
        messages = [n.message for n in demo_app._notifications]
        assert any(all(part in m for part in said) for m in messages), messages
        monkeypatch.setattr(library, "restore_annotation", restore)  # room again
        _burst(demo_app, "u")
        await settle(pilot)
        assert [p.annotation.id for p in library.annotations_of(article_id).placed] == ids
        _burst(demo_app, "q")
        await _until_quit(demo_app, pilot, 3)
    SAVES.wait_idle(10)
    assert demo_app.return_code == 0


@pytest.mark.parametrize("keys", ["duq", "duqq"])
async def test_a_hang_up_while_a_q_waits_for_an_undo_s_worker_ends_as_a_hang_up(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, keys: str
) -> None:
    """``d u q`` (or ``q q``: its writes found nothing left, and wait for the worker as one q does), the
    delete answered and the u being written by its worker when the link drops: the hang-up has nothing
    to write, and the u's answer, were it handled as the reader goes down, must not quit again (exit 0)."""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        ids = await _with_annotations(demo_app, pilot, 2)
        article_id = demo_app.main.reader.article.id
        slow_deletes_and_undos(demo_app, monkeypatch, 0.1)
        restore = library.restore_annotation

        def slow_restore(*args, **kwargs):  # type: ignore[no-untyped-def]
            time.sleep(0.5)
            return restore(*args, **kwargs)

        monkeypatch.setattr(library, "restore_annotation", slow_restore)
        _burst(demo_app, keys)
        await pilot.pause(0.45)  # the delete answered, the u's worker writing (a second q's writes done)
        demo_app.hang_up()
        for _ in range(60):
            await pilot.pause(0.02)
    SAVES.wait_idle(10)
    assert demo_app.return_code == 129
    assert [p.annotation.id for p in library.annotations_of(article_id).placed] == ids


async def test_a_real_sighup_during_a_second_q_s_writes_ends_as_a_hang_up(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link drops while the second q writes the held u on the event loop (with another session's
    lock, for up to 30 s): SIGHUP is handled once those writes end, with the second q's quit queued
    behind them; the reader ends as a hang-up (129), not 0, and the u is written once. (A guard:
    passes on 62ea0bc too.)"""
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        ids = await _with_annotations(demo_app, pilot, 2)
        article_id = demo_app.main.reader.article.id
        slow_deletes_and_undos(demo_app, monkeypatch, 0.5)
        restore = library.restore_annotation
        calls: list[str] = []

        def hang_up_then_restore(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(threading.current_thread().name)
            if threading.current_thread() is threading.main_thread():
                os.kill(os.getpid(), signal.SIGHUP)  # handled once the loop runs again
            return restore(*args, **kwargs)

        monkeypatch.setattr(library, "restore_annotation", hang_up_then_restore)
        _burst(demo_app, "duqq")
        await _until_quit(demo_app, pilot, 5)
        for _ in range(20):
            await pilot.pause(0.02)
    SAVES.wait_idle(10)
    assert calls == [threading.main_thread().name]
    assert demo_app.return_code == 129
    assert [p.annotation.id for p in library.annotations_of(article_id).placed] == ids
