"""What a format parser hands to the ingest pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class RawArticle:
    """One article as a parser found it, before cleaning.

    ``body`` is plain text (paragraphs separated by blank lines). ``title`` is None
    when the format has no explicit title; the cleaner then derives one from the
    body. ``date`` is kept as the source wrote it; the cleaner normalises it.
    """

    body: str
    title: str | None = None
    source: str | None = None
    date: str | None = None
    url: str | None = None
    author: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    #: Set by the txt parser: the first line may be a title line (decided by length).
    title_from_first_line: bool = False
    #: Set by paged formats (PDF): the text of each page, in order; ``body`` is then ignored.
    pages: list[str] | None = None
    #: Index (in the parser's list) of the item this one belongs to: a message, for its attachment.
    attached_to_item: int | None = None
    #: Format-specific metadata kept as is (see :attr:`newsdesk.index.article.Article.extra`).
    extra: dict[str, str] = field(default_factory=dict)
