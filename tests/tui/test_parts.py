"""The reader's parts on their own: text layout, the virtual list, UI state, facet clauses, polling."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from newsdesk.tui.state import CorpusState, UIStateStore
from newsdesk.tui.widgets.article_list import ArticleList
from newsdesk.tui.widgets.layout import clean_line, clean_text, reflow, wrap_offsets
from newsdesk.tui.widgets.list_rows import Row
from newsdesk.tui.widgets.side_panel import facet_clause
from textual.app import App, ComposeResult

from tests.tui.conftest import settle


def test_wrap_keeps_offsets_into_the_text() -> None:
    text = "The truce signed overnight ends six weeks of fighting.\n\nPeacekeepers will patrol."
    lines = wrap_offsets(text, 20)
    assert [text[s:e] for s, e in lines] == [
        "The truce signed",
        "overnight ends six",
        "weeks of fighting.",
        "",
        "Peacekeepers will",
        "patrol.",
    ]
    assert all(len(text[s:e]) <= 20 for s, e in lines)


def test_wrap_cuts_words_longer_than_the_line_and_counts_wide_characters() -> None:
    assert [len(x) for x in (lambda t: [t[s:e] for s, e in wrap_offsets(t, 4)])("abcdefghij")] == [4, 4, 2]
    text = "東京 東京都 大阪"
    lines = [text[s:e] for s, e in wrap_offsets(text, 6)]
    assert lines == ["東京", "東京都", "大阪"]


def test_reflow_joins_hard_wrapped_lines_but_keeps_paragraphs_and_lists() -> None:
    text = "one\ntwo\n\nthree\n- item\n- item"
    joined = reflow(text)
    assert len(joined) == len(text)
    assert joined == "one two\n\nthree\n- item\n- item"
    assert reflow("to:\nrefrain from this;\nhand over the\nlists;") == "to:\nrefrain from this;\nhand over the lists;"


def test_cleaning_removes_controls_and_keeps_offsets() -> None:
    assert clean_line("a\x1b[31mb\x07 [TODO]\u202e") == "a[31mb [TODO]"
    text = "x\x1by\x00z"
    assert clean_text(text) == "x y z" and len(clean_text(text)) == len(text)


def test_facet_clauses_quote_values() -> None:
    assert facet_clause("source", "Meridian Wire") == 'source:"Meridian Wire"'
    assert facet_clause("tags", "minsk group", exclude=True) == 'NOT tag:"minsk group"'
    # A keyword value holding a " goes in single quotes (a phrase cannot hold one; red team:
    # `person:"Say  hi"` searched another word than the index holds); a text field's stays a phrase.
    assert facet_clause("person", 'Say "hi"') == "person:'Say \"hi\"'"
    assert facet_clause("source", 'The "Daily" Wire') == 'source:"The  Daily  Wire"'


def test_ui_state_round_trip_atomic_and_tolerant(tmp_path: Path) -> None:
    path = tmp_path / "state" / "ui.json"
    store = UIStateStore(path)
    assert store.corpus("/c") == CorpusState()
    store.save("/c", CorpusState(query="truce", article="abc", scroll=7), "nord")
    again = UIStateStore(path)
    assert again.corpus("/c") == CorpusState(query="truce", article="abc", scroll=7)
    assert again.theme == "nord"
    assert [p.name for p in path.parent.iterdir()] == ["ui.json"]  # no temp file left behind
    path.write_text("{not json")
    assert UIStateStore(path).corpus("/c") == CorpusState()
    path.write_text(json.dumps({"corpora": {"/c": {"query": 5, "scroll": "x"}}}))
    assert UIStateStore(path).corpus("/c") == CorpusState()


class ListApp(App[None]):
    def __init__(self, total: int) -> None:
        super().__init__()
        self.total = total
        self.fetched: list[tuple[int, int]] = []
        self.lock = threading.Lock()

    def fetch(self, offset: int, limit: int) -> list[Row]:
        with self.lock:
            self.fetched.append((offset, limit))
        end = min(self.total, offset + limit)
        return [Row(f"id{i}", f"Article [b]{i}[/b]", "Wire", "2020-10-01") for i in range(offset, end)]

    def compose(self) -> ComposeResult:
        yield ArticleList()

    def on_mount(self) -> None:
        self.query_one(ArticleList).show(self.total, self.fetch)
        self.query_one(ArticleList).focus()


async def test_virtual_list_fetches_only_the_pages_it_shows() -> None:
    app = ListApp(100_000)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        article_list = app.query_one(ArticleList)
        assert article_list.virtual_size.height == 200_000
        assert app.fetched == [(0, 100)]
        await pilot.press("G")
        await settle(pilot)
        assert article_list.cursor == 99_999
        assert app.fetched[-1] == (99_900, 100)
        assert len(app.fetched) <= 3
        assert "Article [b]99999[/b]" in article_list.item_text(99_999, 60)[0]
        await pilot.press("g", "space", "space")
        await settle(pilot)
        assert article_list.cursor > 0
        assert len(app.fetched) <= 4
