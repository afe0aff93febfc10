"""The open article's annotations: loading them, asking for tags and a note, saving, deleting, undoing.

A widget with no look of its own, inside the article view. It holds what the
user is typing until it is on disk, and the open article's annotations as
last loaded (re-read every ``REFRESH_SECONDS`` for others' changes). Saving
is quick (a few ms) but still runs in a thread worker, and a failed save
(disk full, a broken file, a lock held too long) never loses what was typed:
the dialog comes back with it and the error. The search index learns about
annotations in the background afterwards (``tag:``, ``note:``,
``annotated:``); if an update holds the index, the next update catches up.
What is typed (``PendingAnnotation``), the workers' messages and the look-ups in
the loaded annotations are in tui/annotation_changes.py, apart from the widget.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from newsdesk.index import Annotation, AnnotationChanged, Article, ArticleAnnotations, Library, NewsdeskError
from newsdesk.tui import unsaved
from newsdesk.tui.annotation_changes import (
    AnnotationSaved,
    AnnotationSaveFailed,
    AnnotationsLoaded,
    PendingAnnotation,
    own_at,
    stamp,
    without,
    write_pending,
)
from newsdesk.tui.dialogs.annotate import AnnotateDialog, AnnotationInput
from newsdesk.tui.leave import SAVES
from newsdesk.tui.messages import AnnotationsShown, NotesNotComing, forward_worker_failure
from newsdesk.tui.widgets.notes_changes import NotesTabChanges
from newsdesk.tui.widgets.selectable_reader import SelectableReader
from textual import on, work
from textual.message import Message
from textual.worker import Worker, WorkerState, get_current_worker

REFRESH_SECONDS = 2.0
"""How often the open article's annotation files are checked for others' changes (a stat each)."""


class AnnotationEditor(NotesTabChanges):
    """Loads, adds, edits, deletes and restores the open article's annotations."""

    DEFAULT_CSS = "AnnotationEditor { display: none; }"

    class Saved(Message):
        """A delete or undo from the Notes tab landed: the reader's selection is done.

        Not posted for a save from the dialog: its selection is done when the dialog is answered
        (``ask``), and a selection made after that, before the save landed, is a new one."""

    class Indexed(Message):
        """The index has taken in the annotation files (or an update holding it will): its version may change."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.article: Article | None = None
        """The article whose annotations are shown."""
        self.found = ArticleAnnotations()
        """Its annotations as last shown."""
        self.pending: PendingAnnotation | None = None
        """An annotation being typed or saved; saved on SIGHUP, kept when a save fails."""
        self.asking: dict[AnnotateDialog, PendingAnnotation] = {}
        """Each annotation dialog open and what it was opened for: a hang-up saves what each holds. A failed
        save's dialog comes back over the one being typed, and ``pending`` holds only the last one opened."""
        self.quit_when_saved = False
        """q was pressed while ``pending`` was being saved: quit once it is (not if it fails)."""
        self.saving: PendingAnnotation | None = None
        """The pending annotation a worker is writing or has written, until its AnnotationSaved is
        handled (a hang-up goes by :meth:`take` and :meth:`keep_while_saving`, set in the worker's thread)."""
        self._kept_lock = threading.Lock()
        self._kept_while_saving: Path | None = None
        self._taken: PendingAnnotation | None = None
        self._in_worker: PendingAnnotation | None = None
        """The annotation a worker is saving (or failed to, until its dialog is back): kept at a hang-up."""
        self._written: dict[str, Annotation] = {}
        """What this session last wrote of each annotation (by id): an edit from a copy older than
        its own save is no conflict with another session (any thread writes it; a dict item is atomic)."""
        self._loads = 0
        self._answer_on_load = (0, 0)
        """A delete or undo, and the load started after it, whose result answers it."""
        self._changes: dict[Worker[None], int] = {}
        """The delete or undo each writing worker answers (its number in the Notes list)."""
        self._landed: dict[int, Annotation | None] = {}
        """Set by the writing thread: what each delete (the annotation) or undo (None) changed.
        A hang-up reads it, since the answers it posted will not be handled."""
        self.last_deleted: Annotation | None = None
        self._claimed: set[int] = set()
        """Deletes and undos taken to be written, by their worker or by a hang-up (:meth:`_claim`)."""
        self._requested: dict[int, tuple[str, Annotation | str]] = {}
        """Each delete or undo handed to a worker: its article's id and the annotation it deletes (its
        id) or brings back. A hang-up before the worker ran writes it from this."""
        self._goto: tuple[str, str] | None = None
        """(article id, annotation id): that article's next annotations shown go to that one. Kept with
        its article: a refresh of the article left, read meanwhile, took it and the picked one's
        notes then came without it."""
        self._tags_in_use: tuple[str, ...] = ()
        self._stamp: tuple[tuple[str, str], ...] | None = None
        """What is shown now; None forces the next load to redraw (an empty stamp is a real state)."""

    def on_mount(self) -> None:
        self.set_interval(REFRESH_SECONDS, self.refresh_annotations)

    # -- loading ------------------------------------------------------------------------
    def load(self, article: Article) -> None:
        """Show ``article``'s annotations (called when the reader opens it)."""
        self.article = article
        if self._goto is not None and self._goto[0] != article.id:
            # Another article opened before the picked one (A, a pick, ]): the pick is left; kept, it moved
            # the reader to that note whenever its article was opened again, much later (red team).
            self._goto = None
        self._stamp = None  # shown even when it looks like the last article's: the Notes tab waits for it
        self._reload(article)

    def refresh_annotations(self) -> None:
        """Look again for others' changes to the open article's annotations (not while a dialog is up)."""
        if self.article is not None and self.app.screen is self.screen:
            self._reload(self.article, with_tags=False)

    def _reload(self, article: Article, with_tags: bool = True) -> None:
        self._loads += 1
        self._load(article, with_tags, self._loads)

    @work(thread=True, exclusive=True, group="annotations", exit_on_error=False)
    def _load(self, article: Article, with_tags: bool, load: int) -> None:
        found = self.library.article_annotations(article)
        tags = None
        if with_tags:  # every file in the corpus: on opening an article, not on each refresh
            tags = sorted({t for a in self.library.all_annotations()[0] for t in a.tags}, key=str.casefold)
        if not get_current_worker().is_cancelled:
            self.post_message(AnnotationsLoaded(article.id, found, tags, load))

    @on(AnnotationsLoaded)
    def _loaded(self, message: AnnotationsLoaded) -> None:
        if self.article is None or message.article_id != self.article.id:
            return
        if message.load < self._loads:
            # Superseded: read before a change a newer load will show (red team: a refresh read
            # just before a delete landed brought the deleted annotation back, and d then failed).
            return
        if message.tags_in_use is not None:
            self._tags_in_use = tuple(message.tags_in_use)
        shown = stamp(message.found)
        change, after_load = self._answer_on_load
        answered = change if message.load >= after_load else 0
        goto = self._goto[1] if self._goto is not None and self._goto[0] == message.article_id else None
        if shown == self._stamp and not goto and not answered:
            return  # nothing changed since the last look: keep the highlights (and their cache)
        self._stamp = shown
        self._show(message.found, goto, answered=answered)
        if goto:
            self._goto = None
        if answered:
            self._answer_on_load = (0, 0)

    def _show(self, found: ArticleAnnotations, goto: str | None = None, answered: int = 0) -> None:
        self.found = found
        article_id = self.article.id if self.article is not None else None
        self.post_message(AnnotationsShown(found, goto, answered, article_id))  # to the reader and the Notes tab

    # -- adding and editing ---------------------------------------------------------------
    def annotate(self, request: SelectableReader.AnnotateRequested) -> None:
        """Ask for the tags and note of the selected passage (its own, if it has them already)."""
        article = request.reader.article
        if article is None:
            return
        quote = article.text[request.start : request.end]
        existing = own_at(self.found, request.start, request.end)
        focus_note = request.focus == "note"
        if existing is not None:  # the passage is tagged already: edit its tags and note, never replace them
            entered = AnnotationInput(list(existing.tags), existing.note)
            pending = PendingAnnotation(article, request.start, request.end, entered, existing.id, existing)
            self.ask(pending, quote, focus_note, reader=request.reader)
            return
        pending = PendingAnnotation(article, request.start, request.end, AnnotationInput([], ""))
        self.ask(pending, quote, focus_note, reader=request.reader)

    def ask(
        self,
        pending: PendingAnnotation,
        quote: str,
        focus_note: bool = False,
        error: str = "",
        reader: SelectableReader | None = None,
    ) -> None:
        """Open the annotation dialog for ``pending``; what is entered is saved.

        ``reader``'s selection is done as soon as the dialog is answered with something to save,
        not when the save lands: the keys typed behind Enter are delivered once Enter is handled
        (newsdesk.tui.key_order), and an Esc among them cancelled the selection still shown while
        the save was under way, instead of leaving the reader (a slow disk, a lock held, a load).
        """
        self.pending = pending
        title = "Edit annotation" if pending.annotation_id else "Annotate"
        if error:
            title += f" (not saved: {error})"
        dialog = AnnotateDialog(
            quote,
            list(self._tags_in_use),
            tuple(pending.entered.tags),
            pending.entered.note,
            focus_note=focus_note,
            title=title,
            interrupts=bool(error),
        )

        def answered(entered: AnnotationInput | None) -> None:
            self.asking.pop(dialog, None)
            if entered is None:
                self.pending = None
                return
            self.pending = replace(pending, entered=entered)
            if reader is not None:
                reader.set_selection(None)
            self._save(self.pending)

        self.asking[dialog] = pending
        self.app.push_screen(dialog, answered)

    @work(thread=True, group="annotation-save", exit_on_error=False)
    def _save(self, pending: PendingAnnotation) -> None:
        if not self.take(pending, worker=True):
            return  # a hang-up came before this thread ran, and saved it
        try:
            with SAVES.saving():
                self.saving = pending  # stays set once written, until AnnotationSaved is handled
                saved = self.save_over_own(pending)
        except AnnotationChanged as changed:  # another session saved it meanwhile: say so, keep what was typed
            self.saving = None
            self.post_message(AnnotationSaveFailed(str(changed), replace(pending, base=changed.current)))
            return
        except NewsdeskError as exc:
            self.saving = None
            self.post_message(AnnotationSaveFailed(str(exc), pending))
            return
        self._written[saved.id] = saved
        with self._kept_lock:
            self._in_worker, kept, self._kept_while_saving = None, self._kept_while_saving, None
        unsaved.forget(kept)  # a copy kept at a hang-up while this save was under way: it landed
        self.post_message(AnnotationSaved(pending.article.id, saved))

    def take(self, pending: PendingAnnotation, worker: bool = False) -> bool:
        """True for the first to take ``pending`` to save it: the worker sent it, or a hang-up handled
        before that worker's thread ran (each saved it, seeing nobody else had: it was saved twice)."""
        with self._kept_lock:
            if self._taken is pending:
                return False
            self._taken = pending
            if worker:
                self._in_worker = pending
            return True

    def keep_while_saving(self, keep: Callable[[PendingAnnotation], Path | None]) -> None:
        """At a hang-up, ``keep()`` a copy of the annotation a worker is saving, if its save has not landed.

        That save may yet fail (another session's change, its lock held 30 s) or be killed (serve ends
        a reader 3 s after SIGHUP): what was typed was lost, even when another dialog was open by then.
        The worker removes the copy if it lands.
        """
        with self._kept_lock:
            if self._in_worker is not None:
                self._kept_while_saving = keep(self._in_worker)

    def save_over_own(self, pending: PendingAnnotation) -> Annotation:
        """Write ``pending`` (any thread); a change since its base that is this session's own last
        save, not yet re-read, is no conflict. Raises NewsdeskError (``AnnotationChanged``)."""
        try:
            return self.save_pending(pending)
        except AnnotationChanged as changed:
            own = self.own_save(changed.current.id)
            if own is None or not own.same_content(changed.current):
                raise
            return self.save_pending(replace(pending, base=changed.current))

    def own_save(self, annotation_id: str | None) -> Annotation | None:
        """What this session last wrote of ``annotation_id``, if anything."""
        return self._written.get(annotation_id) if annotation_id is not None else None

    def save_pending(self, pending: PendingAnnotation) -> Annotation:
        """Write ``pending`` to the user's annotation file (any thread); raises NewsdeskError."""
        return write_pending(self.library, pending)

    @on(AnnotationSaved)
    def _saved(self, message: AnnotationSaved) -> None:
        if self.pending is self.saving:  # (not another, opened since and being typed: a hang-up saves that one)
            self.pending = None
        self.saving = None
        if self.quit_when_saved:
            self.app.call_later(self.app.run_action, "app.quit")
        self._landed.pop(message.change, None)
        if message.deleted is not None:
            self.last_deleted = message.deleted
            self.notify("Annotation deleted; u in the Notes tab undoes it.", timeout=4)
        if self.article is not None and message.article_id == self.article.id:
            if message.deleted is not None:  # at once: list and highlights, before the reload confirms
                self._show(without(self.found, message.deleted.id), answered=message.change)
            self._stamp = None
            self._reload(self.article)
            if message.deleted is None and message.change:  # an undo: answered by the reload that shows it
                self._answer_on_load = (message.change, self._loads)
        else:  # another article's: the open one's list, read afresh, answers it
            self._answer_with_reload(message.change)
        if message.change or message.deleted is not None:  # a delete or undo (a save: see ``ask``)
            self.post_message(self.Saved())
        self._sync_index()

    def _answer(self, change: int) -> None:
        """The Notes list's delete or undo ``change`` did nothing (or failed): its held keys go on."""
        if change:
            self._show(self.found, answered=change)

    def _answer_with_reload(self, change: int) -> None:
        """Answer ``change`` with the open article's annotations as they are on disk now.

        After a failed delete or undo, or one that landed while another article opened, the list
        last shown may be out of date (red team: a delete of an annotation another session had
        deleted failed, the list kept showing it, and the next ``d`` in the burst failed on it too).
        """
        if not change:
            return
        if self.article is None:
            self._answer(change)
            return
        self._stamp = None
        self._reload(self.article, with_tags=False)
        self._answer_on_load = (change, self._loads)

    @on(AnnotationSaveFailed)
    def _save_failed(self, message: AnnotationSaveFailed) -> None:
        self.quit_when_saved = False  # the user stays, to see why and what was typed
        with self._kept_lock:
            self._in_worker = None  # its dialog comes back: a hang-up keeps it from there
        self.notify(message.error, severity="error", timeout=8, markup=False)
        self._answer_with_reload(message.change)
        if message.retry is not None:
            pending = message.retry
            quote = pending.article.text[pending.start : pending.end]
            self.ask(pending, quote, error=message.error)

    @work(thread=True, exclusive=True, group="annotation-index", exit_on_error=False)
    def _sync_index(self) -> None:
        # If an update holds the index it reads the annotation files itself: nothing is lost.
        with contextlib.suppress(NewsdeskError):
            self.library.sync_annotations(wait=0)
        self.post_message(self.Indexed())

    # -- the corpus-wide view -----------------------------------------------------------------
    def go_to(self, article_id: str, annotation_id: str) -> None:
        """The next annotations of ``article_id`` shown move the reader and the Notes tab to
        ``annotation_id`` (a pick in the All annotations view; the screen opens the article)."""
        self._goto = (article_id, annotation_id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        failed = forward_worker_failure(self, event)
        if event.worker in self._changes and event.worker.is_finished:
            change = self._changes.pop(event.worker)
            self._requested.pop(change, None)
            if event.state != WorkerState.SUCCESS:  # crashed (or cancelled): its answer never comes
                self._answer_with_reload(change)
        elif failed and event.worker.group == "annotations":
            if self.article is not None:  # keys typed for the notes of the article just opened wait no more
                self.post_message(NotesNotComing(self.article.id))
            if self._answer_on_load[0]:
                change, self._answer_on_load = self._answer_on_load[0], (0, 0)
                self._answer(change)  # the load that was to answer it crashed: the keys held go on
