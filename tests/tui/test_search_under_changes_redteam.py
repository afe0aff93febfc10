"""Red team: searching in the reader while another session changes the corpus or the index under it.

README: "A reader left open while someone else annotates (in their reader or with
`newsdesk annotations add`) searches again when the index changes, so its list, counts and
facets stay what a fresh search gives." These tests change the index from a second
``Library`` (another session sharing the state folder) at the moments the reader is least
ready for it: while its own update runs, while its cursor sits on a row of the browse list.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from filelock import FileLock
from newsdesk.index import Config, Library
from newsdesk.tui.app import NewsdeskApp, close_library, make_app
from textual import events

from tests.conftest import write
from tests.tui.conftest import settle
from tests.tui.test_background import status, wait_until
from tests.tui.test_other_session_indexes import other_session_edits_and_indexes


def _indexed_app(corpus: Path, state: Path) -> NewsdeskApp:
    """The reader on ``corpus``, indexed first into ``state``; it neither indexes at start nor watches."""
    with Library.open(corpus, state_dir=state, config=Config()) as first:
        first.update()
    return make_app(corpus, Config(), state, index_on_start=False, watch=False)


async def test_another_sessions_change_during_this_readers_own_update_reaches_the_list(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader's own update (at start, or waiting for another session's lock) found nothing to do:
    the change another session indexed meanwhile was never searched for. The index-version poll is
    silent while an update runs (the update's own writes are no news), and the update's end compared
    only its own counts: the list kept the answer from before the change, for good, as if current."""
    state = tmp_path / "state"
    app = _indexed_app(corpus, state)
    gate = threading.Event()
    real_update = app.library.update

    def held_update(*args, **kwargs):  # type: ignore[no-untyped-def]
        gate.wait(30)  # as while another session's long update holds the lock
        return real_update(*args, **kwargs)

    monkeypatch.setattr(app.library, "update", held_update)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"Zanzibar", "enter")
            await settle(pilot)
            assert app.main.article_list.total == 0
            app.main.watcher.start_update()
            await wait_until(pilot, lambda: app.main.watcher.indexing)
            # Edited in place (the article count stays 3) and indexed by the other session.
            other_session_edits_and_indexes(corpus, state)
            app.main.watcher.check_index()  # the 2 s poll, while this reader's update runs
            await pilot.pause(0.3)
            gate.set()
            await wait_until(pilot, lambda: not app.main.watcher.indexing)
            await settle(pilot)
            await pilot.pause(0.5)
            await settle(pilot)
            assert app.main.article_list.total == 1, "the list still shows the answer from before the change"
            assert "1 result" in str(app.main.results.search_status.render())
    finally:
        gate.set()
        close_library(app.library)


async def test_the_browse_list_keeps_its_cursor_on_the_same_article_when_another_session_adds_one(
    corpus: Path, tmp_path: Path
) -> None:
    """With no query the list shows every article, newest first. Another session's new article went to
    the top, and the list shown again kept the cursor's row number: the cursor was on another article,
    and Enter opened that one (the search results keep the article, since an earlier fix)."""
    state = tmp_path / "state"
    app = _indexed_app(corpus, state)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.main.article_list.total == 3
            await pilot.press("j", "j")
            await settle(pilot)
            chosen = app.main.article_list.row(app.main.article_list.cursor)
            assert chosen is not None and app.main.article_list.cursor == 2
            write(
                corpus,
                "analysis/newest.md",
                """
                ---
                title: A newer report
                date: 2031-01-01
                ---
                Newer than every other article.
                """,
            )
            with Library.open(corpus, state_dir=state, config=Config()) as other_session:
                assert other_session.update().added == 1
            app.main.watcher.check_index()  # the 2 s poll sees the other session's change
            await wait_until(pilot, lambda: app.main.article_list.total == 4)
            await settle(pilot)
            shown = app.main.article_list.row(app.main.article_list.cursor)
            assert shown is not None and shown.id == chosen.id, f"the cursor moved from {chosen.title!r}"
            await pilot.press("enter")
            await settle(pilot)
            assert app.main.reader.article is not None and app.main.reader.article.id == chosen.id
    finally:
        close_library(app.library)


