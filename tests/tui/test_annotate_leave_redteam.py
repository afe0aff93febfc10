"""Red team of the annotation dialog's Esc (asks before it discards): the other ways out of the
dialog, and what counts as typed, must not lose a note on one key either."""

from __future__ import annotations

import asyncio
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index.annotations import AnnotationFileError, AnnotationStore
from newsdesk.tui.annotation_changes import PendingAnnotation
from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.dialogs.annotate import UNASKED_GRACE_SECONDS, AnnotateDialog, AnnotationInput
from textual.app import App
from textual.widgets import Input, Static, TextArea

from tests.tui.conftest import settle
from tests.tui.test_annotation_dialogs import Host
from tests.tui.test_key_order import _open_first_article, burst, wait_until


def _error_line(app: App[None]) -> str:
    return str(app.screen.query_one("#annotate-error", Static).render())


async def test_ctrl_q_with_a_note_typed_asks_and_a_second_ctrl_q_quits(demo_app: NewsdeskApp) -> None:
    """Textual's own ctrl+q (quit, ahead of every other key) left the dialog and the app at once:
    the note typed was neither saved nor kept, with no word, though Esc there now asks first."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        article_id = demo_app.main.reader.article.id
        burst(demo_app, "vsaa long note, half typed")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert demo_app.return_code is None
        dialog = demo_app.screen
        assert isinstance(dialog, AnnotateDialog)
        assert dialog.query_one(TextArea).text == "a long note, half typed"
        assert "ctrl+q again quits" in _error_line(demo_app)
        await pilot.press("ctrl+q")  # asked, with the note in view: as meant
        await settle(pilot)
        assert demo_app.return_code == 0
    assert demo_app.library.annotations_of(article_id).placed == []


async def test_ctrl_q_with_nothing_typed_in_the_dialog_quits_at_once(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        burst(demo_app, "vsa")
        await settle(pilot)
        assert isinstance(demo_app.screen, AnnotateDialog)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert demo_app.return_code == 0


async def test_one_esc_keeps_tags_that_would_not_save() -> None:
    """A tag of 65 characters or more (a link pasted as a tag) was no tag to Esc: with nothing else
    typed, one Esc threw it away unasked; ctrl+s says what is wrong with it instead."""
    app = Host()
    link = "https://example.org/2026/12/02/a-long-article-address-pasted-as-a-tag"
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(AnnotateDialog("passage", []), app.record)
        await pilot.pause()
        app.screen.query_one(Input).value = link
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [] and "esc again discards" in _error_line(app)
        assert app.screen.query_one(Input).value == link


async def test_a_tag_typed_after_the_question_makes_esc_ask_again() -> None:
    """What Esc asked about is what the boxes hold, bad tags and all: a tag that would not save,
    typed after the question, was not "typed between", and the next Esc discarded it with the rest."""
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(AnnotateDialog("passage", []), app.record)
        await pilot.pause()
        await pilot.press(*"lead", "escape")
        await pilot.pause()
        app.screen.query_one(Input).value = "lead, " + "x" * 65
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == []


_BOX_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120)
_LONG_WORD = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Z")), min_size=65, max_size=80)
_TAGS_TEXT = st.lists(st.one_of(_BOX_TEXT, _LONG_WORD), max_size=3).map(", ".join)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tags_text=_TAGS_TEXT, note=_BOX_TEXT)
def test_one_esc_keeps_whatever_the_tags_box_holds(tags_text: str, note: str) -> None:
    """Any text in the tags box (a tag too long, a word with a character no tag may hold) or the note:
    one Esc closes only when both hold nothing but separators and blanks."""
    blank = not re.sub(r"[,\s]+", "", tags_text) and not note.strip()

    async def run() -> None:
        app = Host()
        async with app.run_test(size=(100, 30)) as pilot:
            app.push_screen(AnnotateDialog("passage", []), app.record)
            await pilot.pause()
            app.screen.query_one(Input).value = tags_text
            app.screen.query_one(TextArea).load_text(note)
            await pilot.press("escape")
            await pilot.pause()
            assert app.results == ([None] if blank else [])
            if not blank:
                assert app.screen.query_one(Input).value == tags_text

    asyncio.run(run())


async def test_a_hang_up_with_an_edit_left_as_it_was_writes_nothing(demo_app: NewsdeskApp) -> None:
    """The note box keeps a note's line ends its own way (\\n to \\r\\n after a \\r\\n, U+2028 to a line
    end): Esc judged the edit unchanged, but a hang-up compared the box with the file and wrote the note
    back changed, with a new modified time, and a kept copy if another session held or changed it."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        article = demo_app.main.reader.article
        saved = demo_app.library.add_annotation(article, 0, 10, ["lead"], "line one\r\nline two\nthree\u2028four")
        demo_app.main.editor.ask(PendingAnnotation.editing(article, saved), "quote", focus_note=True)
        await settle(pilot)
        assert isinstance(demo_app.screen, AnnotateDialog)
        demo_app.hang_up()
        await pilot.pause()
    assert [p.annotation for p in demo_app.library.annotations_of(article.id).placed] == [saved]
    assert not list(demo_app.unsaved_dir.glob("*.json"))


