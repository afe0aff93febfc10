"""Format parsers: bytes of one file in, raw articles out.

Each parser module exposes ``parse(text, path, options, warnings) ->
list[RawArticle]``: it appends one-line warnings about parts it passed over
(a bad line of a JSON Lines file) to ``warnings``, and raises :class:`newsdesk.index.errors.IngestError` with a one-line
reason when the file cannot be understood. :func:`parse_file` picks the parser by
file extension and decodes the bytes first.
"""

from __future__ import annotations

import codecs
import io
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.model import RawArticle

READABLE_EXTENSIONS: tuple[str, ...] = (
    ".txt",
    ".md",
    ".markdown",
    ".html",
    ".htm",
    ".json",
    ".jsonl",
    ".ndjson",
    ".rss",
    ".atom",
    ".xml",
    ".pdf",
    ".docx",
    ".eml",
    ".mbox",
    ".warc",
    ".warc.gz",
)
"""Every suffix a parser here reads, in the order the config lists them by default."""
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(READABLE_EXTENSIONS)
BINARY_EXTENSIONS: frozenset[str] = frozenset({".pdf", ".docx", ".eml", ".mbox", ".warc", ".warc.gz"})
"""Formats parsed from bytes, not decoded text (NUL bytes in them are normal)."""
STREAMED_EXTENSIONS: frozenset[str] = frozenset({".mbox", ".warc", ".warc.gz"})
"""Archives read as a stream, never whole in memory, under ``ingest.max_archive_mb``."""

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

INVALID_UTF8_WARNING = "invalid UTF-8: undecodable bytes replaced with \ufffd"

# Formats that may name their own encoding in the first bytes (<?xml encoding>, <meta charset>).
_SELF_DECLARING = frozenset({".html", ".htm", ".rss", ".atom", ".xml"})
_DECLARED_ENCODING = re.compile(rb"""(?:encoding|charset)\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """Per-run parser settings (picklable: worker processes receive them).

    ``json_fields`` maps an article field to the JSON keys tried in order (dotted
    paths reach into nested objects). A field missing from the mapping uses
    :data:`DEFAULT_JSON_FIELDS`; an empty tuple turns the field off.
    """

    json_fields: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_JSON_FIELDS))
    ocr: bool = True
    """Read PDF pages without a text layer with Tesseract, when it is installed."""
    ocr_program: str | None = field(default_factory=lambda: shutil.which("tesseract"))
    """The Tesseract program (found on PATH where the run starts), or None when it is not installed."""
    ocr_languages: tuple[str, ...] = ("eng",)
    """Tesseract language packs to use, tried together."""
    ocr_timeout: float = 120.0
    """Seconds Tesseract may spend on one page."""
    max_item_bytes: int = 20 * 1024 * 1024
    """Largest single item inside an archive or document (a message, an attachment, a web page)."""
    max_expanded_bytes: int = 256 * 1024 * 1024
    """Most bytes a compressed document may expand to (PDF streams, .docx members, archive records)."""
    max_expansion_ratio: float = 200.0
    """Most a compressed document may expand relative to its compressed size (above 16 MB expanded)."""

    def json_keys(self, name: str) -> tuple[str, ...]:
        """The candidate JSON keys for article field ``name``."""
        return tuple(self.json_fields.get(name, DEFAULT_JSON_FIELDS.get(name, ())))


Parser = Callable[[str, Path, ParseOptions, list[str]], list[RawArticle]]
BytesParser = Callable[[bytes, Path, ParseOptions, list[str]], list[RawArticle]]
StreamParser = Callable[[BinaryIO, Path, ParseOptions, list[str]], list[RawArticle]]


def seconds_allowed(floor: float, per_mb: float, size: int) -> float:
    """A read's time allowance: ``floor`` seconds plus ``per_mb`` per MB of ``size`` bytes. What a small
    hostile file may cost (a PDF, a Word file, a mail's attachments, a web archive's pages) grows
    with its bytes, as a real document's does."""
    return floor + per_mb * size / (1024 * 1024)


def format_suffix(name: str | Path) -> str:
    """The extension that picks a file's parser, lower-cased: ``.warc.gz`` counts as one."""
    lowered = str(name).lower()
    if lowered.endswith(".warc.gz"):
        return ".warc.gz"
    return Path(lowered).suffix


def _bytes_parser_for(suffix: str) -> BytesParser:
    if suffix == ".pdf":
        from newsdesk.index.ingest.formats import pdf

        return pdf.parse
    if suffix == ".docx":
        from newsdesk.index.ingest.formats import docx

        return docx.parse
    if suffix == ".eml":
        from newsdesk.index.ingest.formats import mail

        return mail.parse_eml
    raise IngestError(f"unsupported file type {suffix or '(none)'}")


def _stream_parser_for(suffix: str) -> StreamParser:
    if suffix == ".mbox":
        from newsdesk.index.ingest.formats import mail

        return mail.parse_mbox
    if suffix in (".warc", ".warc.gz"):
        from newsdesk.index.ingest.formats import warc

        return warc.parse
    raise IngestError(f"unsupported file type {suffix or '(none)'}")


def _parser_for(suffix: str) -> Parser:
    # Imported lazily: the HTML parser pulls in trafilatura (~0.3 s), which a
    # corpus of text files never needs.
    if suffix == ".txt":
        from newsdesk.index.ingest.formats import text

        return text.parse
    if suffix in (".md", ".markdown"):
        from newsdesk.index.ingest.formats import markdown

        return markdown.parse
    if suffix in (".html", ".htm"):
        from newsdesk.index.ingest.formats import html

        return html.parse
    if suffix in (".json", ".jsonl", ".ndjson"):
        from newsdesk.index.ingest.formats import jsonl

        return jsonl.parse
    if suffix in (".rss", ".atom", ".xml"):
        from newsdesk.index.ingest.formats import feed

        return feed.parse
    raise IngestError(f"unsupported file type {suffix or '(none)'}")


_NAME_KEYS = ("name", "title", "term", "label")


def as_text(value: Any) -> str | None:
    """A metadata value as one string: dates in ISO form, lists joined, ``{"name": ...}`` named."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, date):  # datetime too: YAML turns unquoted dates into objects
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        joined = ", ".join(t for t in (as_text(v) for v in value) if t)
        return joined or None
    if isinstance(value, Mapping):
        return as_text(next((value[k] for k in _NAME_KEYS if value.get(k)), None))
    return str(value)


def as_tags(value: Any) -> list[str]:
    """Tags from a list, or from a comma- or semicolon-separated string; duplicates dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        tags = [t.strip() for t in re.split(r"[,;]", value) if t.strip()]
    elif isinstance(value, (list, tuple)):
        tags = [tag for v in value for tag in as_tags(as_text(v))]
    else:
        tags = as_tags(as_text(value))
    return list(dict.fromkeys(tags))


def decode_text(data: bytes) -> tuple[str, bool]:
    """Decode ``data`` as UTF-8 (or UTF-16/32 with a BOM); True when bytes had to be replaced."""
    # UTF-32-LE's BOM begins with UTF-16-LE's, so it is tested first.
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), False
            except UnicodeDecodeError:
                return data.decode(encoding, errors="replace"), True
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), True