async def test_an_update_waiting_for_another_sessions_lock_says_so(corpus: Path, tmp_path: Path) -> None:
    """Another session's update (a rebuild of a large corpus takes minutes) holds the lock: the reader's
    update waited for it saying "checking for changes…" the whole time, and its new files did not come."""
    state = tmp_path / "state"
    app = _indexed_app(corpus, state)
    other_updater = FileLock(str(state / "update.lock"))
    other_updater.acquire()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            try:
                app.main.watcher.start_update()
                await wait_until(pilot, lambda: "another" in status(app), timeout=5)
                assert "waiting" in status(app)
            finally:
                other_updater.release()
            await wait_until(pilot, lambda: not app.main.watcher.indexing)
            await settle(pilot)  # the update's last word reaches the status line after it ends
            assert "another" not in status(app)
    finally:
        if other_updater.is_locked:
            other_updater.release()
        close_library(app.library)


def _many_articles(root: Path, count: int) -> None:
    for number in range(count):
        write(root, f"harbor/report{number:03d}.txt", f"Harbor report {number}\n\nThe harbor log number {number}.\n")


async def test_a_search_shown_again_keeps_the_cursor_on_its_article_past_the_first_page(tmp_path: Path) -> None:
    """The same query searched again (another session's edit or annotation changed the index) kept the
    cursor's article only when it was on the first page of hits, the one page the new answer holds: past
    it (the user had paged down, or pressed G) the cursor went back to the top, and Enter opened the first
    hit instead of the article the cursor had been on."""
    corpus, state = tmp_path / "corpus", tmp_path / "state"
    _many_articles(corpus, 70)
    app = _indexed_app(corpus, state)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"harbor", "enter", "G")
            await settle(pilot)
            article_list = app.main.article_list
            assert article_list.total == 70 and article_list.cursor == 69
            await wait_until(pilot, lambda: article_list.row(69) is not None)
            chosen = article_list.row(69)
            assert chosen is not None
            write(corpus, "harbor/report000.txt", "Harbor report 0\n\nThe harbor log number 0, amended.\n")
            with Library.open(corpus, state_dir=state, config=Config()) as other_session:
                assert other_session.update().updated == 1
            searches = app.main.results.search_seq
            app.main.watcher.check_index()  # the 2 s poll sees the other session's change
            await wait_until(pilot, lambda: app.main.results.search_seq > searches)
            await pilot.press("enter")  # typed as the list is searched again: waits for the new answer
            await settle(pilot)
            shown = article_list.row(article_list.cursor)
            assert shown is not None and shown.id == chosen.id, f"the cursor went to row {article_list.cursor}"
            assert app.main.reader.article is not None and app.main.reader.article.id == chosen.id
    finally:
        close_library(app.library)


def _keys(app, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Every key queued before the first is handled: one burst, as a slow SSH link delivers it."""
    for key in keys:
        app.post_message(events.Key(key, {"enter": "\r"}.get(key, key if len(key) == 1 else None)))


@pytest.mark.parametrize("slow", [False, True], ids=["answer-fast", "answer-slow"])
@pytest.mark.parametrize("moves", [("j",), ("G",), ("j", "j", "k")])
async def test_keys_typed_right_behind_enter_in_the_search_box_act_on_the_new_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moves: tuple[str, ...], slow: bool
) -> None:
    """README: Enter "runs the query as written and goes to the results", and keys of a burst are handled
    each where focus is by then. `harbor Enter G` in one burst typed the G into the search box (the
    focus moved only once Enter's message reached the results pane), and once it went to the list, a
    `j` acted on the as-you-type answer still shown (harbor*), whose replacement put the cursor back on
    the first row: the Enter behind it opened the first hit, not the one the keys reached."""
    corpus, state = tmp_path / "corpus", tmp_path / "state"
    _many_articles(corpus, 40)
    write(corpus, "harbor/harbormaster.txt", "The harbormaster\n\nThe harbormaster of the coast.\n")
    app = _indexed_app(corpus, state)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"harbor")
            await settle(pilot)  # the as-you-type answer (harbor*: 41 hits) is shown
            assert app.main.article_list.total == 41
            if slow:  # a large corpus, a loaded machine: the keys behind Enter arrive before its answer
                real = app.library.search_in_stages

                def slowed(*args, **kwargs):  # type: ignore[no-untyped-def]
                    time.sleep(0.5)
                    return real(*args, **kwargs)

                monkeypatch.setattr(app.library, "search_in_stages", slowed)
            _keys(app, "enter", *moves, "enter")
            await settle(pilot)
            await pilot.pause(0.3)
            await settle(pilot)
            article_list = app.main.article_list
            assert app.main.search_box.value == "harbor"
            assert article_list.total == 40  # the query as written
            expected = {"j": 1, "G": 39, "k": 1}[moves[-1]]
            assert article_list.cursor == expected
            reached = article_list.row(expected)
            assert reached is not None
            assert app.main.reader.article is not None and app.main.reader.article.id == reached.id
    finally:
        close_library(app.library)
