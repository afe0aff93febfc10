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


async def _slow_copies_list(app: NewsdeskApp, corpus: Path, pilot) -> object:  # type: ignore[no-untyped-def]
    """A search whose first hit has two copies and more hits under it; copies load in 0.3 s."""
    from tests.tui.test_reprints_ui import add_reprints

    original = add_reprints(app, corpus, 2)
    first_words = " ".join(app.library.article(original).text.split()[:3])
    await settle(pilot)
    await pilot.press("slash", *f'"{first_words}"^50 OR ceasefire', "enter")
    await settle(pilot)
    listing = app.main.article_list
    grouped = [i for i in range(min(listing.total, 20)) if (row := listing.row(i)) is not None and row.copies]
    assert grouped and listing.total >= grouped[0] + 3
    listing.move_cursor(grouped[0])
    await settle(pilot)
    fetch = listing._state.fetch_copies

    def slow(ids):  # type: ignore[no-untyped-def]
        time.sleep(0.3)  # a slow disk, a busy store: the keys come first
        return fetch(ids)

    listing._state.fetch_copies = slow
    return listing


async def test_r_r_in_one_burst_leaves_the_copies_hidden(corpus_app: tuple[NewsdeskApp, Path]) -> None:  # noqa: F811
    """`r r` (show, hide) while the copies take a moment to load left them shown: the second r
    asked for them again instead of taking back the first."""
    app, corpus = corpus_app
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await _slow_copies_list(app, corpus, pilot)
        total = listing.total
        await pilot.press("r", "r")
        await pilot.pause(1.0)
        await settle(pilot)
        assert listing.total == total


async def test_keys_after_r_are_not_undone_when_the_copies_arrive(corpus_app: tuple[NewsdeskApp, Path]) -> None:  # noqa: F811
    """`r j j` while the copies load: the copies came and put the cursor back on the hit, so the
    two j were lost (and Enter next opened the hit, not the row the user moved to)."""
    app, corpus = corpus_app
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await _slow_copies_list(app, corpus, pilot)
        third = listing.row(listing.cursor + 2)
        await pilot.press("r", "j", "j")
        await pilot.pause(1.0)
        await settle(pilot)
        assert listing.total >= 6  # the copies are listed
        row = listing.row(listing.cursor)
        assert row is not None and row.id == third.id and not row.copy, (listing.cursor, row)


async def test_d_d_in_the_saved_tab_removes_two_searches(corpus_app: tuple[NewsdeskApp, Path]) -> None:  # noqa: F811
    """`d d` in the Saved tab (in one burst, or while a slow disk writes the first removal) asked
    to remove the same search twice: the list kept showing it until the recount, so the second
    d failed with "no saved search named ..." and the search below it stayed."""
    from newsdesk.tui.widgets.saved_list import SavedList

    app, _ = corpus_app
    for name in ("one", "two", "three"):
        app.library.saved.add(name, "ceasefire")
    remove = app.library.saved.remove

    def slow(name: str) -> None:
        time.sleep(0.3)
        remove(name)

    app.library.saved.remove = slow  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.focused, SavedList)
        await pilot.press("d", "d")
        await pilot.pause(1.5)
        await settle(pilot)
        assert [s.name for s in app.library.saved.names()] == ["three"]


async def test_an_open_waiting_for_its_page_opens_its_row_when_copies_come_above_it(
    corpus_app: tuple[NewsdeskApp, Path],  # noqa: F811
) -> None:
    """`r G enter` on a long list: the open waited for the last page by its index, the copies
    listed meanwhile above it shifted every row, and the row two above the last one opened."""
    app, corpus = corpus_app
    for n in range(40):
        (corpus / "txt" / f"yy-{n:02d}.txt").write_text(f"Ceasefire note {n}\n\nA ceasefire note, number {n}.\n")
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await _slow_copies_list(app, corpus, pilot)
        assert listing.total > 31 and 1 not in listing._state.pages
        last_before = listing.total - 1
        fetch = listing._state.fetch

        def slow_page(offset: int, limit: int):  # type: ignore[no-untyped-def]
            time.sleep(0.8)  # after the copies (0.3 s)
            return fetch(offset, limit)

        listing._state.fetch = slow_page
        await pilot.press("r", "G", "enter")
        await pilot.pause(2.0)
        await settle(pilot)
        expected = listing.row(listing.total - 1)
        assert listing.total == last_before + 3 and expected is not None
        assert app.main.reader.article is not None and app.main.reader.article.id == expected.id


async def test_the_header_counts_articles_another_session_indexed(demo_state: Path, tmp_path: Path) -> None:
    """With the reader not watching the corpus (`ui.watch_seconds: 0`), another session's
    `newsdesk index` (cron, a colleague) brought a new match of a saved search: the reader saw the
    index change and searched again, but the header's "N new in saved searches" and the Saved tab
    kept the old counts until the reader was restarted."""
    import shutil

    from newsdesk.index import Config, Library
    from newsdesk.index.locations import demo_corpus
    from newsdesk.tui.app import close_library, make_app

    from tests.tui.test_story_ui import status

    corpus = tmp_path / "corpus"
    shutil.copytree(demo_corpus(), corpus)
    app = make_app(corpus, Config(), tmp_path / "state", index_on_start=False, watch=False)
    try:
        app.library.update()
        app.library.saved.add("truce", "ceasefire")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert "new in saved" not in status(app)
            (corpus / "txt" / "late-ceasefire.txt").write_text("Ceasefire holds\n\nThe ceasefire held.\n")
            with Library.open(corpus, state_dir=tmp_path / "state", config=Config()) as other:
                other.update()
            for _ in range(40):
                await pilot.pause(0.1)
                if "1 new in saved searches" in status(app):
                    break
            assert "1 new in saved searches" in status(app)
    finally:
        close_library(app.library)
