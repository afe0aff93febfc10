"""The line at the top of the main screen: the corpus, its size, indexing, the match and other notes.

Each part is a reactive, set from the :class:`~newsdesk.tui.messages.StatusNews`
of whoever knows it (the corpus watcher, the article view, the saved searches;
the screen hands the news on); the bar alone builds the text, so no one else
assembles status strings.
"""

from __future__ import annotations

from newsdesk.index import display_path
from newsdesk.tui.messages import StatusNews
from newsdesk.tui.widgets.layout import clean_line
from newsdesk.tui.widgets.reader import ENTITY_TYPES
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

TYPE_NAMES = {"PERSON": "people", "ORG": "organisations", "PLACE": "places"}


class StatusBar(Widget):
    """``newsdesk · <corpus> · N articles · <index note> · <match> · <entities> · <saved>``."""

    corpus_name: reactive[str] = reactive("")
    article_count: reactive[int] = reactive(0)
    index_note: reactive[str] = reactive("checking the index…")
    """Empty when the index is up to date ("indexed"); never "indexed" before the watcher has looked."""
    indexing: reactive[bool] = reactive(False)
    """An update is running: the index note is shown in italics."""
    hit_count: reactive[int] = reactive(0)
    """The query's matches in the open article."""
    hit_current: reactive[int | None] = reactive(None)
    """Which of them the reader is on (0-based), None before the first ``n``."""
    entity_types: reactive[frozenset[str]] = reactive(frozenset(ENTITY_TYPES))
    """The entity types highlighted in the reader; the bar says which when not all are."""
    saved_new: reactive[int] = reactive(0)
    """New articles waiting across saved searches."""

    def show(self, news: StatusNews) -> None:
        """Take the parts of the line ``news`` brings (the fields it leaves None stay as they are)."""
        for name in ("article_count", "index_note", "indexing", "entity_types", "saved_new"):
            if (value := getattr(news, name)) is not None:
                setattr(self, name, value)
        if news.hit is not None:
            self.hit_current, self.hit_count = news.hit

    def hit_note(self) -> str:
        """Where the reader is among the query's matches: "match 2/5 (n/N)"; empty without matches."""
        if not self.hit_count:
            return ""
        position = "" if self.hit_current is None else f"{self.hit_current + 1}/"
        return f"match {position}{self.hit_count} (n/N)"

    def entity_note(self) -> str:
        """Which entity types are highlighted, when not all are."""
        shown = self.entity_types
        if shown == set(ENTITY_TYPES):
            return ""
        if not shown:
            return "entities off (e)"
        return "entities: " + ", ".join(TYPE_NAMES[t] for t in ENTITY_TYPES if t in shown)

    def render(self) -> Text:
        text = Text()
        text.append(" newsdesk ", style="bold")
        text.append(f" {clean_line(display_path(self.corpus_name))} ")  # a folder name: not UTF-8, escapes
        text.append(f" · {self.article_count:,} articles")
        text.append(f" · {self.index_note or 'indexed'}", style="italic" if self.indexing else "")
        if hit_note := self.hit_note():
            text.append(f" · {hit_note}", style="bold")
        if entity_note := self.entity_note():
            text.append(f" · {entity_note}")
        if self.saved_new:
            text.append(f" · {self.saved_new:,} new in saved searches", style="bold")
        return text
