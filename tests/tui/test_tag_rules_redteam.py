"""Red team of d072ef4 (a new tag may not hold a C1 control nor an invisible format character, while
files written before still read): what an older version left behind, and what the reader shows of it."""

from __future__ import annotations

import asyncio
import json
import unicodedata
from pathlib import Path
from unittest import mock

import pytest
from newsdesk.index import Config, Library
from newsdesk.index.annotations.model import Annotation, Target, stored_tag
from newsdesk.index.locations import demo_corpus
from newsdesk.tui import unsaved
from newsdesk.tui.annotation_changes import PendingAnnotation
from newsdesk.tui.app import close_library, make_app
from newsdesk.tui.cli import main
from newsdesk.tui.dialogs.annotate import UNSAVED_TAGS_MARK, AnnotateDialog
from newsdesk.tui.screens.all_annotations import AnnotationRow
from newsdesk.tui.widgets.article_list import ArticleList
from newsdesk.tui.widgets.search_box import SearchBox
from newsdesk.tui.widgets.side_panel import FacetList
from textual.widgets import Input, Static, TextArea

from tests.tui.conftest import settle
from tests.tui.test_annotations_ui import _open_first_article
from tests.tui.test_hangup_bad_tags import _type_then_hang_up
from tests.tui.test_notes_held_keys import _with_annotations

OLD_TAGS = ["ok", "evi\x9bdence", "li\u202eve"]
"""Tags an older version kept at a hang-up: a C1 CSI, a bidi override (the files still read them)."""
SAVED_NOTE = f"my note\n\n{UNSAVED_TAGS_MARK} evi\ufffddence li\ufffdve"


def _library(state: Path) -> Library:
    return Library.open(demo_corpus(), state_dir=state, config=Config())


def _kept_by_an_older_version(state: Path, edit: bool) -> tuple[str, str | None]:
    """A kept file as an older reader wrote it at a hang-up, holding ``OLD_TAGS``: (article id, annotation id)."""
    folder = unsaved.default_unsaved_dir()
    with _library(state) as library:
        article = library.article(library.list_articles(0, 1)[0].id)
        base = library.add_annotation(article, 0, 20, ["first"], "") if edit else None
        kept = unsaved.keep(
            folder,
            library,
            article.id,
            0,
            20,
            OLD_TAGS,
            "my note",
            base.id if base else None,
            base=base,
            quote=None if base else article.text[0:20],
        )
        assert kept is not None
    return article.id, base.id if base else None


def _own(state: Path, article_id: str) -> list[tuple[tuple[str, ...], str]]:
    with _library(state) as library:
        return [(p.annotation.tags, p.annotation.note) for p in library.annotations_of(article_id).placed]


@pytest.mark.parametrize("edit", [False, True], ids=["new", "edit"])
def test_a_kept_annotation_with_a_tag_an_older_version_allowed_is_saved_at_the_next_start(
    demo_state: Path, edit: bool
) -> None:
    """Seen on d072ef4: ``(0, ["an annotation typed before a dropped connection could not be saved (tag
    'evi\\x9bdence': use 1-64 characters ...); it is in ....json.failed ..."])``: set aside, and (below)
    ``kept --apply`` refused it the same way, so the note typed with it could never be saved but by
    editing JSON. Saved now, the tag that no tag may be at the end of the note, marked, as a hang-up
    keeps a word of the tags box no tag may be."""
    article_id, _ = _kept_by_an_older_version(demo_state, edit)
    folder = unsaved.default_unsaved_dir()
    with _library(demo_state) as library:
        saved, failures = unsaved.save_kept(folder, library)
    assert (saved, failures) == (1, [])
    assert _own(demo_state, article_id) == [(("ok",), SAVED_NOTE)]
    assert not list(folder.iterdir())


