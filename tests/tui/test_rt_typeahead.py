"""Red-team findings on the typeahead change: what the dimmed (older) facets may still do."""

from __future__ import annotations

from pathlib import Path

from newsdesk.tui.app import close_library

from tests.tui.test_typeahead_ui import facet_lines, make_slow_app, status, wait_until


async def test_a_dimmed_facet_of_an_older_query_does_not_narrow_the_new_one(demo_state: Path) -> None:
    """issue 17: an older answer is never acted on as current. The older query's facets stay on
    screen, dimmed, while the new query's are counted; Enter (or x) on one of them would add a
    value counted for the older query to the new one (its count is not the new query's)."""
    from newsdesk.tui.widgets.side_panel import FacetList

    app, slow = make_slow_app(demo_state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        facets = app.main.query_one(FacetList)
        slow.release("ceasefire*")
        slow.release("ceasefire*", 2)
        await pilot.press("slash", *"ceasefire")
        await wait_until(pilot, lambda: not facets.has_class("-stale") and len(facet_lines(app)) > 1)
        await pilot.press(*" Genev")
        await wait_until(pilot, lambda: "ceasefire Genev*" in slow.started)
        slow.release("ceasefire Genev*")  # the hits only: the counting is held
        await wait_until(pilot, lambda: "counting" in status(app))
        assert facets.has_class("-stale")
        facets.focus()
        facets.highlighted = 1  # the first value under the first facet's heading
        await pilot.pause()
        await pilot.press("enter")
        await pilot.press("x")
        await pilot.pause(0.2)
        assert app.main.search_box.value == "ceasefire Genev"  # not narrowed by an older count
        slow.release("ceasefire Genev*", 2)  # counted: the facets are the new query's and narrow it
        await wait_until(pilot, lambda: not facets.has_class("-stale"))
        facets.highlighted = 1
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.main.search_box.value.startswith("ceasefire Genev "))
        slow.free = True
    close_library(app.library)
