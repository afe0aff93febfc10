"""Markdown with optional YAML front matter (title, source, date, url, author, tags)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from index.errors import IngestError
from index.ingest.formats import ParseOptions, as_tags, as_text
from index.ingest.model import RawArticle
from index.safeyaml import YamlError, load_yaml

MAX_FRONT_MATTER = 64 * 1024
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_CODE = re.compile(r"`([^`]*)`")
_LIST_MARK = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+")
_QUOTE_MARK = re.compile(r"^\s*>\s?")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")


def plain_text(markdown: str) -> str:
    """Readable plain text from Markdown: markers dropped, paragraphs kept."""
    lines = []
    for line in markdown.split("\n"):
        if _RULE.match(line):
            lines.append("")
            continue
        heading = _HEADING.match(line)
        if heading:
            lines.extend(["", heading.group(1), ""])
            continue
        line = _QUOTE_MARK.sub("", line)
        line = _LIST_MARK.sub(r"\1", line)
        line = _IMAGE.sub("", line)
        line = _LINK.sub(r"\1", line)
        line = _CODE.sub(r"\1", line)
        line = _EMPHASIS.sub(r"\2", line)
        lines.append(line)
    return "\n".join(lines)


def parse(text: str, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """One article: front matter for metadata, the rest as plain text."""
    meta: dict[str, Any] = {}
    body = text
    match = _FRONT_MATTER.match(text)
    if match:
        if len(match.group(1)) > MAX_FRONT_MATTER:
            raise IngestError(f"front matter is larger than {MAX_FRONT_MATTER // 1024} KB")
        try:
            loaded = load_yaml(match.group(1))
        except YamlError as exc:
            line = f"line {exc.line + 1}: " if exc.line else ""  # +1: the opening ---
            raise IngestError(f"front matter: {line}{exc.reason}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise IngestError("front matter is not a mapping of keys to values")
        meta = loaded or {}
        body = text[match.end():]
    title = as_text(meta.get("title"))
    if not title:
        first = body.lstrip("\n").split("\n", 1)
        heading = _HEADING.match(first[0]) if first else None
        if heading and first[0].startswith("# "):
            title = heading.group(1)
            body = first[1] if len(first) > 1 else ""
    return [
        RawArticle(
            body=plain_text(body),
            title=title or None,
            source=as_text(meta.get("source")),
            date=as_text(meta.get("date")),
            url=as_text(meta.get("url")),
            author=as_text(meta.get("author")),
            language=as_text(meta.get("language") or meta.get("lang")),
            tags=as_tags(meta.get("tags")),
        )
    ]