@pytest.mark.parametrize("edit", [False, True], ids=["new", "edit"])
def test_kept_apply_saves_a_set_aside_file_holding_such_a_tag(
    capsys: pytest.CaptureFixture[str], demo_state: Path, edit: bool
) -> None:
    """One set aside as failed by d072ef4 itself (above), then the user runs ``kept --apply``: it said
    ``not saved: tag 'evi\\x9bdence': use 1-64 characters ...`` and the file stayed."""
    article_id, _ = _kept_by_an_older_version(demo_state, edit)
    folder = unsaved.default_unsaved_dir()
    (kept,) = folder.glob("*.json")
    failed = kept.with_name(kept.name + ".failed")
    kept.rename(failed)
    code = main(["annotations", "kept", "--corpus", str(demo_corpus()), "--state-dir", str(demo_state)])
    out, _ = capsys.readouterr()
    assert code == 0 and failed.name in out and "\x9b" not in out and "\u202e" not in out
    code = main(
        ["annotations", "kept", "--corpus", str(demo_corpus()), "--state-dir", str(demo_state), "--apply", failed.name]
    )
    out, err = capsys.readouterr()
    assert code == 0 and "saved" in out, err
    assert _own(demo_state, article_id) == [(("ok",), SAVED_NOTE)]
    assert not failed.exists()


def test_a_kept_edit_saved_already_with_its_tags_in_the_note_is_not_a_conflict(demo_state: Path) -> None:
    """The start saved it (tags moved to the note) and was killed before it removed the kept copy: the
    next start finds the annotation as it saves it, not as typed, and must not call that a conflict."""
    article_id, ident = _kept_by_an_older_version(demo_state, edit=True)
    folder = unsaved.default_unsaved_dir()
    (kept,) = folder.glob("*.json")
    copy = kept.read_bytes()
    with _library(demo_state) as library:
        assert unsaved.save_kept(folder, library) == (1, [])
        kept.write_bytes(copy)  # as if killed before the copy was removed
        assert unsaved.save_kept(folder, library) == (1, [])
    assert _own(demo_state, article_id) == [(("ok",), SAVED_NOTE)]
    assert not list(folder.iterdir())
    assert json.loads(copy)["annotation_id"] == ident


def _invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or (unicodedata.category(char) == "Cf" and char not in "\u200c\u200d")


async def _edit_old_annotation(app, tags: list[str]) -> tuple[list[str], str, list]:  # type: ignore[no-untyped-def]
    """Edit an annotation an older version saved with ``tags``: what the tags box draws, then the note
    typed on and saved: what the error line says and what is on disk."""
    async with app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(app, pilot)
        article = app.main.reader.article
        with mock.patch("newsdesk.index.annotations.check_tag", stored_tag):  # saved by an older version
            app.library.add_annotation(article, 0, 12, tags, "old note")
        await _with_annotations(app, pilot, 0)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, AnnotateDialog)
        box = app.screen.query_one("#annotate-tags", Input)
        drawn = ["".join(s.text for s in box.render_line(y)) for y in range(box.size.height)]
        app.screen.query_one("#annotate-note", TextArea).focus()
        await pilot.press("end", *" and more", "ctrl+s")
        await settle(pilot)
        error = (
            str(app.screen.query_one("#annotate-error", Static).render())
            if isinstance(app.screen, AnnotateDialog)
            else ""
        )
        placed = app.library.annotations_of(article.id).placed
    return drawn, error, [(p.annotation.tags, p.annotation.note) for p in placed]


@pytest.mark.parametrize("hidden", ["\u202e", "\u2066", "\u200b", "\xad", "\U000e0041", "\u061c"])
def test_an_old_tag_s_invisible_character_is_drawn_as_a_symbol_and_a_note_edit_saves(
    demo_state: Path, hidden: str
) -> None:
    """Seen on d072ef4: the tags box of the edit dialog (``e`` in the Notes tab) held ``li\\u202eve`` as it
    was, so Textual wrote the override to the terminal (a bidi terminal showed the line reversed; the
    Notes list and the All annotations view drop it), and an invisible character could not be seen to
    be deleted; ctrl+s after typing on the note said ``tag 'li\\u202eve': use 1-64 characters ...``. As
    with a C1 control, the box shows it as U+FFFD, and a save writes what the box shows."""
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    try:
        drawn, error, placed = asyncio.run(_edit_old_annotation(app, [f"li{hidden}ve", "ok"]))
    finally:
        close_library(app.library)
    assert not [c for line in drawn for c in line if _invisible(c)], drawn
    assert "li\ufffdve" in "".join(drawn)
    assert error == ""
    assert placed == [(("li\ufffdve", "ok"), "old note and more")]


