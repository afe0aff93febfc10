"""Generate the PDF, Word, e-mail and WARC fixtures the format tests use (no downloaded documents).

Every generator returns bytes, so tests write them into ``tmp_path`` and the
bench scripts reuse the same documents. fpdf2 and Pillow are test-only
dependencies; python-docx and warcio are runtime ones that can also write.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage

PARAGRAPHS = [
    "The harbour council met on Tuesday to discuss the new ferry timetable for the coming winter season.",
    "Councillors agreed that weekday crossings would start at ten past six and end shortly before midnight.",
    "Residents of the outer islands had asked for an earlier first crossing so that workers reach the mainland.",
    "The operator said that two additional vessels would be chartered from a company based in the north.",
    "A final decision on fares will be taken in spring after the regional transport authority reports back.",
]


@dataclass
class PdfSpec:
    """What a generated PDF holds: one list of paragraphs per page, plus furniture and metadata."""

    pages: list[list[str]]
    header: str | None = "Lakeside Gazette - Council report"
    footer: str | None = "Confidential - page {page}"
    title: str | None = "Ferry timetable report"
    author: str | None = "Ines Varga"
    creation_date: tuple[int, int, int] | None = (2021, 3, 4)
    width_mm: float = 110.0
    """Text column width: narrow enough that long words wrap and get hyphenated."""
    two_columns_interleaved: bool = False
    """Write two columns line by line across the page (the worst content-stream order)."""
    hyphenate: list[str] = field(default_factory=list)
    """Words broken at the end of a line as ``wo-`` / ``rd``."""


def make_pdf(spec: PdfSpec) -> bytes:
    """A text-layer PDF as ``spec`` says, with core fonts (Latin-1 only)."""
    from datetime import datetime

    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_compression(True)
    if spec.title:
        pdf.set_title(spec.title)
    if spec.author:
        pdf.set_author(spec.author)
    if spec.creation_date:
        pdf.set_creation_date(datetime(*spec.creation_date))
    for number, paragraphs in enumerate(spec.pages, 1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        if spec.header:
            pdf.set_xy(20, 10)
            pdf.cell(0, 5, spec.header)
        if spec.footer:
            pdf.set_xy(20, 285)
            pdf.cell(0, 5, spec.footer.format(page=number))
        pdf.set_font("Helvetica", size=11)
        if spec.two_columns_interleaved:
            _interleaved_columns(pdf, paragraphs)
            continue
        y = 25.0
        for paragraph in paragraphs:
            for line in _lines(pdf, paragraph, spec.width_mm, spec.hyphenate):
                pdf.set_xy(20, y)
                pdf.cell(0, 6, line)
                y += 6
            y += 4
    return bytes(pdf.output())


def _lines(pdf: object, paragraph: str, width_mm: float, hyphenate: Sequence[str]) -> list[str]:
    """Greedy wrap; a word listed in ``hyphenate`` that ends a line is split with a hyphen."""
    lines: list[str] = []
    current = ""
    for word in paragraph.split():
        candidate = f"{current} {word}".strip()
        if pdf.get_string_width(candidate) <= width_mm or not current:  # type: ignore[attr-defined]
            current = candidate
            continue
        if word.strip(".,") in hyphenate:
            cut = word.find("-") + 1 or len(word) // 2  # a compound breaks after its own hyphen: "well-" / "known"
            lines.append(f"{current} {word[:cut]}" + ("" if word[cut - 1] == "-" else "-"))
            current = word[cut:]
            continue
        lines.append(current)
        current = word
    if current:
        lines.append(current)
    return lines


def _interleaved_columns(pdf: object, paragraphs: list[str]) -> None:
    half = (len(paragraphs) + 1) // 2
    left = [line for p in paragraphs[:half] for line in [*_lines(pdf, p, 80, ()), ""]]
    right = [line for p in paragraphs[half:] for line in [*_lines(pdf, p, 80, ()), ""]]
    for row in range(max(len(left), len(right))):
        for x, column in ((15, left), (110, right)):
            if row < len(column) and column[row]:
                pdf.set_xy(x, 25 + row * 6)  # type: ignore[attr-defined]
                pdf.cell(80, 6, column[row])  # type: ignore[attr-defined]


def make_scanned_pdf(paragraphs: Sequence[str], pages: int = 1) -> bytes:
    """An image-only PDF (no text layer): the text is drawn into a bitmap with Pillow, as a scanner would."""
    from PIL import Image, ImageDraw, ImageFont

    images = []
    for _ in range(pages):
        image = Image.new("L", (1240, 1754), 255)  # A4 at 150 dpi
        draw = ImageDraw.Draw(image)
        try:
            font = ImageFont.truetype("DejaVuSans.ttf", 30)
        except OSError:
            font = ImageFont.load_default(size=30)
        y = 120
        for paragraph in paragraphs:
            words, line = paragraph.split(), ""
            for word in words:
                if draw.textlength(f"{line} {word}", font=font) > 1000 and line:
                    draw.text((120, y), line.strip(), fill=0, font=font)
                    y += 44
                    line = ""
                line = f"{line} {word}"
            draw.text((120, y), line.strip(), fill=0, font=font)
            y += 70
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=150.0, save_all=True, append_images=images[1:])
    return out.getvalue()


def make_docx(title: str = "Briefing on ferry services", author: str = "Ines Varga") -> bytes:
    """A Word document: core properties, a heading, paragraphs and a table."""
    from datetime import datetime

    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    document.core_properties.created = datetime(2021, 3, 4, 9, 30)
    document.core_properties.keywords = "ferry; council"
    document.core_properties.language = "en-GB"
    document.add_heading("Background", level=1)
    document.add_paragraph(PARAGRAPHS[0])
    document.add_paragraph(PARAGRAPHS[1])
    document.add_heading("Timetable", level=2)
    table = document.add_table(rows=3, cols=2)
    for row, cells in enumerate((("Crossing", "Time"), ("First", "06:10"), ("Last", "23:40"))):
        for column, value in enumerate(cells):
            table.cell(row, column).text = value
    document.add_paragraph(PARAGRAPHS[2])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_email(
    subject: str = "Tip: ferry contract",
    sender: str = "Ines Varga <ines@example.org>",
    date: str = "Thu, 04 Mar 2021 09:30:00 +0000",
    body: str = PARAGRAPHS[0],
    html: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> EmailMessage:
    """A message with a plain (or HTML-only) body and ``(filename, data, mime type)`` attachments."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = "desk@example.org"
    message["Date"] = date
    message["Message-ID"] = f"<{abs(hash((subject, date)))}@example.org>"
    if html is None:
        message.set_content(body)
    else:
        message.set_content(html, subtype="html")
    for filename, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def make_mbox(messages: Sequence[EmailMessage | bytes]) -> bytes:
    """An mbox (mboxrd quoting) of ``messages``; bytes are written as they are, for malformed ones."""
    out = io.BytesIO()
    for message in messages:
        raw = message if isinstance(message, bytes) else message.as_bytes()
        out.write(b"From sender@example.org Thu Mar  4 09:30:00 2021\n")
        for line in raw.replace(b"\r\n", b"\n").split(b"\n"):
            stripped = line.lstrip(b">")
            out.write((b">" + line if stripped.startswith(b"From ") else line) + b"\n")
        out.write(b"\n")
    return out.getvalue()


def html_page(title: str, paragraphs: Sequence[str]) -> str:
    """An article page with navigation chrome around the main text."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{title}</title></head><body><nav>Home | World | Sport</nav>"
        f"<article><h1>{title}</h1>{body}</article><footer>Contact us</footer></body></html>"
    )


def make_warc(records: Sequence[tuple[str, str, bytes, str]], gzip: bool = True) -> bytes:
    """A WARC of HTTP responses: ``(url, WARC-Date, body, content type)`` each."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzip)
    for url, date, body, content_type in records:
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_record(record)
    return out.getvalue()
