"""Red team (two sessions, one user, one article): an edit never silently replaces one made meanwhile elsewhere."""

from __future__ import annotations

from newsdesk.index import Config, Library
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.dialogs.annotate import AnnotateDialog
from textual.widgets import Input

from tests.tui.conftest import settle


async def _tag_the_first_sentence(app: NewsdeskApp, pilot, tags: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("v", "s", "t")
    await pilot.pause()
    await pilot.press(*tags, "enter")
    await settle(pilot)


async def test_an_edit_made_in_another_session_meanwhile_is_not_overwritten_unseen(demo_app: NewsdeskApp) -> None:
    """Two readers of one user on one article (two SSH sessions) both had the same annotation
    loaded; the other one saved a note while this one's edit dialog was open. Saving here wrote
    this dialog's tags and (empty) note over it: the other session's note was gone, no word said."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        article = demo_app.main.reader.article
        assert article is not None
        await _tag_the_first_sentence(demo_app, pilot, "kept")
        (placed,) = demo_app.library.annotations_of(article.id).placed
        await pilot.press("v", "s", "t")  # the same passage: its dialog edits the annotation
        await pilot.pause()
        assert isinstance(demo_app.screen, AnnotateDialog)
        with Library.open(demo_corpus(), state_dir=demo_app.library.state_dir, config=Config()) as other:
            other.edit_annotation(article, placed.annotation.id, tags=["kept", "theirs"], note="their note")
        await pilot.press("end", *",mine", "enter")
        await settle(pilot)
        (now,) = demo_app.library.annotations_of(article.id).placed
        assert (now.annotation.tags, now.annotation.note) == (("kept", "theirs"), "their note")
        dialog = demo_app.screen
        assert isinstance(dialog, AnnotateDialog)  # back, with what was typed and why it was not saved
        assert "another session" in dialog.title_text
        assert dialog.query_one(Input).value == "kept, mine"
        await pilot.press("enter")  # told, and saved again: this replaces theirs
        await settle(pilot)
        (now,) = demo_app.library.annotations_of(article.id).placed
        assert now.annotation.tags == ("kept", "mine")
        assert not isinstance(demo_app.screen, AnnotateDialog)


async def test_editing_ones_own_fresh_save_again_at_once_is_no_conflict(demo_app: NewsdeskApp) -> None:
    """A second edit typed right after the first, before the reader re-read the file, is not
    taken for another session's change (it starts from what this session itself wrote)."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        article = demo_app.main.reader.article
        assert article is not None
        await _tag_the_first_sentence(demo_app, pilot, "one")
        editor = demo_app.main.editor
        shown = editor.found
        await pilot.press("v", "s", "t")
        await pilot.pause()
        await pilot.press("end", *",two", "enter")
        await settle(pilot)
        editor.found = shown  # as if the reload after that save had not been handled yet
        await pilot.press("v", "s", "t")
        await pilot.pause()
        await pilot.press("end", *",three", "enter")
        await settle(pilot)
        assert not isinstance(demo_app.screen, AnnotateDialog)  # saved, not sent back as a conflict
        (now,) = demo_app.library.annotations_of(article.id).placed
        assert now.annotation.tags == ("one", "three")  # what that dialog showed ("one"), and ",three"
