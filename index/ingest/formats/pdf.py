"""PDF documents: text per page by pypdfium2 (PDFium), OCR by Tesseract for pages without a text layer.

One article per file, its pages kept (``RawArticle.pages``) so the stored text
knows where each page starts. Per page: lines from PDFium's text runs in its
reading order, words broken at a line end joined again, paragraphs where the
line spacing opens up; across pages: lines repeated at the top or bottom of
most pages (running headers, "page N" footers) removed. Before PDFium sees the
file its streams are measured (:mod:`.pdfscan`), so a decompression bomb is a
warning, not an exhausted machine. Why PDFium: bench/pdf_libraries.py.
"""

from __future__ import annotations

import itertools
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.formats import ParseOptions, seconds_allowed
from newsdesk.index.ingest.formats.ocr import OcrUnavailable, ocr_page
from newsdesk.index.ingest.formats.pdfscan import scan_streams
from newsdesk.index.ingest.model import RawArticle

MAX_PAGES = 5000
# A document whose pages keep PDFium (or Tesseract) busy longer than this is cut short with a warning.
TIME_BUDGET_SECONDS = 600.0
# Reading text layers costs time in proportion to the content PDFium decodes, which a real
# document's file size tells; but thousands of pages may all show one heavy content stream
# (an 11 KB file whose 5000 pages each hold a 4 MB stream took the whole 600 s). Text layers
# get this many seconds, plus TEXT_SECONDS_PER_MB per MB of the file (OCR time not counted).
TEXT_BUDGET_FLOOR_SECONDS = 10.0
TEXT_SECONDS_PER_MB = 10.0
OCR_OFF = "OCR is off (ingest.ocr: auto reads such pages when Tesseract is installed)"
_FURNITURE_LINES = 2  # lines at the top and at the bottom of a page that may be a running header/footer
_DIGITS = re.compile(r"\d+")
# PDFium marks a hyphen it found at a line end with U+0002 (and drops the line break after it).
_SOFT_HYPHEN_MARK = "\x02"


@dataclass(slots=True)
class _Line:
    text: str
    top: float
    bottom: float
    left: float


def parse(data: bytes, path: Path, options: ParseOptions, warnings: list[str]) -> list[RawArticle]:
    """The document as one article with one entry per page, read in a child process (:mod:`.pdfchild`)."""
    from newsdesk.index.ingest.formats.pdfchild import parse_isolated

    if not data.lstrip().startswith(b"%PDF"):
        raise IngestError("not a PDF (no %PDF header)")
    scan_streams(data, options)
    return parse_isolated(data, options, warnings)


