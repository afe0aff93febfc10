"""The list's "N matches" and the reader's "match i/N" count the same thing (a phrase counts once)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from newsdesk.tui.app import NewsdeskApp

from tests.tui.conftest import settle
from tests.tui.test_app import status_text
from tests.tui.test_e2e_tmux import newsdesk_in_tmux


@pytest.mark.parametrize("query", ['"the Middle East"', '"launch pad"', "ceasefire", '"foreign ministers"~3 OR Geneva'])
async def test_every_listed_count_is_the_readers_count(demo_app: NewsdeskApp, query: str) -> None:
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *query, "enter")
        await settle(pilot)
        main = demo_app.main
        assert main.article_list.total >= 1
        for index in range(min(main.article_list.total, 6)):
            row = main.article_list.row(index)
            assert row is not None and row.matches is not None
            main.article_list.open(index)
            await settle(pilot)
            reader = main.reader
            assert reader.article is not None and reader.article.id == row.id
            assert reader.hit_count == row.matches, (query, row.title)
            if row.matches:
                assert f"match 1/{row.matches} (n/N)" in status_text(demo_app, "#status")
            for _ in range(row.matches):
                await pilot.press("n")
            assert reader.current_hit == (0 if row.matches else None)


def test_a_phrase_counts_once_in_a_real_terminal(tmp_path: Path) -> None:
    """Each demo article with "the Middle East" has it once: the list says so, and so does the reader."""
    with newsdesk_in_tmux(tmp_path, "--state-dir", str(tmp_path / "index"), size=(200, 40)) as terminal:
        terminal.wait_for("indexed")
        terminal.press("/")
        terminal.type('"the Middle East"')
        shown = terminal.wait_for("4 results")
        assert shown.count("· 1 match") == 4 and "matches" not in shown
        terminal.press("Enter", "Enter")
        terminal.wait_for("match 1/1 (n/N)")
        time.sleep(0.3)
        terminal.press("q")
        terminal.wait_for("newsdesk-exited", timeout=10)
