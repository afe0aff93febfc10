"""The Notes tab: the open article's annotations (everyone's), then its orphans."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from newsdesk.index import ArticleAnnotations, PlacedAnnotation
from newsdesk.tui.messages import PanelRequest
from newsdesk.tui.widgets.layout import clean_line
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widgets import OptionList
from textual.widgets.option_list import Option

QUOTE_CHARS = 60
OPEN_WAIT_SECONDS = 10
"""Keys typed after ``]`` wait this long at most for the next article's notes (then are dropped, said)."""
PICK = "pick:"
"""A held entry ``pick:<annotation id>``: the note picked in the All annotations view, highlighted in
its turn among the keys held (it is not a key: never counted as one, nor kept for a quit)."""


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

    Keys typed after another article starts opening (``]`` from this tab) wait the same
    way, until this list shows that article's notes: ``] d`` deleted the highlighted note
    of the article being left, whose list was still shown.
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
        self._opening: str | None = None
        """Another article is being opened (its id; "" until known): keys wait for its notes (:meth:`expect_notes`)."""
        self._before_open = 0
        """Of the keys held, how many were typed before that article began to open: they act on this list."""
        self._open_timer: Timer | None = None
        self._shown_article: str | None = None
        """Whose notes the list shows (None before the first)."""
        self._typed_on: str | None = None
        """Whose notes were shown when the article being opened began to open."""
        self._newest_open = 0
        """The serial of the newest open request the keys may wait for (:meth:`expect_notes`)."""
        self._edit_asked = 0
        """The edit asked for and not yet answered (its dialog up, or refused): keys wait for it."""
        self._pick_gone = False
        """The note picked was not in the list: no row is highlighted until j or k (or another article)."""

    @property
    def waiting(self) -> bool:
        """A delete or undo is being written; keys wait until the list shows its result."""
        return self._answered < self._asked

    def in_flight(self) -> tuple[int, str, str | None] | None:
        """The delete or undo being written, not yet answered (keys wait behind it): its number, action
        and annotation id. One at a time: the keys after it are held until it is answered."""
        return self._sent if self.waiting else None

    @property
    def opening(self) -> bool:
        """Keys typed from now on wait for the notes of an article being opened."""
        return self._opening is not None

    def expect_notes(self, article_id: str | None, serial: int | None = None, pick: str | None = None) -> None:
        """An article is being opened (``article_id``, None while not yet known): keys typed from now on
        wait until this list shows its notes, or until it is known they will not come.

        ``serial``: the request's (:class:`~newsdesk.tui.messages.OpenArticle`), or for ``]`` the first
        its open may have. A request made before the last ``]`` is not the one the keys wait for (red
        team: under load, "] ] d" handled the first ]'s request after the second ], and the d ran on
        the first article's notes while the second's page of the list was on its way).

        ``pick``: the annotation picked in the All annotations view (this open shows it). It is held
        like a key, behind those typed before the pick: in its turn it highlights the note picked, so
        the keys typed behind it act on it, on the list as the writes before them left it (red team: a
        delete answered after the pick put the list back at its first row, or at the row number of the
        pick, now another note's). Not in the list (another session deleted it meanwhile), the keys
        behind it are dropped, said (red team: d deleted the first note of the article instead).
        """
        if serial is not None:
            if serial < self._newest_open:
                return
            if self._opening is not None and pick is not None:
                # The pick replaces the open the keys wait for (], an earlier pick): those typed for its
                # notes were not typed for the note picked. Said, not acted on there.
                self._drop_held(
                    len(self._held) - self._before_open,
                    "not acted on: a note was picked in All annotations before the notes they were typed for showed",
                )
            elif self._opening is not None and serial > self._newest_open:
                # A newer open (]) replaces the pick's: the keys typed behind the pick were meant for the
                # note picked, whose notes will not show. Said, not acted on there.
                self._drop_pick("not acted on: the note picked in All annotations was left before it showed")
            self._newest_open = serial
        if self._opening is None:
            if not self._before_open:  # else those held are still the ones typed on the list left before
                self._typed_on = self._shown_article
            self._before_open = len(self._held)
        # None is a new ] (its article named later, by its open): the article an earlier open named is
        # no longer the one the keys wait for (red team: "] ] d", the second ]'s open waiting for its
        # page of the list, ran the d on the first one's notes when they came).
        self._opening = article_id or ""
        if pick is not None:
            self._held.append(PICK + pick)
            self._pick_gone = False
        if self._open_timer is not None:
            self._open_timer.stop()
        # An open that never happens (its page of the list was replaced by a new search's before it
        # was read) says nothing: the keys are let go, not held for ever.
        self._open_timer = self.set_timer(OPEN_WAIT_SECONDS, self._open_took_too_long)

    def notes_not_coming(self, article_id: str | None) -> None:
        """The article being opened failed to open, or its notes could not be read: the keys held for
        them are dropped (they were meant for a list that never showed), said in one line."""
        if self._opening is None or (article_id is not None and self._opening not in ("", article_id)):
            return
        self._stop_opening("not acted on: the article's notes did not come")
        # Nor does the list keep the article left: the reader no longer shows it (red team: the keys
        # after the failure went to its notes).
        self.show_annotations(
            ArticleAnnotations(errors=["No notes shown: the article did not open or they could not be read."])
        )
        self._shown_article = None

    def open_not_coming(self) -> None:
        """The open the keys wait for (a ``]`` waiting for its page of the list) will not happen."""
        if self._opening == "":  # an open already named is on its way: its notes or its failure say
            # As when the article fails to open, the list no longer shows the article left: a d the
            # burst delivered after this came deleted there (red team, under load).
            self.notes_not_coming(None)

    def _open_took_too_long(self) -> None:
        if self._opening is not None:
            self._stop_opening(f"not acted on: the next article's notes took over {OPEN_WAIT_SECONDS} s")
            self._run_held()

    def _stop_opening(self, why: str) -> None:
        """Stop waiting for an article's notes; the keys typed after it began to open are dropped. Those
        typed before still count as typed on the list left (red team: a hang-up ran them on the next
        article's list once the reader had it, and a d typed on the first article deleted on the next)."""
        self._opening = None
        if self._open_timer is not None:
            self._open_timer.stop()
            self._open_timer = None
        self._drop_held(len(self._held) - self._before_open, why)

    def _drop_typed_on_left(self) -> None:
        """Drop the held keys typed on the list of the article left, but each ``u`` before any dropped
        ``d``: it puts back the note the write before it deleted, whichever list is shown (red team:
        ``d u ]`` with a slow delete left the note deleted, though u was typed right behind the d)."""
        typed = [self._held.popleft() for _ in range(self._before_open)]
        undos = list(itertools.takewhile(lambda action: action != "delete", typed))
        undos = [action for action in undos if action == "undo"]
        self._held.extendleft(undos)
        self._before_open = len(undos)
        keys = sum(not action.startswith(PICK) for action in typed)
        self._say_dropped(keys - len(undos), "not acted on: the article they were typed on was left")

    def _drop_held(self, count: int, why: str) -> None:
        """Drop the ``count`` entries held last, said in one line (a pick is not a key: not counted)."""
        dropped = [self._held.pop() for _ in range(count)]
        self._say_dropped(sum(not action.startswith(PICK) for action in dropped), why)

    def _drop_pick(self, why: str) -> None:
        """Drop a held pick and the keys typed behind it."""
        at = next((n for n, action in enumerate(self._held) if action.startswith(PICK)), None)
        if at is not None:
            self._drop_held(len(self._held) - at, why)

    def _say_dropped(self, count: int, why: str) -> None:
        if count:
            self.notify(f"{count} key(s) typed for the Notes tab {why}.", severity="warning", markup=False)

    @property
    def holding(self) -> bool:
        """Keys are held behind a delete or undo being written (a pick alone is no key: a q need not wait)."""
        return any(not action.startswith(PICK) for action in self._held)

    def show_annotations(self, found: ArticleAnnotations, answered: int = 0, article_id: str | None = None) -> None:
        """Replace the list (keeps the cursor where it was when it can).

        ``answered``: the delete or undo whose result this list shows (0: none); the keys
        held while it was written then run, in order. ``article_id``: whose notes these are;
        the keys held for the article being opened run once it is this one. A note picked in the All
        annotations view is highlighted in its turn among the keys held (:meth:`expect_notes`), not here:
        the reader's ``goto`` left over from a pick whose open was left for another (``A``, a pick, ``]``)
        moved this list when the picked article was opened again later.
        """
        self._answered = max(self._answered, answered)
        if answered and answered == self._edit_asked:
            self._edit_asked = 0
            if self.app.screen is not self.screen and (self._held or self.quit_when_done):
                # The edit's dialog is up: the keys typed behind e were meant for it, not this list.
                self._before_open = 0
                self.quit_when_done = False
                self._drop_held(len(self._held), "not acted on: typed behind e, before its dialog opened")
        another_article = article_id is not None and article_id != self._shown_article
        if another_article:
            self._shown_article = article_id
            self._pick_gone = False
            if self._before_open and article_id != self._typed_on:
                # Typed on the list of the article left, behind a write answered only now, with the
                # next one's list: run on it, a d would delete there. Said, not acted on.
                self._drop_typed_on_left()
        opened = bool(self._opening) and article_id == self._opening
        if opened:
            self._opening = None
            if self._open_timer is not None:
                self._open_timer.stop()
                self._open_timer = None
        self.shown = found
        # Another article's notes start at the first row, as do those of an article opened again (red team:
        # "] [" in one burst showed the first article's notes again without the next one's between, and
        # the row j had moved to was kept); the same article's keep the row (a delete's answer, a refresh).
        highlighted = None if another_article or opened else self.highlighted
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
        if self._pick_gone:
            self.highlighted = None  # still no row: a d typed for the note picked deletes none
        elif (
            highlighted is not None
            and highlighted < self.option_count
            and not self.get_option_at_index(highlighted).disabled
        ):
            self.highlighted = highlighted
        else:  # the first row you can act on: e and d work without moving first
            self.highlighted = next((n for n, o in enumerate(options) if not o.disabled), None)

        self._run_held()

    def _run_held(self) -> None:
        """Run the keys held, in order, while none waits: for a delete or undo's answer, or (typed after
        another article began to open) for that article's notes. Then a q that waited for them quits."""
        while self._held and not self.waiting:
            if self._before_open:
                self._before_open -= 1
            elif self._opening is not None:
                return
            self._run(self._held.popleft())
        if self.quit_when_done and not self.waiting and not self._held:
            self.quit_when_done = False
            self.app.call_later(self.app.run_action, "app.quit")

    def stop_taking_keys(self) -> None:
        """At a hang-up: keys handled from now on are not acted on (the held ones are run by
        :meth:`run_held_now`). One still on its way when the link dropped was handled while the
        reader went down and deleted on its own, after the hang-up had written what the keys before it asked."""
        self._leaving = True

    def take_keys_again(self) -> None:
        """The reader stays after all (a second q whose writes failed, or whose quit asked first): keys
        act again, written by workers (:meth:`stop_taking_keys` and :meth:`run_held_now` had stopped that)."""
        self._leaving = False
        self._write_now = None

    def _act(self, action: str) -> None:
        if self._leaving:
            return
        if self.waiting or self._opening is not None:
            self._held.append(action)
        else:
            self._run(action)

    def run_held_now(
        self, found: ArticleAnnotations, write: Callable[[str, str | None], ArticleAnnotations], article_id: str
    ) -> None:
        """Run the held keys at once on ``found``, each delete or undo by ``write(action, id)`` (a hang-up:
        no answer will be handled, and a held ``u`` must not be lost behind the delete it undoes)."""
        self._write_now = write
        self._answered = self._asked
        self.quit_when_done = False  # whoever runs them is leaving already (a hang-up: exit code 129)
        if self._opening is not None:  # keys for notes never shown: nobody saw what they would act on
            self._stop_opening("not acted on: the connection dropped before the article's notes showed")
        self.show_annotations(found, 0, article_id)

    def _run(self, action: str) -> None:
        if action.startswith(PICK):
            self._highlight_pick(action.removeprefix(PICK))
            return
        if self._write_now is not None:
            if action in ("delete", "undo"):
                ident = self._current_id() if action == "delete" else None
                if action == "undo" or ident is not None:
                    self.show_annotations(self._write_now(action, ident))
                return
            if action in ("goto", "edit"):
                return  # nobody is left to read or type
        if action in ("cursor_down", "cursor_up"):
            self._pick_gone = False  # a row chosen again
        if action == "cursor_down":
            super().action_cursor_down()
        elif action == "cursor_up":
            super().action_cursor_up()
        elif action == "undo":
            self._asked += 1
            self._sent = (self._asked, "undo", None)
            self.post_message(self.UndoRequested(self._asked))
        elif ident := self._current_id():
            if action in ("delete", "edit"):
                # An edit is answered too, once its dialog is up or refused: the keys typed behind e
                # wait for that (CI, tmux: "] e d" with the next article's notes already shown, the d
                # reached this list before the dialog opened and deleted the note being edited).
                self._asked += 1
                self._sent = (self._asked, action, ident)
                if action == "edit":
                    self._edit_asked = self._asked
                self.post_message(self.Picked(action, ident, self._asked))
            else:
                self.post_message(self.Picked(action, ident))

    def _highlight_pick(self, annotation_id: str) -> None:
        """The note picked in the All annotations view, highlighted; not there, the keys behind it are dropped."""
        at = next(
            (
                n
                for n in range(self.option_count)
                if (o := self.get_option_at_index(n)).id == annotation_id and not o.disabled
            ),
            None,
        )
        if at is not None:
            self.highlighted = at
            return
        # No row either: a key typed behind the pick but handled after its list showed (the article
        # loaded first) acted on the first row (red team: d deleted a note that was not picked).
        self._pick_gone = True
        self.highlighted = None
        # The keys typed behind it; not those typed after a ] since (they wait for its article's notes).
        # But each u before any d: it puts back the note deleted last, whichever row is highlighted (red
        # team: d, A, a pick of the note being deleted, u: the u was dropped and the note stayed deleted).
        behind = self._before_open if self._opening is not None else len(self._held)
        typed = [self._held.popleft() for _ in range(behind)]
        undos = [a for a in itertools.takewhile(lambda action: action != "delete", typed) if a == "undo"]
        self._held.extendleft(undos)
        if self._opening is not None:
            self._before_open = len(undos)
        dropped = sum(not action.startswith(PICK) for action in typed) - len(undos)
        if dropped:
            self._say_dropped(
                dropped, "not acted on: the note picked in All annotations is no longer there (deleted meanwhile?)"
            )
        else:
            self.notify("The note picked in All annotations is no longer there (deleted meanwhile?).", timeout=4)

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
