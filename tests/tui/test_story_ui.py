"""The reader's story features: the Saved tab, ctrl+s, new-article counts, the timeline chart."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from newsdesk.index import Config
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import NewsdeskApp, close_library, make_app
from newsdesk.tui.dialogs.save_search import SaveSearchDialog
from newsdesk.tui.widgets.saved_list import SavedList
from newsdesk.tui.widgets.status_bar import StatusBar
from newsdesk.tui.widgets.timeline_chart import TimelineChart
from textual.widgets import TabbedContent

from tests.tui.conftest import settle


@pytest.fixture
def corpus_app(demo_state: Path, tmp_path: Path) -> Iterator[tuple[NewsdeskApp, Path]]:
    """The app on a copy of the demo corpus (so a test can add articles), already indexed."""
    corpus = tmp_path / "corpus"
    shutil.copytree(demo_corpus(), corpus)
    app = make_app(corpus, Config(), tmp_path / "state", index_on_start=False, watch=False)
    app.library.update()
    yield app, corpus
    close_library(app.library)


def status(app: NewsdeskApp) -> str:
    return str(app.main.query_one(StatusBar).render())


def saved_lines(app: NewsdeskApp) -> list[str]:
    saved = app.main.query_one(SavedList)
    return [saved.get_option_at_index(i).prompt.plain for i in range(saved.option_count)]


async def test_save_a_search_see_what_is_new_and_run_it(corpus_app: tuple[NewsdeskApp, Path]) -> None:
    app, corpus = corpus_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"ceasefire", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SaveSearchDialog)
        await pilot.press("ctrl+u", *"Truce: day 1 # ---", "enter")
        await settle(pilot)
        assert app.library.saved.names()[0].name == "Truce: day 1 # ---"
        assert saved_lines(app) == ["Truce: day 1 # ---  10"]
        assert "new in saved" not in status(app)
        (corpus / "txt" / "late-ceasefire.txt").write_text("Ceasefire holds\n\nThe ceasefire held overnight.\n")
        app.library.update()
        app.main.query_one(SavedList).reload()
        await settle(pilot)
        assert saved_lines(app) == ["Truce: day 1 # ---  11  1 new"]
        line = app.main.query_one(SavedList).get_option_at_index(0).prompt
        assert any("bold" in str(span.style) for span in line.spans)
        assert "1 new in saved searches" in status(app)
        await pilot.press("enter")  # search box -> list
        assert app.focused is app.main.article_list
        await pilot.press("S")
        assert app.main.query_one("#side-tabs", TabbedContent).active == "tab-saved"
        assert isinstance(app.focused, SavedList)
        await pilot.press("enter")
        await settle(pilot)
        assert app.main.search_box.value == "ceasefire"
        assert saved_lines(app) == ["Truce: day 1 # ---  11"]
        assert "new in saved" not in status(app)
        await pilot.press("d")
        await settle(pilot)
        assert app.library.saved.names() == []


async def test_a_broken_saved_file_is_one_line_in_the_tab(corpus_app: tuple[NewsdeskApp, Path]) -> None:
    app, _ = corpus_app
    path = app.library.saved.file.path
    path.parent.mkdir(parents=True)
    path.write_text("saved: [\x1b[31m", encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        [line] = saved_lines(app)
        assert str(path) in line and "\x1b" not in line
        await pilot.press("slash", *"truce", "ctrl+s")
        await pilot.press("enter")
        await settle(pilot)
        assert path.read_text(encoding="utf-8") == "saved: [\x1b[31m"  # untouched


async def test_timeline_draws_the_query_and_narrows_to_a_period(corpus_app: tuple[NewsdeskApp, Path]) -> None:
    app, _ = corpus_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"ceasefire")
        await settle(pilot)
        chart = app.main.query_one(TimelineChart)
        timeline = chart.timeline
        assert timeline is not None and timeline.total == 10 and timeline.unit == "day"
        await pilot.press("enter", "z")  # search box -> list, then the timeline
        assert app.focused is chart
        await pilot.press("home", "right")
        while not timeline.buckets[chart.selected].count:
            await pilot.press("right")
        picked = chart.selected
        await pilot.press("enter")
        await settle(pilot)
        value = app.main.search_box.value
        assert value == f"(ceasefire) {timeline.period_clause(picked)}"
        assert app.main.article_list.total == timeline.buckets[picked].count
        rendered = chart.render().plain
        assert "⏎ narrow" in rendered


async def test_help_and_palette_list_the_story_keys(corpus_app: tuple[NewsdeskApp, Path]) -> None:
    app, _ = corpus_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        ids = {b.id for _, bindings in app.key_sections() for b, _ in bindings}
        assert {"saved.save", "saved.run", "saved.remove", "saved.tab", "timeline.focus", "timeline.narrow"} <= ids
        titles = [command.title for command in app.get_system_commands(app.main)]
        assert any(t.startswith("Save search") for t in titles)
        assert any(t.startswith("Narrow to period") for t in titles)
        assert any(t.startswith("Run saved search") for t in titles)


async def test_m_lists_similar_articles_and_opens_one(corpus_app: tuple[NewsdeskApp, Path]) -> None:
    from newsdesk.tui.dialogs.similar import SimilarDialog

    app, corpus = corpus_app
    original = (corpus / "txt").iterdir().__next__()
    reprint = corpus / "txt" / "zz-reprint.txt"
    lines = original.read_text(encoding="utf-8").splitlines()
    reprint.write_text("A new headline\n" + "\n".join(lines[1:]) + "\n\nCopyright Example Wire.\n", encoding="utf-8")
    app.library.update()
    source_id = app.library.article(str(original.relative_to(corpus))).id
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m")  # nothing open yet: a hint, no dialog
        assert not isinstance(app.screen, SimilarDialog)
        listed = app.main.article_list
        index = listed.index_of(source_id)
        assert index is not None and listed.open(index)  # as Enter on it does
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, SimilarDialog)
        first = app.screen.found[0]
        assert first.reprint and first.path == "txt/zz-reprint.txt"
        await pilot.press("enter")
        await settle(pilot)
        assert app.main.reader.article.path == "txt/zz-reprint.txt"
