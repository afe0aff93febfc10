"""HTML pages: the article's main text by trafilatura, metadata from the page's meta tags."""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree
from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.formats import ParseOptions, as_tags
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


def fragment_text(markup: str) -> str:
    """Plain text of an HTML fragment, one paragraph per block element."""
    try:
        root = lxml.html.fragment_fromstring(_XML_DECLARATION.sub("", markup), create_parent="div")
    except (etree.ParserError, ValueError):
        return markup
    return _element_text(root)


def _element_text(root: lxml.html.HtmlElement) -> str:
    for element in list(root.iter(*_DROP_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n\n" + (element.tail or "")
        if element.text is not None or len(element):
            element.text = "\n\n" + (element.text or "")
    text = root.text_content()
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)


@cache
def _trafilatura() -> Any:
    import trafilatura

    # trafilatura and htmldate log a warning for every page they find thin; the
    # ingest run reports skipped files itself.
    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return trafilatura


def _main_text(text: str) -> tuple[dict[str, Any], str]:
    """trafilatura's metadata, and its main text with one paragraph per line made blank-line separated."""
    document = _trafilatura().bare_extraction(text, with_metadata=True, include_comments=False, include_tables=True)
    extracted: dict[str, Any] = document.as_dict() if document is not None else {}
    lines = [line.strip() for line in (extracted.get("text") or "").split("\n")]
    return extracted, "\n\n".join(line for line in lines if line)


def parse(text: str, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """One article per page."""
    text = _XML_DECLARATION.sub("", text)
    if not text.strip():
        raise IngestError("no text found in the page")
    try:
        page = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise IngestError(f"cannot parse HTML: {exc}") from None
    elements = sum(1 for _ in page.iter())
    if elements > MAX_EXTRACTION_ELEMENTS:
        # trafilatura takes ~0.1 ms and several KB per element: a 5 MB page of 500,000 <p>
        # took a minute and 1 GB. Such a page keeps all its text, boilerplate and all.
        warnings.append(f"{elements} elements: too many for main-text extraction, all the page's text kept")
        extracted: dict[str, Any] = {}
        body = ""
    else:
        extracted, body = _main_text(text)
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
