"""PDF: text per page, hyphenation, running headers, metadata, page offsets, OCR, hostile files."""

from __future__ import annotations

import dataclasses
import functools
import json
import shutil
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index.article import Page, page_at
from newsdesk.index.config import IngestConfig
from newsdesk.index.errors import ExpansionLimitError
from newsdesk.index.ingest.discover import FileEntry
from newsdesk.index.ingest.formats import ParseOptions, parse_file
from newsdesk.index.ingest.formats.pdf import dehyphenate, hyphenated_words, pdf_date
from newsdesk.index.ingest.formats.pdfscan import scan_streams
from newsdesk.index.ingest.reader import ReaderSettings, read_entry
from newsdesk.tui.cli import main

from tests.documents import PARAGRAPHS, PdfSpec, make_pdf, make_scanned_pdf

SETTINGS = ReaderSettings.from_config(IngestConfig())
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract is not installed (apt-get install tesseract-ocr)"
)
NO_TESSERACT = dataclasses.replace(
    SETTINGS, parse_options=dataclasses.replace(SETTINGS.parse_options, ocr_program=None)
)
HYPHENATED = ["timetable", "crossings", "islands", "additional"]


def read(path: Path, settings: ReaderSettings = SETTINGS):
    stat = path.stat()
    return read_entry(FileEntry(path.name, str(path), stat.st_size, stat.st_mtime_ns), settings)


def report(tmp_path: Path, **changes: object) -> Path:
    spec = PdfSpec(pages=[PARAGRAPHS[:2], PARAGRAPHS[2:4], PARAGRAPHS[4:]], hyphenate=HYPHENATED)
    for key, value in changes.items():
        setattr(spec, key, value)
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf(spec))
    return path


def test_text_per_page_with_metadata_and_offsets(tmp_path: Path) -> None:
    result = read(report(tmp_path))
    assert result.skipped is None and result.warnings == []
    [article] = result.articles
    assert (article.title, article.author, article.date) == ("Ferry timetable report", "Ines Varga", "2021-03-04")
    assert [p.number for p in article.pages] == [1, 2, 3]
    for page, paragraphs in zip(article.pages, (PARAGRAPHS[:2], PARAGRAPHS[2:4], PARAGRAPHS[4:]), strict=True):
        page_text = " ".join(article.text[page.start : page.end].split())
        assert page_text == " ".join(paragraphs)
    assert article.text[article.pages[0].end : article.pages[1].start] == "\n\n"
    offset = article.text.index("The operator said")
    assert article.page_at(offset) == 2 and article.page_at(0) == 1


def test_hyphens_at_line_ends_undone_and_furniture_removed(tmp_path: Path) -> None:
    [article] = read(report(tmp_path)).articles
    for word in HYPHENATED:
        assert word in article.text
    assert "Lakeside Gazette" not in article.text and "Confidential" not in article.text


def test_furniture_kept_when_it_is_not_repeated(tmp_path: Path) -> None:
    [article] = read(report(tmp_path, pages=[PARAGRAPHS[:2]])).articles
    assert "Lakeside Gazette" in article.text


def test_paragraphs_are_separated(tmp_path: Path) -> None:
    [article] = read(report(tmp_path, header=None, footer=None)).articles
    first_page = article.text[article.pages[0].start : article.pages[0].end]
    assert first_page.count("\n\n") == 1  # two paragraphs, lines within them joined by single newlines


def test_title_from_first_line_without_metadata(tmp_path: Path) -> None:
    path = report(
        tmp_path, title=None, header=None, footer=None, pages=[["Ferry report", *PARAGRAPHS[:2]], PARAGRAPHS[2:]]
    )
    [article] = read(path).articles
    assert article.title == "Ferry report"
    assert not article.text.startswith("Ferry report")
    assert article.text[article.pages[0].start :].startswith("The harbour council")
    assert article.text[article.pages[1].start :].startswith("Residents")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("time-\ntable", "timetable"),
        ("Nagorno-\nKarabakh", "Nagorno-Karabakh"),
        ("time\x02table", "timetable"),
        ("2020-\n2021", "2020-2021"),
        ("end -\nnext", "end -\nnext"),
    ],
)
def test_dehyphenate(text: str, expected: str) -> None:
    assert dehyphenate(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("well-\nknown", "well-known"),
        ("Well\x02known", "Well-known"),
        ("well\u00ad\nknown", "wellknown"),  # a soft hyphen is only ever a break
        ("time-\ntable", "timetable"),
    ],
)
def test_dehyphenate_keeps_compounds_the_document_hyphenates(text: str, expected: str) -> None:
    assert dehyphenate(text, hyphenated_words(["a well-known crossing", "state-of-the-art"])) == expected


