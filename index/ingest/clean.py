"""Turn a parser's raw article into the displayed text and its metadata.

The displayed text is normalised exactly once, here: Unicode NFC, ``\\n`` line
ends, no control or terminal escape characters, no boilerplate lines. It is
stored as is, so offsets computed on it (entities, annotations) never drift.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from newsdesk.index.article import Article, Page, article_id
from newsdesk.index.ingest.model import RawArticle

# ANSI/VT escape sequences (CSI, OSC, and two-byte escapes) are removed whole, not
# just their ESC byte, so "\x1b[31m" leaves nothing behind.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL/ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS/SOS/PM/APC ... ST
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# C0 and C1 controls except tab and newline, DEL, and the bidi embedding/override/
# isolate characters that can make displayed text lie about its order.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
# Zero-width space, word joiner and Mongolian vowel separator: invisible, yet they
# split words for search and make equal-looking titles differ. (ZWJ and ZWNJ stay:
# emoji sequences and Persian or Indic spelling need them.)
_ZERO_WIDTH = re.compile("[\u200b\u2060\u180e]")
# Lone surrogates (JSON can spell them: "\ud800") are not text and cannot be stored.
_SURROGATES = re.compile("[\ud800-\udfff]")
UNSAFE_CHARS = _CONTROL_CHARS
"""Characters that must never reach a terminal raw (controls, escapes' introducers, bidi overrides)."""


def escape_unsafe_json(text: str) -> str:
    """JSON text with every unsafe character inside it written as a ``\\uXXXX`` escape (still valid JSON)."""
    return UNSAFE_CHARS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_WORD = re.compile(r"\w+")


def sanitize(text: str) -> str:
    """NFC, ``\\n`` newlines, no escape sequences or control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = text.replace("\t", " ").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _CONTROL_CHARS.sub("", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _SURROGATES.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text)


@dataclass(slots=True)
class Cleaner:
    """Cleans raw articles with the configured boilerplate patterns and title rule."""

    boilerplate: tuple[re.Pattern[str], ...]
    title_max_chars: int
    default_language: str

    @classmethod
    def from_patterns(cls, patterns: Iterable[str], title_max_chars: int, default_language: str) -> Cleaner:
        """Compile ``patterns``, each matched case-insensitively against a whole stripped line."""
        compiled = tuple(re.compile(p, re.IGNORECASE) for p in patterns)
        return cls(compiled, title_max_chars, default_language)

    def clean_lines(self, text: str) -> list[str]:
        """Sanitised lines without boilerplate, single blank lines between paragraphs."""
        out: list[str] = []
        for line in sanitize(text).split("\n"):
            line = " ".join(line.split()) if "  " in line or line[:1].isspace() else line.rstrip()
            if line and any(p.fullmatch(line) for p in self.boilerplate):
                continue
            if not line:
                if out and out[-1]:
                    out.append("")
                continue
            out.append(line)
        while out and not out[-1]:
            out.pop()
        return out

    def article(self, raw: RawArticle, relpath: str, item: int) -> Article | None:
        """The cleaned article, or None when nothing but boilerplate is left."""
        page_lines = [self.clean_lines(page) for page in raw.pages] if raw.pages is not None else None
        lines = self.clean_lines(raw.body) if page_lines is None else next((p for p in page_lines if p), [])
        title = " ".join(sanitize(raw.title).split()) if raw.title else ""
        if not title and raw.title_from_first_line and lines:
            first = lines[0]
            rest = lines[1:]
            if len(first) <= self.title_max_chars and any(rest):
                title = first
                lines[:] = rest[1:] if rest and not rest[0] else rest
        text, pages = ("\n".join(lines), []) if page_lines is None else _join_pages(page_lines)
        if not text.strip():
            if not title:
                return None
            text, pages = title, []
        if not title:
            title = first_sentence(text, self.title_max_chars)
        return Article(
            id=article_id(relpath, item),
            path=relpath,
            item=item,
            title=title,
            text=text,
            source=_clean_field(raw.source),
            date=normalise_date(raw.date),
            url=_clean_field(raw.url),
            author=_clean_field(raw.author),
            language=_clean_field(raw.language) or self.default_language,
            tags=sorted({t for t in (_clean_field(t) for t in raw.tags) if t}),
            word_count=len(_WORD.findall(text)),
            content_hash=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
            pages=pages,
            extra=_clean_extra(raw, relpath),
        )


def _join_pages(page_lines: list[list[str]]) -> tuple[str, list[Page]]:
    """Cleaned pages joined by one blank line, and where each page landed (empty pages: an empty span)."""
    parts: list[str] = []
    pages: list[Page] = []
    position = 0
    pending: list[int] = []  # numbers of empty pages waiting for the next page's start
    for number, lines in enumerate(page_lines, 1):
        page = "\n".join(lines)
        if not page:
            pending.append(number)
            continue
        if parts:
            position += 2  # the blank line between pages
        pages.extend(Page(n, position, position) for n in pending)
        pending.clear()
        pages.append(Page(number, position, position + len(page)))
        parts.append(page)
        position += len(page)
    pages.extend(Page(n, position, position) for n in pending)
    pages.sort(key=lambda page: page.number)
    return "\n\n".join(parts), pages


def _clean_extra(raw: RawArticle, relpath: str) -> dict[str, str]:
    extra = {key: value for key, value in ((k, _clean_field(v)) for k, v in raw.extra.items()) if value}
    if raw.attached_to_item is not None:
        extra["attached_to"] = f"{relpath}#{raw.attached_to_item}"
    return extra


def _clean_field(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(sanitize(str(value)).split())
    return value or None


def first_sentence(text: str, max_chars: int) -> str:
    """The first sentence of ``text``, cut on a word boundary to ``max_chars``."""
    paragraph = text.strip().split("\n", 1)[0]
    match = _SENTENCE_END.search(paragraph)
    sentence = paragraph[: match.start()] if match else paragraph
    sentence = sentence.strip()
    if len(sentence) <= max_chars:
        return sentence
    cut = sentence[: max_chars - 1]
    if " " in cut[max_chars // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%Y%m%d",
)


def normalise_date(value: str | date | None) -> str | None:
    """An ISO date (YYYY-MM-DD) from the usual ways articles write dates, else None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = " ".join(str(value).split())
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None
