"""Annotating in the reader: select, tag, note, edit, delete and undo, the corpus view, failures."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from newsdesk.index import Config, Library
from newsdesk.index.annotations import AnnotationFileError, AnnotationStore, owner_by_file_name
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.cli import main
from newsdesk.tui.dialogs.annotate import UNASKED_GRACE_SECONDS, AnnotateDialog
from newsdesk.tui.screens.all_annotations import AllAnnotationsScreen
from newsdesk.tui.widgets.article_list import ArticleList
from newsdesk.tui.widgets.notes_list import NotesList
from newsdesk.tui.widgets.results_pane import HITS_PAGE
from newsdesk.tui.widgets.search_status import SearchStatus
from newsdesk.tui.widgets.selectable_reader import SelectableReader
from newsdesk.tui.widgets.side_panel import FacetList
from textual.widgets import Input, TabbedContent, TextArea

from tests.tui.conftest import settle, toasts


async def _open_first_article(app: NewsdeskApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert app.main.reader.article is not None


async def _tag_a_sentence_and_focus_the_notes_tab(app: NewsdeskApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """The first article open, its first sentence tagged "kept", the Notes tab's list focused."""
    await _open_first_article(app, pilot)
    await pilot.press("v", "s", "t")
    await pilot.pause()
    await pilot.press(*"kept", "enter")
    await settle(pilot)
    app.main.query_one(TabbedContent).active = "tab-annotations"
    app.main.query_one(NotesList).focus()
    await pilot.pause()