async def test_a_hang_up_while_esc_asks_saves_the_note(demo_app: NewsdeskApp) -> None:
    """The link drops with the question in view (the first Esc of two, the second never sent): what
    was typed is not discarded, it is saved as at any hang-up."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        article_id = demo_app.main.reader.article.id
        burst(demo_app, "vsaasked, then the link dropped", ("escape", "\x1b"))
        await settle(pilot)
        assert "esc again discards" in _error_line(demo_app)
        demo_app.hang_up()
        await pilot.pause()
    assert demo_app.return_code == 129
    notes = [p.annotation.note for p in demo_app.library.annotations_of(article_id).placed]
    assert notes == ["asked, then the link dropped"]


async def test_typing_after_the_question_changes_it_and_the_next_esc_asks_in_view() -> None:
    """The question stayed on screen after more was typed, so the Esc that asked again changed
    nothing in view: it looked ignored, and the one after it discarded (as in "Esc Esc q" typed
    fast, where the terminal sends the second Esc and q as Alt+q: q is typed, the Esc is not)."""
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(AnnotateDialog("passage", [], focus_note=True), app.record)
        await pilot.pause()
        await pilot.press(*"one", "escape")
        await pilot.pause()
        assert "esc again discards" in _error_line(app)
        await pilot.press(*" two")
        await pilot.pause()
        assert "esc again discards" not in _error_line(app) and "esc asks before" in _error_line(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [] and "esc again discards" in _error_line(app)


async def test_esc_after_a_refused_save_asks_again() -> None:
    """Esc asked, ctrl+s was refused (a tag too long) and its error took the question's place: the
    next Esc discarded everything, with no question in view."""
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(AnnotateDialog("passage", [], focus_note=True), app.record)
        await pilot.pause()
        app.screen.query_one(Input).value = "x" * 70
        await pilot.press(*"a note", "escape", "ctrl+s")
        await pilot.pause()
        assert "1-64 characters" in _error_line(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [] and "esc again discards" in _error_line(app)


async def test_the_dialog_names_the_keys_the_keymap_gave_its_cancel_and_save() -> None:
    """ui.keymap can move annotate.cancel and annotate.save (? lists them): the question said "esc
    again discards", and the dialog's key line "esc: cancel", where Esc did nothing any more."""
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        app.set_keymap({"annotate.cancel": "ctrl+g", "annotate.save": "f2"})
        app.push_screen(AnnotateDialog("passage", [], focus_note=True), app.record)
        await pilot.pause()
        assert str(app.screen.query_one("#annotate-keys", Static).render()) == (
            "f2: save · enter in tags: save · ctrl+g: cancel"
        )
        await pilot.press(*"a note", "ctrl+g")
        await pilot.pause()
        assert app.results == []
        assert "ctrl+g again discards what is typed, f2 saves it" in _error_line(app)
        await pilot.press("f2")
        await pilot.pause()
    assert app.results == [AnnotationInput([], "a note")]


