"""Tags and a note for a passage: the dialog behind `t` (tags) and `a` (note)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from newsdesk.index import UNSAVED_TAGS_MARK as UNSAVED_TAGS_MARK  # where tests and callers look
from newsdesk.index import AnnotationError, check_annotation_tag, tags_and_note
from newsdesk.index import control_symbol as _symbol
from newsdesk.index import invisible_in_tags as is_invisible
from newsdesk.tui.widgets.layout import clean_line
from rich.text import Text
from textual import constants, events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static, TextArea

_TAG_SPLIT = re.compile(r"[,\s]+")
_DRAWN_RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""What Textual's text boxes write to the terminal as it is: an ESC or a C1 CSI there starts an escape
sequence (OSC 52 sets the clipboard), SO switches some terminals' character set. Line ends and tabs
are the boxes' own."""
QUOTE_CHARS = 240


class TagSuggester(Suggester):
    """Completes the tag being typed (the last of several) from the tags already in use."""

    def __init__(self, tags_in_use: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        # Only tags a new tag may be: tags in use come from every annotation file of the corpus (another
        # account's too, written as its owner likes, or by an older version), and the box drew the
        # suggestion raw (red team: a C1 CSI, a bidi override), and ctrl+s then refused it.
        self.tags = sorted(set(_addable(tags_in_use)), key=str.casefold)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(",")
        last = last.lstrip()
        if not last:
            return None
        typed = {t.strip().casefold() for t in head.split(",")}
        for tag in self.tags:
            if tag.casefold().startswith(last.casefold()) and tag.casefold() not in typed and tag != last:
                return value[: len(value) - len(last)] + tag
        return None


def _addable(tags: list[str]) -> Iterator[str]:
    """Each of ``tags`` that a new tag may be, as it would be stored."""
    for tag in tags:
        with contextlib.suppress(AnnotationError):
            yield check_annotation_tag(tag)


def parse_tags(value: str) -> list[str]:
    """Tags from the input: separated by commas or spaces, each checked; AnnotationError names a bad one."""
    return list(dict.fromkeys(check_annotation_tag(t) for t in _TAG_SPLIT.split(value) if t.strip()))


def drawable(text: str) -> str:
    """``text`` with each character the boxes would draw raw as its symbol (see ``_symbol``): an edited
    annotation's note and tags come from a file (an import of another's export, a hand edit), and
    were written to the terminal as they were (red team)."""
    return _DRAWN_RAW.sub(_symbol, text)


def drawable_tag(tag: str) -> str:
    """``tag`` as the tags box shows it: as :func:`drawable`, and each invisible format character no
    new tag may hold (a bidi override or isolate, a zero-width space, a soft hyphen: a tag an older
    version saved) as U+FFFD, so a save writes what the box shows. Red team: the box wrote a bidi
    override to the terminal as it was, and the user could not see what to delete from the tag that
    ctrl+s then refused. The joiners a tag may hold stay."""
    return "".join("\ufffd" if is_invisible(c) else c for c in drawable(tag))


@dataclass(frozen=True, slots=True)
class AnnotationInput:
    """What the user entered."""

    tags: list[str]
    note: str


UNASKED_GRACE_SECONDS = constants.ESCAPE_DELAY + 0.2
"""Keys this soon after a dialog shows unasked were typed before anyone could have read it: the
terminal parser dates an Esc (and an Esc-letter pair) ESCAPE_DELAY late, waiting to tell it from a
sequence ("Esc Esc q" typed with Enter arrived 0.12 s after the dialog showed, in tmux)."""


class _TagsBox(Input):
    """The tags box: Enter saves the dialog at once.

    Not through Input.Submitted: that message is handled after the key typed behind Enter has
    been delivered (newsdesk.tui.key_order waits for the key, not for the messages it posts), so
    in a burst "tags Enter Esc" the Esc reached this closing dialog; when the save then failed,
    it cancelled the dialog that came back with the error, and what was typed was lost unseen.
    """

    async def action_submit(self) -> None:
        screen = self.screen
        if isinstance(screen, AnnotateDialog):
            screen.action_save()


class AnnotateDialog(ModalScreen[AnnotationInput | None]):
    """Edit the tags and note of a passage; dismisses with them, or None on cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="annotate.cancel"),
        Binding("ctrl+s", "save", "Save", id="annotate.save", priority=True),
    ]
    # Focus is set on mount, and the keys typed right after `a`/`t` wait for it
    # (newsdesk.tui.key_order); auto-focus would first focus the tags box for a moment.
    AUTO_FOCUS = ""

    def __init__(
        self,
        quote: str,
        tags_in_use: list[str],
        tags: tuple[str, ...] = (),
        note: str = "",
        focus_note: bool = False,
        title: str = "Annotate",
        interrupts: bool = False,
    ) -> None:
        super().__init__()
        self.interrupts = interrupts
        """Shown unasked (a save that failed, back with what was typed): see ``keys_from``."""
        self.keys_from = 0.0
        """Keys dated before this (Textual's event clock) are dropped, not delivered here
        (newsdesk.tui.key_order): set on mount when ``interrupts``, else every key is for it."""
        self.quote = quote
        self.tags_in_use = tags_in_use
        # As the boxes show them: what the file held, its control characters as symbols.
        self.initial_tags = [drawable_tag(tag) for tag in tags]
        self.initial_note = drawable(note)
        self.focus_note = focus_note
        self.title_text = title
        self.saved: AnnotationInput | None = None
        """What is on disk of what it shows, as its boxes held it when shown (``in_the_boxes``; None: nothing,
        all that a dialog back from a failed save shows is unsaved). Esc closes at once when this or nothing
        is typed."""
        self._leave_asked: tuple[str, AnnotationInput] | None = None
        """How leaving last asked ("cancel": Esc, "quit": ctrl+q) and what was typed then; the same again,
        with the same text typed, leaves."""

    def compose(self) -> ComposeResult:
        quote = " ".join(clean_line(self.quote).split())
        if len(quote) > QUOTE_CHARS:
            quote = quote[: QUOTE_CHARS - 1] + "…"
        with Vertical(id="annotate-body"):
            yield Static(Text(self.title_text, style="bold"), id="annotate-title")
            yield Static(Text(f"“{quote}”", style="italic"), id="annotate-quote")
            yield _TagsBox(
                ", ".join(self.initial_tags),
                placeholder="tags, separated by commas (tab completes)",
                suggester=TagSuggester(self.tags_in_use),
                id="annotate-tags",
            )
            yield TextArea(self.initial_note, id="annotate-note", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="annotate-error")
            yield Static(Text("ctrl+s: save · enter in tags: save · esc: cancel", style="dim"), id="annotate-keys")

    def on_mount(self, event: events.Mount) -> None:
        if self.interrupts:  # the keys of a burst typed before it showed were meant for what was there
            self.keys_from = event.time + UNASKED_GRACE_SECONDS
        else:  # as the boxes hold it (a note's line ends as the TextArea keeps them)
            self.saved = self.in_the_boxes()
        for line in self.query("#annotate-keys").results(Static):  # the keys as ui.keymap has them
            line.update(
                Text(f"{self._key('save')}: save · enter in tags: save · {self._key('cancel')}: cancel", style="dim")
            )
        # The app may be exiting (a hang-up) while this mounts: then the boxes never come.
        for target in self.query("#annotate-note" if self.focus_note else "#annotate-tags"):
            self.set_focus(target, scroll_visible=False)

    def current_input(self) -> AnnotationInput:
        """What is typed now, for saving on a hang-up, without asking: a word of the tags box that
        cannot be a tag (too long, a control character) goes to the end of the note, marked, its
        control characters as their symbols (``_symbol``), so the save keeps it (red team: such a tag
        was dropped, and with it all that was typed when it was the only thing typed).

        Before the dialog has composed its boxes (a hang-up right after `a`), what it was opened with.
        """
        if not self.query("#annotate-tags") or not self.query("#annotate-note"):
            return AnnotationInput(list(self.initial_tags), self.initial_note)
        words = _TAG_SPLIT.split(self.query_one("#annotate-tags", Input).value)
        tags, note = tags_and_note(words, self.query_one("#annotate-note", TextArea).text)
        return AnnotationInput(tags, note)

    def in_the_boxes(self) -> AnnotationInput:
        """What is typed, as typed: every word in the tags box, one that would not save too (a link
        pasted as a tag, too long for one, is still typed: Esc must not take it for nothing), and the note."""
        if not self.query("#annotate-tags") or not self.query("#annotate-note"):
            return AnnotationInput(list(self.initial_tags), self.initial_note)
        words = _TAG_SPLIT.split(self.query_one("#annotate-tags", Input).value)
        return AnnotationInput(
            list(dict.fromkeys(w for w in words if w)), self.query_one("#annotate-note", TextArea).text
        )

    def holds_unsaved(self) -> bool:
        """Something is typed that is not on disk: neither blank nor the edited annotation as it opened
        (as the boxes hold it: the note box keeps line ends its own way, so the file is no measure)."""
        typed = self.in_the_boxes()
        return bool(typed.tags or typed.note.strip()) and typed != self.saved

    def _key(self, action: str) -> str:
        """The first key bound to this dialog's ``action`` ("save", "cancel") now, as ui.keymap left it."""
        for key, active in self.active_bindings.items():
            if active.node is self and active.binding.action == action:
                return "esc" if key == "escape" else key
        return "esc" if action == "cancel" else "ctrl+s"

    def action_cancel(self) -> None:
        """Close without saving, but never drop typed words on one key: an Esc meant for the reader
        (a burst over SSH, a habit from the search box) threw away a note of any length unseen."""
        if self.may_leave("cancel"):
            self.dismiss(None)

    def may_leave(self, how: str) -> bool:
        """True when nothing unsaved is typed, or leaving ``how`` ("cancel", "quit") asked already with the same text.

        Else the error line says what its key again does, and False: the first press asks, a second
        with nothing typed between goes. Quitting the app goes by here too (ctrl+q, Textual's own,
        left the app with the note unsaved and unkept, on one key)."""
        typed = self.in_the_boxes()
        if not self.holds_unsaved() or self._leave_asked == (how, typed):
            return True
        self._leave_asked = (how, typed)
        again = "ctrl+q again quits and discards" if how == "quit" else f"{self._key('cancel')} again discards"
        question = f"Not saved: {again} what is typed, {self._key('save')} saves it."
        for line in self.query("#annotate-error").results(Static):  # (none yet: a quit as it opens)
            line.update(Text(question, style="bold red"))
        return False

    @on(Input.Changed, "#annotate-tags")
    @on(TextArea.Changed, "#annotate-note")
    def _typed_after_the_question(self) -> None:
        # The question is about what was typed when it was asked: with more typed, the next Esc asks
        # again, and the line says so (it said "esc again discards": that Esc seemed ignored, and the one
        # after it discarded). It stays: an Esc in a burst, meant for the reader, left the dialog open.
        if self._leave_asked is not None and self.in_the_boxes() != self._leave_asked[1]:
            self._leave_asked = None
            self.query_one("#annotate-error", Static).update(
                Text(
                    f"Not saved: {self._key('cancel')} asks before it discards what is typed, "
                    f"{self._key('save')} saves it.",
                    style="red",
                )
            )

    def action_save(self) -> None:
        self._leave_asked = None  # its error, if any, takes the question's place: an Esc then asks again
        try:
            tags = parse_tags(self.query_one("#annotate-tags", Input).value)
        except AnnotationError as exc:
            self.query_one("#annotate-error", Static).update(Text(str(exc), style="bold red"))
            return
        note = self.query_one("#annotate-note", TextArea).text
        if not tags and not note.strip():
            self.query_one("#annotate-error", Static).update(Text("Give a tag or a note.", style="bold red"))
            return
        self.dismiss(AnnotationInput(tags, note))
