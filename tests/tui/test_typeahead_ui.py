"""Search as you type in the reader, against a slow search backend the test holds and releases.

The fake library is the real one with gated searches: each query's search waits
until the test releases it, so a test can keep an older search running while a
newer one is typed, and check what the person sees meanwhile (the list's rows
and the line above it), never the screen's private state.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from newsdesk.index import Config, Library, SearchCancelled, SearchResults
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import NewsdeskApp, close_library, make_app
from textual import events
from textual.widgets import Static


class SlowLibrary:
    """The real library, but every staged search waits at each stage until the test releases it."""

    def __init__(self, real: Library) -> None:
        self._real = real
        self._released: dict[tuple[str, int], threading.Event] = {}
        self.started: list[str] = []
        self.cancelled: list[str] = []
        self.free = False
        """When True, searches no longer wait."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def release(self, query: str, stage: int = 1) -> None:
        """Let ``query``'s search go on to give its stage ``stage`` (1: hits, 2: total and facets)."""
        self._gate(query, stage).set()

    def _gate(self, query: str, stage: int) -> threading.Event:
        return self._released.setdefault((query, stage), threading.Event())

    def _wait(self, query: str, stage: int, cancelled: Callable[[], bool] | None) -> None:
        while not (self.free or self._gate(query, stage).wait(0.01)):
            if cancelled is not None and cancelled():
                self.cancelled.append(query)
                raise SearchCancelled("cancelled")

    def search_in_stages(
        self, query: str, limit: int | None = None, cancelled: Callable[[], bool] | None = None
    ) -> Iterator[SearchResults]:
        self.started.append(query)
        real = self._real.search_in_stages(query, limit=limit, cancelled=cancelled)
        for stage in (1, 2):
            self._wait(query, stage, cancelled)
            yield next(real)


def make_slow_app(state: Path) -> tuple[NewsdeskApp, SlowLibrary]:
    app = make_app(demo_corpus(), Config(), state, index_on_start=False, watch=False)
    slow = SlowLibrary(app.library)
    app.library = slow  # type: ignore[assignment]  # the screen searches through this object
    return app, slow


def status(app: NewsdeskApp) -> str:
    return str(app.main.query_one("#list-status").render())


def list_lines(app: NewsdeskApp) -> str:
    """The article list as drawn on screen."""
    article_list = app.main.article_list
    return "\n".join(article_list.render_line(y).text for y in range(article_list.scrollable_content_region.height))


async def wait_until(pilot: Any, condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.02)


async def search_ceasefire(pilot: Any, app: NewsdeskApp, slow: SlowLibrary) -> None:
    """The older query of the tests that type " Genev" after it: "/ceasefire", let through both
    stages, and shown in full (its hits and total, then its facets and timeline)."""
    from newsdesk.tui.widgets.side_panel import FacetList
    from newsdesk.tui.widgets.timeline_chart import TimelineChart

    facets, chart = app.main.query_one(FacetList), app.main.query_one(TimelineChart)
    slow.release("ceasefire*")
    slow.release("ceasefire*", 2)
    await pilot.press("slash", *"ceasefire")
    await wait_until(pilot, lambda: status(app) == "10 results for ceasefire*")
    await wait_until(pilot, lambda: not facets.has_class("-stale") and len(facet_lines(app)) > 1)
    await wait_until(pilot, lambda: chart.timeline is not None and bool(chart.timeline.buckets))


async def type_genev(pilot: Any, slow: SlowLibrary) -> None:
    """Type " Genev" after "ceasefire": the newer query, whose search waits until the test releases it."""
    await pilot.press(*" Genev")
    await wait_until(pilot, lambda: "ceasefire Genev*" in slow.started)


