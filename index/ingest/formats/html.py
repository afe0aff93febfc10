"""HTML pages: the article's main text by trafilatura, metadata from the page's meta tags."""

from __future__ import annotations

import copy
import logging
import re
import time
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree
from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.formats import ParseOptions, as_tags, seconds_allowed
from newsdesk.index.ingest.model import RawArticle

_BLOCK_TAGS = (
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "figure",
    "figcaption",
    "br",
    "hr",
)
_DROP_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe")
# More elements than a news page has (a long one has a few thousand): main-text extraction
# is skipped, its cost growing with each one.
MAX_EXTRACTION_ELEMENTS = 30_000
# lxml refuses a str that carries an encoding declaration; the text is already decoded.
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")


MAX_TREE_DEPTH = 2048
"""How deep lxml nests elements with ``huge_tree`` (libxml2's limit; 256 without it)."""


def _too_deep(parser: lxml.html.HTMLParser) -> bool:
    """True when the last parse with ``parser`` hit a resource limit: elements nested past its depth limit,
    or (without ``huge_tree``) a text or attribute over :data:`MAX_VALUE_CHARS`. Either way text is gone."""
    return any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


MAX_EXTRACTION_DEPTH = 512
"""The deepest tree given to trafilatura: its cost grows with the cube of the depth (a 14 KB page of 2,040
unclosed ``<table>`` took 60 s, of ``<article>`` 17 s; under a second at 512)."""


