"""Red team: the story keys of the reader (m, r, the Saved tab) typed in bursts."""

from __future__ import annotations

import time
from pathlib import Path

from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.dialogs.similar import SimilarDialog

from tests.tui.conftest import settle
from tests.tui.test_story_ui import corpus_app  # noqa: F401 - a fixture


async def test_m_twice_in_one_burst_opens_one_dialog(corpus_app: tuple[NewsdeskApp, Path]) -> None:  # noqa: F811
    """`m m m` while the answer takes a moment (a long article, a slow disk) stacked three
    SimilarDialogs: Esc showed the same list again, twice. The cancelled finds post nothing now,
    and an answer that arrives over an open list is dropped."""
    app, corpus = corpus_app
    original = next((corpus / "txt").iterdir())
    source_id = app.library.article(str(original.relative_to(corpus))).id
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listed = app.main.article_list
        index = listed.index_of(source_id)
        assert index is not None and listed.open(index)
        await settle(pilot)
        similar = app.library.similar

        def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
            time.sleep(0.3)  # a big article: the keys come faster than the answer
            return similar(*args, **kwargs)

        app.library.similar = slow  # type: ignore[method-assign]
        await pilot.press("m", "m", "m")
        await pilot.pause(1.5)
        await settle(pilot)
        assert isinstance(app.screen, SimilarDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SimilarDialog), [type(s).__name__ for s in app.screen_stack]
