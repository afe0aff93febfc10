"""Red-team findings on the typeahead change: what the dimmed (older) facets may still do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsdesk.index import SearchResults
from newsdesk.tui.app import close_library

from tests.tui.test_typeahead_ui import (
    list_lines,
    make_slow_app,
    search_ceasefire,
    status,
    type_genev,
    wait_until,
)


async def test_a_dimmed_facet_of_an_older_query_does_not_narrow_the_new_one(demo_state: Path) -> None:
    """issue 17: an older answer is never acted on as current. The older query's facets stay on
    screen, dimmed, while the new query's are counted; Enter (or x) on one of them would add a
    value counted for the older query to the new one (its count is not the new query's)."""
    from newsdesk.tui.widgets.side_panel import FacetList

    app, slow = make_slow_app(demo_state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        facets = app.main.query_one(FacetList)
        await search_ceasefire(pilot, app, slow)
        await type_genev(pilot, slow)
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


async def test_counting_that_fails_after_the_hits_keeps_them_and_says_why(demo_state: Path) -> None:
    """The counting stage can fail after the hits are shown (its time budget, QueryTooCostly). It was
    taken for the as-you-type rewrite being refused: the query as typed ran instead and its answer
    ("0 results" for ``Genev``) replaced the hits shown for ``Genev*``, and with no error the timeline
    and status kept saying "counting…" for a count that never comes."""
    from newsdesk.index import QueryTooCostly
    from newsdesk.tui.widgets.side_panel import FacetList
    from newsdesk.tui.widgets.timeline_chart import TimelineChart

    app, slow = make_slow_app(demo_state)
    held = slow.search_in_stages

    def counting_fails(query: str, limit: int | None = None, cancelled: Any = None) -> Iterator[SearchResults]:
        stages = held(query, limit=limit, cancelled=cancelled)
        yield next(stages)
        if query == "ceasefire Genev*":
            raise QueryTooCostly("counting took too long; narrow the query")
        yield next(stages)

    slow.search_in_stages = counting_fails  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        facets = app.main.query_one(FacetList)
        for query in ("ceasefire Genev*", "ceasefire Genev"):
            slow.release(query)
            slow.release(query, 2)
        await search_ceasefire(pilot, app, slow)
        expected = slow._real.search("ceasefire Genev*", limit=50)
        await pilot.press(*" Genev")
        error = app.main.query_one("#query-error")
        await wait_until(pilot, lambda: "counting took too long" in str(error.render()), timeout=10)
        await pilot.pause(0.3)
        assert "ceasefire Genev" not in slow.started  # not run again as typed
        assert status(app).startswith(f"{expected.total} result")
        assert "counting" not in status(app)
        assert "counting" not in str(app.main.query_one(TimelineChart).render())
        assert facets.has_class("-stale")  # the older query's, never shown as this one's
        assert expected.hits[0].title.split()[0] in list_lines(app)
    close_library(app.library)


async def test_the_older_querys_timeline_does_not_narrow_the_new_one_while_it_runs(demo_state: Path) -> None:
    """issue 17, as for the facets: from a key until the new query's hits come, the chart still
    shows the older query's bars (undimmed, before this), and Enter added the older query's
    period to the new query, with a count that was not the new query's."""
    from newsdesk.tui.widgets.timeline_chart import TimelineChart

    app, slow = make_slow_app(demo_state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        chart = app.main.query_one(TimelineChart)
        await search_ceasefire(pilot, app, slow)
        await type_genev(pilot, slow)  # held: no hits yet
        assert chart.has_class("-stale")  # shown as the older query's
        chart.focus()
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.main.search_box.value == "ceasefire Genev"
        slow.release("ceasefire Genev*")
        slow.release("ceasefire Genev*", 2)
        await wait_until(pilot, lambda: not chart.has_class("-stale") and chart.timeline is not None)
        chart.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.main.search_box.value.startswith("(ceasefire Genev) date:["))
        slow.free = True
    close_library(app.library)
