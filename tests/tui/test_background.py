"""Indexing in the background, picking up new files while running, and untrusted text."""

from __future__ import annotations

import asyncio
from pathlib import Path

from filelock import FileLock
from newsdesk.index import Config
from newsdesk.index.locations import demo_corpus
from newsdesk.tui.app import close_library, make_app
from newsdesk.tui.widgets.status_bar import StatusBar
from textual.widgets import Static

from tests.conftest import write
from tests.tui.conftest import settle, toasts


def status(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.main.query_one(StatusBar).render())


def indexing_shown(app) -> bool:  # type: ignore[no-untyped-def]
    """True while the status line says the index is being checked or updated."""
    line = status(app)
    return "checking for changes" in line or "indexing:" in line


async def wait_until(pilot, condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await pilot.pause(0.05)


async def test_indexes_on_start_in_the_background(corpus: Path, tmp_path: Path) -> None:
    app = make_app(corpus, Config(), tmp_path / "state", watch=False)
    other_updater = FileLock(str(tmp_path / "state" / "update.lock"))
    other_updater.acquire()  # as if another process were updating: the app's update waits
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            try:
                await wait_until(pilot, lambda: "checking for changes" in status(app))
                await pilot.press("slash", *"truce")  # usable meanwhile: no index yet, an inline message
                await pilot.pause(0.3)
                assert app.main.query_one("#query-error", Static).has_class("shown")
            finally:
                other_updater.release()  # else the app's update thread would wait for ever
            await wait_until(pilot, lambda: not indexing_shown(app))
            await pilot.press(*["backspace"] * 5)
            await settle(pilot)
            assert app.main.article_list.total == 3
            assert "3 articles" in status(app)
            assert "indexed" in status(app)
            await pilot.press(*"Stepanakert")
            await settle(pilot)
            assert app.main.article_list.total == 1
    finally:
        if other_updater.is_locked:
            other_updater.release()
        close_library(app.library)


async def test_new_files_are_picked_up_while_running(corpus: Path, tmp_path: Path) -> None:
    config = Config()
    config.ui.watch_seconds = 0.2
    app = make_app(corpus, config, tmp_path / "state")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.main.article_list.total == 3 and not indexing_shown(app))
        # The watcher's baseline: a file written before it is taken would count as already seen.
        await wait_until(pilot, lambda: app.main.watcher.fingerprint is not None)
        await settle(pilot)
        assert app.main.article_list.total == 3
        write(
            corpus,
            "reports/new.txt",
            """
            Late report from Geneva

            Negotiators returned to Geneva for another round.
            """,
        )
        await wait_until(pilot, lambda: app.main.article_list.total == 4)
        (corpus / "reports" / "shelling.txt").unlink()
        await wait_until(pilot, lambda: app.main.article_list.total == 3)
    close_library(app.library)


async def test_untrusted_text_is_shown_literally(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(
        corpus,
        "markup.md",
        """
        ---
        title: "[bold]Not bold[/bold] [TODO] \\x1b[31mred"
        source: "[link=https://x]src[/link]"
        ---
        Checklist [TODO] items and [red]colour[/red] tags stay as typed, [/] too.

        A line with escape \x1b[2J codes and a bell \x07 here.
        """,
    )
    app = make_app(corpus, Config(), tmp_path / "state", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.main.article_list.total == 1 and not indexing_shown(app))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        reader = app.main.reader
        text = "\n".join(reader.render_line(y).text for y in range(20))
        assert "[TODO]" in text
        assert "[red]colour[/red]" in text
        assert "[/]" in text
        assert "\x1b" not in text and "\x07" not in text
        title, meta = app.main.article_list.item_text(0, 60)
        assert "[bold]Not bold[/bold] [TODO]" in title
        assert "[link=https://x]src[/link]" in meta
    close_library(app.library)


async def test_indexing_with_worker_processes_inside_the_app(tmp_path: Path) -> None:
    """Enough files for the reader pool: spawning must work although Textual replaced sys.stderr."""
    corpus = tmp_path / "many"
    for number in range(80):
        write(corpus, f"a/{number:03}.txt", f"Report {number}\n\nTalks in Geneva, round {number}.\n")
    app = make_app(corpus, Config(), tmp_path / "state", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(
            pilot,
            lambda: "failed" in status(app) or (app.main.article_list.total == 80 and not indexing_shown(app)),
            timeout=120,
        )
        await settle(pilot)
        assert "failed" not in status(app)
        assert app.main.article_list.total == 80
    close_library(app.library)


async def test_a_failed_worker_is_shown_as_its_error_and_the_reader_goes_on(demo_state: Path) -> None:
    """A worker that raises (here the saved searches' count) is shown in one line, not a crash; its
    error is not the app's text, so markup-like brackets in it are shown as they are."""
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)

    def broken() -> None:
        raise RuntimeError("disk [/] gone")

    app.library.saved.overview = broken  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_until(pilot, lambda: any("saved failed" in toast for toast in toasts(app)))
        assert [toast for toast in toasts(app) if "failed" in toast] == ["saved failed: disk [/] gone"]
        await pilot.press("slash", *"ceasefire")
        await settle(pilot)
        assert app.main.search_box.value == "ceasefire"
    close_library(app.library)
