"""Pilot tests of the reader's flows on the demo corpus."""

from __future__ import annotations

import re
from pathlib import Path

from newsdesk.index import Config
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import NewsdeskApp, close_library, make_app
from newsdesk.tui.screens.help import HelpScreen
from newsdesk.tui.widgets.article_list import ArticleList
from newsdesk.tui.widgets.reader import ReaderView
from newsdesk.tui.widgets.results_pane import SearchDone
from newsdesk.tui.widgets.side_panel import EntityList, FacetList, SidePanel
from textual.widgets import Input, Static, TabbedContent

from tests.tui.conftest import settle, toasts


def status_text(app: NewsdeskApp, selector: str) -> str:
    return str(app.main.query_one(selector).render())


def reader_lines(app: NewsdeskApp) -> list[str]:
    reader = app.main.reader
    return [reader.render_line(y).text for y in range(reader.scrollable_content_region.height)]


async def test_opens_on_the_demo_corpus_with_the_list(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        article_list = demo_app.main.article_list
        assert article_list.total == 21
        assert article_list.row(0) is not None
        assert "21 articles" in status_text(demo_app, "#list-status")
        assert "demo_corpus" in status_text(demo_app, "#status")
        assert demo_app.focused is article_list


async def test_search_open_lands_on_first_hit_and_n_moves(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"ceasefire")
        await settle(pilot)
        main = demo_app.main
        assert main.article_list.total == 10
        assert main.article_list.item_height == 4
        assert "10 results" in status_text(demo_app, "#list-status")
        await pilot.press("enter")  # search box -> list
        assert demo_app.focused is main.article_list
        await pilot.press("enter")  # open
        await settle(pilot)
        reader = main.reader
        assert demo_app.focused is reader
        assert reader.article is not None
        assert reader.hit_count >= 1
        assert reader.current_hit == 0
        assert "match 1/" in status_text(demo_app, "#status")
        await pilot.press("n")
        assert reader.current_hit == (1 % reader.hit_count)
        await pilot.press("N")
        assert reader.current_hit == 0
        assert any("ceasefire" in line.lower() for line in reader_lines(demo_app))


async def test_bad_query_shows_inline_error_and_recovers(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *'"launch pad')
        await settle(pilot)
        error = demo_app.main.query_one("#query-error", Static)
        assert "unclosed quote" in str(error.render())
        assert error.has_class("shown")
        await pilot.press(*'"')
        await settle(pilot)
        assert not error.has_class("shown")
        assert demo_app.main.article_list.total == 2
        for query in ("title:", "(ceasefire", "nosuchfield:x", "AND", "[TODO] [bold]x"):
            demo_app.main.search_box.value = query
            await settle(pilot)
        assert demo_app.is_running


async def test_stale_search_results_are_dropped(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = demo_app.main
        main.search_box.value = "ceasefire"
        await settle(pilot)
        old = demo_app.library.search("Geneva", limit=30, facets=False)
        main.results.post_message(SearchDone(main.results.shown_search_seq - 1, old))  # an earlier search's late answer
        await settle(pilot)
        assert main.article_list.total == 10  # still the ceasefire results


async def test_escape_tab_and_slash_move_between_panes(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = demo_app.main
        await pilot.press("enter")
        await settle(pilot)
        assert demo_app.focused is main.reader
        await pilot.press("escape")
        assert demo_app.focused is main.article_list
        await pilot.press("escape")
        assert demo_app.focused is main.article_list  # Esc never lands in the search box (issue 13)
        await pilot.press("shift+tab")
        assert demo_app.focused is main.search_box
        await pilot.press("tab")
        assert demo_app.focused is main.article_list
        await pilot.press("tab")
        assert demo_app.focused is main.reader
        await pilot.press("tab")
        assert isinstance(demo_app.focused, EntityList)
        await pilot.press("l")
        assert isinstance(demo_app.focused, FacetList)
        await pilot.press("tab")
        assert demo_app.focused is main.search_box
        await pilot.press("shift+tab")
        assert isinstance(demo_app.focused, FacetList)
        await pilot.press("slash")
        assert demo_app.focused is main.search_box


async def test_list_and_reader_keys(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        article_list = demo_app.main.article_list
        await pilot.press("j", "j", "down")
        assert article_list.cursor == 3
        await pilot.press("k")
        assert article_list.cursor == 2
        await pilot.press("G")
        assert article_list.cursor == 20
        await pilot.press("g")
        assert article_list.cursor == 0
        await pilot.press("space")
        assert article_list.cursor > 5
        await pilot.press("b")
        assert article_list.cursor == 0
        await pilot.press("enter")
        await settle(pilot)
        reader = demo_app.main.reader
        await pilot.press("j", "j")
        assert reader.scroll_y == 2
        await pilot.press("k")
        assert reader.scroll_y == 1
        await pilot.press("G")
        assert reader.scroll_y == reader.max_scroll_y
        await pilot.press("g")
        assert reader.scroll_y == 0


async def test_brackets_open_previous_and_next_article(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = demo_app.main
        await pilot.press("enter")
        await settle(pilot)
        first = main.reader.article
        await pilot.press("right_square_bracket")
        await settle(pilot)
        second = main.reader.article
        assert second is not None and first is not None and second.id != first.id
        assert second.id == main.article_list.row(1).id
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert main.reader.article.id == first.id


async def test_help_lists_every_binding_and_closes(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(demo_app.screen, HelpScreen)
        listed = {item.binding_id for _, items in demo_app.screen.sections for item in items}
        for binding in [*ArticleList.BINDINGS, *ReaderView.BINDINGS, *FacetList.BINDINGS]:
            assert binding.id in listed
        assert {"app.quit", "app.help", "app.search", "app.next_article", "app.palette"} <= listed
        await pilot.press("escape")
        assert not isinstance(demo_app.screen, HelpScreen)


async def test_command_palette_offers_every_action(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [c.title for c in demo_app.get_system_commands(demo_app.main)]
        for expected in ("Next match (reader)", "Open (article list)", "Exclude (facets panel)", "Quit (everywhere)"):
            assert expected in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert demo_app.screen.__class__.__name__ == "CommandPalette"


async def test_the_palette_runs_each_key_on_the_node_that_owns_it(demo_app: NewsdeskApp) -> None:
    """The palette runs a binding's action on its KEY_TABLE node: Panes' keys (/ z) on Panes, the screen's on it."""
    from newsdesk.tui.widgets.timeline_chart import TimelineChart

    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        commands = {c.title: c.callback for c in demo_app.get_system_commands(demo_app.main)}
        for title, focused in [
            ("Search (everywhere)", lambda: demo_app.main.search_box),
            ("Timeline (saved searches, timeline, similar articles)", lambda: demo_app.main.query_one(TimelineChart)),
        ]:
            await commands[title]()  # type: ignore[misc]
            await pilot.pause()
            assert demo_app.focused is focused()
        await commands["Entities (entities)"]()  # type: ignore[misc]
        await pilot.pause()
        assert "entities off" in str(demo_app.main.status_bar.render()).lower()


async def test_facet_filter_and_exclude_append_to_the_query(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = demo_app.main
        main.search_box.value = "ceasefire"
        await settle(pilot)
        main.query_one(TabbedContent).active = "tab-facets"
        facets = main.query_one(FacetList)
        assert facets.option_count > 3
        facets.focus()
        facets.highlighted = 1  # first value under SOURCE
        await pilot.press("enter")
        await settle(pilot)
        assert main.search_box.value == 'ceasefire source:"Eastern Frontier Review"'
        assert main.article_list.total == 3
        main.search_box.value = "ceasefire"
        await settle(pilot)
        facets.focus()
        facets.highlighted = 1
        await pilot.press("x")
        await settle(pilot)
        assert main.search_box.value == 'ceasefire NOT source:"Eastern Frontier Review"'
        assert main.article_list.total == 7


async def test_narrow_terminal_hides_the_panel_and_shows_one_pane(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = demo_app.main
        side, left = main.query_one(SidePanel), main.query_one("#left")
        assert side.region.width == 0  # no panel
        assert left.region.width == 80 and main.reader.region.width == 0  # one pane: the list, at full width
        await pilot.press("enter")
        await settle(pilot)
        assert main.reader.region.width >= 70  # the reader takes its place
        assert left.region.width == 0
        await pilot.press("p")
        await pilot.pause()
        assert side.region.width > 0
        await pilot.press("p")
        await pilot.pause()
        assert side.region.width == 0


async def test_state_is_restored_next_time(demo_state: Path) -> None:
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.main.search_box.value = "Geneva"
        await settle(pilot)
        app.main.article_list.focus()
        await pilot.press("enter")
        await settle(pilot)
        opened = app.main.reader.article.id
        await pilot.press("j", "j", "j")
        scroll = app.main.reader.scroll_y
        app.theme = "nord"
        await pilot.press("q")
    close_library(app.library)
    again = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert again.main.search_box.value == "Geneva"
        assert again.main.reader.article.id == opened
        assert again.main.reader.scroll_y == scroll
        assert again.main.reader.hit_count > 0  # the restored query's matches are highlighted
        assert again.theme == "nord"
    close_library(again.library)


async def test_an_article_opened_without_a_query_is_restored_too(demo_state: Path) -> None:
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listed = app.main.article_list
        rows = [listed.row(i) for i in range(listed.total)]
        longest = max(range(len(rows)), key=lambda i: len(app.library.article(rows[i].id).text))  # type: ignore[union-attr]
        listed.move_cursor(longest)
        await pilot.press("enter")
        await settle(pilot)
        opened = app.main.reader.article.id
        await pilot.press("j", "j", "j", "j")
        scroll = app.main.reader.scroll_y
        await pilot.press("q")
    close_library(app.library)
    again = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert again.main.search_box.value == ""
        assert again.main.reader.article.id == opened
        assert again.main.reader.scroll_y == scroll > 0
        assert again.focused is again.main.article_list  # reopened in the reader, the list keeps focus
    close_library(again.library)


async def test_keymap_from_config_remaps_bindings(demo_state: Path) -> None:
    config = Config()
    config.ui.keymap = {"reader.next_hit": "x", "app.search": "s"}
    app = make_app(demo_corpus(), config, demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert app.focused is app.main.search_box
        await pilot.press(*"Karabakh", "enter", "enter")
        await settle(pilot)
        reader = app.main.reader
        assert reader.current_hit == 0 and reader.hit_count > 1
        await pilot.press("x")
        assert reader.current_hit == 1
        await pilot.press("question_mark")
        await pilot.pause()
        keys = {i.binding_id: i.keys for _, items in app.screen.sections for i in items}
        assert keys["reader.next_hit"] == "x"
    close_library(app.library)


WINDOW_BUTTONS = {"#ff5f57", "#febc2e", "#28c840"}
"""The screenshot's drawn window frame (close, minimise, zoom), not the app's."""


def screen_colours(app: NewsdeskApp) -> set[str]:
    """Every colour the app drew (the screenshot's fills), as #rrggbb."""
    return set(re.findall(r'fill="(#[0-9a-f]{6})"', app.export_screenshot())) - WINDOW_BUTTONS


def chromatic(colour: str) -> bool:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return max(red, green, blue) - min(red, green, blue) > 8


async def reading_a_hit_with_entities(app: NewsdeskApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("slash", *"Putin", "enter", "enter")  # search hits and entity highlights on screen
    await settle(pilot)
    assert app.main.reader.hit_count > 0 and app.main.reader.highlighted_entities > 0


async def test_no_color_is_honoured(demo_state: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    coloured = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with coloured.run_test(size=(80, 24)) as pilot:
        await reading_a_hit_with_entities(coloured, pilot)
        assert any(chromatic(c) for c in screen_colours(coloured))  # the check below can see colour
    close_library(coloured.library)
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await reading_a_hit_with_entities(app, pilot)
        assert not [c for c in screen_colours(app) if chromatic(c)]
    close_library(app.library)


async def test_search_box_is_an_input(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(demo_app.main.search_box, Input)
        await pilot.press("slash", *"q?/[]")  # keys that are bindings elsewhere are typed here
        assert demo_app.main.search_box.value == "q?/[]"
        assert demo_app.is_running


async def test_unknown_keymap_ids_and_themes_are_reported(demo_state: Path) -> None:
    config = Config()
    config.ui.keymap = {"reader.nxt_hit": "x"}
    config.ui.theme = "no-such-theme"
    app = make_app(demo_corpus(), config, demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        messages = toasts(app)
        assert any("reader.nxt_hit" in m for m in messages)
        assert any("no-such-theme" in m for m in messages)
    close_library(app.library)


async def test_a_click_opens_an_article(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = demo_app.main
        await pilot.click(ArticleList, offset=(5, 2))  # the second item (two lines each)
        await settle(pilot)
        assert main.reader.article is not None
        assert main.reader.article.id == main.article_list.row(1).id
        assert demo_app.focused is main.reader
