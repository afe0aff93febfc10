"""Keys typed in the Notes tab right after ``]`` or ``[`` act on the next article's notes, or on none.

``] d`` in one burst deleted the highlighted note of the article being left: its list was still
shown when the d arrived. The list now holds the keys typed after another article begins to
open until it shows that article's notes; if they never come (the article fails to open, its
notes cannot be read, the open never happens) the keys are dropped with one line. Keys typed on
the article left, behind a write answered only once the next article's list shows, are dropped
the same way: never acted on the other article's list.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from newsdesk.index import Config, NewsdeskError
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import NewsdeskApp, close_library, make_app
from newsdesk.tui.leave import SAVES
from newsdesk.tui.widgets import notes_list
from newsdesk.tui.widgets.notes_list import NotesList

from tests.tui.conftest import settle
from tests.tui.test_annotations_ui import slow_deletes_and_undos
from tests.tui.test_notes_held_keys import _burst, _two_articles_with_notes


def _ids(app: NewsdeskApp, article_id: str) -> list[str]:
    return [p.annotation.id for p in app.library.annotations_of(article_id).placed]


def _slow_notes_of(app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, article_id: str, seconds: float) -> None:
    """Reading ``article_id``'s annotations takes ``seconds`` longer."""
    library = app.library
    real = library.article_annotations

    def slowed(article):  # type: ignore[no-untyped-def]
        if article.id == article_id:
            time.sleep(seconds)
        return real(article)

    monkeypatch.setattr(library, "article_annotations", slowed)


def _model(notes: dict[str, list[str]], order: list[str], bursts: list[str]) -> dict[str, list[str]]:
    """Plain model: the articles of the list in ``order`` (the first open), each with its notes. ``]``/``[``
    open the next/previous (none past the ends) and highlight its first row; d deletes the highlighted
    row, u puts back the note deleted last (into its own article), j/k move, wrapping; after a delete
    or undo the highlight keeps its row number, else the first row."""
    present = {a: list(ids) for a, ids in notes.items()}
    original = {a: list(ids) for a, ids in notes.items()}
    at = 0
    cursor: int | None = 0 if present[order[0]] else None
    deleted: tuple[str, str] | None = None

    def fit(row: int | None, shown: list[str]) -> int | None:
        return row if row is not None and row < len(shown) else (0 if shown else None)

    for burst in bursts:
        for key in burst:
            if key in "][":
                step = 1 if key == "]" else -1
                if 0 <= at + step < len(order):
                    at += step
                    cursor = 0 if present[order[at]] else None
                continue
            shown = present[order[at]]
            if key == "d" and cursor is not None:
                deleted = (order[at], shown.pop(cursor))
                cursor = fit(cursor, shown)
            elif key == "u" and deleted is not None:
                article, note = deleted
                present[article].append(note)
                present[article].sort(key=original[article].index)
                deleted = None
                cursor = fit(cursor, shown)
            elif key == "j" and cursor is not None:
                cursor = (cursor + 1) % len(shown)
            elif key == "k" and cursor is not None:
                cursor = (cursor - 1) % len(shown)
    return present


async def _bursts_across_articles(app: NewsdeskApp, bursts: list[str], slow_b: bool) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(app, pilot)
        real_delete, real_load = app.library.delete_annotation, app.library.article_annotations

        def slow_delete(*args, **kwargs):  # type: ignore[no-untyped-def]
            time.sleep(0.02)
            return real_delete(*args, **kwargs)

        def slow_load(article):  # type: ignore[no-untyped-def]
            if slow_b and article.id == b.id:
                time.sleep(0.3)
            return real_load(article)

        app.library.delete_annotation = slow_delete  # type: ignore[method-assign]
        app.library.article_annotations = slow_load  # type: ignore[method-assign]
        article_list = app.main.results.article_list
        order = [article_list.row(n).id for n in range(article_list.total)]  # type: ignore[union-attr]
        assert order[:2] == [a.id, b.id]
        notes = {article_id: [] for article_id in order} | {a.id: ids_a, b.id: ids_b}
        for burst in bursts:  # a burst's keys all queued before the first is handled; a pause between
            _burst(app, burst)
            await settle(pilot)
        expected = _model(notes, order, bursts)
        shown = app.main.reader.article.id
        listed = app.main.query_one(NotesList)
        assert {article_id: _ids(app, article_id) for article_id in order} == expected, bursts
        assert [p.annotation.id for p in listed.shown.placed] == expected[shown]
        assert not listed.holding and not listed.opening


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.builds(
            lambda nav, keys: nav + keys, st.sampled_from(["", "]", "[", "]]", "[]", "]["]), st.text("dujk", max_size=5)
        ),
        min_size=1,
        max_size=4,
    ),
    st.booleans(),
)
@example(["]d"], False)  # the red team's case: d deleted on the article left
@example(["]d"], True)
@example(["]jd", "[du", "]]d"], True)  # [ after a delete re-opened the same article (the list forgot it)
@example(["d", "]u"], False)  # u after ] puts back the note deleted on the article left
@example(["j", "][d"], False)  # back on the first article: its first row, not the row j moved to
def test_bursts_across_articles_end_as_the_model_says(
    demo_index: Path, tmp_path_factory: pytest.TempPathFactory, bursts: list[str], slow_b: bool
) -> None:
    state = tmp_path_factory.mktemp("next-article") / "demo-state"
    shutil.copytree(demo_index, state)
    app = make_app(demo_corpus(), Config(), state, index_on_start=False, watch=False)
    try:
        asyncio.run(_bursts_across_articles(app, bursts, slow_b))
    finally:
        close_library(app.library)