def test_hyphenated_words_weighs_both_spellings() -> None:
    assert hyphenated_words(["state-of-the-art", "an e-mail"]) == {"state-of", "of-the", "the-art", "e-mail"}
    assert hyphenated_words(["an e-mail, an email, one more email"]) == set()


def test_compound_broken_at_a_line_end_keeps_its_hyphen(tmp_path: Path) -> None:
    sentence = "The well-known ferry and the well-known harbour council met the well-known operator again."
    path = tmp_path / "compound.pdf"
    path.write_bytes(make_pdf(PdfSpec(pages=[[" ".join([sentence] * 6)]], hyphenate=["well-known"])))
    [article] = read(path).articles
    assert "wellknown" not in article.text
    assert " ".join(article.text.split()).count("well-known") == 18


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("D:20210304093000+01'00'", "2021-03-04"),
        ("D:2021", "2021-01-01"),
        ("D:20211399", None),
        ("", None),
        (None, None),
    ],
)
def test_pdf_date(value: str | None, expected: str | None) -> None:
    assert pdf_date(value) == expected


def test_page_at_with_empty_pages() -> None:
    pages = [Page(1, 0, 10), Page(2, 12, 12), Page(3, 12, 20), Page(4, 20, 20)]
    assert [page_at(pages, o) for o in (0, 9, 10, 11, 12, 19, 20, -1)] == [1, 1, 1, 1, 3, 3, None, None]
    assert page_at([], 3) is None


def test_show_json_gives_page_offsets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report(corpus)
    assert main(["index", "--corpus", str(corpus)]) == 0
    capsys.readouterr()
    assert main(["show", "report.pdf", "--corpus", str(corpus), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [p["number"] for p in shown["pages"]] == [1, 2, 3]
    assert shown["pages"][0]["start"] == 0 and shown["pages"][-1]["end"] == len(shown["text"])
    assert shown["text"][shown["pages"][1]["start"] :].startswith("Residents")


def test_encrypted_pdf_is_one_line(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 10, "Secret report")
    path = tmp_path / "locked.pdf"
    path.write_bytes(bytes(pdf.output()))
    result = read(path)
    assert result.articles == [] and result.skipped == "encrypted PDF (needs a password): not read"


@pytest.mark.parametrize("cut", [10, 200, 600])
def test_truncated_pdf_is_one_line(tmp_path: Path, cut: int) -> None:
    data = report(tmp_path).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[:cut])
    result = read(path)
    assert result.articles == [] or result.articles[0].text
    assert result.skipped is None or "\n" not in result.skipped


@functools.cache
def deflated_spaces(size: int, layers: int) -> bytes:
    """``size`` spaces deflated ``layers`` times, made once: deflating 64 MB takes 0.2 s, and a dozen bombs use it."""
    body = b" " * size
    for _ in range(layers):
        body = zlib.compress(body, 9)
    return body


def _bomb_pdf(expanded: int, layers: int = 1, filter_ref: tuple[bytes, bytes] | None = None) -> bytes:
    """A one-page PDF whose content stream inflates to ``expanded`` bytes of spaces.

    ``filter_ref``: the stream's /Filter value and object 5's value (where it points), for indirect filters.
    """
    body = deflated_spaces(expanded, layers)
    filters = b"[%s]" % " ".join(["/FlateDecode"] * layers).encode()
    if filter_ref is not None:
        filters = filter_ref[0]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter %s >>\nstream\n" % (len(body), filters) + body + b"\nendstream",
    ]
    if filter_ref is not None:
        objects.append(filter_ref[1])
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.mark.parametrize("layers", [1, 2])
def test_decompression_bomb_in_a_stream_is_one_line(tmp_path: Path, layers: int) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(_bomb_pdf(64 * 1024 * 1024, layers))
    assert path.stat().st_size < 200_000
    result = read(path)
    assert result.articles == []
    assert "expands more than 200 times (ingest.max_expansion_ratio)" in (result.skipped or "")


def test_expansion_bound_by_size(tmp_path: Path) -> None:
    config = IngestConfig(max_expanded_mb=1)
    path = tmp_path / "big.pdf"
    path.write_bytes(_bomb_pdf(2 * 1024 * 1024))
    result = read(path, ReaderSettings.from_config(config))
    assert "expands past 1 MB (ingest.max_expanded_mb)" in (result.skipped or "")


@pytest.mark.parametrize(
    "filter_ref",
    [
        (b"5 0 R", b"/FlateDecode"),
        (b"5 0 R", b"[/FlateDecode]"),
        (b"[5 0 R]", b"/FlateDecode"),
        (b"9 0 R", b"null"),  # points nowhere the scan can see (an object stream, say): treated as compressed
    ],
)
def test_indirect_filter_is_bounded_too(tmp_path: Path, filter_ref: tuple[bytes, bytes]) -> None:
    config = IngestConfig(max_expanded_mb=1)
    path = tmp_path / "indirect.pdf"
    path.write_bytes(_bomb_pdf(2 * 1024 * 1024, filter_ref=filter_ref))
    result = read(path, ReaderSettings.from_config(config))
    assert result.articles == []
    assert result.skipped == "PDF streams expands past 1 MB (ingest.max_expanded_mb): not read further"


