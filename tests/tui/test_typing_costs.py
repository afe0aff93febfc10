"""What the cheaper typing path (bench/tui.py --typeahead, docs/performance.md) must not change.

The search box no longer lays the screen out on every key (its size is fixed),
and the list is dimmed by drawing its rows dimmed rather than by restyling it:
a query longer than the box still scrolls to show its end, and the rows of an
older answer are still drawn dimmed, and drawn plainly again with the answer.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.widgets.search_box import pasted_query
from textual import events
from textual.color import Color

from tests.conftest import examples
from tests.tui.conftest import settle


def _box_text(app: NewsdeskApp) -> str:
    box = app.main.search_box
    return "".join(strip.text for strip in box.render_lines(box.region.reset_offset))


async def test_a_query_longer_than_the_box_shows_its_end(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        box = demo_app.main.search_box
        words = "karabakh minsk group ceasefire talks geneva moscow baku yerevan stepanakert ankara"
        await pilot.press(*[{" ": "space"}.get(c, c) for c in words])
        await settle(pilot)
        assert box.value == words
        assert len(words) > box.content_region.width  # longer than the box
        assert box.scroll_x > 0
        assert "ankara" in _box_text(demo_app)  # the end, where the cursor is, is shown
        await pilot.press("home")
        await pilot.pause()
        assert box.scroll_x == 0 and "karabakh" in _box_text(demo_app)


async def test_a_resize_that_narrows_the_box_keeps_the_cursor_in_it(demo_app: NewsdeskApp) -> None:
    # Textual's Input keeps its sideways scroll when it is resized: at 200x60 the box (the list's column)
    # is narrower than at 80x24, and the end of a long query, where the cursor is, was cut off (red team).
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        box = demo_app.main.search_box
        words = "karabakh minsk group ceasefire talks geneva moscow baku yerevan stepanakert ankara tbilisi"
        await pilot.press(*[{" ": "space"}.get(c, c) for c in words])
        await settle(pilot)
        assert "tbilisi" in _box_text(demo_app)
        for size in [(200, 60), (60, 20)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert box.content_region.width < len(words)
            assert "tbilisi" in _box_text(demo_app), size  # the end, where the cursor is
            # Where typing leaves it: in the box, or the cell just past its text (its padding).
            assert box.content_region.x <= box.cursor_screen_offset.x <= box.content_region.right, size
        await pilot.press("home")
        await pilot.resize_terminal(200, 60)
        await settle(pilot)
        assert box.scroll_x == 0 and "karabakh" in _box_text(demo_app)


async def test_the_rows_of_an_older_answer_are_drawn_dimmed(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        article_list = demo_app.main.article_list

        def title_colour() -> object:
            strip = article_list.render_line(1 * article_list.item_height)  # the second item's title
            return next(s.style.color for s in strip if s.text.strip() and s.style is not None)

        plain = title_colour()
        article_list.set_stale(True)
        assert article_list.has_class("-stale")
        dimmed = title_colour()
        assert dimmed != plain
        background = Color.from_rich_color(article_list.rich_style.bgcolor)  # $text-disabled over it, as CSS blends it
        assert dimmed == (background + article_list.get_component_styles("article-list--stale").color).rich_color
        article_list.set_stale(False)
        assert not article_list.has_class("-stale") and title_colour() == plain


async def test_the_scrollbar_follows_each_new_answer(demo_app: NewsdeskApp) -> None:
    # A new answer sets the list's scrollable size without a layout of the screen (ArticleList._fit_contents,
    # which calls Textual's private Widget._scroll_update): its scrollbar still shows the new size, and goes
    # when the hits fit.
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        article_list = demo_app.main.article_list
        bar = article_list.vertical_scrollbar
        assert article_list.show_vertical_scrollbar  # every article: more than fit
        assert bar.window_virtual_size == article_list.total * article_list.item_height
        await pilot.press("slash", *"karabakh")
        await settle(pilot)
        hits = article_list.total
        assert hits * article_list.item_height > article_list.scrollable_content_region.height  # more than fit
        assert article_list.show_vertical_scrollbar
        assert bar.window_virtual_size == hits * article_list.item_height
        assert bar.window_size == article_list.scrollable_content_region.height
        await pilot.press("ctrl+u", *"stepanakert ceasefire geneva")
        await settle(pilot)
        assert 0 < article_list.total * article_list.item_height <= article_list.scrollable_content_region.height
        assert not article_list.show_vertical_scrollbar  # the hits fit: no scrollbar
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert article_list.show_vertical_scrollbar
        assert bar.window_virtual_size == article_list.total * article_list.item_height


async def test_the_list_has_no_horizontal_scrollbar(demo_app: NewsdeskApp) -> None:
    # Rows are cut to the list's width, so there is nothing to scroll sideways. The list's scrollable
    # width was its width with the vertical bar's column, one more than it shows: each time the vertical
    # bar appeared a horizontal one came with it, an empty line under the list (red team, 2026-12-01).
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        article_list = demo_app.main.article_list
        for query in ["karabakh", "zzqqxx", ""]:  # more hits than fit, none, every article
            await pilot.press("slash", "ctrl+u", *query)
            await settle(pilot)
            fits = article_list.total * article_list.item_height <= article_list.size.height
            assert article_list.show_vertical_scrollbar != fits, query
            assert not article_list.show_horizontal_scrollbar, query
            assert article_list.scrollable_content_region.height == article_list.size.height, query


async def test_the_rows_of_an_older_answer_are_nearer_the_background(demo_app: NewsdeskApp) -> None:
    # $text-disabled is the foreground with an alpha, and a Rich style drops the alpha: the "dimmed" rows
    # were drawn in full white, brighter than the plain ones (red team, 2026-12-01). Dimmer means nearer
    # the row's background, in a dark theme and a light one.
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        article_list = demo_app.main.article_list

        def contrast() -> float:
            strip = article_list.render_line(1 * article_list.item_height)  # the second item's title
            style = next(s.style for s in strip if s.text.strip() and s.style is not None)
            assert style.color is not None and style.bgcolor is not None
            colour, background = Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor)
            return abs(colour.brightness - background.brightness)

        for theme in ["textual-dark", "textual-light"]:
            demo_app.theme = theme
            await pilot.pause()
            plain = contrast()
            article_list.set_stale(True)
            assert contrast() < plain - 0.1, theme
            article_list.set_stale(False)
            assert contrast() == plain, theme


@pytest.mark.parametrize(
    "pasted",
    [
        "karabakh \x1b]0;PWNED\x07 minsk\x1b[31m group",
        "tab\tseparated\x00nul\x7fdel\xa0nbsp\x85next",
        "\x1b\x1b\x1b" * 40,
    ],
)
async def test_control_characters_pasted_into_the_box_are_dropped(demo_app: NewsdeskApp, pasted: str) -> None:
    # Input draws an ESC as two cells ("^[") and counts it as one: a pasted escape sequence shifted the
    # text under the cursor and drew the box's border twice (also at ae649a5; red team, 2026-12-01).
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        box = demo_app.main.search_box
        box.post_message(events.Paste(pasted + " ceasefire talks geneva moscow baku yerevan stepanakert ankara"))
        await settle(pilot)
        assert box.value and all(c.isprintable() for c in box.value), repr(box.value)
        assert ("tab separated" in box.value and "del nbsp" in box.value) or "tab" not in pasted
        lines = box.render_lines(box.region.reset_offset)
        assert all(line.cell_length == box.region.width for line in lines)


@settings(max_examples=examples(300), deadline=None)
@given(
    text=st.text(st.characters(codec=None), max_size=200) | st.text("\x1b[]0;PWN\x07\t\xa0\n\r\u2028 ab", max_size=40)
)
def test_a_paste_puts_only_printable_text_of_one_line_in_the_box(text: str) -> None:
    """The red team's pasted escapes, as a property over all of Unicode: what reaches the box draws as it counts."""
    pasted = pasted_query(text)
    assert all(c.isprintable() or c == " " for c in pasted)  # no ESC, BEL, newline, tab or other control
    assert not any(c in pasted for c in "\n\r\x1b\x07\t\u2028\u2029\x85")
    first = text.splitlines()[0] if text.splitlines() else ""
    assert [c for c in pasted if c != " "] == [c for c in first if c.isprintable() and not c.isspace()]