def _row(tags: tuple[str, ...]) -> AnnotationRow:
    target = Target(0, 5, "First")
    return AnnotationRow(Annotation("a1", "0123456789abcdef", "h", target, tags=tags, author="alice"), "A title", False)


@pytest.mark.parametrize(
    ("tags", "typed"),
    [
        (("evi\x9bdence",), "tag:evidence"),  # a C1 control an older version saved: shown as "evidence"
        (("li\u202eve",), "tag:live"),  # a bidi override: shown as "live"
        (("👩\u200d💻",), "tag:👩💻"),  # the joiner a tag may hold: dropped where it is shown
        (("می\u200cخواهم",), "tag:میخواهم"),
        (("e\u0301vidence",), "tag:évidence"),  # decomposed (a file from a Mac): looks the same
    ],
)
def test_the_all_annotations_filter_finds_a_tag_by_what_its_column_shows(tags: tuple[str, ...], typed: str) -> None:
    """Seen on d072ef4: ``tag:`` compared the tag as stored, case aside, while its column shows it
    through clean_line (controls, overrides and joiners dropped): ``tag:evidence`` did not find the tag
    shown as "evidence", and no one can type the C1 control it holds."""
    row = _row(tags)
    shown = row.line().plain.split(" ")[0]
    assert unicodedata.normalize("NFC", shown) == typed.removeprefix("tag:")
    assert row.matches([typed])
    assert row.matches(["tag:" + typed.removeprefix("tag:").upper()])
    assert not row.matches(["tag:other"])


async def _suggested(app, typed: str) -> tuple[list[str], str]:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(app, pilot)
        await pilot.press("v", "s", "t")
        await settle(pilot)
        assert isinstance(app.screen, AnnotateDialog)
        await pilot.press(*typed)
        await settle(pilot)
        box = app.screen.query_one("#annotate-tags", Input)
        drawn = ["".join(s.text for s in box.render_line(y)) for y in range(box.size.height)]
        await pilot.press("right")  # takes the suggestion
        await pilot.pause()
        return drawn, box.value


@pytest.mark.parametrize("old", ["ab\x9b2J", "ab\u202ecd", "ab\u200b"])
def test_a_tag_no_one_may_add_now_is_not_suggested(demo_state: Path, old: str) -> None:
    """Seen on d072ef4: tags in use (every annotation file of the corpus: another account's too, which
    its owner can write as they like) were offered as they were, as the tags box's suggestion: Textual
    drew it raw, a C1 CSI and a bidi override went to the terminal, and taking it gave a tag ctrl+s
    refused. Only tags that a new tag may be are suggested."""
    with _library(demo_state) as library:
        article = library.article(library.list_articles(0, 1)[0].id)
        with mock.patch("newsdesk.index.annotations.check_tag", stored_tag):  # saved by an older version
            library.add_annotation(article, 30, 40, [old], "")
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    try:
        drawn, value = asyncio.run(_suggested(app, "ab"))
    finally:
        close_library(app.library)
    assert not [c for line in drawn for c in line if _invisible(c)], drawn
    assert value == "ab"  # nothing suggested


async def _pick_tag_facet(app, tag: str) -> tuple[list[str], int]:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one(SearchBox).set_query("annotated:yes")
        await settle(pilot)
        facets = app.screen.query_one(FacetList)
        ids = [facets.get_option_at_index(i).id for i in range(facets.option_count)]
        shown = [i for i, ident in enumerate(ids) if ident and ident.startswith("tags\x00") and ident.endswith(tag[-1])]
        assert len(shown) == 1, ids
        facets.focus()
        facets.highlighted = shown[0]
        await pilot.press("enter")
        await settle(pilot)
        box = app.screen.query_one(SearchBox)
        drawn = ["".join(s.text for s in box.render_line(y)) for y in range(box.size.height)]
        return drawn, app.screen.query_one(ArticleList).total


