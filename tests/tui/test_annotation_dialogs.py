"""The annotate dialog and the corpus-wide annotations view, on their own."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index import AnnotationError, Config, Library
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import close_library
from newsdesk.tui.dialogs.annotate import (
    UNASKED_GRACE_SECONDS,
    AnnotateDialog,
    AnnotationInput,
    TagSuggester,
    parse_tags,
)
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
        await pilot.press("escape")  # the tag is typed, though it would not save: asks first
        await pilot.pause()
        assert app.results == [] and "esc again discards" in _error_line(app)
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


def _error_line(app: App[None]) -> str:
    return str(app.screen.query_one("#annotate-error", Static).render())


async def test_esc_with_a_note_typed_asks_and_a_second_esc_discards_it() -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(AnnotateDialog("passage", [], focus_note=True), app.record)
        await pilot.pause()
        await pilot.press(*"half a thought", "escape")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateDialog) and app.results == []
        assert "esc again discards" in _error_line(app)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_typing_after_the_question_makes_the_next_esc_ask_again() -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(AnnotateDialog("passage", [], focus_note=True), app.record)
        await pilot.pause()
        await pilot.press(*"one", "escape", *" two", "escape")
        await pilot.pause()
        assert app.results == []  # " two" came after the question: not what it asked about
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [AnnotationInput([], "one two")]


@pytest.mark.parametrize("typed", ["", " \n\t "], ids=["nothing", "blanks"])
async def test_esc_with_nothing_typed_closes_at_once(typed: str) -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(AnnotateDialog("passage", [], focus_note=True), app.record)
        await pilot.pause()
        app.screen.query_one(TextArea).insert(typed)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_esc_on_an_annotation_opened_for_editing_closes_at_once_until_it_is_changed() -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        saved = {"tags": ("evidence", "lead"), "note": "first line\r\nsecond line\n"}
        app.push_screen(AnnotateDialog("passage", [], **saved), app.record)  # type: ignore[arg-type]
        await pilot.pause()
        await pilot.press("escape")  # nothing changed: what is on disk stays
        await pilot.pause()
        app.push_screen(AnnotateDialog("passage", [], **saved), app.record)  # type: ignore[arg-type]
        await pilot.pause()
        await pilot.press(*", new", "escape")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateDialog) and "esc again discards" in _error_line(app)
    assert app.results == [None]


async def test_esc_on_a_dialog_back_from_a_failed_save_asks_even_with_nothing_changed() -> None:
    """What it shows was never saved: one Esc lost it (a full disk, another session's change)."""
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = AnnotateDialog("passage", [], ("keep-me",), "typed before", title="not saved", interrupts=True)
        app.push_screen(dialog, app.record)
        await pilot.pause(UNASKED_GRACE_SECONDS + 0.1)  # keys before then were typed before it showed
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [] and "esc again discards" in _error_line(app)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


_NOTES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note=_NOTES, tags=st.lists(st.from_regex(r"[A-Za-z][\w-]{0,20}", fullmatch=True), max_size=4))
def test_one_esc_loses_nothing_typed(note: str, tags: list[str]) -> None:
    """Whatever is in the boxes (any Unicode, newlines at the ends, YAML-significant text), one Esc
    keeps it in view and ctrl+s then saves exactly it; nothing at all typed closes on the first Esc."""

    async def run() -> list[object]:
        app = Host()
        async with app.run_test(size=(100, 30)) as pilot:
            app.push_screen(AnnotateDialog("passage", []), app.record)
            await pilot.pause()
            app.screen.query_one(Input).value = ", ".join(tags)
            app.screen.query_one(TextArea).load_text(note)
            typed = app.screen.current_input()  # type: ignore[attr-defined]
            await pilot.press("escape")
            await pilot.pause()
            if app.results:  # closed: only right when nothing was typed
                assert not typed.tags and not typed.note.strip()
                return app.results
            assert isinstance(app.screen, AnnotateDialog)
            assert app.screen.current_input() == typed  # the Esc changed nothing typed
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.results == [typed]
            return app.results

    asyncio.run(run())
