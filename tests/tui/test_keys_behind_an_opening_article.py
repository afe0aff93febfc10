"""Keys typed behind the key that opens an article go to the reader, however slowly it loads.

Enter on the list opens the article in a worker and focuses the reader once it is shown. Typed in
one burst (over SSH, or while a large article or a busy disk is slow to read), ``Enter v s t
starting Enter`` went to the list meanwhile: no tag was saved and the tag's letters ran as list
commands, a ``q`` among them quitting the reader (serve red team: seen once in six runs under load).
"""

from __future__ import annotations

import time

import pytest
from newsdesk.index import Library, NewsdeskError
from newsdesk.tui.app import NewsdeskApp
from textual import events

from tests.tui.conftest import settle


def _burst(app: NewsdeskApp, keys: list[str]) -> None:
    for key in keys:
        app.post_message(events.Key(key, {"enter": "\r"}.get(key, key if len(key) == 1 else None)))


def _slowed(monkeypatch: pytest.MonkeyPatch, seconds: float, fail: bool = False) -> None:
    real = Library.article

    def slow(self: Library, *args: object, **kwargs: object) -> object:
        time.sleep(seconds)
        if fail:
            raise NewsdeskError("the article's file is gone")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Library, "article", slow)


@pytest.mark.parametrize("seconds", [0.0, 0.5, 2.0])
@pytest.mark.parametrize("tag", ["starting", "quiet"])
async def test_enter_then_a_tag_typed_in_one_burst_tags_the_article_opened(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch, seconds: float, tag: str
) -> None:
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        _slowed(monkeypatch, seconds)
        _burst(demo_app, ["enter", "v", "s", "t", *tag, "enter"])
        await settle(pilot)
        await pilot.pause(seconds + 0.5)
        await settle(pilot)
        assert demo_app.is_running  # seen with "quiet": q quit the reader
        article = demo_app.main.reader.article
        assert article is not None
        placed = demo_app.library.annotations_of(article.id).placed
        assert [p.annotation.tags for p in placed] == [(tag,)]  # seen at 0.5 s: [], the letters run as commands


async def test_keys_behind_an_article_that_cannot_be_read_go_on(
    demo_app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The open fails (the file gone meanwhile): the keys held for it go on at once, to where focus is."""
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        _slowed(monkeypatch, 0.3, fail=True)
        started = time.monotonic()
        _burst(demo_app, ["enter", "slash", *"truce"])
        await settle(pilot)
        for _ in range(100):
            if demo_app.main.search_box.value == "truce":
                break
            await pilot.pause(0.05)
        assert demo_app.main.search_box.value == "truce"
        assert time.monotonic() - started < 4  # not the 5 s a hold lasts at most