@pytest.mark.parametrize(
    ("fails", "error"),
    [("article", NewsdeskError("the article's file is gone")), ("article_annotations", OSError("Input/output error"))],
    ids=["the article fails to open", "its notes cannot be read"],
)
async def test_keys_for_notes_that_never_come_are_dropped_with_one_line(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, fails: str, error: Exception
) -> None:
    library = demo_app.library
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        real = getattr(library, fails)

        def failing(ref):  # type: ignore[no-untyped-def]
            if getattr(ref, "id", ref) == b.id:
                raise error
            return real(ref)

        monkeypatch.setattr(library, fails, failing)
        _burst(demo_app, "]dd")
        await settle(pilot)
        notes = demo_app.main.query_one(NotesList)
        said = [n.message for n in demo_app._notifications]
        # both d's, or the first (the failure came between them: the second found no notes shown)
        assert any("typed for the Notes tab not acted on" in m for m in said), said
        assert not notes.opening and not notes.holding
        assert notes.shown.placed == [] and notes.shown.errors  # not the notes of the article left
        _burst(demo_app, "jd")  # nothing shown to act on
        await settle(pilot)
        monkeypatch.setattr(library, fails, real)  # for _ids
        assert (_ids(demo_app, a.id), _ids(demo_app, b.id)) == (ids_a, ids_b)


async def test_keys_held_for_an_open_that_never_happens_are_let_go(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The open waits for its page of the list, and a new search's answer replaces the list first:
    nothing says the open will not come. The keys are dropped after OPEN_WAIT_SECONDS, said."""
    assert notes_list.OPEN_WAIT_SECONDS <= 10  # docs/reliability.md: "10 s at most"
    monkeypatch.setattr(notes_list, "OPEN_WAIT_SECONDS", 0.5)
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), _ = await _two_articles_with_notes(demo_app, pilot)
        notes = demo_app.main.query_one(NotesList)
        notes.expect_notes(None)  # as ] does, its open then lost
        _burst(demo_app, "dd")
        await pilot.pause(0.1)
        assert notes.holding and _ids(demo_app, a.id) == ids_a
        await pilot.pause(0.8)
        await settle(pilot)
        assert not notes.holding and not notes.opening
        assert _ids(demo_app, a.id) == ids_a
        assert any("took over 0.5 s" in n.message for n in demo_app._notifications)
        _burst(demo_app, "d")
        await settle(pilot)
        assert _ids(demo_app, a.id) == ids_a[1:]


async def test_a_key_typed_on_the_article_left_behind_a_write_never_acts_on_the_next(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``d d ]`` with the first delete slow and the next article quick to load: the delete's answer
    comes with the next article's list. The second d, typed on the first article's, either acted
    there (its answer came first) or is dropped with a line; it never deletes on the next one."""
    slow_deletes_and_undos(demo_app, monkeypatch, 0.6)
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        _burst(demo_app, "dd]")
        await settle(pilot)
        assert _ids(demo_app, b.id) == ids_b
        assert _ids(demo_app, a.id) in (ids_a[1:], [])
        if _ids(demo_app, a.id) == ids_a[1:]:
            assert any("the article they were typed on was left" in n.message for n in demo_app._notifications)
        assert not demo_app.main.query_one(NotesList).holding


async def test_q_after_next_article_keys_quits_once_they_acted_on_its_notes(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, _) = await _two_articles_with_notes(demo_app, pilot)
        _slow_notes_of(demo_app, monkeypatch, b.id, 0.4)
        _burst(demo_app, "]dq")
        deadline = time.monotonic() + 10
        while demo_app.is_running and time.monotonic() < deadline:
            await pilot.pause(0.02)
        assert not demo_app.is_running, "q did not quit"
    SAVES.wait_idle(10)
    assert (_ids(demo_app, a.id), _ids(demo_app, b.id)) == (ids_a, [])
    assert demo_app.return_code == 0


async def test_a_hang_up_before_the_next_articles_notes_show_acts_on_no_list(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), (b, ids_b) = await _two_articles_with_notes(demo_app, pilot)
        _slow_notes_of(demo_app, monkeypatch, b.id, 0.6)
        _burst(demo_app, "]dd")
        await pilot.pause(0.2)
        assert demo_app.main.query_one(NotesList).holding
        demo_app.hang_up()
        for _ in range(10):
            await pilot.pause(0.02)
    SAVES.wait_idle(10)
    assert demo_app.return_code == 129
    assert (_ids(demo_app, a.id), _ids(demo_app, b.id)) == (ids_a, ids_b)


async def test_opening_the_open_article_again_lets_the_keys_go(demo_app: NewsdeskApp) -> None:
    """Its notes look as before (no change to show): they are shown all the same, so the keys held
    for them run (the list waited for ever)."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        (a, ids_a), _ = await _two_articles_with_notes(demo_app, pilot)
        main = demo_app.main
        main.results.article_list.open(main.results.open_index, focus=False)  # type: ignore[arg-type]
        _burst(demo_app, "d")
        await settle(pilot)
        assert _ids(demo_app, a.id) == ids_a[1:]
        assert not main.query_one(NotesList).holding
