"""A second q that writes a held delete before that delete's worker thread ran still quits.

Seen in CI (flaky, ``test_q_behind_deletes_and_undos_quits_once_they_are_written[ddqq-0.3]``): ``d d q q``
with a slow delete. The first delete was answered, the held d asked for its delete, and its worker's
thread had not run when the second q wrote it itself. The worker then found the write taken and
returned without an answer, and the Notes list waited for that answer for good: q never quit.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import pytest
from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.leave import SAVES
from newsdesk.tui.widgets.notes_list import NotesList

from tests.tui.test_annotations_ui import _open_first_article, slow_deletes_and_undos
from tests.tui.test_notes_held_keys import _burst, _with_annotations


async def test_a_second_q_that_writes_a_delete_its_worker_had_not_run_quits(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_deletes_and_undos(demo_app, monkeypatch, 0.3)
    released = threading.Event()
    real_saving = SAVES.saving
    entered: list[int] = []

    @contextlib.contextmanager
    def saving() -> Iterator[None]:
        entered.append(1)
        if len(entered) == 2:  # the held d's worker thread: it runs only once the reader has quit
            released.wait(5)
        with real_saving():
            yield

    monkeypatch.setattr(SAVES, "saving", saving)
    try:
        async with demo_app.run_test(size=(140, 40)) as pilot:
            await _open_first_article(demo_app, pilot)
            ids = await _with_annotations(demo_app, pilot, 3)
            article_id = demo_app.main.reader.article.id
            notes = demo_app.main.query_one(NotesList)
            _burst(demo_app, "dd")
            for _ in range(200):  # the first delete answered, the held d's delete asked
                await pilot.pause(0.02)
                if notes._asked == 2 and len(entered) == 2:
                    break
            assert notes._asked == 2 and len(entered) == 2
            _burst(demo_app, "qq")
            deadline = time.monotonic() + 8
            while demo_app.is_running and time.monotonic() < deadline:
                await pilot.pause(0.02)
            quit_in_time = not demo_app.is_running
    finally:
        released.set()
    assert quit_in_time, "q did not quit"
    SAVES.wait_idle(10)
    assert [p.annotation.id for p in demo_app.library.annotations_of(article_id).placed] == ids[2:]
