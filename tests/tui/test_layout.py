"""The main screen's layout at the sizes people use: who gets how many columns, and what stays visible."""

from __future__ import annotations

from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.widgets.article_list import ArticleList
from newsdesk.tui.widgets.reader import ReaderView
from newsdesk.tui.widgets.side_panel import SidePanel
from rich.cells import cell_len
from textual.widgets._footer import FooterKey

from tests.tui.conftest import settle


def _footer_hints(app: NewsdeskApp) -> list[FooterKey]:
    return list(app.main.query(FooterKey))


def _assert_footer_fits(app: NewsdeskApp) -> None:
    keys = _footer_hints(app)
    palette = [key for key in keys if key.has_class("-command-palette")]
    right_edge = palette[0].region.x if palette else app.size.width
    hints = [key for key in keys if not key.has_class("-command-palette")]
    assert hints
    for key in hints:
        assert key.region.width > 0, f"{key.description!r} has no room"
        assert key.region.right <= right_edge, f"{key.description!r} is cut off"
    descriptions = [key.description for key in hints]
    assert "Help" in descriptions
    assert "Quit" in descriptions


async def test_at_120x40_the_reader_gets_a_fair_share_and_the_list_whole_words(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Nothing open yet: the list has the room (titles of 40 characters and more).
        assert demo_app.main.query_one(ArticleList).content_region.width >= 40
        await pilot.press("slash", *"launch pad", "enter", "enter")
        await settle(pilot)
        assert demo_app.main.query_one(ReaderView).region.width >= 60
        assert demo_app.main.query_one(ArticleList).content_region.width >= 24


async def test_the_footer_fits_and_keeps_help_and_quit_at_every_width(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        _assert_footer_fits(demo_app)
        await pilot.press("enter")  # the reader has the most keys
        await settle(pilot)
        _assert_footer_fits(demo_app)
        for size in ((80, 24), (100, 30), (160, 40)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            _assert_footer_fits(demo_app)


def _list_status(app: NewsdeskApp) -> str:
    return str(app.main.query_one("#list-status").render())


async def test_did_you_mean_is_visible_at_120_columns_with_or_without_an_article_open(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"ceasfire truce")
        await settle(pilot)
        line = _list_status(demo_app)
        assert "did you mean: ceasefire truce" in line
        assert cell_len(line) <= demo_app.main.query_one("#list-status").content_region.width
        await pilot.press(*["backspace"] * len("ceasfire truce"), "escape", "enter")  # open one: a narrower list
        await settle(pilot)
        await pilot.press("slash", *"ceasfire")
        await settle(pilot)
        await pilot.press("enter")  # run as written: no prefix
        await settle(pilot)
        line = _list_status(demo_app)
        assert "ceasefire" in line
        assert cell_len(line) <= demo_app.main.query_one("#list-status").content_region.width


async def test_at_80_columns_the_panel_shown_over_an_article_narrows_the_reader(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Geneva", "enter", "enter")
        await settle(pilot)
        reader = demo_app.main.query_one(ReaderView)
        full = reader.scrollable_content_region.width
        await pilot.press("p")
        await settle(pilot)
        side = demo_app.main.query_one(SidePanel)
        assert side.region.width > 0
        assert not reader.region.overlaps(side.region)  # the panel takes columns, it does not cover text
        assert reader.scrollable_content_region.width < full
        await pilot.press("p")
        await settle(pilot)
        assert reader.scrollable_content_region.width == full


async def test_repeated_escape_ends_on_the_list_so_q_quits(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the reader
        await settle(pilot)
        await pilot.press("escape", "escape", "escape")
        assert demo_app.focused is demo_app.main.article_list
        await pilot.press("slash", *"pad", "escape", "escape")  # from the search box too
        assert demo_app.focused is demo_app.main.article_list
        await pilot.press("q")
        await pilot.pause()
        assert demo_app.return_code == 0
        assert demo_app.main.search_box.value == "pad"
