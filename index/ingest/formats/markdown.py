"""Markdown with optional YAML front matter (title, source, date, url, author, tags, language)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.formats import ParseOptions, as_tags, as_text
from newsdesk.index.ingest.model import RawArticle
from newsdesk.index.safeyaml import YamlError, load_yaml

MAX_FRONT_MATTER = 64 * 1024
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?:(.*?)\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_OPENING_FENCE = re.compile(r"---[ \t]*\n")
_CLOSING_FENCE = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
# A closing run of #s only counts when a space separates it from the text ("C#" keeps its #).
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S")
_IMAGE = re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")
_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
# "*" may emphasise inside a word; "_" may not, so snake_case survives.
_STAR_EMPHASIS = re.compile(r"(\*{1,3})(?=\S)(.+?)(?<=\S)\1")
_UNDERSCORE_EMPHASIS = re.compile(r"(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_CODE = re.compile(r"`+([^`]+)`+")
_LIST_MARK = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_QUOTE_MARK = re.compile(r"^\s*(?:>\s?)+")
_RULE = re.compile(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
# Escaped punctuation hides in the Private Use Area while the markers are stripped.
_HIDE_BASE = 0xF0000


def _inline(line: str) -> str:
    line = _ESCAPED.sub(lambda m: chr(_HIDE_BASE + ord(m.group(1))), line)
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    line = _AUTOLINK.sub(r"\1", line)
    line = _CODE.sub(r"\1", line)
    line = _STAR_EMPHASIS.sub(r"\2", line)
    line = _UNDERSCORE_EMPHASIS.sub(r"\2", line)
    line = _STRIKE.sub(r"\1", line)
    return re.sub("[\U000f0000-\U000f007f]", lambda m: chr(ord(m.group()) - _HIDE_BASE), line)


def plain_text(markdown: str) -> str:
    """Readable plain text from Markdown: markers dropped, paragraphs and list lines kept."""
    out: list[str] = []
    in_fence = False
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            out.append(line)
            continue
        underline = _SETEXT_UNDERLINE.match(line)
        if underline and out and out[-1].strip() and (underline.group(1)[0] == "=" or len(line.strip()) >= 2):
            out.extend(["", out.pop(), ""])  # the line above was a heading: its own paragraph
            continue
        if _RULE.match(line) or _LINK_DEFINITION.match(line):
            out.append("")
            continue
        heading = _HEADING.match(line)
        if heading:
            out.extend(["", _inline(heading.group(2) or ""), ""])
            continue
        line = _QUOTE_MARK.sub("", line)
        line = _LIST_MARK.sub(r"\1", line)
        out.append(_inline(line))
    return "\n".join(out)


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    # Look for the closing fence only where an allowed front matter can end: the lazy
    # match over a whole 20 MB file costs seconds of CPU before the size check.
    window = MAX_FRONT_MATTER + 16  # characters; 64 KB of UTF-8 is at most that many
    match = _FRONT_MATTER.match(text[:window])
    if match and match.end() == window < len(text):
        match = None  # its closing fence only looked closed because the window cut the line
    if not match:
        if len(text) > window and _OPENING_FENCE.match(text) and _CLOSING_FENCE.search(text, window - 8):
            raise IngestError(f"front matter is larger than {MAX_FRONT_MATTER // 1024} KB")
        return {}, text
    source = match.group(1) or ""
    if len(source.encode("utf-8")) > MAX_FRONT_MATTER:
        raise IngestError(f"front matter is larger than {MAX_FRONT_MATTER // 1024} KB")
    try:
        loaded = load_yaml(source, max_bytes=MAX_FRONT_MATTER)
    except YamlError as exc:
        line = f"line {exc.line + 1}: " if exc.line else ""  # +1: the opening --- is line 1 of the file
        raise IngestError(f"front matter: {line}{exc.reason}") from None
    if loaded is not None and not isinstance(loaded, dict):
        raise IngestError(f"front matter is not a mapping (it is a {type(loaded).__name__})")
    return loaded or {}, text[match.end() :]


def _leading_title(body: str) -> tuple[str | None, str]:
    """The body's opening level-1 heading (ATX or setext) and the body without it."""
    lines = body.lstrip("\n").split("\n")
    heading = _HEADING.match(lines[0])
    if heading and len(heading.group(1)) == 1 and heading.group(2):
        return _inline(heading.group(2)), "\n".join(lines[1:])
    if len(lines) > 1 and lines[0].strip() and re.fullmatch(r" {0,3}=+[ \t]*", lines[1]):
        return _inline(lines[0].strip()), "\n".join(lines[2:])
    return None, body


def parse(text: str, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """One article: front matter for metadata, the rest as plain text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = _split_front_matter(text)
    title = as_text(meta.get("title"))
    heading, rest = _leading_title(body)
    if not title:
        title, body = heading, rest
    elif heading is not None and " ".join(heading.split()) == " ".join(title.split()):
        body = rest  # the page repeats its front-matter title as a heading
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
