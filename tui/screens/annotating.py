"""The main screen's annotation features: tag and note a selection, the Annotations tab, the corpus view.

Saving is quick (a few ms) but still runs in a thread worker, and a failed
save (disk full, a broken file, a lock held too long) never loses what was
typed: the dialog comes back with it and the error. The search index learns
about annotations in the background afterwards (``tag:``, ``note:``,
``annotated:``); if an update holds the index, the next update catches up.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from newsdesk.index import Annotation, Article, ArticleAnnotations, Library, NewsdeskError
from newsdesk.tui.dialogs.annotate import AnnotateDialog, AnnotationInput
from newsdesk.tui.screens.annotations import AnnotationsScreen
from newsdesk.tui.screens.entities import parse_colors
from newsdesk.tui.widgets.annotating_reader import AnnotatingReader
from newsdesk.tui.widgets.annotation_list import AnnotationList
from newsdesk.tui.widgets.corpus_watcher import CorpusWatcher
from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker

REFRESH_SECONDS = 2.0
"""How often the open article's annotation files are checked for others' changes (a stat each)."""


@dataclass
class AnnotationsLoaded(Message):
    article_id: str
    found: ArticleAnnotations
    tags_in_use: list[str] | None
    """None when not looked up this time."""


@dataclass
class IndexVersion(Message):
    """The search index's version now (Library.index_version), read in a worker."""

    version: str


@dataclass
class AnnotationSaved(Message):
    article_id: str
    annotation: Annotation | None
    """The saved annotation (None after a delete)."""
    deleted: Annotation | None = None


@dataclass
class AnnotationSaveFailed(Message):
    error: str
    retry: PendingAnnotation | None


@dataclass(frozen=True, slots=True)
class PendingAnnotation:
    """What the user typed, kept until it is on disk."""

    article: Article
    start: int
    end: int
    entered: AnnotationInput
    annotation_id: str | None = None
    """Set when editing an existing annotation."""


