"""Format parsers: bytes of one file in, raw articles out.

Each parser module exposes ``parse(text, path, options, warnings) ->
list[RawArticle]``: it appends one-line warnings about parts it passed over
(a bad line of a JSON Lines file) to ``warnings``, and raises :class:`index.errors.IngestError` with a one-line
reason when the file cannot be understood. :func:`parse_file` picks the parser by
file extension and decodes the bytes first.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from index.errors import IngestError
from index.ingest.model import RawArticle

DEFAULT_JSON_FIELDS: Mapping[str, tuple[str, ...]] = {
    "title": ("title", "headline", "name"),
    "body": ("text", "body", "content", "article", "description"),
    "source": ("source", "site", "publisher", "source.name"),
    "date": ("date", "published", "published_at", "pubDate", "datePublished", "created_at"),
    "url": ("url", "link"),
    "author": ("author", "byline", "authors"),
    "language": ("language", "lang"),
    "tags": ("tags", "keywords", "categories"),
}


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """Per-run parser settings (picklable: worker processes receive them)."""

    json_fields: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_JSON_FIELDS))


Parser = Callable[[str, Path, ParseOptions, list[str]], list[RawArticle]]


def _parser_for(suffix: str) -> Parser:
    # Imported lazily: the HTML parser pulls in trafilatura (~0.3 s), which a
    # corpus of text files never needs.
    if suffix == ".txt":
        from index.ingest.formats import text

        return text.parse
    if suffix in (".md", ".markdown"):
        from index.ingest.formats import markdown

        return markdown.parse
    if suffix in (".html", ".htm"):
        from index.ingest.formats import html

        return html.parse
    if suffix in (".json", ".jsonl", ".ndjson"):
        from index.ingest.formats import jsonl

        return jsonl.parse
    if suffix in (".rss", ".atom", ".xml"):
        from index.ingest.formats import feed

        return feed.parse
    raise IngestError(f"unsupported file type {suffix or '(none)'}")


def as_text(value: Any) -> str | None:
    """A metadata value as one string: dates in ISO form, lists joined, ``{"name": ...}`` named."""
    if value is None or value == "":
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        joined = ", ".join(t for t in (as_text(v) for v in value) if t)
        return joined or None
    if isinstance(value, Mapping):
        return as_text(value.get("name") or value.get("title"))
    return str(value)


def as_tags(value: Any) -> list[str]:
    """Tags from a list, or from a comma- or semicolon-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        return [t.strip() for t in re.split(r"[,;]", value) if t.strip()]
    if isinstance(value, (list, tuple)):
        return [tag for v in value for tag in as_tags(as_text(v))]
    return as_tags(as_text(value))


def decode_text(data: bytes) -> tuple[str, bool]:
    """Decode ``data`` as UTF-8 (or UTF-16 with a BOM); True when bytes had to be replaced."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), False
        except UnicodeDecodeError:
            return data.decode("utf-16", errors="replace"), True
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), True


def parse_file(path: Path, data: bytes, options: ParseOptions) -> tuple[list[RawArticle], list[str]]:
    """The articles in one file, and one-line warnings about it."""
    parser = _parser_for(path.suffix.lower())
    text, replaced = decode_text(data)
    warnings = ["invalid UTF-8: undecodable bytes replaced with \ufffd"] if replaced else []
    articles = parser(text, path, options, warnings)
    return articles, warnings