def _decode_declared(data: bytes) -> str | None:
    """``data`` decoded with the encoding its XML declaration or meta charset names, if that works."""
    match = _DECLARED_ENCODING.search(data[:2048])
    if match is None:
        return None
    try:
        encoding = codecs.lookup(match.group(1).decode("ascii")).name
        if encoding == "utf-8":
            return None
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return None


def decode_markup(data: bytes, charset: str | None = None) -> tuple[str, bool]:
    """HTML or XML bytes as text: ``charset`` (say, from an HTTP header) if it works, else UTF-8 or a
    BOM, else the encoding the document declares; True when bytes had to be replaced."""
    if charset:
        try:
            return data.decode(codecs.lookup(charset).name), False
        except (LookupError, UnicodeDecodeError):
            pass
    text, replaced = decode_text(data)
    if replaced:
        declared = _decode_declared(data)
        if declared is not None:
            return declared, False
    return text, replaced


def parse_file(path: Path, data: bytes, options: ParseOptions) -> tuple[list[RawArticle], list[str]]:
    """The articles in one file, and one-line warnings about it."""
    suffix = format_suffix(path)
    if suffix in STREAMED_EXTENSIONS:
        return parse_stream(path, io.BytesIO(data), options)
    if suffix in BINARY_EXTENSIONS:
        warnings: list[str] = []
        return _bytes_parser_for(suffix)(data, path, options, warnings), warnings
    parser = _parser_for(suffix)
    # Older feeds and pages are often Latin-1 or cp1252 and say so.
    text, replaced = decode_markup(data) if suffix in _SELF_DECLARING else decode_text(data)
    text_warnings = [INVALID_UTF8_WARNING] if replaced else []
    articles = parser(text, path, options, text_warnings)
    return articles, text_warnings


def parse_stream(path: Path, handle: BinaryIO, options: ParseOptions) -> tuple[list[RawArticle], list[str]]:
    """The articles in an archive (.mbox, .warc, .warc.gz) read from ``handle`` as a stream."""
    warnings: list[str] = []
    return _stream_parser_for(format_suffix(path))(handle, path, options, warnings), warnings