@pytest.mark.parametrize("planted", ["ab\x9b2J", "ab\u202ecd", "a\u200bb"])
def test_a_tag_facet_picked_puts_no_control_in_the_search_box_and_finds_its_article(
    demo_state: Path, planted: str
) -> None:
    """Seen on d072ef4: a tag no new tag may be (an older version's, or one another account wrote in
    its own annotation file, which the files still read) went into the index as it was; the tags facet
    showed it cleaned, but Enter on it put ``tag:"ab\\x9b2J"`` in the search box, which Textual drew
    raw: a C1 CSI on the terminal. The index takes an annotation's tags cleaned as articles' are."""
    with _library(demo_state) as library:
        article = library.article(library.list_articles(0, 1)[0].id)
        with mock.patch("newsdesk.index.annotations.check_tag", stored_tag):  # as such a file holds it
            library.add_annotation(article, 30, 40, [planted], "")
        library.sync_annotations()
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    try:
        drawn, total = asyncio.run(_pick_tag_facet(app, planted))
    finally:
        close_library(app.library)
    assert not [c for line in drawn for c in line if _invisible(c)], drawn
    assert total == 1


@pytest.mark.parametrize("hidden", ["\u202e", "\u2066", "\u200b", "\u3164"])
def test_a_hang_up_keeps_a_word_with_an_invisible_character_in_the_note_as_a_symbol(
    demo_state: Path, hidden: str
) -> None:
    """Seen on d072ef4: a word of the tags box that no tag may be for its bidi override went to the note
    with the override as it was (a C0 or C1 control goes as its symbol), and the edit dialog's note box
    then wrote it to the terminal raw. Kept as U+FFFD, as a C1 control is."""
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    try:
        _, tags, note = asyncio.run(_type_then_hang_up(app, f"ok li{hidden}ve", "a note"))
    finally:
        close_library(app.library)
    assert (tags, note) == (["ok"], f"a note\n\n{UNSAVED_TAGS_MARK} li\ufffdve")


def test_a_tag_facet_of_an_index_built_before_puts_no_control_in_the_search_box(demo_state: Path) -> None:
    """An index built before the index took tags cleaned keeps the tag as it was until its annotation
    file changes: Enter on it still put the C1 CSI in the search box. The clause is cleaned too (it finds
    nothing there until that file changes, rather than writing an escape to the terminal)."""
    with _library(demo_state) as library:
        article = library.article(library.list_articles(0, 1)[0].id)
        with mock.patch("newsdesk.index.annotations.check_tag", stored_tag):
            library.add_annotation(article, 30, 40, ["ab\x9b2J"], "")
        with mock.patch("newsdesk.index.annotations.shown_tag", lambda tag: tag):  # as the index was built
            library.sync_annotations()
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    try:
        drawn, _ = asyncio.run(_pick_tag_facet(app, "ab\x9b2J"))
    finally:
        close_library(app.library)
    assert not [c for line in drawn for c in line if _invisible(c)], drawn


@pytest.mark.parametrize("old", ["evi\x9bdence", "li\u202eve"])
def test_a_hang_up_before_the_edit_dialog_shows_its_boxes_changes_nothing(demo_state: Path, old: str) -> None:
    """A hang-up right after ``e``, before the dialog composed its boxes, takes what it was opened with:
    the tags as the box shows them (U+FFFD for what no tag may hold). That read as an edit (it differs
    from the file), so an old tag was rewritten though nothing was typed."""
    with _library(demo_state) as library:
        article = library.article(library.list_articles(0, 1)[0].id)
        with mock.patch("newsdesk.index.annotations.check_tag", stored_tag):
            made = library.add_annotation(article, 0, 12, [old, "ok"], "a note")
    pending = PendingAnnotation.editing(article, made)
    dialog = AnnotateDialog("quote", [], tuple(pending.entered.tags), pending.entered.note)
    assert pending.changes_nothing(dialog.current_input())
