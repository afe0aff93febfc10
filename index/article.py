"""The article: what every other part of newsdesk reads."""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import dataclass, field

MULTI_VALUE_SEPARATOR = "\x1f"
"""Joins the values of a multi-valued field (tags, entities) in one column or cell."""


def article_id(relpath: str, item: int) -> str:
    """A stable id from the file's path in the corpus and the item's index in it.

    Hex only, so an id is always safe as a file name and in a URL.
    """
    return hashlib.sha1(f"{relpath}\0{item}".encode("utf-8", "surrogateescape")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Page:
    """Where one page of a paged document (PDF) lies in ``Article.text``: ``text[start:end]``."""

    number: int
    """1-based page number in the document."""
    start: int
    end: int


def page_at(pages: list[Page], offset: int) -> int | None:
    """The number of the page holding text offset ``offset``; None for unpaged text or an offset outside it.

    The blank line joining two pages counts for the earlier page.
    """
    if not pages or offset < pages[0].start or offset >= max(page.end for page in pages):
        return None
    index = bisect_right([page.start for page in pages], offset) - 1
    while index > 0 and pages[index].start == pages[index].end:
        index -= 1  # an empty page (no text at all) holds no offset
    return pages[index].number


@dataclass(slots=True)
class Article:
    """One cleaned article. ``text`` is the displayed text every offset refers to."""

    id: str
    path: str
    """Path of the file relative to the corpus root, with forward slashes."""
    item: int
    """Index of the article inside its file (0 for single-article files)."""
    title: str
    text: str
    source: str | None = None
    date: str | None = None
    """ISO date, YYYY-MM-DD."""
    url: str | None = None
    author: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    word_count: int = 0
    content_hash: str = ""
    """SHA-256 of ``text``: annotations use it to notice that the text changed."""
    pages: list[Page] = field(default_factory=list)
    """For paged documents (PDF): each page's span of ``text``, in order; empty otherwise."""
    extra: dict[str, str] = field(default_factory=dict)
    """Format-specific metadata: ``attached_to`` (``PATH#N`` of the message an attachment came
    in), ``attachment`` (its file name), ``message_id``, ``captured`` (a web archive record's date)."""

    def page_at(self, offset: int) -> int | None:
        """The page number holding ``text[offset]``, or None (unpaged text, or between pages)."""
        return page_at(self.pages, offset)
