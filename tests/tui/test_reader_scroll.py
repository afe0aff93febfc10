"""A reopened article's scroll position: on top as soon as the article is shown, and kept there.

The session restore asks the reader for the line the last run showed (``show_article(scroll=N)``);
the reader is then re-wrapped and resized while it is first drawn (the list gives it room once an
article is open), and on a loaded machine the state was read before a scroll deferred to the next
refresh had run: CI found line 0 instead of 9.
"""

from __future__ import annotations

from newsdesk.index import Article
from newsdesk.tui.widgets.reader import ReaderView
from textual import events
from textual.app import App, ComposeResult

TEXT = "\n".join(f"Paragraph {n} of a long article about the talks in Geneva, long enough to wrap." for n in range(80))


class ReaderApp(App[None]):
    CSS = "ReaderView { width: 60; }"

    def compose(self) -> ComposeResult:
        yield ReaderView()


def article() -> Article:
    return Article(id="a1", path="a.txt", item=0, title="Talks", text=TEXT, source="wire")


async def test_the_asked_for_line_is_on_top_as_soon_as_the_article_is_shown() -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = app.query_one(ReaderView)
        reader.show_article(article(), scroll=12, first_hit=False)
        assert reader.scroll_y == 12  # no refresh in between: state saved now keeps it too
        await pilot.pause()
        assert reader.scroll_y == 12


async def test_the_asked_for_line_survives_the_resizes_of_the_first_draw() -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = app.query_one(ReaderView)
        reader.show_article(article(), scroll=40, first_hit=False)
        reader.styles.width = 90  # re-wrapped: fewer lines, the line number asked for still on top
        await pilot.pause()
        assert reader.scroll_y == 40
        await pilot.resize_terminal(100, 50)  # taller: max_scroll_y shrinks, then grows back
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert reader.scroll_y == 40


async def test_another_scroll_ends_the_asked_for_line() -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = app.query_one(ReaderView)
        reader.focus()
        reader.show_article(article(), scroll=12, first_hit=False)
        await pilot.pause()
        await pilot.press("j")
        assert reader.scroll_y == 13
        await pilot.resize_terminal(100, 31)
        await pilot.pause()
        assert reader.scroll_y == 13


async def test_a_wheel_scroll_ends_the_asked_for_line_too() -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = app.query_one(ReaderView)
        reader.show_article(article(), scroll=12, first_hit=False)
        await pilot.pause()
        # Textual scrolls for the wheel without calling scroll_to: a resize must not jump back to 12.
        wheel = events.MouseScrollDown(reader, 5, 5, 0, 1, 0, shift=False, meta=False, ctrl=False)
        reader.post_message(wheel)
        await pilot.pause()
        wheeled = reader.scroll_y
        assert wheeled > 12
        await pilot.resize_terminal(100, 31)
        await pilot.pause()
        assert reader.scroll_y == wheeled