def slow_deletes_and_undos(app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Each annotation delete and restore takes ``seconds`` longer, so it can land between two keys."""
    library = app.library
    for name in ("delete_annotation", "restore_annotation"):
        real = getattr(library, name)

        def slowed(*args, _real=real, **kwargs):  # type: ignore[no-untyped-def]
            time.sleep(seconds)
            return _real(*args, **kwargs)

        monkeypatch.setattr(library, name, slowed)


async def test_select_a_sentence_tag_it_and_find_it(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        main, reader = demo_app.main, demo_app.main.reader
        await pilot.press("v", "s")
        start, end = reader.selection
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(demo_app.screen, AnnotateDialog)
        await pilot.press(*"evidence, lead", "enter")
        await settle(pilot)
        article = reader.article
        (placed,) = demo_app.library.annotations.for_article(article).placed
        assert placed.annotation.tags == ("evidence", "lead")
        assert (placed.anchor.start, placed.anchor.end) == (start, end)
        assert [s.annotation_id for s in reader.annotation_spans] == [placed.annotation.id]
        assert reader.selection is None
        notes = main.query_one(NotesList)
        assert notes.shown.placed[0].annotation.id == placed.annotation.id
        assert demo_app.library.search("tag:evidence").total == 1  # the index caught up in the background


async def test_note_edit_delete_and_undo(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        main, reader = demo_app.main, demo_app.main.reader
        await pilot.press("v", "w", "w", "a")
        await pilot.pause()
        assert demo_app.screen.query_one(TextArea).has_focus
        await pilot.press(*"first line", "enter", *"second line", "ctrl+s")
        await settle(pilot)
        (placed,) = demo_app.library.annotations_of(reader.article.id).placed
        assert placed.annotation.note == "first line\nsecond line"
        main.query_one(TabbedContent).active = "tab-annotations"
        notes = main.query_one(NotesList)
        notes.focus()
        notes.highlighted = 0
        await pilot.press("e")
        await pilot.pause()
        dialog = demo_app.screen
        assert isinstance(dialog, AnnotateDialog)
        dialog.query_one(TextArea).text = "rewritten"
        await pilot.press("ctrl+s")
        await settle(pilot)
        (edited,) = demo_app.library.annotations_of(reader.article.id).placed
        assert edited.annotation.note == "rewritten" and edited.annotation.id == placed.annotation.id
        notes.focus()
        notes.highlighted = 0
        await pilot.press("d")
        await settle(pilot)
        assert demo_app.library.annotations_of(reader.article.id).placed == []
        await pilot.press("u")
        await settle(pilot)
        (back,) = demo_app.library.annotations_of(reader.article.id).placed
        assert back.annotation == edited.annotation


async def test_a_failed_save_keeps_what_was_typed(demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        reader = demo_app.main.reader
        real_add = AnnotationStore.add

        def disk_full(*args: object, **kwargs: object) -> object:
            raise AnnotationFileError("alice.yaml: not saved: No space left on device")

        monkeypatch.setattr(AnnotationStore, "add", disk_full)
        await pilot.press("v", "s", "t")
        await pilot.pause()
        await pilot.press(*"keep-me", "enter")
        await settle(pilot)
        dialog = demo_app.screen
        assert isinstance(dialog, AnnotateDialog)  # back, with the error and the input
        assert "No space left" in dialog.title_text and dialog.query_one(Input).value == "keep-me"
        monkeypatch.setattr(AnnotationStore, "add", real_add)
        await pilot.pause(UNASKED_GRACE_SECONDS)  # keys sooner were typed before it came back: dropped
        await pilot.press("enter")
        await settle(pilot)
        (placed,) = demo_app.library.annotations_of(reader.article.id).placed
        assert placed.annotation.tags == ("keep-me",)


async def test_others_annotations_appear_and_the_corpus_view_opens_one(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        library = demo_app.library
        shelling = library.article("txt/2020-10-28-barda-shelling.txt")
        bob = AnnotationStore(library.state_dir, user="bob", owner_of=owner_by_file_name)
        theirs = bob.add(shelling, 0, 12, ["from-bob"], "seen by bob")
        # Authorship is the file's owner: make bob's file another account's, as on a shared server.
        os.chown(bob.files.own_file(shelling.id), 54321, -1)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(demo_app.screen, AllAnnotationsScreen)
        await pilot.press(*"tag:from-bob", "enter", "enter")
        await settle(pilot, rounds=5)
        reader = demo_app.main.reader
        assert reader.article.id == shelling.id
        assert reader.current_annotation == theirs.id
        notes = demo_app.main.query_one(NotesList)
        assert [p.own for p in notes.shown.placed] == [False]
        later = bob.add(shelling, 20, 30, ["later"])  # bob keeps working; the reader refreshes by itself
        demo_app.main.editor.refresh_annotations()
        await settle(pilot)
        assert later.id in {s.annotation_id for s in reader.annotation_spans}


async def test_delete_undo_show_at_once_first_row_selected_and_retag_edits(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(140, 40), notifications=True) as pilot:
        await _open_first_article(demo_app, pilot)
        main, reader = demo_app.main, demo_app.main.reader
        await pilot.press("v", "s", "t")
        await pilot.pause()
        await pilot.press(*"first", "enter")
        await settle(pilot)
        (placed,) = demo_app.library.annotations_of(reader.article.id).placed
        # t again on the same passage: its tags come up for editing, nothing is replaced silently
        reader.set_selection(placed.anchor.start, placed.anchor.end)
        await pilot.press("t")
        await pilot.pause()
        dialog = demo_app.screen
        assert isinstance(dialog, AnnotateDialog) and dialog.query_one(Input).value == "first"
        await pilot.press("end", *", second", "enter")
        await settle(pilot)
        (retagged,) = demo_app.library.annotations_of(reader.article.id).placed
        assert retagged.annotation.id == placed.annotation.id and retagged.annotation.tags == ("first", "second")
        main.query_one(TabbedContent).active = "tab-annotations"
        notes = main.query_one(NotesList)
        notes.focus()
        await pilot.pause()
        assert notes.highlighted == 0  # e and d work at once
        await pilot.press("d")
        await settle(pilot)
        assert notes.shown.placed == [] and reader.annotation_spans == []
        assert any("Notes tab" in toast for toast in toasts(demo_app))
        await pilot.press("u")
        await settle(pilot)
        assert [p.annotation.id for p in notes.shown.placed] == [placed.annotation.id]
        assert [s.annotation_id for s in reader.annotation_spans] == [placed.annotation.id]


@pytest.mark.parametrize("burst", ["dudud", "dudu", "du", "dd", "uu"])
async def test_delete_and_undo_in_one_burst_end_as_the_last_key_says(demo_app: NewsdeskApp, burst: str) -> None:
    """Found by the red team: in a burst, u ran before its delete had landed (\"Nothing to undo\")
    and later keys acted on a stale list, so the annotation ended opposite to the last key."""
    from textual import events

    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _tag_a_sentence_and_focus_the_notes_tab(demo_app, pilot)
        main, reader = demo_app.main, demo_app.main.reader
        for key in burst:  # every key queued before any is handled
            demo_app.post_message(events.Key(key, key))
        await settle(pilot)
        deletes = burst.count("d") - burst.count("u") if burst != "dd" else 1
        present = demo_app.library.annotations_of(reader.article.id).placed
        assert len(present) == (0 if deletes > 0 else 1)
        assert len(main.query_one(NotesList).shown.placed) == len(present)


def _present_after(keys: str) -> bool:
    """The plain model: one annotation; d deletes it when it is there, u puts back the one deleted last."""
    present, deleted = True, False
    for key in keys:
        if key == "d" and present:
            present, deleted = False, True
        elif key == "u" and deleted:
            present, deleted = True, False
    return present


@pytest.mark.parametrize("keys", ["d.u.d", "du.d.u.d", "d.ud.u", "dd.uu", "d..u..d..u", "u.d.d.u"])
async def test_delete_and_undo_landing_between_keys_end_as_the_model_says(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, keys: str
) -> None:
    """CI found it: with each write taking a moment, a delete landed between two keys of a burst;
    the next ``d`` met the emptied list and was lost, and the annotation ended present.
    ``.`` is a short pause, during which a write may land or not."""
    from textual import events

    slow_deletes_and_undos(demo_app, monkeypatch, 0.04)
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _tag_a_sentence_and_focus_the_notes_tab(demo_app, pilot)
        main, reader = demo_app.main, demo_app.main.reader
        for key in keys:
            if key == ".":
                await pilot.pause(0.03)
            else:
                demo_app.post_message(events.Key(key, key))
        await settle(pilot)
        expected = 1 if _present_after(keys.replace(".", "")) else 0
        present = demo_app.library.annotations_of(reader.article.id).placed
        assert len(present) == expected
        assert len(main.query_one(NotesList).shown.placed) == expected
        assert len(reader.annotation_spans) == expected


async def test_keys_typed_in_one_burst_after_a_or_t_all_land_in_the_dialog(demo_app: NewsdeskApp) -> None:
    from textual import events

    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        stack_before = len(demo_app.screen_stack)
        for key, burst in (("a", "Hello there, a test"), ("t", "evidence")):
            # one burst, as a slow SSH link delivers it: every key queued before any is handled
            for char in "vs" + key + burst:
                name = {" ": "space", ",": "comma"}.get(char, char)
                demo_app.post_message(events.Key(name, char))
            await settle(pilot)
            dialog = demo_app.screen
            assert isinstance(dialog, AnnotateDialog)
            assert len(demo_app.screen_stack) == stack_before + 1  # one dialog, not two
            typed = dialog.query_one(TextArea).text if key == "a" else dialog.query_one(Input).value
            assert typed == burst
            await pilot.press("escape", "escape")  # the first asks: something is typed
            await settle(pilot)


def _shown(app: NewsdeskApp) -> dict[str, object]:
    """What the reader shows, read from its widgets: the status line, the list's rows, the facets."""
    listed = app.screen.query_one(ArticleList)
    facets = app.screen.query_one(FacetList)
    options = [facets.get_option_at_index(i) for i in range(facets.option_count)]
    return {
        "status": str(app.screen.query_one(SearchStatus).render()),
        "rows": [row.id if (row := listed.row(i)) else None for i in range(min(listed.total, HITS_PAGE))],
        "total": listed.total,
        "facets": sorted((o.id, str(o.prompt).rsplit("  ", 1)[-1]) for o in options if o.id),
    }


def _fresh(state: Path, query: str) -> dict[str, object]:
    """The same search in a library opened afresh on the same corpus and state (as the CLI would)."""
    with Library.open(demo_corpus(), state_dir=state, config=Config()) as fresh:
        found = fresh.search(query, limit=HITS_PAGE)
    total = found.total
    return {
        "status": f"{total:,} result{'s' if total != 1 else ''}",
        "rows": [hit.id for hit in found.hits],
        "total": total if found.stories is None else found.stories,
        "facets": sorted(
            (f"{name}\x00{value.value}", f"{value.count:,}")
            for name, values in found.facets.items()
            for value in values
        ),
    }


async def _until_equal(app: NewsdeskApp, pilot, state: Path, query: str, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 30
    while True:
        await settle(pilot)
        shown, expected = _shown(app), _fresh(state, query)
        status = shown["status"]
        if isinstance(status, str) and status.split(" · ")[0].split(" in ")[0] == expected["status"]:
            shown["status"] = expected["status"]
        if shown == expected:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: the reader shows\n{shown}\nbut a fresh search says\n{expected}")
        await pilot.pause(0.3)


async def test_after_any_annotation_change_the_list_count_and_facets_equal_a_fresh_search(
    demo_app: NewsdeskApp, capsys: pytest.CaptureFixture[str]
) -> None:
    """No ghost rows: the open article re-indexed must replace its row, not add a second one."""
    query = "Barda OR tag:evidence"
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        state = demo_app.library.state_dir
        await pilot.press("slash", *query, "enter")
        await _until_equal(demo_app, pilot, state, query, "before any change")
        before = _fresh(state, query)
        await pilot.press("enter")  # open the top hit
        await settle(pilot)
        article = demo_app.screen.query_one(SelectableReader).article
        assert article is not None and article.id == before["rows"][0]  # type: ignore[index]
        # (a) our own save in the reader: the open article gains a tag
        await pilot.press("v", "s", "t")
        await pilot.pause()
        await pilot.press(*"evidence", "enter")
        await _until_equal(demo_app, pilot, state, query, "after our own save")
        assert ("tags\x00evidence", "1") in _shown(demo_app)["facets"]  # type: ignore[operator]
        # (b) another session's `annotations add` on the open article (the CLI, its own library)
        quote = " ".join(article.text.split("\n\n")[-1].split()[:3])
        argv = ["annotations", "add", article.id, "--quote", quote, "--occurrence", "1", "--tag", "evidence"]
        assert main([*argv, "--tag", "lead", "--corpus", str(demo_corpus()), "--state-dir", str(state)]) == 0
        capsys.readouterr()
        await _until_equal(demo_app, pilot, state, query, "after another session's annotations add")
        shown = _shown(demo_app)
        assert ("tags\x00lead", "1") in shown["facets"]  # type: ignore[operator]
        assert shown["rows"].count(article.id) == 1 and shown["total"] == before["total"]  # type: ignore[union-attr]
