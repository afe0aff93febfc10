"""The line at the top of the main screen: the corpus, its size, indexing, the match and other notes.

Each part is a reactive set by whoever knows it (the screen routes the corpus
watcher's, the reader's and the saved searches' news here); the bar alone
builds the text, so no one else assembles status strings.
"""

from __future__ import annotations

from newsdesk.tui.widgets.layout import clean_line
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StatusBar(Widget):
    """``newsdesk · <corpus> · N articles · <index note> · <match> · <entities> · <saved>``."""

    corpus_name: reactive[str] = reactive("")
    article_count: reactive[int] = reactive(0)
    index_note: reactive[str] = reactive("")
    """Empty when the index is up to date ("indexed")."""
    indexing: reactive[bool] = reactive(False)
    """An update is running: the index note is shown in italics."""
    hit_note: reactive[str] = reactive("")
    """Where the reader is among the query's matches ("match 2/5 (n/N)")."""
    entity_note: reactive[str] = reactive("")
    """Which entity types are highlighted, when not all are."""
    saved_new: reactive[int] = reactive(0)
    """New articles waiting across saved searches."""

    def render(self) -> Text:
        text = Text()
        text.append(" newsdesk ", style="bold")
        text.append(f" {clean_line(self.corpus_name)} ")
        text.append(f" · {self.article_count:,} articles")
        text.append(f" · {self.index_note or 'indexed'}", style="italic" if self.indexing else "")
        if self.hit_note:
            text.append(f" · {self.hit_note}", style="bold")
        if self.entity_note:
            text.append(f" · {self.entity_note}")
        if self.saved_new:
            text.append(f" · {self.saved_new:,} new in saved searches", style="bold")
        return text
