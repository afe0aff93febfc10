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
# The text ends on a non-space and the space runs are possessive: a lazy text that could end
# anywhere in a long run of spaces rescanned that run from each of its positions.
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?\S))??(?:[ \t]++#+)?[ \t]*+$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S")
# Every pattern here runs on one line of a file another account may have written: none may
# rescan the rest of the line from each of its starts. Link texts and URLs stop at the next
# bracket or unmatched paren ("[a[a[a..." was quadratic), and emphasis is paired by _strip_runs in one pass.
_DESTINATION = r"(?:\((?:[^()]|\([^()]*\))*+\)|\[[^\[\]]*\])"  # (url), (url_(with_parens)) or [ref]
_IMAGE = re.compile(r"!\[[^\[\]]*\]" + _DESTINATION)
_LINK = re.compile(r"\[([^\[\]]+)\]" + _DESTINATION)
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]+)>")
_CODE = re.compile(r"`+([^`]+)`+")
_LIST_MARK = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_QUOTE_MARK = re.compile(r"^\s*(?:>\s?)+")
_RULE = re.compile(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
# Escaped punctuation hides in the Private Use Area while the markers are stripped.
_HIDE_BASE = 0xF0000


def _strip_runs(line: str, char: str, intraword: bool, shortest: int = 1, widest: int = 3) -> str:
    """``line`` without its paired emphasis markers (runs of ``char``), in one pass.

    A run opens when text follows it and closes when text precedes it (a ``_``
    run also needs no letter on its outer side); a closing run pairs with the
    nearest open one, and up to ``widest`` markers of each go. A regex that
    searched from each opening run for its closing one rescanned the rest of
    the line every time: minutes for a 150 KB line of " _a".
    """
    if char * shortest not in line:
        return line
    open_runs: list[tuple[int, int]] = []
    cuts: list[tuple[int, int]] = []
    for run in re.finditer(re.escape(char) + "+", line):
        start, end = run.span()
        if end - start < shortest:
            continue
        before = line[start - 1] if start else " "
        after = line[end] if end < len(line) else " "
        can_open = not after.isspace() and (intraword or not _is_word(before))
        can_close = not before.isspace() and (intraword or not _is_word(after))
        if can_close and open_runs:
            open_start, open_end = open_runs.pop()
            width = min(open_end - open_start, end - start, widest)
            cuts += [(open_end - width, open_end), (start, start + width)]
        elif can_open:
            open_runs.append((start, end))
    if not cuts:
        return line
    pieces, position = [], 0
    for start, end in sorted(cuts):
        pieces.append(line[position:start])
        position = end
    pieces.append(line[position:])
    return "".join(pieces)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _inline(line: str) -> str:
    line = _ESCAPED.sub(lambda m: chr(_HIDE_BASE + ord(m.group(1))), line)
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    line = _AUTOLINK.sub(r"\1", line)
    line = _CODE.sub(r"\1", line)
    line = _strip_runs(line, "*", intraword=True)  # "*" may emphasise inside a word;
    line = _strip_runs(line, "_", intraword=False)  # "_" may not, so snake_case survives
    line = _strip_runs(line, "~", intraword=True, shortest=2, widest=2)
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
