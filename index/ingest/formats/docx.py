"""Word documents (.docx) by python-docx: paragraphs, headings and tables in document order.

A .docx is a zip; its members' declared sizes are checked against the
expansion bounds before python-docx opens it (zipfile never inflates a member
past its declared size), so a zip bomb is one warning.
"""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

from lxml import etree
from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.formats import ParseOptions, as_tags, as_text, seconds_allowed
from newsdesk.index.ingest.formats.archive import check_expansion
from newsdesk.index.ingest.model import RawArticle

MAX_MEMBERS = 10_000
# python-docx spends ~40 us on each paragraph's text, and a 36 KB .docx may hold 300,000 of
# them (10 MB of XML, under the 16 MB below which no expansion ratio applies): 15 s. Reading
# gets this many seconds plus SECONDS_PER_MB per MB of the file; past it, the text read is kept.
SECONDS_FLOOR = 5.0
SECONDS_PER_MB = 10.0
_HEADING_STYLES = ("heading", "title", "subtitle")


def parse(data: bytes, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """The document as one article; its core properties as metadata."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_zip(data, options)
    try:
        document = docx.Document(io.BytesIO(data))
        allowed = seconds_allowed(SECONDS_FLOOR, SECONDS_PER_MB, len(data))
        paragraphs = _blocks(document, time.monotonic() + allowed)
        if paragraphs and paragraphs[-1] is _CUT_SHORT:
            paragraphs.pop()
            warnings.append(
                f"stopped after {len(paragraphs)} paragraphs: reading took over {allowed:.0f} s,"
                " far more than a document of this size needs"
            )
        if _has_core_properties(document):
            properties = document.core_properties
            title, author = properties.title, properties.author
            date = properties.created or properties.modified
            keywords, language = properties.keywords, properties.language
        else:
            # python-docx makes up properties for a package without docProps/core.xml: the
            # title "Word Document", and the time of reading as the modified date.
            title = author = date = keywords = language = None
    # python-docx reports a damaged package with whatever its zip and XML access hit.
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        zlib.error,
        etree.XMLSyntaxError,
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        NotImplementedError,
        EOFError,
        RecursionError,
    ) as exc:
        raise IngestError(f"not a readable Word document: {type(exc).__name__}") from None
    body = "\n\n".join(p for p in paragraphs if p.strip())
    if not body.strip():
        raise IngestError("no text in the Word document")
    return [
        RawArticle(
            body=body,
            title=as_text(title),
            author=as_text(author),
            date=as_text(date),
            language=as_text(language),
            tags=as_tags(keywords),
            title_from_first_line=not title,
        )
    ]


def _has_core_properties(document: Any) -> bool:
    from docx.opc.constants import RELATIONSHIP_TYPE

    try:
        document.part.package.part_related_by(RELATIONSHIP_TYPE.CORE_PROPERTIES)
    except KeyError:
        return False
    return True


def check_zip(data: bytes, options: ParseOptions) -> None:
    """IngestError for a damaged zip; ExpansionLimitError when its members would expand past the bounds."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise IngestError(f"not a Word document (damaged zip: {exc})") from None
    if len(members) > MAX_MEMBERS:
        raise IngestError(f"not a Word document ({len(members)} zip members)")
    # zipfile raises a bare RuntimeError on an encrypted member, far inside python-docx.
    if any(member.flag_bits & 0x1 for member in members):
        raise IngestError("an encrypted (password-protected) Word document")
    check_expansion(sum(member.file_size for member in members), len(data), options, "Word document")


_CUT_SHORT = "\0cut short"


def _blocks(document: Any, deadline: float = float("inf")) -> list[str]:
    """Paragraph and table texts in document order; a table row is its cells joined by " | ".

    Past ``deadline`` the list read so far ends with ``_CUT_SHORT``.
    """
    from docx.table import Table

    blocks: list[str] = []
    for count, block in enumerate(document.iter_inner_content()):
        if count % 256 == 255 and time.monotonic() > deadline:
            blocks.append(_CUT_SHORT)
            break
        if isinstance(block, Table):
            for row in block.rows:
                if time.monotonic() > deadline:  # a row may hold hundreds of cells
                    blocks.append(_CUT_SHORT)
                    return blocks
                cells = list(dict.fromkeys(" ".join(cell.text.split()) for cell in row.cells))  # merged cells repeat
                line = " | ".join(cell for cell in cells if cell)
                if line:
                    blocks.append(line)
        else:
            blocks.append(block.text)
    return blocks
