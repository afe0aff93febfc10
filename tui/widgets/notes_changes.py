"""The Notes tab's deletes and undos, written in workers one at a time, and by a hang-up when none will be.

Part of :class:`newsdesk.tui.widgets.annotation_editor.AnnotationEditor` (a base class
of it, apart so neither module is long): the Notes list (tui/widgets/notes_list.py)
asks for one delete or undo at a time and holds the keys typed behind it until it is
answered. A dropped connection ends the reader before answers are handled, and may
end it before a worker's thread has run: :meth:`NotesTabChanges.run_held_keys_now`
then writes what no worker did, and the held keys, itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from newsdesk.index import Annotation, Article, ArticleAnnotations, Library, NewsdeskError
from newsdesk.tui.annotation_changes import AnnotationSaved, AnnotationSaveFailed, PendingAnnotation, find
from newsdesk.tui.leave import LONGEST_SAVE_SECONDS, SAVES
from newsdesk.tui.widgets.layout import clean_line
from newsdesk.tui.widgets.notes_list import NotesList
from newsdesk.tui.widgets.selectable_reader import SelectableReader
from textual import on, work
from textual.widget import Widget
from textual.worker import Worker

HANG_UP_WRITES_SECONDS = 30.0
"""How long after a hang-up its own writes (the delete or undo no worker wrote, the held keys') are
still tried: the lock's wait. Past it each would wait as long for a lock still held, one after another
(red team: 50 held keys kept a reader with no terminal for 25 minutes); what is not tried stays as it
was, as a failed write does."""


QUIT_NOTICE_SECONDS = 0.3
"""A second q shows its notice this long before it writes (the screen is drawn meanwhile)."""


class _NotTried(Exception):
    """A write not tried: the time a hang-up's writes may take is over (HANG_UP_WRITES_SECONDS)."""


def _before(deadline: float) -> None:
    """Raise _NotTried past ``deadline``."""
    if time.monotonic() >= deadline:
        raise _NotTried(f"not tried: another session held the file for {HANG_UP_WRITES_SECONDS:.0f} s")


class NotesTabChanges(Widget):
    """Go to, edit, delete and undo from the Notes tab; the state is the editor's (set in its ``__init__``)."""

    _writing_for_quit = False
    """A second q: the held keys are about to be written, then the reader quits."""
    _written_for_quit = False
    _quit_notes: NotesList | None = None
    """The Notes list a q waits for (see ``finish_before_quit``)."""
    _failed_change = 0
    """The last delete or undo whose worker failed (set in its thread, before SAVES is idle)."""

    library: Library
    article: Article | None
    found: ArticleAnnotations
    last_deleted: Annotation | None
    _kept_lock: threading.Lock
    _changes: dict[Worker[None], int]
    _landed: dict[int, Annotation | None]
    _claimed: set[int]
    _requested: dict[int, tuple[str, Annotation | str]]

    if TYPE_CHECKING:  # the editor's own, used here

        def _answer(self, change: int) -> None: ...

        def ask(
            self,
            pending: PendingAnnotation,
            quote: str,
            focus_note: bool = False,
            error: str = "",
            reader: SelectableReader | None = None,
        ) -> None: ...

    # -- the Notes tab ----------------------------------------------------------------------
    def picked(self, message: NotesList.Picked, reader: SelectableReader) -> None:
        """Go to, edit or delete the annotation picked in the Notes tab."""
        article = reader.article
        found = find(self.found, message.annotation_id)
        if article is None or found is None:
            self._answer(message.change)
            return
        annotation, own = found
        if message.action == "goto":
            if not reader.goto_annotation(annotation.id):
                self.notify("This annotation is an orphan: its passage is no longer in the text.", timeout=4)
            return
        if not own:
            self.notify(f"This annotation is {annotation.author}'s; only they can change it.", timeout=4)
            self._answer(message.change)
            return
        if message.action == "edit":
            pending = PendingAnnotation.editing(article, annotation)
            self.ask(pending, annotation.target.exact, focus_note=True, reader=reader)
            self._answer(message.change)  # the dialog is up: the keys held behind e were meant for it
        elif message.action == "delete":
            self._requested[message.change] = (article.id, annotation.id)
            self._changes[self._delete(article.id, annotation.id, message.change)] = message.change
        else:
            self._answer(message.change)

    @work(thread=True, group="annotation-save", exit_on_error=False)
    def _delete(self, article_id: str, annotation_id: str, change: int) -> None:
        try:
            with SAVES.saving():
                if not self._claim(change):
                    return  # a hang-up came before this thread ran, and wrote it
                try:
                    deleted = self.library.delete_annotation(article_id, annotation_id)
                except NewsdeskError:
                    self._failed_change = change  # within saving(): a second q's writes wait, then read it
                    raise
                # Recorded while still counted as saving: a hang-up reads it once SAVES is idle, and a
                # thread set aside just after saving() left it to a held u with nothing (or the delete
                # before) to undo.
                self._landed[change] = deleted
        except NewsdeskError as exc:
            self.post_message(AnnotationSaveFailed(str(exc), None, change))
            return
        self.post_message(AnnotationSaved(article_id, None, deleted, change))

    def undo(self, change: int) -> None:
        """Bring back the annotation deleted last (the Notes list sends one delete or undo at a time)."""
        if self.last_deleted is None:
            self.notify("Nothing to undo.", timeout=2)
            self._answer(change)
            return
        self._requested[change] = (self.last_deleted.article_id, self.last_deleted)
        self._changes[self._restore(self.last_deleted, change)] = change
        self.last_deleted = None

    @work(thread=True, group="annotation-save", exit_on_error=False)
    def _restore(self, annotation: Annotation, change: int) -> None:
        try:
            with SAVES.saving():
                if not self._claim(change):
                    return  # a hang-up came before this thread ran, and wrote it
                try:
                    self.library.restore_annotation(annotation)
                except NewsdeskError:
                    # Still the one to undo: the next u tries it again (it said "Nothing to undo", and the
                    # annotation was lost for good). Within saving(): a hang-up reads it once SAVES is idle.
                    self.last_deleted = annotation
                    self._failed_change = change  # as in _delete
                    raise
                self._landed[change] = None  # within saving(), as in _delete
        except NewsdeskError as exc:
            self.post_message(AnnotationSaveFailed(str(exc), None, change))
            return
        self.post_message(AnnotationSaved(annotation.article_id, annotation, change=change))

    def run_held_keys_now(self, notes: NotesList) -> list[str]:
        """At a hang-up: once the delete or undo being written has landed, run the keys the Notes
        list holds behind it, here and now (red team: ``d u`` then a dropped link left the
        annotation deleted; the held ``u`` was never run). One line per write that failed or was
        not tried (nobody is told at a hang-up; a second q stays to say it)."""
        notes.stop_taking_keys()  # what it holds now is what is run: none handled after this
        # Whoever runs them is leaving already: a q waiting for an answer that comes now must not quit
        # again (a hang-up: exit code 0 instead of 129). A second q sets it back when it waits.
        notes.quit_when_done = False
        article = self.article
        deadline = time.monotonic() + HANG_UP_WRITES_SECONDS
        failed: list[str] = []
        flight = notes.in_flight()
        # The delete or undo asked for may not have reached its worker, or its worker's thread may not
        # have run: the exit then cancels it and it is lost (the d of "d d" undone by a dropped link).
        # Taken first, so a worker that starts meanwhile leaves it; one already writing is waited for.
        unwritten = flight if flight is not None and self._claim(flight[0]) else None
        if article is None or not (notes.holding or unwritten):
            return failed
        SAVES.wait_idle(LONGEST_SAVE_SECONDS)  # the write under way lands first
        if flight is not None and unwritten is None and self._failed_change == flight[0]:
            # Its worker failed (its error is said when its message is handled): a second q quit, unsaid.
            failed.append("the one under way failed")
        for change in sorted(self._landed):
            self.last_deleted = self._landed.pop(change)

        def write(action: str, annotation_id: str | None) -> ArticleAnnotations:
            # Past the deadline not tried (HANG_UP_WRITES_SECONDS); what failed stays as it is.
            try:
                if action == "delete" and annotation_id is not None:
                    found = find(self.found, annotation_id)
                    if found is not None and found[1]:
                        _before(deadline)
                        self.last_deleted = self.library.delete_annotation(article.id, annotation_id)
                elif action == "undo" and self.last_deleted is not None:
                    _before(deadline)
                    self.library.restore_annotation(self.last_deleted)
                    self.last_deleted = None
            except (NewsdeskError, _NotTried) as exc:
                failed.append(str(exc))
            self.found = self.library.article_annotations(article)
            return self.found

        self.found = self.library.article_annotations(article)
        if unwritten is not None:
            self._write_unwritten(unwritten, write, deadline, failed)
            self.found = self.library.article_annotations(article)
        if notes.holding or unwritten is not None:
            # Also with nothing held: the write taken here from its worker (which then returns unanswered)
            # is answered here, or the list waited for it for good (CI, flaky: "d d q q" with a slow
            # delete, the held d's worker not yet run when the second q wrote it: q never quit).
            notes.run_held_now(self.found, write, article.id)
        return failed

    def finish_before_quit(self, notes: NotesList) -> bool:
        """q: the deletes and undos the Notes tab asked for before it, and the keys it holds, are done
        first. True: the quit waits (the list quits once they are); a second q writes them here and now,
        as a hang-up does. (Red team: ``d u q`` in a burst quit at once, the held u never ran and the
        annotation stayed deleted; a delete whose worker had not run was cancelled by the exit.)"""
        if self._written_for_quit or (not notes.waiting and not notes.holding):
            return False
        self._quit_notes = notes
        if not notes.quit_when_done:
            notes.quit_when_done = True
            self.notify("Finishing the Notes tab's deletes, then quitting (q again quits now).", timeout=3)
            return True
        if not self._writing_for_quit:
            # Said, and drawn, before the writes: they run on the event loop, and with another session
            # holding the file each waits for its lock, the reader frozen that long (red team: a second
            # q froze it for up to 30 s with nothing on the screen). A third q meanwhile changes nothing.
            self._writing_for_quit = True
            self.notify(
                f"Writing the Notes tab's deletes and undos now, then quitting "
                f"(up to {HANG_UP_WRITES_SECONDS:.0f} s if another session holds the file).",
                timeout=HANG_UP_WRITES_SECONDS,
            )
            self.set_timer(QUIT_NOTICE_SECONDS, lambda: self._write_then_quit(notes))
        return True

    def _write_then_quit(self, notes: NotesList) -> None:
        hung_up = getattr(self.app, "hung_up", None)
        if isinstance(hung_up, threading.Event) and hung_up.is_set():
            return  # the hang-up wrote them and is ending the reader (exit code 129, not 0)
        failed: list[str] = []
        try:
            failed = self.run_held_keys_now(notes)
        finally:
            if failed:
                self._stay(notes, failed[0], len(failed))
            elif notes.waiting:
                # Nothing was left to write here: a worker is writing the last delete or undo. The list
                # quits once it is answered, as after a first q, or stays if it fails (``_write_failed``):
                # the reader quit at once, and that write failing was never said.
                notes.quit_when_done = True
            else:
                self._written_for_quit = True
                self.app.call_later(self._quit_after_writes, notes)

    def _stay(self, notes: NotesList, why: str, count: int = 1) -> None:
        """A write a q waited for failed: the reader stays and says so, as after a failed save (red team:
        it quit, at once or with the error shown for no time, and the deleted annotation only this
        session's u could put back was gone with it)."""
        self._take_keys_again(notes)
        self.app.clear_notifications()  # "…, then quitting" no longer holds
        more = f" (and {count - 1} more)" if count > 1 else ""
        self.notify(
            clean_line(f"Not quitting: a delete or undo of the Notes tab was not written{more}: {why}. q quits."),
            severity="error",
            timeout=HANG_UP_WRITES_SECONDS,
            markup=False,
        )

    @on(AnnotationSaveFailed)
    def _write_failed(self, message: AnnotationSaveFailed) -> None:
        """After the editor's own handler (which says the error and answers the list)."""
        notes = self._quit_notes
        if message.change and notes is not None and notes.quit_when_done:
            self._stay(notes, message.error)

    async def _quit_after_writes(self, notes: NotesList) -> None:
        hung_up = getattr(self.app, "hung_up", None)
        if isinstance(hung_up, threading.Event) and hung_up.is_set():
            return  # a hang-up came after the writes: its exit code (129) stands
        try:
            await self.app.run_action("app.quit")
        finally:
            if self.app.return_code is None:
                # Not leaving after all (a note typed in a dialog asks first, the start's save of kept
                # annotations is waited for and fails): the Notes list acted on no key for the rest of
                # the session, and a later "d u q" quit at once, its u never run (red team).
                self._take_keys_again(notes)

    def _take_keys_again(self, notes: NotesList) -> None:
        self._writing_for_quit = self._written_for_quit = False
        notes.quit_when_done = False
        notes.take_keys_again()

    def _write_unwritten(
        self,
        flight: tuple[int, str, str | None],
        write: Callable[[str, str | None], ArticleAnnotations],
        deadline: float,
        failed: list[str],
    ) -> None:
        """At a hang-up: the delete or undo no worker wrote. As its worker would have, when one was
        started (its own article and annotation); else as the message's handler would have, here."""
        change, action, annotation_id = flight
        requested = self._requested.pop(change, None)
        if requested is None:
            write(action, annotation_id)
            return
        article_id, target = requested
        try:  # what failed stays as it is
            _before(deadline)
            if isinstance(target, str):
                self.last_deleted = self.library.delete_annotation(article_id, target)
            else:
                self.library.restore_annotation(target)
                self.last_deleted = None
        except (NewsdeskError, _NotTried) as exc:
            failed.append(str(exc))

    def _claim(self, change: int) -> bool:
        """True for the first to take delete or undo ``change`` to write it: its worker, or a hang-up."""
        with self._kept_lock:
            if change in self._claimed:
                return False
            self._claimed.add(change)
            return True
