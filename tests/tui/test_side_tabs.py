"""Keys that open a side-panel tab show the panel first when a narrow terminal has it hidden."""

from __future__ import annotations

from newsdesk.tui.app import NewsdeskApp
from newsdesk.tui.widgets.saved_list import SavedList
from newsdesk.tui.widgets.side_panel import SidePanel
from newsdesk.tui.widgets.timeline_chart import TimelineChart
from textual.widgets import TabbedContent

from tests.tui.conftest import settle


async def test_the_saved_tab_key_shows_the_hidden_panel_at_80_columns(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = demo_app.main.query_one(SidePanel)
        assert panel.region.width == 0  # hidden below side_panel_min_columns
        await pilot.press("S")
        await settle(pilot)
        assert panel.region.width > 0
        assert demo_app.main.query_one("#side-tabs", TabbedContent).active == "tab-saved"
        assert isinstance(demo_app.focused, SavedList)


async def test_the_timeline_key_shows_the_hidden_panel_with_the_timeline_focused(demo_app: NewsdeskApp) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = demo_app.main.query_one(SidePanel)
        assert panel.region.width == 0
        await pilot.press("z")
        await settle(pilot)
        assert panel.region.width > 0
        assert isinstance(demo_app.focused, TimelineChart)