async def test_a_newer_query_never_shows_an_older_answer_as_current(demo_state: Path) -> None:
    app, slow = make_slow_app(demo_state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await search_ceasefire(pilot, app, slow)  # the hits come first, then the count replaces "counting…"
        before = list_lines(app)
        assert "Ceasefire" in before or "ceasefire" in before.lower()

        # Type more; the new searches are held. The list still shows the ceasefire hits,
        # dimmed, and the line says a search runs and which query the list belongs to.
        expected = slow._real.search("ceasefire Genev*", limit=50)
        assert 0 < expected.total < 10
        await type_genev(pilot, slow)
        assert status(app) == "searching… · list still shows “ceasefire*”"
        assert app.main.article_list.has_class("-stale")
        assert list_lines(app) == before

        # The superseded searches were cancelled: releasing them shows nothing.
        for query in ("ceasefire ", "ceasefire G", "ceasefire Ge", "ceasefire Gen*", "ceasefire Gene*"):
            slow.release(query)
            slow.release(query, 2)
        await pilot.pause(0.3)
        assert status(app) == "searching… · list still shows “ceasefire*”"
        assert list_lines(app) == before
        assert set(slow.started) - {"ceasefire*", "ceasefire Genev*"} <= set(slow.cancelled)

        # The newest answer arrives: hits first, still counting, then the exact total and facets.
        slow.release("ceasefire Genev*")
        await wait_until(pilot, lambda: "counting" in status(app))
        assert status(app) == f"{expected.total} results for Genev* · counting…"
        assert not app.main.article_list.has_class("-stale")
        assert expected.hits[0].title[:30] in list_lines(app)
        assert list_lines(app) != before
        slow.release("ceasefire Genev*", 2)
        await wait_until(pilot, lambda: "counting" not in status(app))
        assert status(app) == f"{expected.total} results for Genev*"
    close_library(app.library)


async def test_enter_runs_the_query_as_written(demo_state: Path) -> None:
    app, slow = make_slow_app(demo_state)
    slow.free = True
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"Genev")
        await wait_until(pilot, lambda: status(app) == "7 results for Genev*")
        assert "Geneva" in list_lines(app)
        await pilot.press("enter")
        # Hits first ("0 results · counting…"), then the suggestion that comes with the exact total.
        await wait_until(pilot, lambda: status(app).startswith("0 results ·") and "counting" not in status(app))
        assert status(app) == "0 results · did you mean: geneva"
        # Worker threads start in any order, so a superseded "Genev*" may register after it.
        assert "Genev" in slow.started
        assert app.focused is app.main.article_list
        assert list_lines(app).strip() == ""
    close_library(app.library)


async def test_a_trailing_space_and_a_phrase_are_not_prefixes(demo_state: Path) -> None:
    app, slow = make_slow_app(demo_state)
    slow.free = True
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"Genev ")
        # The final answer, after "0 results · counting…": "Genev*" would have found 7.
        await wait_until(pilot, lambda: status(app) == "0 results · did you mean: geneva")
        # Worker threads start in any order: a superseded search may register after this one.
        assert "Genev " in slow.started
        await pilot.press("ctrl+u", *'"launch pad"')
        await wait_until(pilot, lambda: status(app) == "2 results")
    close_library(app.library)


async def test_a_query_error_keeps_the_older_answer_marked_as_older(demo_state: Path) -> None:
    app, slow = make_slow_app(demo_state)
    slow.free = True
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"ceasefire ")
        await wait_until(pilot, lambda: status(app) == "10 results")
        before = list_lines(app)
        await pilot.press(*'"launch')
        error = app.main.query_one("#query-error", Static)
        await wait_until(pilot, lambda: error.has_class("shown"))
        assert "unclosed quote" in str(error.render())
        assert status(app) == "list still shows “ceasefire”"
        assert app.main.article_list.has_class("-stale")
        # The same rows (the error line above the list takes some of its height).
        assert list_lines(app).splitlines()[:8] == before.splitlines()[:8]
        await pilot.press("ctrl+u")
        await wait_until(pilot, lambda: status(app) == "21 articles")
        assert not app.main.article_list.has_class("-stale")
    close_library(app.library)


async def test_a_burst_of_keys_lands_in_the_box(demo_state: Path) -> None:
    app, slow = make_slow_app(demo_state)
    slow.free = True
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # Keys queued together, as over a slow link: "/" must focus the box before "launc" is handled.
        for key, character in (("slash", "/"), *((c, c) for c in "launc")):
            app.post_message(events.Key(key, character))
        await wait_until(pilot, lambda: status(app) == "4 results for launc*")
        assert app.main.search_box.value == "launc"
        await pilot.press("slash")  # typed in the box, "/" is a character
        assert app.main.search_box.value == "launc/"
    close_library(app.library)


async def test_enter_on_the_list_before_the_answer_opens_the_new_queries_first_hit(demo_state: Path) -> None:
    """``/launch pad``, Tab, Enter typed faster than the search answers: Enter means the new first hit.

    It opened the first row of the older answer still shown (the whole list, dimmed), an
    article without the query's matches (CI, test_keys_after_tab_leave_the_search_box).
    """
    app, slow = make_slow_app(demo_state)
    expected = slow._real.search("launch pad*", limit=5).hits[0]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"launch pad", "tab", "enter")
        await wait_until(pilot, lambda: "launch pad*" in slow.started)
        assert app.focused is app.main.article_list
        assert app.main.article_list.has_class("-stale")
        await pilot.pause(0.2)
        assert app.main.reader.article is None  # nothing opened from the older answer
        slow.release("launch pad*")
        slow.release("launch pad*", 2)
        await wait_until(pilot, lambda: app.main.reader.article is not None)
        assert app.main.reader.article.id == expected.id
        await wait_until(pilot, lambda: "match 1/" in str(app.main.query_one("#status").render()))
        assert app.focused is app.main.reader
    close_library(app.library)