def test_scanned_pdf_without_tesseract_is_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_scanned_pdf(PARAGRAPHS[:1], pages=2))
    result = read(path, NO_TESSERACT)
    assert result.articles == []
    assert result.skipped == (
        "no text in the PDF (Tesseract is not installed (install tesseract-ocr, or set ingest.ocr: off))"
    )


def test_mixed_pdf_without_tesseract_warns_once_and_keeps_the_text(tmp_path: Path) -> None:
    text_pdf = make_pdf(PdfSpec(pages=[PARAGRAPHS[:2]]))
    scan = make_scanned_pdf(PARAGRAPHS[:1], pages=2)
    import pypdfium2

    merged = pypdfium2.PdfDocument(text_pdf)
    merged.import_pages(pypdfium2.PdfDocument(scan))
    path = tmp_path / "mixed.pdf"
    merged.save(str(path))
    result = read(path, NO_TESSERACT)
    [article] = result.articles
    assert "harbour council" in article.text
    assert result.warnings == [
        "2 pages (2, 3) without a text layer not read: Tesseract is not installed "
        "(install tesseract-ocr, or set ingest.ocr: off)"
    ]


def test_ocr_off_is_said(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_scanned_pdf(PARAGRAPHS[:1]))
    result = read(path, ReaderSettings.from_config(IngestConfig(ocr="off")))
    assert result.articles == []
    assert result.skipped == (
        "no text in the PDF: page 1 without a text layer, "
        "and OCR is off (ingest.ocr: auto reads such pages when Tesseract is installed)"
    )


@needs_tesseract
def test_scanned_pdf_is_read_by_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_scanned_pdf(PARAGRAPHS[:2]))
    result = read(path)
    [article] = result.articles
    words = " ".join(f"{article.title} {article.text}".split()).lower()  # no metadata: line one is the title
    assert "harbour council met on tuesday" in words
    assert "weekday crossings" in words
    assert [p.number for p in article.pages] == [1]


@needs_tesseract
def test_missing_ocr_language_is_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_scanned_pdf(PARAGRAPHS[:1]))
    result = read(path, ReaderSettings.from_config(IngestConfig(ocr_languages=["xyz"])))
    assert result.articles == []
    assert "Failed loading language" in (result.skipped or "") and "\n" not in (result.skipped or "")


VALID = make_pdf(PdfSpec(pages=[PARAGRAPHS[:2], PARAGRAPHS[2:]], hyphenate=HYPHENATED))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_pdfs_give_an_article_or_one_line(data: st.DataObject) -> None:
    blob = bytearray(VALID)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(blob) - 1))
        blob[at : at + data.draw(st.integers(0, 16))] = data.draw(st.binary(max_size=16))
    _article_or_one_line(bytes(blob))


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=2048).map(lambda b: b"%PDF-1.4\n" + b))
def test_generated_bytes_give_an_article_or_one_line(blob: bytes) -> None:
    _article_or_one_line(blob)


def _article_or_one_line(blob: bytes) -> None:
    from newsdesk.index.errors import IngestError

    try:
        articles, warnings = parse_file(Path("x.pdf"), blob, ParseOptions(ocr=False))
    except IngestError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert len(articles) == 1 and articles[0].pages is not None
    assert all("\n" not in w for w in warnings)


def test_a_pdf_that_keeps_pdfium_busy_is_given_up_and_the_child_ended() -> None:
    from newsdesk.index.errors import IngestError
    from newsdesk.index.ingest.formats.pdfchild import parse_isolated

    # Tens of thousands of objects with one number and no cross-reference table:
    # PDFium rebuilds the table for minutes.
    blob = b"%PDF-1.4\n" + b"1 0 obj<<>>stream\nxx\nendstream\n" * 60_000
    with pytest.raises(IngestError, match=r"PDF reader stuck on opening it for over 1 s: given up"):
        parse_isolated(blob, ParseOptions(ocr=False), [], step_timeout=1)


def test_pdf_child_reports_pages_and_warnings() -> None:
    from newsdesk.index.ingest.formats.pdfchild import parse_isolated

    warnings: list[str] = []
    [raw] = parse_isolated(VALID, ParseOptions(ocr=False), warnings)
    assert raw.title == "Ferry timetable report" and len(raw.pages or []) == 2 and warnings == []


