"""Several tabs at once: four readers on the demo corpus, side by side."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from tests.test_serve import newsdesk_serve, open_reader


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
