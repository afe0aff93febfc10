"""The edit dialog never writes a note's or a tag's control characters to the terminal as they are.

An annotation's note and tags come from a file: an import of someone else's export, a hand edit, a
tag with a C1 control (which versions before tests/test_tag_rules.py's rule saved). Textual's text boxes draw what they
hold as it is, so an ESC or a C1 CSI there reached the terminal as an escape sequence (OSC 52 sets
the clipboard; red team). The boxes now hold each such character as its symbol; Esc with nothing
typed still writes nothing.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from newsdesk.index import AnnotationError, Config
from newsdesk.index.annotations.model import stored_tag
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import close_library, make_app
from newsdesk.tui.dialogs.annotate import AnnotateDialog
from textual.widgets import Input, TextArea

from tests.tui.conftest import settle
from tests.tui.test_annotations_ui import _open_first_article
from tests.tui.test_notes_held_keys import _with_annotations

_RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _tag_or_none(text: str) -> str | None:
    try:
        return stored_tag(text)  # what a file may hold: a C1 control too
    except AnnotationError:
        return None


async def _edit_then_escape(app, note: str, tags: list[str]) -> tuple[str, str, list, list]:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(140, 40)) as pilot:
        await _open_first_article(app, pilot)
        article = app.main.reader.article
        with mock.patch("newsdesk.index.annotations.check_tag", stored_tag):  # saved by an older version
            made = app.library.add_annotation(article, 0, 12, tags, note)
        await _with_annotations(app, pilot, 0)  # the Notes tab, focused, showing it
        before = app.library.annotations_of(article.id).placed
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, AnnotateDialog)
        shown_note = app.screen.query_one("#annotate-note", TextArea).text
        shown_tags = app.screen.query_one("#annotate-tags", Input).value
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, AnnotateDialog), "one Esc with nothing typed closes it"
        after = app.library.annotations_of(article.id).placed
        assert made.id in [p.annotation.id for p in after]
    return shown_note, shown_tags, before, after


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
    st.lists(st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=8).map(_tag_or_none), max_size=3),
)
@example("\x1b]52;c;aGVsbG8=\x07 and \x1b[2J\x9b31m\x0e", ["\x9b31m", "ok"])
def test_the_edit_dialog_shows_no_control_character_raw_and_esc_writes_nothing(
    demo_index: Path, tmp_path_factory: pytest.TempPathFactory, note: str, tags: list[str | None]
) -> None:
    state = tmp_path_factory.mktemp("controls") / "demo-state"
    shutil.copytree(demo_index, state)
    app = make_app(demo_corpus(), Config(), state, index_on_start=False, watch=False)
    try:
        shown_note, shown_tags, before, after = asyncio.run(
            _edit_then_escape(app, note, [t for t in tags if t is not None])
        )
    finally:
        close_library(app.library)
    assert not _RAW.search(shown_note), repr(shown_note)
    assert not _RAW.search(shown_tags), repr(shown_tags)
    assert [p.annotation for p in after] == [p.annotation for p in before]