def parse_here(
    data: bytes, options: ParseOptions, warnings: list[str], progress: Callable[[int], None] = lambda page: None
) -> list[RawArticle]:
    """:func:`parse` in this process; ``progress(n)`` is called as page ``n`` is done (0: opened)."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise IngestError(_open_error(str(exc))) from None
    progress(0)
    try:
        text_budget = seconds_allowed(TEXT_BUDGET_FLOOR_SECONDS, TEXT_SECONDS_PER_MB, len(data))
        return [_read(document, options, warnings, progress, text_budget)]
    finally:
        document.close()


def _open_error(message: str) -> str:
    if "password" in message.lower() or "security" in message.lower():
        return "encrypted PDF (needs a password): not read"
    reason = message.rpartition("PDFium:")[2].strip(" ).") or message
    return f"broken PDF: {reason.lower()}"


def _read(
    document: Any,
    options: ParseOptions,
    warnings: list[str],
    progress: Callable[[int], None],
    text_budget: float = TIME_BUDGET_SECONDS,
) -> RawArticle:
    import pypdfium2

    count = len(document)
    if count > MAX_PAGES:
        warnings.append(f"{count} pages: only the first {MAX_PAGES} are read")
        count = MAX_PAGES
    started = time.monotonic()
    pages: list[list[_Line]] = []
    without_text: list[int] = []
    unreadable: list[int] = []
    ocr_problem: str | None = None
    ocr_seconds = 0.0
    for index in range(count):
        elapsed = time.monotonic() - started
        if elapsed > TIME_BUDGET_SECONDS:
            warnings.append(f"stopped after page {index}: reading took over {TIME_BUDGET_SECONDS:g} s")
            break
        if elapsed - ocr_seconds > text_budget:
            warnings.append(
                f"stopped after page {index}: its text layers took over {text_budget:.0f} s"
                " (far more than a file of this size needs)"
            )
            break
        try:
            page = document[index]
        except pypdfium2.PdfiumError:
            unreadable.append(index + 1)
            pages.append([])
            continue
        try:
            lines = _page_lines(page)
            if not lines:
                without_text.append(index + 1)
                if options.ocr and ocr_problem is None:
                    ocr_started = time.monotonic()
                    try:
                        lines = [_Line(line, 0, 0, 0) for line in ocr_page(page, options)]
                    except OcrUnavailable as exc:
                        ocr_problem = str(exc)
                    finally:
                        ocr_seconds += time.monotonic() - ocr_started
        finally:
            page.close()
        pages.append(lines)
        progress(index + 1)
    if unreadable:
        warnings.append(f"{_page_list(unreadable)} cannot be read, left out")
    if without_text and (ocr_problem or not options.ocr):
        reason = ocr_problem or OCR_OFF
        warnings.append(f"{_page_list(without_text)} without a text layer not read: {reason}")
    texts = _page_texts(pages)
    metadata = _metadata(document)
    if not any(t.strip() for t in texts):
        # A scan with OCR off is not an empty PDF: say why nothing was read, and how to read it.
        if without_text and not ocr_problem and not options.ocr:
            raise IngestError(f"no text in the PDF: {_page_list(without_text)} without a text layer, and {OCR_OFF}")
        stopped = next((w for w in warnings if w.startswith("stopped after page")), None)
        why = ocr_problem or stopped
        raise IngestError("no text in the PDF" + (f" ({why})" if why else ""))
    return RawArticle(
        body="",
        pages=texts,
        title=metadata.get("Title") or None,
        author=metadata.get("Author") or None,
        date=pdf_date(metadata.get("CreationDate") or metadata.get("ModDate")),
        tags=[t.strip() for t in re.split(r"[,;]", metadata.get("Keywords") or "") if t.strip()],
        title_from_first_line=not metadata.get("Title"),
    )


def _page_list(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10]) + (" …" if len(numbers) > 10 else "")
    return f"page {shown}" if len(numbers) == 1 else f"{len(numbers)} pages ({shown})"


def _metadata(document: Any) -> dict[str, str]:
    import pypdfium2

    try:
        return {k: v.strip() for k, v in document.get_metadata_dict(skip_empty=True).items()}
    except (pypdfium2.PdfiumError, UnicodeDecodeError, ValueError):
        return {}


def _page_lines(page: Any) -> list[_Line]:
    """The page's text lines, in PDFium's order, with their vertical extent."""
    textpage = page.get_textpage()
    try:
        lines: list[_Line] = []
        for index in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(index)
            text = textpage.get_text_bounded(left, bottom, right, top)
            text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
            if not text.strip():
                continue
            previous = lines[-1] if lines else None
            # Runs on one baseline (a word in bold, a second font) make one line.
            if previous is not None and min(top, previous.top) - max(bottom, previous.bottom) > 0.5 * (top - bottom):
                gap = " " if not previous.text.endswith((" ", _SOFT_HYPHEN_MARK)) else ""
                previous.text += gap + text.lstrip()
                continue
            lines.append(_Line(text.strip(" "), top, bottom, left))
        return lines
    finally:
        textpage.close()


def _furniture(pages: list[list[_Line]]) -> set[str]:
    """Keys of lines found at the top or bottom of most pages (digits ignored: "page 3 of 9")."""
    with_text = [p for p in pages if p]
    if len(with_text) < 2:
        return set()
    seen: Counter[str] = Counter()
    for lines in with_text:
        edge = lines[:_FURNITURE_LINES] + lines[-_FURNITURE_LINES:]
        seen.update({_key(line.text) for line in edge})
    needed = max(2, (len(with_text) * 6 + 9) // 10)
    return {key for key, count in seen.items() if count >= needed and key}


def _key(text: str) -> str:
    return " ".join(_DIGITS.sub("#", text.lower()).split())


def _page_texts(pages: list[list[_Line]]) -> list[str]:
    texts = _texts_without(_furniture(pages), pages)
    if not any(t.strip() for t in texts):
        # Every line was "furniture": a notice printed twice, pages that are all one page.
        # Repeated lines are then the document itself, not its running headers.
        texts = _texts_without(set(), pages)
    return texts


def _texts_without(furniture: set[str], pages: list[list[_Line]]) -> list[str]:
    hyphenated = hyphenated_words([line.text for lines in pages for line in lines])
    texts = []
    for lines in pages:
        edge = {id(line) for line in lines[:_FURNITURE_LINES] + lines[-_FURNITURE_LINES:]}
        kept = [line for line in lines if not (id(line) in edge and _key(line.text) in furniture)]
        texts.append(_paragraphs(kept, hyphenated))
    return texts


def _paragraphs(lines: list[_Line], hyphenated: set[str]) -> str:
    """Lines joined into paragraphs (blank line between) where the spacing opens up or a column restarts."""
    if not lines:
        return ""
    gaps = [a.bottom - b.top for a, b in itertools.pairwise(lines) if a.bottom > b.top]
    usual = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
    heights = sorted(line.top - line.bottom for line in lines)
    height = heights[len(heights) // 2]
    out = [lines[0].text]
    for previous, line in itertools.pairwise(lines):
        gap = previous.bottom - line.top
        new_paragraph = height > 0 and (gap > usual + 0.5 * height or line.top > previous.top + height)
        out.append("\n\n" if new_paragraph else "\n")
        out.append(line.text)
    return dehyphenate("".join(out), hyphenated)


_LINE_END_HYPHEN = re.compile(r"\b(\w+)([-\u00ad\x02])\n(?=(\w+))")
_JOINED_HYPHEN = re.compile(r"\b(\w+)(\x02)(?=(\w+))")  # PDFium already joined the line around its mark
_COMPOUND = re.compile(r"\b(?=(\w+-\w+))")  # overlapping: state-of, of-the, the-art
_WORD = re.compile(r"\w+")


def hyphenated_words(lines: list[str]) -> set[str]:
    """Compounds the document writes with a hyphen inside a line (casefolded) more often than as one word.

    The evidence for keeping a line-end hyphen: "well-known" written so elsewhere.
    """
    compounds: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for line in lines:
        compounds.update(m.group(1).casefold() for m in _COMPOUND.finditer(line))
        words.update(w.casefold() for w in _WORD.findall(line))
    return {c for c, n in compounds.items() if n >= words[c.replace("-", "")]}


def dehyphenate(text: str, hyphenated: set[str] | frozenset[str] = frozenset()) -> str:
    """Undo line-end hyphenation: ``time-\\ntable`` -> ``timetable``; ``Nagorno-\\nKarabakh`` keeps its hyphen.

    So does a compound in ``hyphenated`` (:func:`hyphenated_words`: "well-\\nknown" when
    the document writes "well-known" elsewhere); a soft hyphen (U+00AD) never stays.
    """

    def join(match: re.Match[str]) -> str:
        before, mark, after = match.groups()
        keep = not after[0].islower() or (mark != "\u00ad" and f"{before}-{after}".casefold() in hyphenated)
        return f"{before}-" if keep else before

    text = _LINE_END_HYPHEN.sub(join, text)
    text = _JOINED_HYPHEN.sub(join, text)
    return text.replace(_SOFT_HYPHEN_MARK, "-")


_PDF_DATE = re.compile(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?")


def pdf_date(value: str | None) -> str | None:
    """A PDF date string (``D:20210304093000+01'00'``) as an ISO date, or None."""
    match = _PDF_DATE.match((value or "").strip())
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    if not ("01" <= month <= "12" and "01" <= day <= "31"):
        return None
    return f"{year}-{month}-{day}"