async def test_a_click_after_a_remembered_enter_is_not_replaced_when_the_answer_comes(demo_state: Path) -> None:
    """Red team: Enter, then a click on a row of the older list before the answer: the answer
    opened its first hit over the article clicked."""
    app, slow = make_slow_app(demo_state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"launch pad", "tab", "enter")
        await wait_until(pilot, lambda: "launch pad*" in slow.started)
        article_list = app.main.article_list
        assert article_list.has_class("-stale")
        await pilot.click(article_list, offset=(5, 2 * 3))  # the 4th row of the older list
        await wait_until(pilot, lambda: app.main.reader.article is not None)
        clicked = app.main.reader.article.id
        slow.release("launch pad*")
        slow.release("launch pad*", 2)
        await wait_until(pilot, lambda: not article_list.has_class("-stale"))
        await pilot.pause(0.3)
        assert app.main.reader.article.id == clicked
    close_library(app.library)


async def test_typing_a_new_query_after_a_remembered_enter_is_not_interrupted(demo_state: Path) -> None:
    """Red team: Enter, then ``/minsk group`` typed before the answer: the answer for ``minsk*``
    opened an article and took the focus, and `` group`` ran as the reader's keys (p hid the panel)."""
    app, slow = make_slow_app(demo_state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"launch pad", "tab", "enter")
        await wait_until(pilot, lambda: "launch pad*" in slow.started)
        await pilot.press("slash", *"minsk")
        await wait_until(pilot, lambda: "minsk*" in slow.started)
        slow.release("minsk*")
        slow.release("minsk*", 2)
        await wait_until(pilot, lambda: not app.main.article_list.has_class("-stale"))
        await pilot.pause(0.3)
        await pilot.press(*" group")
        await pilot.pause(0.3)
        slow.free = True
        assert app.main.search_box.value == "minsk group"
        assert app.focused is app.main.search_box
        assert app.main.reader.article is None
    close_library(app.library)


async def test_esc_after_a_remembered_enter_ends_on_the_list(demo_state: Path) -> None:
    """Red team: Enter, Esc before the answer ended in the reader (the next j scrolled it)."""
    app, slow = make_slow_app(demo_state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"launch pad", "tab", "enter", "escape")
        await wait_until(pilot, lambda: "launch pad*" in slow.started)
        slow.release("launch pad*")
        slow.release("launch pad*", 2)
        await wait_until(pilot, lambda: not app.main.article_list.has_class("-stale"))
        await pilot.pause(0.3)
        assert app.focused is app.main.article_list
    close_library(app.library)


async def test_enter_twice_before_an_answer_with_no_hits_opens_nothing(demo_state: Path) -> None:
    app, slow = make_slow_app(demo_state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"zzqqxx", "tab", "enter", "enter")
        await wait_until(pilot, lambda: "zzqqxx*" in slow.started)
        slow.release("zzqqxx*")
        slow.release("zzqqxx*", 2)
        await wait_until(pilot, lambda: not app.main.article_list.has_class("-stale"))
        await pilot.pause(0.3)
        assert app.main.reader.article is None
        assert app.focused is app.main.article_list
        await pilot.press("j", "k", "enter")
        await pilot.pause(0.2)
    close_library(app.library)


def facet_lines(app: NewsdeskApp) -> list[str]:
    """The facets panel's entries as listed (what the person sees when they open the Facets tab)."""
    from newsdesk.tui.widgets.side_panel import FacetList

    facets = app.main.query_one(FacetList)
    return [str(facets.get_option_at_index(i).prompt) for i in range(facets.option_count)]


async def test_the_older_facets_stay_dimmed_until_the_new_ones_are_counted(demo_state: Path) -> None:
    """docs/performance.md: hits first, then the facets; the older query's facets are never shown as current."""
    from newsdesk.tui.widgets.side_panel import FacetList

    app, slow = make_slow_app(demo_state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        facets = app.main.query_one(FacetList)
        await search_ceasefire(pilot, app, slow)
        older = facet_lines(app)

        expected = slow._real.search("ceasefire Genev*", limit=50)
        await type_genev(pilot, slow)
        slow.release("ceasefire Genev*")  # the hits only: the counting is held
        await wait_until(pilot, lambda: "counting" in status(app))
        assert not app.main.article_list.has_class("-stale")  # the hits are the new query's
        assert facets.has_class("-stale")  # the facets are not yet
        assert facet_lines(app) == older  # still there, dimmed: not cleared and rebuilt twice
        slow.release("ceasefire Genev*", 2)
        await wait_until(pilot, lambda: "counting" not in status(app))
        await wait_until(pilot, lambda: not facets.has_class("-stale"))
        shown = facet_lines(app)
        assert shown != older
        counted = [f"{v.value}  {v.count:,}" for values in expected.facets.values() for v in values]
        assert any(line.strip() in counted for line in shown)
    close_library(app.library)


async def test_the_reader_keeps_its_start_up_objects_out_of_full_collections(demo_state: Path) -> None:
    """docs/performance.md: a full garbage collection walked every object made to start, mid-search."""
    import gc

    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: gc.get_freeze_count() > 0)
        assert app.main.results.search_box is not None
    assert gc.get_freeze_count() == 0  # given back when the reader ends
    close_library(app.library)
