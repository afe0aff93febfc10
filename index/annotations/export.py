"""Annotations out (YAML, JSON, CSV, a Markdown report, W3C Web Annotation) and back in."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import yaml
from newsdesk.index.annotations.model import Annotation, AnnotationError
from newsdesk.index.annotations.tag_words import IMPORTED_TAGS_MARK, tags_and_note
from newsdesk.index.ingest.clean import UNSAFE_CHARS, escape_unsafe_json, sanitize
from newsdesk.index.safeyaml import YamlError, load_yaml

FORMATS = ("yaml", "json", "csv", "md", "w3c")
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """What an export says about the annotated article."""

    title: str
    path: str
    url: str | None = None


Pages = dict[str, int]
"""Annotation id -> the page of a paged article (PDF) its passage begins on."""


def _records(annotations: list[Annotation], articles: dict[str, ArticleInfo], pages: Pages) -> list[dict[str, Any]]:
    records = []
    for annotation in annotations:
        record = annotation.to_dict()
        if annotation.claimed_author:  # flagged: the file's owner wrote it, whatever it claims
            record["claimed_author"] = annotation.claimed_author
        info = articles.get(annotation.article_id)
        record["article"] = {"title": info.title, "path": info.path} if info else None
        if annotation.id in pages:
            record["page"] = pages[annotation.id]
        records.append(record)
    return records


# Exports are exact (notes keep every character), yet never put a control, escape
# or bidi character raw into a terminal: JSON escapes them as \uXXXX, YAML falls
# back to its escaped form, and the human formats (CSV, Markdown) drop them.


def _yaml(annotations: list[Annotation], articles: dict[str, ArticleInfo], pages: Pages) -> str:
    data = {"annotations": _records(annotations, articles, pages)}
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if UNSAFE_CHARS.search(text):
        text = yaml.safe_dump(data, allow_unicode=False, sort_keys=False)
    return text


def dump_json(data: object) -> str:
    """Indented JSON, readable in any script, with unsafe characters escaped."""
    return escape_unsafe_json(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"


def _json(annotations: list[Annotation], articles: dict[str, ArticleInfo], pages: Pages) -> str:
    return dump_json(_records(annotations, articles, pages))


FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What a spreadsheet may read as the start of a formula (and their fullwidth forms, which some convert)."""


def csv_cell(text: str) -> str:
    """``text`` as a CSV cell: sanitized, and behind a ``'`` when it begins like a formula (CSV injection).

    A note, a quote, an article's title or a file's name comes from other people: another account's
    annotation, an article, a shared folder. A cell ``=HYPERLINK("http://…?"&A1, "open")`` or
    ``@SUM(1+1)*cmd|' /C calc'!A0``, exported and opened in a spreadsheet, was run as a formula: the
    leading ``'`` makes it text there, as OWASP advises. Tabs and
    carriage returns, the other two such starts, never reach a cell (``sanitize`` turns them into a
    space and a newline)."""
    cleaned = sanitize(text)
    return "'" + cleaned if cleaned.startswith(FORMULA_STARTS) else cleaned


def _csv(annotations: list[Annotation], articles: dict[str, ArticleInfo], pages: Pages) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "id",
            "article_id",
            "article_title",
            "article_path",
            "start",
            "end",
            "page",
            "quote",
            "tags",
            "note",
            "author",
            "created",
            "modified",
            "claimed_author",
            "imported_from",
        ]
    )
    for a in annotations:
        info = articles.get(a.article_id)
        # Ids, article ids and times come from files or imports, so they are text like any other.
        writer.writerow(
            [
                csv_cell(a.id),
                csv_cell(a.article_id),
                csv_cell(info.title) if info else "",
                csv_cell(info.path) if info else "",
                a.target.start,
                a.target.end,
                pages.get(a.id, ""),
                csv_cell(a.target.exact),
                csv_cell(";".join(a.tags)),
                csv_cell(a.note),
                csv_cell(a.author),
                csv_cell(a.created),
                csv_cell(a.modified),
                csv_cell(a.claimed_author),
                csv_cell(a.imported_from),
            ]
        )
    return out.getvalue()


_MD_MARKUP = re.compile(r"([\\`*_\[\]<>#|~&])")
_MD_LINE_MARK = re.compile(r"^([+=-]|\d+(?=[.)]))")


def md_text(text: str) -> str:
    """``text`` as Markdown that shows it and nothing else: sanitized, each character that could start
    markup backslash-escaped (CommonMark shows an escaped punctuation character as itself), a list or
    heading mark at a line's start escaped, and lines without their leading spaces (four made a code
    block, which shows backslashes). A note is someone else's text: raw, ``<img onerror=…>`` reached a
    renderer that passes HTML, ``[open](javascript:…)`` made a link, and a note of its own ``> quote``
    and ``*alice, 2026-…*`` lines showed an annotation alice never made."""
    lines = []
    for line in sanitize(text).split("\n"):
        line = _MD_MARKUP.sub(r"\\\1", line.lstrip())
        mark = _MD_LINE_MARK.match(line)
        if mark:
            end = mark.end()
            line = line[:end] + "\\" + line[end:] if line[:1].isdigit() else "\\" + line
        lines.append(line)
    return "\n".join(lines)


def _md_line(text: str) -> str:
    """``text`` on one line, as :func:`md_text` (a heading, the attribution line)."""
    return md_text(" ".join(sanitize(text).split()))