class AnnotationActions(Screen):
    """Annotation bindings, workers and handlers, mixed into the main screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("A", "annotations_view", "All annotations", id="annotations.view"),
    ]

    library: Library
    annotated_article: Article | None = None
    last_deleted: Annotation | None = None
    pending: PendingAnnotation | None = None
    """An annotation being typed or saved; saved on SIGHUP, kept when a save fails."""
    _goto_annotation: str | None = None
    _tags_in_use: tuple[str, ...] = ()
    _annotation_stamp: tuple[tuple[str, str], ...] | None = None
    """What the list shows now; None forces the next load to redraw (an empty stamp is a real state)."""
    _index_version: str | None = None
    """The index version the shown results were searched in (as far as this screen knows)."""
    refresh_results: Callable[[], None]

    def setup_annotations(self, reader: AnnotatingReader, tag_colors: dict[str, str]) -> None:
        """Apply the configured tag colours and start watching for others' changes."""
        reader.tag_styles, problems = parse_colors(tag_colors, "tag_colors", background=True)
        reader.annotate_now = self._annotate_requested
        for problem in problems:
            self.notify(problem, severity="warning")
        self.set_interval(REFRESH_SECONDS, self._refresh_annotations)
        self._check_index()

    # -- loading ------------------------------------------------------------------------
    def load_annotations(self, article: Article) -> None:
        """Show ``article``'s annotations (called when the reader opens it)."""
        self.annotated_article = article
        self._load_annotations(article)

    @work(thread=True, exclusive=True, group="annotations", exit_on_error=False)
    def _load_annotations(self, article: Article, with_tags: bool = True) -> None:
        found = self.library.article_annotations(article)
        tags = None
        if with_tags:  # every file in the corpus: on opening an article, not on each refresh
            tags = sorted({t for a in self.library.all_annotations()[0] for t in a.tags}, key=str.casefold)
        if not get_current_worker().is_cancelled:
            self.post_message(AnnotationsLoaded(article.id, found, tags))

    def _refresh_annotations(self) -> None:
        if self.annotated_article is not None and self.app.screen is self:
            self._load_annotations(self.annotated_article, with_tags=False)
        self._check_index()

    # -- others' changes to the index -----------------------------------------------------
    # Another session's `annotations add` (or the reader's own save) re-indexes the article:
    # its tags and notes are searchable, so the list, the counts and the facets of the
    # current search may change. The index's version says so; the search runs again.

    @work(thread=True, exclusive=True, group="index-version", exit_on_error=False)
    def _check_index(self) -> None:
        try:
            version = self.library.index_version()
        except (NewsdeskError, OSError, sqlite3.Error):
            return  # a busy or damaged store: the next look (or the search itself) says more
        self.post_message(IndexVersion(version))

    @on(IndexVersion)
    def _index_version_read(self, message: IndexVersion) -> None:
        seen, self._index_version = self._index_version, message.version
        if seen is not None and seen != message.version and not self.query_one(CorpusWatcher).indexing:
            self.refresh_results()  # after an update, IndexDone refreshes them itself

    @on(AnnotationsLoaded)
    def _annotations_loaded(self, message: AnnotationsLoaded) -> None:
        if self.annotated_article is None or message.article_id != self.annotated_article.id:
            return
        if message.tags_in_use is not None:
            self._tags_in_use = tuple(message.tags_in_use)
        stamp = tuple((p.annotation.id, p.annotation.modified) for p in message.found.placed + message.found.orphans)
        stamp += tuple(("error", e) for e in message.found.errors)
        if stamp == self._annotation_stamp and not self._goto_annotation:
            return  # nothing changed since the last look: keep the highlights (and their cache)
        self._annotation_stamp = stamp
        reader = self.query_one(AnnotatingReader)
        reader.set_annotations(message.found.placed)
        self.query_one(AnnotationList).show_annotations(message.found)
        if self._goto_annotation is not None:
            reader.goto_annotation(self._goto_annotation)
            self._goto_annotation = None

    # -- adding and editing ---------------------------------------------------------------
    @on(AnnotatingReader.AnnotateRequested)
    def _annotate_requested(self, message: AnnotatingReader.AnnotateRequested) -> None:
        article = message.reader.article
        if article is None:
            return
        quote = article.text[message.start : message.end]
        shown = self.query_one(AnnotationList).shown
        existing = next(
            (
                p.annotation
                for p in shown.placed
                if p.own and (p.anchor.start, p.anchor.end) == (message.start, message.end)
            ),
            None,
        )
        if existing is not None:  # the passage is tagged already: edit its tags and note, never replace them
            self._ask(
                PendingAnnotation(
                    article,
                    message.start,
                    message.end,
                    AnnotationInput(list(existing.tags), existing.note),
                    existing.id,
                ),
                quote,
                focus_note=message.focus == "note",
            )
            return
        self._ask(
            PendingAnnotation(article, message.start, message.end, AnnotationInput([], "")),
            quote,
            focus_note=message.focus == "note",
        )

    def _ask(self, pending: PendingAnnotation, quote: str, focus_note: bool = False, error: str = "") -> None:
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
        )

        def answered(entered: AnnotationInput | None) -> None:
            if entered is None:
                self.pending = None
                return
            self.pending = PendingAnnotation(
                pending.article, pending.start, pending.end, entered, pending.annotation_id
            )
            self._save(self.pending)

        self.app.push_screen(dialog, answered)

    @work(thread=True, group="annotation-save", exit_on_error=False)
    def _save(self, pending: PendingAnnotation) -> None:
        try:
            saved = self.save_pending(pending)
        except NewsdeskError as exc:
            self.post_message(AnnotationSaveFailed(str(exc), pending))
            return
        self.post_message(AnnotationSaved(pending.article.id, saved))

    def save_pending(self, pending: PendingAnnotation) -> Annotation:
        """Write ``pending`` to the user's annotation file (any thread); raises NewsdeskError."""
        if pending.annotation_id is None:
            return self.library.add_annotation(
                pending.article, pending.start, pending.end, pending.entered.tags, pending.entered.note
            )
        return self.library.edit_annotation(
            pending.article, pending.annotation_id, tags=pending.entered.tags, note=pending.entered.note
        )

    @on(AnnotationSaved)
    def _annotation_saved(self, message: AnnotationSaved) -> None:
        self.pending = None
        if message.deleted is not None:
            self.last_deleted = message.deleted
            self.notify("Annotation deleted; u in the Notes tab undoes it.", timeout=4)
        reader = self.query_one(AnnotatingReader)
        reader.set_selection(None)
        if self.annotated_article is not None:
            if message.deleted is not None:  # at once: list and highlights, before the reload confirms
                self._show_without(message.deleted.id)
            self._annotation_stamp = None
            self._load_annotations(self.annotated_article)
        self._sync_index()

    def _show_without(self, annotation_id: str) -> None:
        notes = self.query_one(AnnotationList)
        shown = notes.shown
        kept = ArticleAnnotations(
            [p for p in shown.placed if p.annotation.id != annotation_id],
            [p for p in shown.orphans if p.annotation.id != annotation_id],
            shown.errors,
        )
        self.query_one(AnnotatingReader).set_annotations(kept.placed)
        notes.show_annotations(kept)

    @on(AnnotationSaveFailed)
    def _annotation_save_failed(self, message: AnnotationSaveFailed) -> None:
        self.notify(message.error, severity="error", timeout=8, markup=False)
        if message.retry is not None:
            pending = message.retry
            quote = pending.article.text[pending.start : pending.end]
            self._ask(pending, quote, error=message.error)

    @work(thread=True, exclusive=True, group="annotation-index", exit_on_error=False)
    def _sync_index(self) -> None:
        # If an update holds the index it reads the annotation files itself: nothing is lost.
        with contextlib.suppress(NewsdeskError):
            self.library.sync_annotations(wait=0)
        self._check_index_now()

    def _check_index_now(self) -> None:
        with contextlib.suppress(NewsdeskError, OSError, sqlite3.Error):
            self.post_message(IndexVersion(self.library.index_version()))

    # -- the Annotations tab ----------------------------------------------------------------
    def _find(self, annotation_id: str) -> tuple[Annotation, bool] | None:
        found = self.query_one(AnnotationList).shown
        for placed in found.placed + found.orphans:
            if placed.annotation.id == annotation_id:
                return placed.annotation, placed.own
        return None

    @on(AnnotationList.Picked)
    def _picked(self, message: AnnotationList.Picked) -> None:
        reader = self.query_one(AnnotatingReader)
        article = reader.article
        found = self._find(message.annotation_id)
        if article is None or found is None:
            return
        annotation, own = found
        if message.action == "goto":
            if not reader.goto_annotation(annotation.id):
                self.notify("This annotation is an orphan: its passage is no longer in the text.", timeout=4)
            return
        if not own:
            self.notify(f"This annotation is {annotation.author}'s; only they can change it.", timeout=4)
            return
        if message.action == "edit":
            pending = PendingAnnotation(
                article,
                annotation.target.start,
                annotation.target.end,
                AnnotationInput(list(annotation.tags), annotation.note),
                annotation.id,
            )
            self._ask(pending, annotation.target.exact, focus_note=True)
        elif message.action == "delete":
            self._delete(article.id, annotation.id)

    @work(thread=True, group="annotation-save", exit_on_error=False)
    def _delete(self, article_id: str, annotation_id: str) -> None:
        try:
            deleted = self.library.delete_annotation(article_id, annotation_id)
        except NewsdeskError as exc:
            self.post_message(AnnotationSaveFailed(str(exc), None))
            return
        self.post_message(AnnotationSaved(article_id, None, deleted))

    @on(AnnotationList.UndoRequested)
    def _undo(self) -> None:
        if self.last_deleted is None:
            self.notify("Nothing to undo.", timeout=2)
            return
        self._restore(self.last_deleted)
        self.last_deleted = None

    @work(thread=True, group="annotation-save", exit_on_error=False)
    def _restore(self, annotation: Annotation) -> None:
        try:
            self.library.restore_annotation(annotation)
        except NewsdeskError as exc:
            self.post_message(AnnotationSaveFailed(str(exc), None))
            return
        self.post_message(AnnotationSaved(annotation.article_id, annotation))

    # -- the corpus-wide view -----------------------------------------------------------------
    def action_annotations_view(self) -> None:
        def picked(choice: tuple[str, str] | None) -> None:
            if choice is not None:
                article_id, annotation_id = choice
                self._goto_annotation = annotation_id
                self.open_article(article_id)

        self.app.push_screen(AnnotationsScreen(self.library), picked)

    def open_article(self, article_id: str) -> None:
        """Open an article in the reader (implemented by the main screen)."""
        raise NotImplementedError
