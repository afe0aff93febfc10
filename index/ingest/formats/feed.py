"""RSS and Atom feed files: each item is an article."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from index.errors import IngestError
from index.ingest.formats import ParseOptions
from index.ingest.formats.html import fragment_text
from index.ingest.model import RawArticle

_FEED_ROOTS = ("<rss", "<feed", "<rdf:rdf", "<rdf")


def looks_like_feed(text: str) -> bool:
    """True when the XML's root element is rss, feed (Atom) or rdf:RDF (RSS 1.0)."""
    head = text[:4096].lower()
    position = 0
    while True:
        start = head.find("<", position)
        if start == -1:
            return False
        if head.startswith(("<?", "<!"), start):
            position = start + 2
            continue
        return head.startswith(_FEED_ROOTS, start)


def _date(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return time.strftime("%Y-%m-%d", parsed)
    return entry.get("published") or entry.get("updated")


def parse(text: str, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """The feed's items, in feed order."""
    import feedparser

    if not looks_like_feed(text):
        raise IngestError("not an RSS or Atom feed")
    # Always hand feedparser the document itself: given a string that looks
    # like a URL or a path it would go and fetch it.
    feed = feedparser.parse(text.encode("utf-8"), sanitize_html=True, resolve_relative_uris=False)
    if not feed.entries:
        reason = str(feed.get("bozo_exception", "")) or "no items"
        raise IngestError(f"malformed or empty feed: {reason.splitlines()[0] if reason else 'no items'}")
    source = feed.feed.get("title")
    language = feed.feed.get("language")
    articles = []
    for number, entry in enumerate(feed.entries):
        content = entry.get("content")
        markup = content[0].get("value", "") if content else entry.get("summary", "")
        body = fragment_text(markup) if markup else ""
        if not body.strip():
            warnings.append(f"item {number} has no text, skipped")
            continue
        articles.append(
            RawArticle(
                body=body,
                title=entry.get("title"),
                source=source,
                date=_date(entry),
                url=entry.get("link"),
                author=entry.get("author"),
                language=language,
                tags=[t.get("term") for t in entry.get("tags", []) if t.get("term")],
            )
        )
    if not articles:
        raise IngestError("no item of the feed has text")
    return articles
