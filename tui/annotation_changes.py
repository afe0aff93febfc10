"""What the annotation editor writes and reads back, apart from the widget that runs it.

``PendingAnnotation`` is what the user typed, kept until it is on disk; the
messages are what the editor's load and write workers post back to it; the
functions look things up in an article's annotations as last loaded. None of
it touches a widget, so the hang-up path (tui/app.py) can use it too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from newsdesk.index import Annotation, Article, ArticleAnnotations, Library
from newsdesk.tui.dialogs.annotate import AnnotateDialog, AnnotationInput, drawable, drawable_tag
from textual.message import Message


@dataclass(frozen=True, slots=True)
class PendingAnnotation:
    """What the user typed, kept until it is on disk."""

    article: Article
    start: int
    end: int
    entered: AnnotationInput
    annotation_id: str | None = None
    """Set when editing an existing annotation."""
    base: Annotation | None = None
    """The annotation being edited as this session last read it: a save over another session's
    change made since is refused (``AnnotationChanged``) rather than silently replacing it."""

    @classmethod
    def editing(cls, article: Article, annotation: Annotation) -> PendingAnnotation:
        """An edit of ``annotation`` as it is: its passage as written (``target``), tags and note."""
        entered = AnnotationInput(list(annotation.tags), annotation.note)
        return cls(article, annotation.target.start, annotation.target.end, entered, annotation.id, annotation)

    def changes_nothing(self, entered: AnnotationInput) -> bool:
        """``entered`` is the edited annotation's tags and note as they were, or as the edit dialog shows
        them (a hang-up before it composed its boxes takes that): nothing to save. Red team: an old tag
        shown with U+FFFD read as an edit, and was rewritten though nothing was typed."""
        if self.base is None:
            return False
        typed = (tuple(entered.tags), entered.note)
        shown = (tuple(drawable_tag(t) for t in self.base.tags), drawable(self.base.note))
        return typed in ((self.base.tags, self.base.note), shown)


def write_pending(library: Library, pending: PendingAnnotation) -> Annotation:
    """Write ``pending`` to the user's annotation file (any thread); raises NewsdeskError."""
    if pending.annotation_id is None:
        return library.add_annotation(
            pending.article, pending.start, pending.end, pending.entered.tags, pending.entered.note
        )
    return library.edit_annotation(
        pending.article, pending.annotation_id, tags=pending.entered.tags, note=pending.entered.note, base=pending.base
    )


def typed_at_hang_up(
    stack: Iterable[object],
    asking: Mapping[AnnotateDialog, PendingAnnotation],
    pending: PendingAnnotation | None,
    take: Callable[[PendingAnnotation], bool],
) -> list[tuple[AnnotateDialog | None, PendingAnnotation, AnnotationInput]]:
    """What is typed and not on disk at a hang-up: each annotation dialog open in ``stack`` (those ``asking``
    was opened for) with what it holds, bottom first (a failed save's dialog comes back over the one being
    typed: that one was lost), then ``pending``, answered last, if ``take`` wins it from its worker."""
    typed: list[tuple[AnnotateDialog | None, PendingAnnotation, AnnotationInput]] = [
        (screen, asking[screen], screen.current_input())
        for screen in stack
        if isinstance(screen, AnnotateDialog) and screen in asking
    ]
    if pending is not None and all(pending is not p for _, p, _ in typed) and take(pending):
        typed.append((None, pending, pending.entered))
    return typed


@dataclass
class AnnotationsLoaded(Message):
    article_id: str
    found: ArticleAnnotations
    tags_in_use: list[str] | None
    """None when not looked up this time."""
    load: int
    """Which load this is: an older load's answer can arrive after a newer one started."""


@dataclass
class AnnotationSaved(Message):
    article_id: str
    annotation: Annotation | None
    """The saved annotation (None after a delete)."""
    deleted: Annotation | None = None
    change: int = 0
    """The Notes list's number of this delete or undo (0: an add or edit), answered when shown."""


@dataclass
class AnnotationSaveFailed(Message):
    error: str
    retry: PendingAnnotation | None
    change: int = 0


def stamp(found: ArticleAnnotations) -> tuple[tuple[str, str], ...]:
    """What ``found`` shows, to compare loads: each annotation's id and modification time, and the errors."""
    shown = tuple((p.annotation.id, p.annotation.modified) for p in found.placed + found.orphans)
    return shown + tuple(("error", e) for e in found.errors)


def without(found: ArticleAnnotations, annotation_id: str) -> ArticleAnnotations:
    """``found`` less the annotation ``annotation_id`` (a delete shown before the reload confirms it)."""
    return ArticleAnnotations(
        [p for p in found.placed if p.annotation.id != annotation_id],
        [p for p in found.orphans if p.annotation.id != annotation_id],
        found.errors,
    )


def find(found: ArticleAnnotations, annotation_id: str) -> tuple[Annotation, bool] | None:
    """The annotation ``annotation_id`` in ``found`` and whether it is the user's own; None if absent."""
    for placed in found.placed + found.orphans:
        if placed.annotation.id == annotation_id:
            return placed.annotation, placed.own
    return None


def own_at(found: ArticleAnnotations, start: int, end: int) -> Annotation | None:
    """The user's own annotation of exactly the passage ``start``-``end``, if there is one."""
    return next(
        (p.annotation for p in found.placed if p.own and (p.anchor.start, p.anchor.end) == (start, end)),
        None,
    )