def _deepest(page: lxml.html.HtmlElement) -> int:
    """How deep elements nest in ``page``."""
    depth = deepest = 0
    for event, _ in etree.iterwalk(page, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


MAX_VALUE_CHARS = 10_000_000
"""The longest text or attribute value libxml2 reads without ``huge_tree`` (XML_MAX_TEXT_LENGTH)."""


def _oversize(page: lxml.html.HtmlElement) -> bool:
    """For a tree parsed with ``huge_tree``, which lifts libxml2's size limits along with its depth limit:
    attributes longer than :data:`MAX_VALUE_CHARS` removed (trafilatura searched a 20 MB ``class`` for
    a minute), and True when a text is longer (trafilatura took 30 s and 600 MB on a 20 MB paragraph)."""
    oversize = False
    for element in page.iter():
        for name, value in list(element.attrib.items()):
            if len(value) > MAX_VALUE_CHARS:
                del element.attrib[name]
        oversize = oversize or len(element.text or "") > MAX_VALUE_CHARS or len(element.tail or "") > MAX_VALUE_CHARS
    return oversize


def _parsed(text: str, fragment: bool) -> tuple[lxml.html.HtmlElement, int]:
    """``text`` parsed, and how deep elements may nest in that tree: libxml2 drops what is nested
    deeper than 256 elements, silently (an old page of 300 unclosed ``<font>`` lost every word after
    them), so a page that goes deeper is parsed again with ``huge_tree``: 2,048 (:data:`MAX_TREE_DEPTH`).
    0 when even that was cut: the tree lacks text."""
    for depth, huge in ((256, False), (MAX_TREE_DEPTH, True)):
        parser = lxml.html.HTMLParser(huge_tree=huge)
        if fragment:
            root = lxml.html.fragment_fromstring(text, create_parent="div", parser=parser)
        else:
            root = lxml.html.document_fromstring(text, parser=parser)
        if not _too_deep(parser):
            return root, depth
    return root, 0


class _FlatText(HTMLParser):
    """Every text of a page in order, with no tree, so no depth limit (the standard library's tokenizer):
    block elements start paragraphs, scripts and styles are left out, and so is the title (the article's
    title is read from the tree; its text ran into the body's first words)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._raw = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._raw = tag
        elif tag == "title":
            self._in_title = True
        elif tag in _BLOCK_TAGS or tag == "body":
            # A title never closed ends where the body does, not at the end of the page.
            self._in_title = False
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw:
            self._raw = ""
        elif tag in ("title", "head"):
            self._in_title = False
            self.parts.append("\n\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._raw and not self._in_title:
            self.parts.append(data)

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        """``<![if ...]>``, ``<![CDATA[...]]>``; any other ``<![`` (``<![x[``, ``<![ ``) raised AssertionError
        from the tokenizer, and the page was not read at all: it is a bogus comment to the next ``>``."""
        try:
            return int(super().parse_marked_section(i, report))
        except AssertionError:
            end = self.rawdata.find(">", i + 3)
            return -1 if end < 0 else end + 1

    def finish(self) -> None:
        """The end of the page. A comment, tag or declaration still open there runs to the end and shows
        nothing, as in a browser; :meth:`close` read it as text, a ``<`` at a time, each time searching the
        rest: quadratic (a page ending in 50,000 ``<!--`` took 75 s, and its article was that markup)."""
        if self.rawdata.startswith("<") and len(self.rawdata) > 1 and not self.cdata_elem:
            self.rawdata = ""
        self.close()


FLAT_SECONDS_FLOOR = 5.0
FLAT_SECONDS_PER_MB = 10.0
"""The time a page read without a tree may take (:func:`seconds_allowed`): the tokenizer costs about 3 s
a MB of nested tags (200,000 ``<div>`` in 1.4 MB: 4 s)."""
_FLAT_CHUNK = 1 << 16


# A "<" that opens no markup: the tokenizer reads each as one piece of text, a call apiece (20 MB of
# "< " took 80 s). It is read as a noncharacter, with the text around it, and made "<" again.
_BARE_LT = re.compile(r"<(?![A-Za-z/!?])")
_LT_STANDIN = "\ufdd0"


def _flat_text(markup: str, deadline: float | None = None) -> tuple[str, float]:
    """The page's text read without a tree (:class:`_FlatText`), and the share of the page read: past
    the time allowed (:data:`FLAT_SECONDS_FLOOR`), or past ``deadline`` (a :func:`time.monotonic` time:
    a web archive's), the rest is left, what was read kept."""
    reader = _FlatText()
    allowed = time.monotonic() + seconds_allowed(FLAT_SECONDS_FLOOR, FLAT_SECONDS_PER_MB, len(markup))
    deadline = allowed if deadline is None else min(deadline, allowed)
    markup = _BARE_LT.sub(_LT_STANDIN, markup.replace(_LT_STANDIN, ""))
    done = 0
    while done < len(markup) and time.monotonic() < deadline:
        # A tag or comment still open is searched again from its start at each piece: the pieces grow
        # with it, or that is quadratic (5 MB of "a<b " took 57 s).
        step = max(_FLAT_CHUNK, len(reader.rawdata))
        reader.feed(markup[done : done + step])
        done += step
    if done >= len(markup):
        reader.finish()
    # Else the time is up: what is pending is left unread (closing could take as long again).
    text = _paragraphs("".join(reader.parts)).replace(_LT_STANDIN, "<")
    return text, min(done, len(markup)) / max(len(markup), 1)


def _paragraphs(text: str) -> str:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)


def fragment_text(markup: str) -> str:
    """Plain text of an HTML fragment, one paragraph per block element."""
    markup = _XML_DECLARATION.sub("", markup)
    try:
        root, depth = _parsed(markup, fragment=True)
    except (etree.ParserError, ValueError):
        return markup
    return _element_text(root) if depth else _flat_text(markup)[0]


def _element_text(root: lxml.html.HtmlElement) -> str:
    for element in list(root.iter(*_DROP_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n\n" + (element.tail or "")
        if element.text is not None or len(element):
            element.text = "\n\n" + (element.text or "")
    return _paragraphs(root.text_content())


@cache
def _trafilatura() -> Any:
    import trafilatura

    # trafilatura and htmldate log a warning for every page they find thin; the
    # ingest run reports skipped files itself.
    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return trafilatura


def _main_text(text: str | lxml.html.HtmlElement) -> tuple[dict[str, Any], str]:
    """trafilatura's metadata, and its main text with one paragraph per line made blank-line separated.

    ``text``: the page, or a tree of it (trafilatura's own parse keeps 256 levels of nesting)."""
    document = _trafilatura().bare_extraction(text, with_metadata=True, include_comments=False, include_tables=True)
    extracted: dict[str, Any] = document.as_dict() if document is not None else {}
    lines = [line.strip() for line in (extracted.get("text") or "").split("\n")]
    return extracted, "\n\n".join(line for line in lines if line)


def _metadata(page: lxml.html.HtmlElement) -> dict[str, Any]:
    """trafilatura's metadata of a page's tree (title, date, author, site, tags), without its main text."""
    from trafilatura.metadata import extract_metadata

    _trafilatura()
    document = extract_metadata(page)
    return document.as_dict() if document is not None else {}


def parse(
    text: str, path: Path, options: ParseOptions, warnings: list[str], deadline: float | None = None
) -> list[RawArticle]:
    """One article per page. ``deadline``: when a page too deep for a tree stops being read (a
    :func:`time.monotonic` time), at the latest; a web archive's page has its archive's."""
    text = _XML_DECLARATION.sub("", text)
    if not text.strip():
        raise IngestError("no text found in the page")
    try:
        page, depth = _parsed(text, fragment=False)
    except (etree.ParserError, ValueError) as exc:
        raise IngestError(f"cannot parse HTML: {exc}") from None
    elements = sum(1 for _ in page.iter())
    # A page whose parse hit a size limit (a text or attribute over 10 MB) is parsed with huge_tree too.
    oversize = depth != 256 and _oversize(page)
    extracted: dict[str, Any] = {}
    body = ""
    if not depth:
        # Past lxml's deepest, the tree lacks what is nested deeper: all the text, read without a tree.
        body, share = _flat_text(text, deadline)
        kept = "all the page's text kept" if share >= 1 else f"the text of its first {share:.0%} kept (time allowed)"
        warnings.append(f"elements nested more than {MAX_TREE_DEPTH:,} deep: too deep for main-text extraction, {kept}")
        if elements <= MAX_EXTRACTION_ELEMENTS and not oversize:
            # The metadata is in the head, which the tree keeps: without it the page lost its date
            # (trafilatura found it before), and its title kept the site's name.
            extracted = _metadata(copy.deepcopy(page))
    elif elements > MAX_EXTRACTION_ELEMENTS:
        # trafilatura takes ~0.1 ms and several KB per element: a 5 MB page of 500,000 <p>
        # took a minute and 1 GB. Such a page keeps all its text, boilerplate and all.
        warnings.append(f"{elements} elements: too many for main-text extraction, all the page's text kept")
    elif oversize:
        warnings.append(
            f"a text of more than {MAX_VALUE_CHARS:,} characters in one element: too long for main-text extraction,"
            " all the page's text kept"
        )
    elif depth > 256 and (deepest := _deepest(page)) > MAX_EXTRACTION_DEPTH:
        kept = "all the page's text kept"
        warnings.append(f"elements nested {deepest:,} deep: too deep for main-text extraction, {kept}")
        extracted = _metadata(copy.deepcopy(page))
    else:
        # A page nested deeper than trafilatura's own parse keeps is given the tree (a copy: it prunes it).
        extracted, body = _main_text(text if depth == 256 else copy.deepcopy(page))
    title = extracted.get("title") or _meta(page, "og:title") or (page.findtext(".//title") or "").strip()
    if title and body.split("\n", 1)[0] == title.strip():
        body = body.split("\n\n", 1)[1] if "\n\n" in body else ""
    if not body:
        body_element = page.find("body")
        body = _element_text(body_element) if body_element is not None else ""
    if not body.strip():
        raise IngestError("no text found in the page")
    tags = as_tags([extracted.get("tags"), extracted.get("categories")])
    return [
        RawArticle(
            body=body,
            title=title or None,
            source=extracted.get("sitename") or _meta(page, "og:site_name"),
            date=extracted.get("date") or _meta(page, "article:published_time"),
            url=extracted.get("url") or _meta(page, "og:url"),
            author=extracted.get("author") or _meta(page, "author"),
            language=page.get("lang") or page.get("xml:lang") or extracted.get("language"),
            tags=tags or as_tags(_meta(page, "keywords")),
        )
    ]


def _meta(page: lxml.html.HtmlElement, name: str) -> str | None:
    for element in page.iter("meta"):
        if name in (element.get("property"), element.get("name")):
            content = (element.get("content") or "").strip()
            if content:
                return content
    return None
