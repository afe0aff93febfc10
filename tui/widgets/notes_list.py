"""The Notes tab: the open article's annotations (everyone's), then its orphans."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from newsdesk.index import ArticleAnnotations, PlacedAnnotation
from newsdesk.tui.messages import PanelRequest
from newsdesk.tui.widgets.layout import clean_line
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

QUOTE_CHARS = 60


def annotation_option(placed: PlacedAnnotation) -> Text:
    """Quote, tags, note, author and time, as plain text (notes are never markup)."""
    a = placed.annotation
    quote = " ".join(clean_line(a.target.exact).split())
    quote = quote if len(quote) <= QUOTE_CHARS else quote[: QUOTE_CHARS - 1] + "…"
    text = Text(f"p. {placed.page}  ", style="bold") if placed.page is not None else Text()
    text.append(f"“{quote}”\n")
    text.append(f"  [{clean_line(', '.join(a.tags))}]" if a.tags else "  (no tags)", style="bold")
    text.append(f"  {clean_line(a.author)}{'' if placed.own else ' (read-only)'} · {a.modified[:16]}", style="dim")
    if a.claimed_author:  # the file system says who wrote it; the file's claim is only shown
        text.append(f"  ! the file claims {clean_line(a.claimed_author)}", style="bold red")
    if a.imported_from:
        text.append(f"  (imported from {clean_line(a.imported_from)})", style="dim")
    if a.note:
        note = " ".join(clean_line(a.note).split())
        text.append(f"\n  {note[:200]}")
    return text


class NotesList(OptionList):
    """Enter jumps to the passage; ``e`` edits, ``d`` deletes (``u`` undoes) your own annotations.

    Keys act on the list as it will be once the delete or undo before them has landed:
    while one is being written, the keys after it wait here, in order, and run on the
    list that comes back with its answer. (Found by the red team and by CI: in a burst
    ``d u d u d`` a later ``d`` met an empty list, or ``u`` ran before its delete had
    landed, and the annotation ended opposite to the last key.)
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="annotations_tab.down"),
        Binding("k", "cursor_up", "Up", show=False, id="annotations_tab.up"),
        Binding("enter", "select", "Go to", id="annotations_tab.goto"),
        Binding("e", "edit", "Edit", id="annotations_tab.edit"),
        Binding("d", "delete", "Delete", id="annotations_tab.delete"),
        Binding("u", "undo", "Undo delete", id="annotations_tab.undo"),
    ]

    @dataclass
    class Picked(PanelRequest):
        """Something to do with one annotation: "goto", "edit" or "delete"."""

        action: str
        annotation_id: str
        change: int = 0
        """For a delete: its number, which the list's answer carries back (``show_annotations``)."""

    @dataclass
    class UndoRequested(PanelRequest):
        """Put back the annotation deleted last."""

        change: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown = ArticleAnnotations()
        self._asked = 0
        """Deletes and undos asked for so far; each is answered by a ``show_annotations``."""
        self._answered = 0
        self._held: deque[str] = deque()
        """Actions of keys pressed while a delete or undo was being written, in key order."""
        self._write_now: Callable[[str, str | None], ArticleAnnotations] | None = None
        """At a hang-up: does a delete or undo at once and returns the list after it (no messages)."""
        self._sent: tuple[int, str, str | None] = (0, "", None)
        """The last delete or undo asked for: its number, "delete" or "undo", and the annotation's id."""
        self._leaving = False
        """A hang-up came: keys handled after it are not acted on (:meth:`stop_taking_keys`)."""
        self.quit_when_done = False
        """q was pressed while a delete or undo was being written: quit once it and the keys held are done."""

    @property
    def waiting(self) -> bool:
        """A delete or undo is being written; keys wait until the list shows its result."""
        return self._answered < self._asked

    def in_flight(self) -> tuple[int, str, str | None] | None:
        """The delete or undo being written, not yet answered (keys wait behind it): its number, action
        and annotation id. One at a time: the keys after it are held until it is answered."""
        return self._sent if self.waiting else None

    @property
    def holding(self) -> bool:
        """Keys are held behind a delete or undo being written."""
        return bool(self._held)

    def show_annotations(self, found: ArticleAnnotations, answered: int = 0) -> None:
        """Replace the list (keeps the cursor where it was when it can).

        ``answered``: the delete or undo whose result this list shows (0: none); the keys
        held while it was written then run, in order.
        """
        self._answered = max(self._answered, answered)
        self.shown = found
        highlighted = self.highlighted
        self.clear_options()
        options: list[Option] = [Option(annotation_option(p), id=p.annotation.id) for p in found.placed]
        if found.orphans:
            options.append(
                Option(
                    Text(f"ORPHANS ({len(found.orphans)}): passages no longer in the text", style="bold red"),
                    disabled=True,
                )
            )
            options += [Option(annotation_option(p), id=p.annotation.id) for p in found.orphans]
        for error in found.errors:
            options.append(Option(Text(clean_line(error), style="red"), disabled=True))
        if not options:
            options.append(
                Option(
                    Text("No annotations. Select a passage with v, then t (tags) or a (note).", style="dim"),
                    disabled=True,
                )
            )
        self.add_options(options)
        if (
            highlighted is not None
            and highlighted < self.option_count
            and not self.get_option_at_index(highlighted).disabled
        ):
            self.highlighted = highlighted
        else:  # the first row you can act on: e and d work without moving first
            self.highlighted = next((n for n, o in enumerate(options) if not o.disabled), None)

        while self._held and not self.waiting:
            self._run(self._held.popleft())
        if self.quit_when_done and not self.waiting:
            self.quit_when_done = False
            self.app.call_later(self.app.run_action, "app.quit")

    def stop_taking_keys(self) -> None:
        """At a hang-up: keys handled from now on are not acted on (the held ones are run by
        :meth:`run_held_now`). One still on its way when the link dropped was handled while the
        reader went down and deleted on its own, after the hang-up had written what the keys before it asked."""
        self._leaving = True

    def _act(self, action: str) -> None:
        if self._leaving:
            return
        if self.waiting:
            self._held.append(action)
        else:
            self._run(action)

    def run_held_now(self, found: ArticleAnnotations, write: Callable[[str, str | None], ArticleAnnotations]) -> None:
        """Run the held keys at once on ``found``, each delete or undo by ``write(action, id)`` (a hang-up:
        no answer will be handled, and a held ``u`` must not be lost behind the delete it undoes)."""
        self._write_now = write
        self._answered = self._asked
        self.quit_when_done = False  # whoever runs them is leaving already (a hang-up: exit code 129)
        self.show_annotations(found)

    def _run(self, action: str) -> None:
        if self._write_now is not None:
            if action in ("delete", "undo"):
                ident = self._current_id() if action == "delete" else None
                if action == "undo" or ident is not None:
                    self.show_annotations(self._write_now(action, ident))
                return
            if action in ("goto", "edit"):
                return  # nobody is left to read or type
        if action == "cursor_down":
            super().action_cursor_down()
        elif action == "cursor_up":
            super().action_cursor_up()
        elif action == "undo":
            self._asked += 1
            self._sent = (self._asked, "undo", None)
            self.post_message(self.UndoRequested(self._asked))
        elif ident := self._current_id():
            if action == "delete":
                self._asked += 1
                self._sent = (self._asked, "delete", ident)
                self.post_message(self.Picked("delete", ident, self._asked))
            else:
                self.post_message(self.Picked(action, ident))

    def _current_id(self) -> str | None:
        if self.highlighted is None:
            return None
        option = self.get_option_at_index(self.highlighted)
        return None if option.disabled else option.id

    def action_select(self) -> None:
        self._act("goto")

    def action_edit(self) -> None:
        self._act("edit")

    def action_delete(self) -> None:
        self._act("delete")

    def action_undo(self) -> None:
        self._act("undo")

    def action_cursor_down(self) -> None:
        self._act("cursor_down")

    def action_cursor_up(self) -> None:
        self._act("cursor_up")
