"""Red team on 01536e3 (a hang-up keeps a word of the tags box that no tag may be at the end of
the note, marked): what the note then holds, and what showing it again does."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from newsdesk.index import Config
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.annotation_changes import PendingAnnotation
from newsdesk.tui.app import close_library, make_app
from newsdesk.tui.dialogs.annotate import UNSAVED_TAGS_MARK, AnnotateDialog
from textual.widgets import TextArea

from tests.tui.conftest import settle
from tests.tui.test_hangup_bad_tags import _type_then_hang_up

_CONTROLS = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]}


def _hang_up_with(state: Path, tags_box: str, note: str) -> tuple[str, list[str], str]:
    app = make_app(demo_corpus(), Config(), state, index_on_start=False, watch=False)
    try:
        return asyncio.run(_type_then_hang_up(app, tags_box, note))
    finally:
        close_library(app.library)


@pytest.fixture
def state(demo_index: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo-state"
    shutil.copytree(demo_index, target)
    return target


@pytest.mark.parametrize("note", ["    indented code\nthen text", "\n\nafter two blank lines", "\tx = 1"])
def test_the_note_s_own_start_is_kept_when_a_word_is_added(state: Path, note: str) -> None:
    """The whole note was stripped of its leading white space (an indented first line, blank lines
    first) when a word of the tags box went to its end: only its end is trimmed, before the mark."""
    _, _, saved = _hang_up_with(state, "x" * 65, note)
    assert saved == f"{note.rstrip()}\n\n{UNSAVED_TAGS_MARK} {'x' * 65}"


@pytest.mark.parametrize(
    ("word", "kept_as"),
    [
        ("\x1b]52;c;aGVsbG8=\x1b\\", "\u241b]52;c;aGVsbG8=\u241b\\"),  # OSC 52: sets the clipboard
        ("\x1b[2J\x1b[31mred", "\u241b[2J\u241b[31mred"),
        ("a\x00b\x07c\x7f", "a\u2400b\u2407c\u2421"),
        ("\x9b31m\x00", "\ufffd31m\u2400"),  # C1 CSI (alone a tag may hold it: check_tag allows C1)
    ],
)
def test_a_control_character_of_the_tags_box_goes_to_the_note_as_its_symbol(
    state: Path, word: str, kept_as: str
) -> None:
    """A word of the tags box holding control characters went to the note as it was, and the edit
    dialog (``e`` in the Notes tab) then wrote them to the terminal as they are: Textual's TextArea
    draws them raw, an ESC too (a terminal's paste brings SO, SI, BEL, but its parser drops an ESC:
    tests/tui/test_hangup_bad_tags_tmux.py). Kept readable instead, as the symbols of those
    characters; a C1 control, as bytes that were not text."""
    article_id, _, saved = _hang_up_with(state, word, "a note")
    assert saved == f"a note\n\n{UNSAVED_TAGS_MARK} {kept_as}"
    assert not _CONTROLS & set(saved) - {"\n"}
    app = make_app(demo_corpus(), Config(), state, index_on_start=False, watch=False)

    async def edit_it() -> list[str]:
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            article = app.main.reader.article
            assert article.id == article_id
            (placed,) = app.library.annotations_of(article_id).placed
            app.main.editor.ask(PendingAnnotation.editing(article, placed.annotation), "quote", focus_note=True)
            await settle(pilot)
            assert isinstance(app.screen, AnnotateDialog)
            box = app.screen.query_one("#annotate-note", TextArea)
            return ["".join(s.text for s in box.render_line(y)) for y in range(box.size.height)]

    try:
        drawn = asyncio.run(edit_it())
    finally:
        close_library(app.library)
    assert not any(_CONTROLS & set(line) for line in drawn), drawn
