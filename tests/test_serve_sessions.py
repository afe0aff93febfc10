"""Several tabs at once: four readers on the demo corpus, side by side."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp

from tests.test_serve import ReaderSocket, newsdesk_serve, open_reader


def test_four_tabs_each_get_a_reader_of_their_own_and_all_end_with_their_tabs(tmp_path: Path) -> None:
    with newsdesk_serve(tmp_path, "--state-dir", str(tmp_path / "state")) as served:

        async def scenario() -> None:
            async with aiohttp.ClientSession() as session:
                tabs = [await open_reader(session, served) for _ in range(4)]
                await asyncio.gather(*(tab.wait_for("21 articles") for tab in tabs))
                assert len(set(served.readers())) == 4
                for tab in tabs:
                    await tab.websocket.close()

        asyncio.run(scenario())
        served.wait_idle()
        assert "Traceback" not in served.stderr()


QUERIES = {  # each tab's search, the start of its top hit, and how many hits it has
    "launch pad": ("Moscow spy chief warns", "2 results"),
    "Macron": ("Humanitarian truce agreed", "3 results"),
    "Ganja": ("Missile hits apartment block", "6 results"),
    "helicopter": ("Russian military helicopter", "1 result"),
}


def test_four_tabs_each_search_side_by_side_and_each_sees_its_own_hit(tmp_path: Path) -> None:
    with newsdesk_serve(tmp_path, "--state-dir", str(tmp_path / "state")) as served:

        async def search(tab: ReaderSocket, query: str) -> str:
            _title, count = QUERIES[query]
            tab.expect_new()
            await tab.type("/", *query)  # one burst, while the other tabs type theirs
            return await tab.wait_for(count, timeout=90)

        async def scenario() -> None:
            async with aiohttp.ClientSession() as session:
                tabs = [await open_reader(session, served) for _ in QUERIES]
                await asyncio.gather(*(tab.ready() for tab in tabs))
                shown = await asyncio.gather(*(search(tab, query) for tab, query in zip(tabs, QUERIES, strict=True)))
                for screen, (title, count) in zip(shown, QUERIES.values(), strict=True):
                    assert count in screen and title in screen
                for tab in tabs:
                    await tab.websocket.close()

        asyncio.run(scenario())
        served.wait_idle()
        assert "Traceback" not in served.stderr()


def test_keys_typed_the_moment_a_tab_opens_all_reach_the_reader(tmp_path: Path) -> None:
    """The reader is still starting (no screen yet): the server holds the keys until it can
    take them. Before, '/' reached a reader with no search box and it crashed."""
    with newsdesk_serve(tmp_path, "--state-dir", str(tmp_path / "state")) as served:

        async def scenario() -> str:
            async with aiohttp.ClientSession() as session:
                tab = await open_reader(session, served)
                await tab.type("/", *"launch pad")
                await tab.websocket.send_str(json.dumps(["focus"]))
                screen = await tab.wait_for("2 results", timeout=90)
                await tab.websocket.close()
                return screen

        assert "Moscow spy chief warns" in asyncio.run(scenario())
        served.wait_idle()
        assert "Traceback" not in served.stderr()
