"""Another session sharing the state folder does the indexing: this reader's list still catches up.

Two readers on one corpus (two analysts, or two browser tabs of ``newsdesk serve``)
update the same store under one lock. The one that comes second finds nothing left to
do; its list, fetched before the other's update, must not stay as it was (empty, for a
reader opened while the other built the index: Enter then opened nothing).
"""

from __future__ import annotations

from pathlib import Path

from newsdesk.index import Config, Library
from newsdesk.tui.app import close_library, make_app

from tests.conftest import write
from tests.tui.conftest import settle
from tests.tui.test_background import status, wait_until


def other_session_edits_and_indexes(corpus: Path, state: Path) -> None:
    """Another session edits a file in place (the article count stays 3) so that it mentions Zanzibar,
    and indexes it into ``state``."""
    write(
        corpus,
        "reports/shelling.txt",
        """
        Shelling resumes

        Shelling resumed overnight; envoys flew to Zanzibar.
        """,
    )
    with Library.open(corpus, state_dir=state, config=Config()) as other_session:
        assert other_session.update().updated == 1


async def test_a_reader_opened_while_another_session_builds_the_index_lists_the_articles(
    corpus: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    app = make_app(corpus, Config(), state, index_on_start=False, watch=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.main.article_list.total == 0  # listed before anything was indexed
            with Library.open(corpus, state_dir=state, config=Config()) as other_session:
                assert other_session.update().added == 3
            app.main.watcher.start_update()  # the reader's own start-up update: nothing left to do
            await wait_until(pilot, lambda: not app.main.watcher.indexing)
            await settle(pilot)
            assert "3 articles" in status(app)
            assert app.main.article_list.total == 3
            await pilot.press("enter")
            await settle(pilot)
            assert app.main.reader.article is not None  # Enter opens the first article
    finally:
        close_library(app.library)


async def test_a_change_another_session_indexed_first_still_reaches_the_list(corpus: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    config = Config()
    config.ui.watch_seconds = 0.2
    app = make_app(corpus, config, state)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: not app.main.watcher.indexing and app.main.watcher.fingerprint is not None)
            await pilot.press("slash", *"Zanzibar")
            await settle(pilot)
            assert app.main.article_list.total == 0
            # Edited in place (the article count stays 3) and indexed by the other session
            # before this reader's event loop runs again: its own update finds it done.
            other_session_edits_and_indexes(corpus, state)
            await wait_until(pilot, lambda: app.main.article_list.total == 1)
    finally:
        close_library(app.library)