def _hostile_stream(filter_value: bytes) -> bytes:
    body = zlib.compress(b"x" * 1000)
    return (
        b"4 0 obj\n<< /Length %d /Filter %s >>\nstream\n" % (len(body), filter_value) + body + b"\nendstream\nendobj\n"
    )


def test_arrays_of_references_to_arrays_cost_little() -> None:
    """5 0 R -> [6 0 R x n], 6 0 R -> [7 0 R x n] once gave n*n filter names (3,000 x 3,000 from 36 KB; 80 s at
    10,000). The scan no longer reads /Filter at all, but the file stays a good test of that."""
    n = 10_000
    data = (
        b"%PDF-1.7\n5 0 obj [" + b" ".join([b"6 0 R"] * n) + b"] endobj\n"
        b"6 0 obj ["
        + b" ".join([b"7 0 R"] * n)
        + b"] endobj\n7 0 obj /FlateDecode endobj\n"
        + _hostile_stream(b"5 0 R")
    )
    started = time.process_time()
    scan_streams(data, ParseOptions())
    assert time.process_time() - started < 5.0


def _bomb(layers: int, filters: bytes, extra: bytes = b"", tail: bytes = b"") -> bytes:
    body = deflated_spaces(64 * 1024 * 1024, layers)
    stream = b"4 0 obj\n<< /Length %d /Filter %s %s>>\nstream\n" % (len(body), filters, extra)
    return b"%PDF-1.4\n" + stream + body + b"\nendstream\nendobj\n" + tail


@pytest.mark.parametrize(
    ("layers", "filters", "extra", "tail"),
    [
        (1, b"[/FlateDecode" + b" " * 600 + b"]", b"", b""),  # an array padded past a bound once hid /Filter
        (1, b"[/FlateDecode %" + b"x" * 600 + b"\n]", b"", b""),  # the same, padded by a comment
        (9, b"[" + b" ".join([b"/FlateDecode"] * 9) + b"]", b"", b""),  # a ninth layer past a cap of 8
        (1, b"/Flat#65Decode", b"", b""),  # a name escape PDFium decodes to FlateDecode
        (1, b"/FlateDecode", b"/Foo /obj ", b""),  # "obj" after /Filter cut the dictionary short
        (1, b"/FlateDecode", b"/Foo (obj) ", b""),
        (1, b"00000000006 0 R", b"", b"00000000006 0 obj\n/FlateDecode\nendobj\n"),  # 11 digits
        (1, b"/FlateDecode", b"/Subtype /Image /Width 1 /Height 1 ", b""),  # a "1-pixel image" of 64 MB
        (1, b"/LZWDecode", b"", b""),  # declared as another filter: the bytes decide
        (17, b"/FlateDecode", b"", b""),  # nested past MAX_LAYERS
    ],
    ids=[
        "array600",
        "array_comment",
        "nine_layers",
        "hex_escape",
        "obj_name",
        "obj_string",
        "zeros_ref",
        "tiny_image",
        "other_filter",
        "seventeen_layers",
    ],
)
def test_flate_hidden_from_the_filter_entry_is_still_measured(
    layers: int, filters: bytes, extra: bytes, tail: bytes
) -> None:
    """Found by the second red team: each of these got past a scan that trusted /Filter; PDFium decoded them."""
    with pytest.raises(ExpansionLimitError):
        scan_streams(_bomb(layers, filters, extra, tail), ParseOptions())


def test_an_image_may_expand_to_what_its_pixels_need() -> None:
    """A flat scanned page compresses far past the ratio bound; bounded by its declared size, it is read."""
    pixels = zlib.compress(b"\xff" * (2000 * 3000), 9)
    data = (
        b"%PDF-1.4\n"
        + b"5 0 obj\n<< /Type /XObject /Subtype /Image /Width 2000 /Height 3000 /BitsPerComponent 8 "
        + b"/ColorSpace /DeviceGray /Filter /FlateDecode /Length %d >>\nstream\n" % len(pixels)
        + pixels
        + b"\nendstream\nendobj\n"
    )
    scan_streams(data, ParseOptions())


@pytest.mark.parametrize(
    "hostile",
    [
        b"1 0 obj [ " * 100_000,  # an unclosed array after each object: once scanned to the end from each (34 s)
        b"9" * 5000 + b" 0 obj /FlateDecode\n",  # int() of 5,000 digits raised ValueError
        b"/Length " + b"9" * 5000 + b" ",
    ],
    ids=["unclosed-arrays", "huge-object-number", "huge-length"],
)
def test_hostile_objects_before_an_indirect_filter_cost_little_and_raise_nothing(hostile: bytes) -> None:
    data = b"%PDF-1.7\n" + hostile + _hostile_stream(b"5 0 R")
    started = time.process_time()
    scan_streams(data, ParseOptions())
    assert time.process_time() - started < 5.0  # linear: ~10 ms for this megabyte; the quadratic scan took 34 s
