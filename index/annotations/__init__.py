"""Annotations: passages of articles with tags and notes, stored as plain YAML per user per article.

:class:`AnnotationStore` is the one entry point: it reads everyone's files,
writes only the current user's (see :mod:`newsdesk.index.annotations.files` for the
durability rules), and places each annotation in the article's current text
(:mod:`newsdesk.index.annotations.anchor`), keeping the ones it cannot place as orphans.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from newsdesk.index.annotations.anchor import Anchor, anchor
from newsdesk.index.annotations.files import (
    AnnotationFileError,
    AnnotationFiles,
    OwnerOf,
    file_owner,
    owner_account,
    owner_by_file_name,
)
from newsdesk.index.annotations.model import (
    Annotation,
    AnnotationChanged,
    AnnotationError,
    Target,
    check_tag,
    check_text,
    current_user,
    new_id,
    now,
    shown_tag,
)
from newsdesk.index.article import Article


@dataclass(frozen=True, slots=True)
class PlacedAnnotation:
    """An annotation and where it sits in the article's current text."""

    annotation: Annotation
    anchor: Anchor
    own: bool
    """Written by the current user (others' annotations are read-only here)."""
    page: int | None = None
    """The page (of a paged document, PDF) the passage begins on; None for unpaged text and orphans."""


@dataclass(slots=True)
class ArticleAnnotations:
    """Everything annotated in one article, by everyone."""

    placed: list[PlacedAnnotation] = field(default_factory=list)
    """In text order."""
    orphans: list[PlacedAnnotation] = field(default_factory=list)
    """Passages no longer found in the text: kept, never deleted."""
    errors: list[str] = field(default_factory=list)
    """One line per annotation file that could not be read (the file is left as it is)."""


@dataclass(slots=True)
class AnnotationSummary:
    """What the search index needs of one article's annotations."""

    tags: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


