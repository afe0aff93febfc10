"""A hang-up keeps every word typed in the tags box, a word no tag may be (too long, a control
character, bytes that were not UTF-8) too: it goes to the end of the note, marked. Before, it was
dropped, and with it everything typed when it was the only thing typed."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from newsdesk.index import AnnotationError, Config, check_annotation_tag
from newsdesk.index.annotations.model import is_invisible
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import close_library, make_app
from newsdesk.tui.dialogs.annotate import UNSAVED_TAGS_MARK, AnnotateDialog
from textual.widgets import Input, TextArea

from tests.tui.conftest import settle

_SPLIT = re.compile(r"[,\s]+")
_WORDS = st.one_of(
    st.text(max_size=12),  # all of Unicode: control characters, surrogates, line ends
    st.text("ab", min_size=65, max_size=300),  # too long for a tag
    st.sampled_from(["ok", "https://example.org/a?b=c", "a\x00b", "\x1b[31mred", "- x", "key: value", "#c"]),
)


def _as_kept(word: str) -> str:
    """A control character as its symbol (U+2400 on), DEL as U+2421, C1 controls and surrogates as U+FFFD."""
    out = []
    for char in word:
        code = ord(char)
        if code < 0x20:
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("\u2421")
        elif 0x80 <= code < 0xA0 or 0xD800 <= code < 0xE000 or is_invisible(char):  # (format characters too)
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


def _valid(word: str) -> bool:
    try:
        check_annotation_tag(word)
    except AnnotationError:
        return False
    return True


async def _type_then_hang_up(app, tags_box: str, note: str) -> tuple[str, list[str], str]:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        article_id = app.main.reader.article.id
        await pilot.press("v", "s", "a")
        await settle(pilot)
        assert isinstance(app.screen, AnnotateDialog)
        app.screen.query_one("#annotate-tags", Input).value = tags_box
        app.screen.query_one("#annotate-note", TextArea).text = note
        await pilot.pause()
        app.hang_up()
    placed = app.library.annotations_of(article_id).placed
    if not placed:
        return article_id, [], ""
    (one,) = placed
    return article_id, list(one.annotation.tags), one.annotation.note


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_WORDS, max_size=4), st.sampled_from(["", "a note", "two\nlines\n", "  "]))
@example(["x" * 65], "")  # the only thing typed, and no tag: it was lost
@example(["ok", "a\x00b", "\ud800z"], "a note")
def test_every_word_of_the_tags_box_is_saved_at_a_hang_up(
    demo_index: Path, tmp_path_factory: pytest.TempPathFactory, words: list[str], note: str
) -> None:
    tags_box = " ".join(words)
    state = tmp_path_factory.mktemp("bad-tags") / "demo-state"
    shutil.copytree(demo_index, state)
    app = make_app(demo_corpus(), Config(), state, index_on_start=False, watch=False)
    try:
        _, tags, saved_note = asyncio.run(_type_then_hang_up(app, tags_box, note))
    finally:
        close_library(app.library)
    typed = [w for w in _SPLIT.split(tags_box) if w.strip()]
    if not typed and not note.strip():
        assert (tags, saved_note) == ([], "")
        return
    good = [check_annotation_tag(w) for w in typed if _valid(w)]
    bad = [_as_kept(w) for w in typed if not _valid(w)]
    assert tags == list(dict.fromkeys(good))
    assert saved_note.strip().startswith(note.strip())
    if bad:
        last = saved_note.splitlines()[-1]
        assert last.startswith(UNSAVED_TAGS_MARK)
        assert last.removeprefix(UNSAVED_TAGS_MARK + " ").split(" ") == list(dict.fromkeys(bad))
    else:
        assert saved_note.strip() == note.strip()
