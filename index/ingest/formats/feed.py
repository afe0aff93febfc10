"""RSS and Atom feed files: each item is an article."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Any

from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.formats import ParseOptions
from newsdesk.index.ingest.formats.html import fragment_text
from newsdesk.index.ingest.model import RawArticle

_FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
# What may come before the root element: whitespace, BOM, <?xml ...?>, comments, a DOCTYPE.
# The DOCTYPE's repetition is possessive (*+): "[]" can end at any later "]", so a plain *
# backtracks through every way of splitting "[][][]..." when no ">" follows (exponential).
_PROLOG_ITEM = re.compile(r"[\s\ufeff]+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*+>", re.DOTALL | re.IGNORECASE)
_ROOT_TAG = re.compile(r"<(?:[\w.-]+:)?([\w.-]+)")
_ENCODING_DECLARATION = re.compile(r"""(\A[\s\ufeff]*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def looks_like_feed(text: str) -> bool:
    """True when the XML's root element is rss, feed (Atom) or rdf:RDF (RSS 1.0)."""
    position = 0
    while match := _PROLOG_ITEM.match(text, position):
        position = match.end()
    root = _ROOT_TAG.match(text, position)
    return root is not None and root.group(1).lower() in _FEED_ROOTS


def _date(entry: Any) -> str | None:
    for key in ("published", "updated", "created"):
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            # feedparser normalises *_parsed to UTC.
            return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", parsed)
    return entry.get("published") or entry.get("updated") or entry.get("created")


def _body(entry: Any) -> str:
    content = entry.get("content")
    markup = (content[0].get("value") if content else None) or entry.get("summary") or ""
    return fragment_text(markup) if markup.strip() else ""


def parse(text: str, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """The feed's items, in feed order."""
    import feedparser

    if not looks_like_feed(text):
        raise IngestError("not an RSS or Atom feed")
    # The text is already decoded: tell feedparser it is UTF-8 now, whatever the
    # declaration said. And hand it a stream, never a str or bytes: given one that
    # looks like a URL or a file name it would go and fetch or open it.
    # Its HTML sanitizer stays off: fragment_text reads each item's markup with lxml and
    # keeps only text (scripts, styles and frames dropped), and the sanitizer takes time
    # quadratic in some markup (a 1.6 MB feed whose item held "<!--" 200,000 times hung for minutes).
    data = _ENCODING_DECLARATION.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8")
    feed = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-type": "application/xml; charset=utf-8"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not feed.entries:
        if feed.get("bozo"):
            reason = str(feed.get("bozo_exception") or "unknown error").splitlines()
            raise IngestError(f"malformed feed: {reason[0] if reason else 'unknown error'}")
        raise IngestError("the feed has no items")
    source = feed.feed.get("title") or None
    language = feed.feed.get("language") or None
    articles = []
    for number, entry in enumerate(feed.entries, 1):
        body = _body(entry)
        if not body.strip():
            warnings.append(f"item {number} has no text, skipped")
            continue
        articles.append(
            RawArticle(
                body=body,
                title=entry.get("title") or None,
                source=source,
                date=_date(entry),
                url=entry.get("link") or None,
                author=entry.get("author") or None,
                language=language,
                tags=[t["term"] for t in entry.get("tags") or [] if t.get("term")],
            )
        )
    if not articles:
        raise IngestError("no item of the feed has text")
    return articles