class AnnotationStore:
    """The annotations of one corpus (its state dir), as seen by one OS account."""

    def __init__(self, state_dir: Path, user: str | None = None, owner_of: OwnerOf = file_owner) -> None:
        """``user`` and ``owner_of`` default to the real account and file ownership (uid).

        Tests simulate several users in one process with ``user=...`` and
        ``owner_of=owner_by_file_name``; the app never does.
        """
        self.root = state_dir / "annotations"
        self.user = user or current_user()
        self.files = AnnotationFiles(self.root, self.user, owner_of)
        if self.root.is_dir() and not self.root.is_symlink():
            self.files.remove_stale_temp_files()

    def _read_all(self, article_id: str | None, errors: list[str]) -> list[tuple[bool, Annotation]]:
        """(own, annotation) from every readable file; one line in ``errors`` per problem.

        Ids are unique within a file (a file repeating one is refused); an id found in a
        second file is reported, one line each, and both annotations are kept.
        """
        found: list[tuple[bool, Annotation]] = []
        first_file: dict[str, Path] = {}
        for path in self.files.files(article_id, errors):
            try:
                owned = self.files.read_owned(path)
            except AnnotationFileError as exc:
                errors.append(str(exc))
                continue
            own = owned.owner == self.user
            for annotation in owned.annotations:
                if annotation.article_id != path.parent.name:  # hand-moved: it would tag another article
                    errors.append(
                        f"{path}: annotation {annotation.id} names article {annotation.article_id}, "
                        f"not its folder's; not used"
                    )
                elif annotation.id in first_file:
                    errors.append(f"{path}: id {annotation.id} is also in {first_file[annotation.id]}")
                    found.append((own, annotation))
                else:
                    first_file[annotation.id] = path
                    found.append((own, annotation))
        return found

    # -- reading ------------------------------------------------------------------
    def for_article(self, article: Article) -> ArticleAnnotations:
        """Everyone's annotations of ``article``, placed in its current text."""
        result = ArticleAnnotations()
        for own, annotation in self._read_all(article.id, result.errors):
            where = anchor(annotation, article.text, article.content_hash)
            page = None if where.orphan else article.page_at(where.start)
            placed = PlacedAnnotation(annotation, where, own, page)
            (result.orphans if placed.anchor.orphan else result.placed).append(placed)
        result.placed.sort(key=lambda p: (p.anchor.start, p.anchor.end, p.annotation.created))
        return result

    def all(self) -> tuple[list[Annotation], list[str]]:
        """Every annotation in the corpus (any user), and one line per unreadable file."""
        errors: list[str] = []
        return [annotation for _, annotation in self._read_all(None, errors)], errors

    def summaries(self, article_ids: Iterable[str] | None = None) -> dict[str, AnnotationSummary]:
        """Tags and notes per annotated article (all, or the given ones), for the index."""
        summaries: dict[str, AnnotationSummary] = {}
        targets = [None] if article_ids is None else list(article_ids)
        for article_id in targets:
            # Unreadable files are reported where annotations are shown; the index skips them.
            for _, annotation in self._read_all(article_id, []):
                summary = summaries.setdefault(annotation.article_id, AnnotationSummary())
                summary.tags.update(shown for shown in map(shown_tag, annotation.tags) if shown)
                if annotation.note:
                    summary.notes.append(annotation.note)
        return summaries

    def file_states(self) -> dict[str, tuple[int, int]]:
        """(mtime_ns, size) of every annotation file, by path relative to the annotations folder."""
        states = {}
        for path in self.files.files():
            try:
                info = path.stat()
            except OSError:
                continue
            states[path.relative_to(self.root).as_posix()] = (info.st_mtime_ns, info.st_size)
        return states

    # -- writing (the current user's annotations only) ------------------------------
    def add(self, article: Article, start: int, end: int, tags: Iterable[str] = (), note: str = "") -> Annotation:
        """Annotate ``article.text[start:end]``; saved before this returns."""
        stamp = now()
        annotation = Annotation(
            id=new_id(),
            article_id=article.id,
            content_hash=article.content_hash,
            target=Target.from_text(article.text, start, end),
            tags=tuple(dict.fromkeys(check_tag(t) for t in tags)),
            note=check_text(note, "the note"),
            author=self.user,
            created=stamp,
            modified=stamp,
        )
        self.files.update(article.id, upserts=[annotation])
        return annotation

    def _own(self, article_id: str, annotation_id: str) -> Annotation:
        own_file = self.files.read_owned(self.files.own_file(article_id))
        if own_file.owner == self.user:
            for annotation in own_file.annotations:
                if annotation.id == annotation_id:
                    return annotation
        for own, annotation in self._read_all(article_id, []):
            if annotation.id == annotation_id and not own:
                raise AnnotationError(f"annotation {annotation_id} is {annotation.author}'s; only they can change it")
        raise AnnotationError(f"no annotation {annotation_id} on article {article_id}")

    def edit(
        self,
        article: Article,
        annotation_id: str,
        tags: Iterable[str] | None = None,
        note: str | None = None,
        span: tuple[int, int] | None = None,
        base: Annotation | None = None,
    ) -> Annotation:
        """Change tags, note or passage of one of the user's annotations.

        ``base``: the annotation as the editing user last saw it; raises ``AnnotationChanged``,
        writing nothing, if its content changed since (another session of the same user).
        """
        current = self._own(article.id, annotation_id)
        changes: dict[str, object] = {}
        if tags is not None:
            changes["tags"] = tuple(dict.fromkeys(check_tag(t) for t in tags))
        if note is not None:
            changes["note"] = check_text(note, "the note")
        if span is not None:
            changes["target"] = Target.from_text(article.text, *span)
            changes["content_hash"] = article.content_hash
        edited = current.edited(**changes)
        self.files.update(article.id, upserts=[edited], expect={annotation_id: base} if base is not None else None)
        return edited

    def delete(self, article_id: str, annotation_id: str) -> Annotation:
        """Delete one of the user's annotations; returns it, so the caller can offer undo."""
        current = self._own(article_id, annotation_id)
        self.files.update(article_id, deletes=[annotation_id])
        return current

    def restore(self, annotation: Annotation) -> None:
        """Put back a deleted annotation (undo), unchanged."""
        self.files.update(annotation.article_id, upserts=[annotation])

    def import_annotations(self, annotations: Iterable[Annotation], added: list[str] | None = None) -> tuple[int, int]:
        """Add annotations from an export, skipping ids already present: (added, skipped); the ids added
        are appended to ``added`` if given.

        Imported annotations are the importer's (their file, their name); the author
        the export named is kept as ``imported_from``.
        """
        annotations = list(annotations)
        for annotation in annotations:  # every article id checked before anything is written
            self.files.folder(annotation.article_id)
        existing = {a.id for a in self.all()[0]}
        by_article: dict[str, list[Annotation]] = {}
        skipped = 0
        for annotation in annotations:
            if annotation.id in existing:
                skipped += 1
                continue
            existing.add(annotation.id)
            if added is not None:
                added.append(annotation.id)
            origin = annotation.imported_from or (annotation.author if annotation.author != self.user else "")
            annotation = replace(annotation, author=self.user, imported_from=origin, claimed_author="")
            by_article.setdefault(annotation.article_id, []).append(annotation)
        for article_id, batch in by_article.items():
            self.files.update(article_id, upserts=batch)
        return sum(len(batch) for batch in by_article.values()), skipped


__all__ = [
    "Anchor",
    "Annotation",
    "AnnotationChanged",
    "AnnotationError",
    "AnnotationFileError",
    "AnnotationStore",
    "AnnotationSummary",
    "ArticleAnnotations",
    "PlacedAnnotation",
    "Target",
    "current_user",
    "file_owner",
    "owner_account",
    "owner_by_file_name",
]
