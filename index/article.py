"""The article: what every other part of newsdesk reads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

MULTI_VALUE_SEPARATOR = "\x1f"
"""Joins the values of a multi-valued field (tags, entities) in one column or cell."""


def article_id(relpath: str, item: int) -> str:
    """A stable id from the file's path in the corpus and the item's index in it.

    Hex only, so an id is always safe as a file name and in a URL.
    """
    return hashlib.sha1(f"{relpath}\0{item}".encode("utf-8", "surrogateescape")).hexdigest()[:16]


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