async def test_quit_from_the_command_palette_over_the_dialog_asks_too(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        burst(demo_app, "vsaa note typed here")
        await settle(pilot)
        await pilot.press("ctrl+p")  # the palette opens over the dialog (a priority key)
        await settle(pilot)
        await pilot.press(*"quit")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert demo_app.return_code is None
        assert isinstance(demo_app.screen, AnnotateDialog) and "ctrl+q again quits" in _error_line(demo_app)
        assert demo_app.screen.query_one(TextArea).text == "a note typed here"


async def test_a_hang_up_keeps_a_note_typed_while_an_earlier_save_was_under_way(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tags, Enter, then a new note at once (the save slow: another session's lock, a slow disk). When
    that save landed it cleared what the editor held as being typed, the new note's too: a hang-up
    then found nothing typed and the open dialog's note was lost."""
    add = AnnotationStore.add

    def slow_add(*args: object, **kwargs: object) -> object:
        time.sleep(1.0)  # the next dialog is open and typed in before this lands
        return add(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(AnnotationStore, "add", slow_add)
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        article_id = demo_app.main.reader.article.id
        burst(demo_app, "vstfirst", ("enter", None), "vsasecond note, typed while the first saved")
        await wait_until(pilot, lambda: bool(demo_app.library.annotations_of(article_id).placed))
        await settle(pilot)  # the first save's answer handled
        dialog = demo_app.screen
        assert isinstance(dialog, AnnotateDialog)
        assert dialog.query_one(TextArea).text == "second note, typed while the first saved"
        demo_app.hang_up()
        await pilot.pause()
    placed = demo_app.library.annotations_of(article_id).placed
    assert sorted((p.annotation.tags, p.annotation.note) for p in placed) == [
        ((), "second note, typed while the first saved"),
        (("first",), ""),
    ]


@pytest.mark.parametrize("dealt_with", [True, False], ids=["after-it", "while-it-shows"])
async def test_a_hang_up_keeps_a_note_typed_under_a_failed_save_s_dialog(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, dealt_with: bool
) -> None:
    """Tags, Enter, then a new note at once; the first save fails (a lock held its 30 s, a full disk)
    and its dialog comes back over the note being typed. The reader held only the dialog opened last
    as being typed: once that one was dealt with (here: Esc Esc), a hang-up lost the note under it."""

    def fails(*args: object, **kwargs: object) -> object:
        time.sleep(2.5)  # the next dialog is open and typed in before this fails (a loaded machine too)
        raise AnnotationFileError("alice.yaml: locked by another newsdesk process for 30 s")

    monkeypatch.setattr(AnnotationStore, "add", fails)
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(demo_app, pilot)
        article_id = demo_app.main.reader.article.id
        burst(demo_app, "vstfirst", ("enter", None), "vsathe note under it")
        await wait_until(pilot, lambda: "locked" in getattr(demo_app.screen, "title_text", ""))
        await pilot.pause(UNASKED_GRACE_SECONDS)
        expected = [((), "the note under it")]
        if dealt_with:
            await pilot.press("escape", "escape")  # the failed one's tags: discarded, as asked
            await settle(pilot)
            dialog = demo_app.screen
            assert isinstance(dialog, AnnotateDialog) and dialog.query_one(TextArea).text == "the note under it"
        else:
            expected.append((("first",), ""))
        monkeypatch.undo()  # the lock is free again
        demo_app.hang_up()
        await pilot.pause()
    placed = demo_app.library.annotations_of(article_id).placed
    assert sorted((p.annotation.tags, p.annotation.note) for p in placed) == sorted(expected)
