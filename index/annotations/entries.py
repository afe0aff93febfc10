"""Every annotation in the corpus with its article's title and whether it still anchors: the reader's overview."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from newsdesk.index.annotations.anchor import anchor
from newsdesk.index.annotations.model import Annotation
from newsdesk.index.article import Article


@dataclass(frozen=True, slots=True)
class AnnotationEntry:
    """One annotation as the corpus-wide list shows it."""

    annotation: Annotation
    title: str | None
    """The annotated article's title; None when the article is no longer in the corpus."""
    orphan: bool
    """True when the passage can no longer be found in the article's current text (or the article is gone)."""


def annotation_entries(
    annotations: Iterable[Annotation], articles_by_id: Callable[[list[str]], dict[str, Article]]
) -> list[AnnotationEntry]:
    """``annotations`` with their articles' titles and anchoring, newest change first."""
    annotations = list(annotations)
    articles = articles_by_id(sorted({a.article_id for a in annotations}))
    entries = []
    for annotation in sorted(annotations, key=lambda a: a.modified or a.created, reverse=True):
        article = articles.get(annotation.article_id)
        orphan = article is None or anchor(annotation, article.text, article.content_hash).orphan
        entries.append(AnnotationEntry(annotation, article.title if article else None, orphan))
    return entries


def annotation_pages(annotations: Iterable[Annotation], articles: dict[str, Article]) -> dict[str, int]:
    """Annotation id -> the page its passage begins on, where it still anchors in a paged article (PDF)."""
    pages = {}
    for annotation in annotations:
        article = articles.get(annotation.article_id)
        if article is None or not article.pages:
            continue
        where = anchor(annotation, article.text, article.content_hash)
        if not where.orphan and (page := article.page_at(where.start)) is not None:
            pages[annotation.id] = page
    return pages
