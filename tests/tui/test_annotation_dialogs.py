"""The annotate dialog and the corpus-wide annotations view, on their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from newsdesk.index import AnnotationError, Config, Library
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import close_library
from newsdesk.tui.dialogs.annotate import AnnotateDialog, AnnotationInput, TagSuggester, parse_tags
from newsdesk.tui.screens.all_annotations import AllAnnotationsScreen
from textual.app import App
from textual.widgets import Input, OptionList, Static, TextArea

from tests.tui.conftest import settle


class Host(App[None]):
    """An empty app to open one dialog on, recording what it was dismissed with."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []

    def record(self, result: object) -> None:
        self.results.append(result)


def test_parse_tags() -> None:
    assert parse_tags("evidence, offshore  money,evidence") == ["evidence", "offshore", "money"]
    with pytest.raises(AnnotationError):
        parse_tags("ok, bad\x1btag")


async def test_tag_suggester_completes_the_last_tag() -> None:
    suggester = TagSuggester(["evidence", "Offshore", "event"])
    assert await suggester.get_suggestion("evi") == "evidence"
    assert await suggester.get_suggestion("evidence, off") == "evidence, Offshore"
    assert await suggester.get_suggestion("evidence, ev") == "evidence, event"  # not the one already typed
    assert await suggester.get_suggestion("evidence, ") is None


async def test_annotate_dialog_saves_tags_and_a_multi_line_note() -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(AnnotateDialog("a [b]quoted[/b] passage", ["evidence"]), app.record)
        await pilot.pause()
        assert "[b]quoted[/b]" in str(app.screen.query_one("#annotate-quote", Static).render())
        await pilot.press(*"evi")
        await pilot.press("right")  # accept the suggestion
        await pilot.press(*", lead")
        app.screen.query_one(TextArea).focus()
        await pilot.press(*"line one", "enter", *"line two")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [AnnotationInput(["evidence", "lead"], "line one\nline two")]


async def test_annotate_dialog_shows_a_bad_tag_inline_and_can_be_cancelled() -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(AnnotateDialog("passage", []), app.record)
        await pilot.pause()
        app.screen.query_one(Input).value = "x" * 70
        await pilot.press("enter")
        await pilot.pause()
        assert "1-64 characters" in str(app.screen.query_one("#annotate-error", Static).render())
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_annotations_screen_filters_and_opens(tmp_path: Path, demo_state: Path) -> None:
    library = Library.open(demo_corpus(), state_dir=demo_state, config=Config())
    shelling = library.article("txt/2020-10-28-barda-shelling.txt")
    first = library.annotate(shelling.id, 0, 20, ["evidence"], "checked twice")
    library.annotate(shelling.id, 30, 50, ["lead"])
    app = Host()
    async with app.run_test(size=(120, 30)) as pilot:
        app.push_screen(AllAnnotationsScreen(library), app.record)
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        await pilot.press(*"tag:evidence")
        await pilot.pause()
        assert options.option_count == 1
        await pilot.press("enter", "enter")
        await pilot.pause()
    close_library(library)
    assert app.results == [(shelling.id, first.id)]
