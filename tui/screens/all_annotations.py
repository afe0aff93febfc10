"""Every annotation in the corpus, filterable by tag, author and text; Enter opens the article there."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import ClassVar

from newsdesk.index import Annotation, Library, NewsdeskError
from newsdesk.tui.widgets.layout import clean_line
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

QUOTE_CHARS = 70


@dataclass(frozen=True, slots=True)
class AnnotationRow:
    """One annotation as the corpus-wide list shows it."""

    annotation: Annotation
    title: str
    orphan: bool

    def matches(self, terms: list[str]) -> bool:
        """All of ``terms`` hold: ``tag:x``, ``author:x`` (or ``by:x``), ``orphan:yes``, or words in the text."""
        a = self.annotation
        text = f"{a.target.exact}\n{a.note}\n{self.title}".casefold()
        for term in terms:
            key, _, value = term.partition(":")
            if value and key == "tag":
                if not any(_tag_key(t) == _tag_key(value) for t in a.tags):
                    return False
            elif value and key in ("author", "by"):
                if a.author.casefold() != value.casefold():
                    return False
            elif value and key == "orphan":
                if self.orphan != (value.casefold() in ("yes", "true", "1")):
                    return False
            elif term.casefold() not in text:
                return False
        return True

    def line(self) -> Text:
        a = self.annotation
        quote = " ".join(clean_line(a.target.exact).split())
        quote = quote if len(quote) <= QUOTE_CHARS else quote[: QUOTE_CHARS - 1] + "…"
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append(f"{clean_line(', '.join(a.tags)) or '-':<18.18} ", style="bold")
        line.append(f"“{quote}” ")
        if self.orphan:
            line.append("(orphan) ", style="bold red")
        line.append(f"{clean_line(a.author)} · {clean_line(self.title)}", style="dim")
        return line


def _tag_key(text: str) -> str:
    """A tag as its column shows it (controls, bidi overrides and joiners dropped), composed and
    case-folded: ``tag:`` finds what is shown. Red team: it compared the tag as stored, so the tag an
    older version saved with a C1 control, shown as "evidence", was not found by ``tag:evidence``,
    nor an emoji or Persian tag typed as it is shown (its joiner dropped), nor a decomposed "é"."""
    shown = "".join(c for c in clean_line(text) if unicodedata.category(c) not in ("Cc", "Cf"))
    return unicodedata.normalize("NFC", shown.casefold())


def load_rows(library: Library) -> tuple[list[AnnotationRow], list[str]]:
    """Every annotation with its article's title and whether it still anchors (runs in a worker)."""
    entries, errors = library.annotation_entries()
    rows = [
        AnnotationRow(e.annotation, e.title if e.title is not None else "(article gone)", e.orphan) for e in entries
    ]
    return rows, errors


_KEY_OF = {
    "select": "enter",
    "cursor_down": "down",
    "cursor_up": "up",
    "first": "home",
    "last": "end",
    "page_down": "pagedown",
    "page_up": "pageup",
}
_OWN_KEYS = frozenset({*_KEY_OF.values(), "escape", "tab", "shift+tab"})
"""Keys the list (or the view) acts on itself, through its bindings."""