def _md_quote(text: str) -> str:
    return "> " + md_text(" ".join(sanitize(text).split()))


def _markdown(annotations: list[Annotation], articles: dict[str, ArticleInfo], pages: Pages) -> str:
    """A report grouped by tag, then article: quotes, notes, who and when."""
    by_tag: dict[str, list[Annotation]] = {}
    for a in annotations:
        for tag in a.tags or ("(untagged)",):
            by_tag.setdefault(tag, []).append(a)
    lines = ["# Annotations", "", f"{len(annotations)} annotations, {len(by_tag)} tags.", ""]
    for tag in sorted(by_tag, key=lambda t: (t == "(untagged)", t.casefold())):
        lines += [f"## {_md_line(tag)}", ""]
        for article_id in dict.fromkeys(a.article_id for a in by_tag[tag]):
            info = articles.get(article_id)
            heading = f"{_md_line(info.title)} ({_md_line(info.path)})" if info else f"article {_md_line(article_id)}"
            lines += [f"### {heading}", ""]
            for a in by_tag[tag]:
                if a.article_id != article_id:
                    continue
                lines.append(_md_quote(a.target.exact))
                lines.append("")
                if md_text(a.note).strip():
                    lines += [md_text(a.note).strip("\n"), ""]
                claim = f" (the file claims {_md_line(a.claimed_author)})" if a.claimed_author else ""
                page = f", page {pages[a.id]}" if a.id in pages else ""
                lines += [f"*{_md_line(a.author)}{claim}, {_md_line(a.modified or a.created)}{page}*", ""]
    return "\n".join(lines)


def _w3c(annotations: list[Annotation], articles: dict[str, ArticleInfo], pages: Pages) -> str:
    """A W3C Web Annotation collection (JSON-LD), with quote and position selectors."""
    items = []
    for a in annotations:
        info = articles.get(a.article_id)
        body: list[dict[str, Any]] = [{"type": "TextualBody", "value": tag, "purpose": "tagging"} for tag in a.tags]
        if a.note:
            body.insert(0, {"type": "TextualBody", "value": a.note, "format": "text/plain", "purpose": "commenting"})
        items.append(
            {
                "@context": W3C_CONTEXT,
                "id": f"urn:uuid:{a.id}",
                "type": "Annotation",
                "created": a.created,
                "modified": a.modified,
                "creator": {"type": "Person", "nickname": a.author},
                "body": body,
                "target": {
                    "source": (info.url if info and info.url else f"urn:newsdesk:article:{a.article_id}"),
                    "selector": [
                        {
                            "type": "TextQuoteSelector",
                            "exact": a.target.exact,
                            "prefix": a.target.prefix,
                            "suffix": a.target.suffix,
                        },
                        {"type": "TextPositionSelector", "start": a.target.start, "end": a.target.end},
                    ],
                },
            }
        )
    collection = {
        "@context": W3C_CONTEXT,
        "type": "AnnotationCollection",
        "total": len(items),
        "first": {"type": "AnnotationPage", "items": items},
    }
    return dump_json(collection)


WRITERS: dict[str, Callable[[list[Annotation], dict[str, ArticleInfo], Pages], str]] = {
    "yaml": _yaml,
    "json": _json,
    "csv": _csv,
    "md": _markdown,
    "w3c": _w3c,
}


def export(
    annotations: list[Annotation], articles: dict[str, ArticleInfo], fmt: str, pages: Pages | None = None
) -> str:
    """``annotations`` in format ``fmt`` (one of :data:`FORMATS`); ``pages`` give annotations of PDFs their page."""
    if fmt not in WRITERS:
        raise AnnotationError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    ordered = sorted(annotations, key=lambda a: (a.article_id, a.target.start, a.created, a.id))
    return WRITERS[fmt](ordered, articles, pages or {})


def parse_export(text: str, name: str) -> list[Annotation]:
    """Annotations from a YAML or JSON export (ours), for import; one-line errors naming ``name``."""
    return read_export(text, name)[0]


def read_export(text: str, name: str) -> tuple[list[Annotation], dict[str, int]]:
    """:func:`parse_export`, and for each annotation id how many of its tags went to the end of its note
    (red team: the import said only "N imported", so a restore moved tags into notes unsaid)."""
    try:
        data = load_yaml(text)  # JSON is YAML too
    except YamlError as exc:
        raise AnnotationError(f"{name}: {exc}") from None
    if isinstance(data, dict):
        data = data.get("annotations")
    if not isinstance(data, list):
        raise AnnotationError(f"{name}: expected a list of annotations (a newsdesk yaml or json export)")
    annotations = []
    moved: dict[str, int] = {}
    for number, item in enumerate(data, 1):
        if isinstance(item, dict):
            item = {k: v for k, v in item.items() if k not in ("article", "claimed_author", "page")}
        try:
            annotation = Annotation.from_dict(item)
            # What a file may hold (an older version's tag), but not what anyone may add now: kept at the end
            # of the note, marked, as a kept annotation's is (refused, a restore of one's own older export
            # failed whole); the others stored as a new tag is (composed).
            tags, note = tags_and_note(annotation.tags, annotation.note, IMPORTED_TAGS_MARK)
            annotations.append(replace(annotation, tags=tuple(tags), note=note))
            if len(tags) < len(annotation.tags):
                moved.setdefault(annotation.id, len(annotation.tags) - len(tags))
        except AnnotationError as exc:
            raise AnnotationError(f"{name}: item {number}: {exc}") from None
    return annotations, moved
