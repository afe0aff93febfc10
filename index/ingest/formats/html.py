"""HTML pages: the article's main text by trafilatura, metadata from the page's meta tags."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import lxml.html
from lxml import etree

from index.errors import IngestError
from index.ingest.formats import ParseOptions, as_tags
from index.ingest.model import RawArticle

_BLOCK_TAGS = {
    "p", "div", "section", "article", "blockquote", "li", "ul", "ol", "table", "tr",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "figure", "figcaption", "br", "hr",
}
_DROP_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form")


def fragment_text(markup: str) -> str:
    """Plain text of an HTML fragment, one paragraph per block element."""
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
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


def parse(text: str, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """One article per page."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    try:
        page = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise IngestError(f"cannot parse HTML: {exc}") from None
    document = trafilatura.bare_extraction(
        text, with_metadata=True, include_comments=False, include_tables=True
    )
    extracted = document.as_dict() if document is not None else {}
    title = extracted.get("title") or _meta(page, "og:title") or (page.findtext(".//title") or "").strip()
    body = extracted.get("text") or ""
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    if lines and title and lines[0] == title.strip():
        lines = lines[1:]
    body = "\n\n".join(lines)
    if not body:
        body_element = page.find("body")
        body = _element_text(body_element) if body_element is not None else ""
    if not body.strip():
        raise IngestError("no text found in the page")
    tags = as_tags(extracted.get("tags")) + as_tags(extracted.get("categories"))
    if not tags:
        tags = as_tags(_meta(page, "keywords"))
    return [
        RawArticle(
            body=body,
            title=title or None,
            source=extracted.get("sitename") or _meta(page, "og:site_name"),
            date=extracted.get("date") or _meta(page, "article:published_time"),
            url=extracted.get("url") or _meta(page, "og:url"),
            author=extracted.get("author") or _meta(page, "author"),
            language=page.get("lang") or extracted.get("language"),
            tags=tags,
        )
    ]


def _meta(page: lxml.html.HtmlElement, name: str) -> str | None:
    for element in page.iter("meta"):
        if name in (element.get("property"), element.get("name")):
            content = (element.get("content") or "").strip()
            if content:
                return content
    return None