class _RowsList(OptionList):
    """The view's list: Enter and the arrows typed before its rows are read wait for them.

    A burst (``A``, Enter, Enter over SSH, a large corpus or a slow disk) reached an empty list: the
    Enter that picks found no row, and it and the keys behind it were lost, unsaid (red team).
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.loaded = False
        self.waiting: list[str | tuple[str, str | None]] = []
        """The keys typed before the rows were read, in order: the list's own as their actions, the
        others as (key, character)."""

    def on_key(self, event: events.Key) -> None:
        """Before the rows are read, a key that is not the list's own waits too (red team: ``A`` Enter
        Enter ``d`` in one burst, the rows slow: the ``d`` reached the view, which has no ``d``, and was
        lost, unsaid; once the rows were in, the same burst deleted the picked note)."""
        if self.loaded or event.key in _OWN_KEYS:
            return
        self.waiting.append((event.key, event.character))
        event.stop()
        event.prevent_default()

    def action_select(self) -> None:
        self._act("select")

    def action_cursor_down(self) -> None:
        self._act("cursor_down")

    def action_cursor_up(self) -> None:
        self._act("cursor_up")

    # Red team: End, Home, PageDown and PageUp typed before the rows were read acted on the empty list and
    # were lost, and the Enter behind them (which waited) picked the first row, not the one they reach.
    def action_first(self) -> None:
        self._act("first")

    def action_last(self) -> None:
        self._act("last")

    def action_page_down(self) -> None:
        self._act("page_down")

    def action_page_up(self) -> None:
        self._act("page_up")

    def _act(self, action: str) -> None:
        if not self.loaded:
            self.waiting.append(action)
            return
        getattr(super(), f"action_{action}")()

    def rows_read(self) -> None:
        """The rows are in: the keys typed before run now, from the first row, up to the first pick (red
        team: Enter typed twice or more waited, and each picked, so the view was dismissed twice and the
        second dismiss popped the reader's last screen: the reader ended with a traceback)."""
        self.loaded = True
        if (self.waiting or self.has_focus) and self.option_count and self.highlighted is None:
            self.highlighted = 0
        waiting, self.waiting = self.waiting, []
        for n, item in enumerate(waiting):
            if not isinstance(item, str):  # a key that is not the list's: it and those behind it go on in order
                self._again(waiting[n:])
                return
            self._act(item)
            if item == "select" and self.highlighted is not None:
                # The pick: the view closes, and the keys typed behind it go to what is shown then, as
                # they would have with the rows read at once.
                self._again(waiting[n + 1 :])
                return

    def _again(self, keys: list[str | tuple[str, str | None]]) -> None:
        for item in keys:
            key, character = (_KEY_OF[item], "\r" if item == "select" else None) if isinstance(item, str) else item
            self.app.post_message(events.Key(key, character))

    def rows_failed(self) -> None:
        """The rows could not be read: the keys that waited for them are dropped (the view says why)."""
        self.loaded = True
        self.waiting = []


class AllAnnotationsScreen(ModalScreen[tuple[str, str] | None]):
    """The corpus-wide annotations view; dismisses with (article id, annotation id) or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="annotations.close"),
        Binding("down", "focus_list", "List", show=False, id="annotations.list"),
    ]

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.rows: list[AnnotationRow] = []
        self.shown: list[AnnotationRow] = []
        self.picked = False

    def compose(self) -> ComposeResult:
        with Vertical(id="annotations-body"):
            yield Static(Text("Annotations", style="bold"), id="annotations-title")
            yield Input(placeholder="filter: words, tag:evidence, author:alice, orphan:yes", id="annotations-filter")
            yield _RowsList(id="annotations-list")
            yield Static("", id="annotations-status")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._load()

    @work(thread=True, exclusive=True, group="annotations")
    def _load(self) -> None:
        try:
            rows, errors = load_rows(self.library)
        except (OSError, NewsdeskError) as exc:
            # Red team: an error here (a state folder made unreadable) ended the whole reader with a traceback.
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._failed, exc)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._loaded, rows, errors)

    def _failed(self, exc: Exception) -> None:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        message = clean_line(f"cannot read the annotations: {reason}")
        self.notify(message, severity="error", markup=False)
        self.query_one("#annotations-status", Static).update(Text(message, style="dim"))
        self.query_one(_RowsList).rows_failed()

    def _loaded(self, rows: list[AnnotationRow], errors: list[str]) -> None:
        self.rows = rows
        for error in errors:
            self.notify(clean_line(error), severity="warning", markup=False)
        self._show(self.query_one(Input).value)
        self.query_one(_RowsList).rows_read()

    @on(Input.Changed, "#annotations-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._show(event.value)

    def _show(self, value: str) -> None:
        terms = value.split()
        self.shown = [row for row in self.rows if row.matches(terms)]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(row.line(), id=str(i)) for i, row in enumerate(self.shown)])
        orphans = sum(row.orphan for row in self.shown)
        status = f"{len(self.shown)} of {len(self.rows)} annotations" + (f" · {orphans} orphans" if orphans else "")
        self.query_one("#annotations-status", Static).update(Text(status, style="dim"))

    @on(Input.Submitted, "#annotations-filter")
    def action_focus_list(self) -> None:
        options = self.query_one(OptionList)
        if options.option_count and options.highlighted is None:
            options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if self.picked:
            return  # a second Enter before the view closed: dismissed twice, the reader's own screen was popped
        self.picked = True
        row = self.shown[int(event.option.id or 0)]
        self.dismiss((row.annotation.article_id, row.annotation.id))
