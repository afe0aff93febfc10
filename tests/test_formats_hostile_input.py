"""Small hostile files that once cost minutes of CPU or lost good articles (red-team pass).

Each fixture is generated here, a few hundred KB at most; each test times the
read of the one file. Most take milliseconds once fixed; the files that are
slow by nature (PDF pages, web pages, Word paragraphs, attachments) are cut
short by a time allowance in proportion to their size, and take its 5-15 s.
"""

from __future__ import annotations

import gzip
import html
import io
import os
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from newsdesk.index.config import IngestConfig
from newsdesk.index.ingest.discover import FileEntry
from newsdesk.index.ingest.reader import FileResult, ReaderSettings, read_entry

SETTINGS = ReaderSettings.from_config(IngestConfig())
# A read that takes milliseconds when fixed (before: 5 s to minutes).
QUICK = 2.0


def timed_read(path: Path) -> tuple[FileResult, float]:
    stat = path.stat()
    start = time.perf_counter()
    result = read_entry(FileEntry(path.name, str(path), stat.st_size, stat.st_mtime_ns), SETTINGS)
    return result, time.perf_counter() - start


def test_xml_doctype_of_empty_brackets_without_end_is_quick(tmp_path: Path) -> None:
    # 70 bytes: the prolog regex tried every way of splitting "[][]..." (2^n) when no ">" followed.
    path = tmp_path / "feed.xml"
    path.write_text("<!DOCTYPE x " + "[]" * 27)
    result, elapsed = timed_read(path)
    assert "not an RSS or Atom feed" in (result.skipped or "")
    assert elapsed < QUICK


def test_feed_with_a_doctype_still_reads() -> None:
    from newsdesk.index.ingest.formats.feed import looks_like_feed

    assert looks_like_feed('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY c "&#169;">]>\n<rss version="2.0"/>')
    assert looks_like_feed('<!DOCTYPE rss PUBLIC "-//x//DTD RSS 0.91//EN" "http://x/rss.dtd">\n<rss/>')
    assert not looks_like_feed("<!DOCTYPE rss [] [] [")


def test_jsonl_line_with_a_huge_integer_loses_only_that_line(tmp_path: Path) -> None:
    # Python refuses int("9" * 5000) with a ValueError; it took every other line of the file with it.
    path = tmp_path / "wire.jsonl"
    path.write_text(
        '{"title": "Bad", "text": "lost", "date": ' + "9" * 5000 + "}\n"
        '{"title": "Good", "text": "The good line keeps its article."}\n'
    )
    result, _ = timed_read(path)
    assert result.skipped is None
    assert [a.title for a in result.articles] == ["Good"]
    assert any(w.startswith("line 1: invalid JSON") for w in result.warnings)


def test_json_with_a_huge_integer_is_one_short_reason(tmp_path: Path) -> None:
    path = tmp_path / "wire.json"
    path.write_text('[{"title": "Bad", "text": "x", "n": ' + "9" * 5000 + "}]")
    result, _ = timed_read(path)
    assert result.skipped == "invalid JSON at line 1: a number too long"


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(" _a" * 12_000, id="underscores-that-never-close"),
        pytest.param(" ___a_" * 8_000, id="triple-underscores"),
        pytest.param("**a " * 12_000, id="stars-that-never-close"),
        pytest.param("~~a " * 12_000, id="tildes-that-never-close"),
        pytest.param("[a" * 20_000, id="brackets-that-never-close"),
        pytest.param("[a](x" * 40_000, id="parens-that-never-close"),
        pytest.param("<http:a" * 12_000, id="autolinks-that-never-close"),
        pytest.param("# a" + " " * 20_000 + "#x", id="heading-with-a-long-space-run"),
    ],
)
def test_markdown_line_that_never_closes_its_markup_is_quick(tmp_path: Path, line: str) -> None:
    # Each inline pattern searched the rest of the line from every opening marker: 36 KB took
    # seconds, 150 KB of " _a" took two minutes of one CPU while 'newsdesk index' showed nothing.
    path = tmp_path / "note.md"
    path.write_text("# Long line\n\n" + line + "\n\nThe last paragraph.\n")
    result, elapsed = timed_read(path)
    assert [a.title for a in result.articles] == ["Long line"]
    assert result.articles[0].text.endswith("The last paragraph.")
    assert elapsed < QUICK


def test_markdown_emphasis_nests_and_links_keep_parens() -> None:
    from newsdesk.index.ingest.formats.markdown import plain_text

    text = "*a **b** c* and **d *e* f**, _g __h__ i_, snake_case_name, 2 * 3 * 4, a*b*c, **open"
    assert plain_text(text) == "a b c and d e f, g h i, snake_case_name, 2 * 3 * 4, abc, **open"
    assert plain_text("See [the page](https://e.org/Foo_(bar)) now.") == "See the page now."
    assert plain_text("[a](x(y and [b](z)") == "[a](x(y and b"


def _pdf_of_one_heavy_page_shown(pages: int, operations: int) -> bytes:
    """A PDF whose ``pages`` pages are all one page object with one heavy content stream (~10 KB)."""
    content = b"BT /F1 1 Tf 72 720 Td " + b"(word ) Tj 0.01 0 Td " * operations + b"ET"
    packed = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join([b"3 0 R"] * pages) + b"] /Count %d >>" % pages,
        b"<< /Type /Page /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_small_pdf_whose_pages_all_show_one_heavy_stream_is_cut_short(tmp_path: Path) -> None:
    # 17 KB: 1000 pages all pointing at one 4 MB content stream. PDFium spends ~0.3 s per page,
    # never a minute on one, so only the 600 s budget stopped it: ten minutes of CPU for a file of
    # 5000 such pages. Text layers now get time in proportion to the file's size.
    path = tmp_path / "report.pdf"
    path.write_bytes(_pdf_of_one_heavy_page_shown(pages=1000, operations=200_000))
    assert path.stat().st_size < 20 * 1024
    script = tmp_path / "read.py"
    script.write_text(
        "import sys\n"
        "from pathlib import Path\n"
        "from tests.test_formats_hostile_input import timed_read\n"
        "if __name__ == '__main__':\n"
        "    result, elapsed = timed_read(Path(sys.argv[1]))\n"
        "    print(result.skipped, result.warnings, flush=True)\n"
    )
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, str(script), str(path)],
            capture_output=True,
            text=True,
            timeout=90,
            cwd=Path(__file__).parent.parent,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
        )
    except subprocess.TimeoutExpired:
        pytest.fail("reading a 17 KB PDF took over 90 s")
    assert done.returncode == 0, done.stderr
    assert "stopped after page" in done.stdout
    assert time.perf_counter() - start < 60


def test_html_page_of_very_many_elements_is_quick_and_keeps_its_text(tmp_path: Path) -> None:
    # 700 KB of <p>: trafilatura spent ~0.1 ms and several KB per element (a 5 MB page took a
    # minute and 1 GB; one at ingest.max_file_mb, 20 MB, would take minutes and more memory).
    path = tmp_path / "page.html"
    paragraphs = "".join(f"<p>Paragraph {n} of the minutes.</p>" for n in range(60_000))
    path.write_text(f"<html><head><title>Minutes</title></head><body>{paragraphs}</body></html>")
    result, elapsed = timed_read(path)
    assert elapsed < QUICK * 2
    [article] = result.articles
    assert article.title == "Minutes"
    assert "Paragraph 0 of the minutes." in article.text and "Paragraph 59999 of the minutes." in article.text
    assert any("too many for main-text extraction" in w for w in result.warnings)


def test_eml_that_cannot_be_read_says_why_not_just_no_text(tmp_path: Path) -> None:
    # The one-line reason was "no text in the message" for a message with a subject and a body,
    # nested 1000 multiparts deep, or with headers the email package chokes on.
    path = tmp_path / "deep.eml"
    head = "From: a@example.org\nSubject: Deep\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b0\n\n"
    opening = "".join(f"--b{i}\nContent-Type: multipart/mixed; boundary=b{i + 1}\n\n" for i in range(1000))
    closing = "".join(f"--b{i}--\n" for i in range(1000, -1, -1))
    path.write_text(head + opening + "--b1000\nContent-Type: text/plain\n\nThe body.\n" + closing)
    result, _ = timed_read(path)
    assert result.skipped == "parts nested too deeply to read"


def test_feed_item_of_repeated_comment_openers_is_quick(tmp_path: Path) -> None:
    # feedparser's HTML sanitizer is quadratic in comment openers: 200,000 "<!--" in one item (1.6 MB of
    # feed) took minutes while 'newsdesk index' said nothing; the items around it are good ones.
    path = tmp_path / "wire.rss"
    hostile = html.escape("<!--" * 50_000)
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"<item><title>Odd</title><description>{hostile}</description></item>"
        "<item><title>Good</title><description>&lt;p&gt;A good item.&lt;/p&gt;"
        "&lt;script&gt;evil()&lt;/script&gt;</description></item>"
        "</channel></rss>"
    )
    result, elapsed = timed_read(path)
    assert elapsed < QUICK
    good = next(a for a in result.articles if a.title == "Good")
    assert good.text == "A good item."


def test_message_of_many_slow_attachments_is_cut_short(tmp_path: Path) -> None:
    # 300 KB: twenty 11 KB PDFs, each ~3 s of PDFium (well inside a PDF's own allowance). Every
    # attachment is read as a document of its own, so the message took a minute, and an mbox of
    # such messages hours. Attachments now share an allowance that grows with the mail's bytes.
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["Subject"] = "a@example.org", "Slow attachments"
    message.set_content("The message's own text.")
    pdf = _pdf_of_one_heavy_page_shown(pages=10, operations=200_000)
    for number in range(20):
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"r{number}.pdf")
    path = tmp_path / "slow.eml"
    path.write_bytes(message.as_bytes())
    result, elapsed = timed_read(path)
    assert elapsed < 30
    assert result.articles[0].title == "Slow attachments"
    assert result.articles[0].text == "The message's own text."
    assert any("attachments took too long to read" in w for w in result.warnings)


def _warc_record(uri: str, page: bytes) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + page
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2021-03-04T09:30:00Z\r\n"
        f"WARC-Record-ID: <urn:uuid:{uri}>\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return head + http + b"\r\n\r\n"


def test_small_web_archive_of_slow_pages_is_cut_short(tmp_path: Path) -> None:
    # 26 KB of .warc.gz: 30 pages of 25,000 <p> each (under the 30,000 elements that skip main-text
    # extraction), 1.7 s of trafilatura a page and compressed a thousandfold (under the 16 MB below
    # which no expansion ratio applies): 50 s for 26 KB. Pages now get time in proportion to the
    # archive's bytes and records.
    page = b"<html><head><title>P</title></head><body>" + b"<p>word</p>" * 25_000 + b"</body></html>"
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(b"".join(gzip.compress(_warc_record(f"http://e.org/{n}", page), 9) for n in range(30)))
    assert path.stat().st_size < 32 * 1024
    result, elapsed = timed_read(path)
    assert elapsed < 25
    assert result.articles  # the pages read before the cut are kept
    assert any(w.startswith("stopped at record") for w in result.warnings)


def _docx(body_xml: str) -> bytes:
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument"/></Relationships>',
        )
        archive.writestr("word/document.xml", f"<w:document {namespace}><w:body>{body_xml}</w:body></w:document>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("<w:p><w:r><w:t>Line</w:t></w:r></w:p>" * 400_000, id="paragraphs"),
        pytest.param(
            "<w:tbl>"
            + ("<w:tr>" + "<w:tc><w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc>" * 200 + "</w:tr>") * 1500
            + "</w:tbl>",
            id="one-table",
        ),
    ],
)
def test_small_docx_of_very_many_paragraphs_is_cut_short(tmp_path: Path, body: str) -> None:
    # ~50 KB: 15 MB of XML (ratio ~300, under the 16 MB below which no ratio applies). python-docx
    # took 16 s for 400,000 paragraphs, as long for 300,000 cells. The text read in time is kept.
    path = tmp_path / "minutes.docx"
    path.write_bytes(_docx("<w:p><w:r><w:t>Minutes of the meeting</w:t></w:r></w:p>" + body))
    assert path.stat().st_size < 64 * 1024
    result, elapsed = timed_read(path)
    assert elapsed < 9
    [article] = result.articles
    assert "Minutes of the meeting" in (article.title, article.text.split("\n")[0])
    assert any(w.startswith("stopped after") for w in result.warnings)


def test_pdf_of_one_notice_printed_twice_keeps_its_text(tmp_path: Path) -> None:
    # Lines at the top or bottom of most pages are running headers and footers; when that was
    # every line of the document, it was skipped as "no text in the PDF".
    from tests.documents import PdfSpec, make_pdf

    notice = ["Notice: the pool is closed today."]
    path = tmp_path / "notice.pdf"
    path.write_bytes(make_pdf(PdfSpec(pages=[notice, notice], header=None, footer=None, title=None)))
    result, _ = timed_read(path)
    assert result.skipped is None
    assert "Notice: the pool is closed today." in result.articles[0].title + result.articles[0].text


def test_docx_without_core_properties_gets_no_made_up_title_or_date(tmp_path: Path) -> None:
    # Generators other than Word may leave out docProps/core.xml; python-docx then makes up
    # properties: every such document was titled "Word Document" and dated the moment it was indexed.
    path = tmp_path / "2019-05-03-budget.docx"
    path.write_bytes(
        _docx(
            "<w:p><w:r><w:t>Council approves budget</w:t></w:r></w:p>"
            "<w:p><w:r><w:t>The council approved the budget.</w:t></w:r></w:p>"
        )
    )
    result, _ = timed_read(path)
    [article] = result.articles
    assert article.title == "Council approves budget"
    assert article.text == "The council approved the budget."
    assert article.date == "2019-05-03"  # from the file's name, as for any file without a date


def test_file_of_many_bad_items_is_a_few_lines_not_one_per_item(tmp_path: Path) -> None:
    # A 1.8 MB .jsonl of 200,000 bad lines printed 200,000 warnings, one per line of the file.
    path = tmp_path / "wire.jsonl"
    path.write_text('{"title": "Good", "text": "The good line."}\n' + "not json\n" * 200_000)
    result, _ = timed_read(path)
    assert [a.title for a in result.articles] == ["Good"]
    assert len(result.warnings) <= 20
    assert result.warnings[0] == "line 2: invalid JSON (Expecting value), skipped"
    assert result.warnings[-1] == "... and 199981 more warnings about this file"


@pytest.mark.parametrize("suffix", [".mbox", ".warc", ".warc.gz"])
def test_archive_swapped_for_a_fifo_after_the_scan_is_skipped_not_waited_on(tmp_path: Path, suffix: str) -> None:
    # Archives are streamed from a plain open(), unlike every other file: one that another account
    # swapped for a FIFO between the folder scan and its turn (minutes, in a big corpus) kept
    # 'newsdesk index' waiting for a writer for good.
    path = tmp_path / f"mail{suffix}"
    path.write_bytes(b"From a@example.org Thu Mar  4 09:30:00 2021\nSubject: x\n\ntext\n")
    stat = path.stat()
    entry = FileEntry(path.name, str(path), stat.st_size, stat.st_mtime_ns)
    path.unlink()
    os.mkfifo(path)
    done: list[FileResult] = []
    reader = threading.Thread(target=lambda: done.append(read_entry(entry, SETTINGS)), daemon=True)
    reader.start()
    reader.join(5)
    if not done:  # unblock the stuck open() so the thread ends
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(5)
        pytest.fail("reading the swapped archive waited on the FIFO")
    assert done[0].skipped == "a FIFO (named pipe), not a regular file"


def test_archive_swapped_for_a_symlink_out_of_the_corpus_is_not_followed(tmp_path: Path) -> None:
    # The scan follows no link out of the corpus, but the archive was opened by name later,
    # link and all: another account's swap got a mailbox from outside the corpus indexed.
    corpus, outside = tmp_path / "corpus", tmp_path / "private"
    corpus.mkdir()
    outside.mkdir()
    secret = b"From a@example.org Thu Mar  4 09:30:00 2021\nSubject: Private\n\nThe private text.\n"
    (outside / "inbox.mbox").write_bytes(secret)
    path = corpus / "list.mbox"
    path.write_bytes(secret.replace(b"Private", b"Public!").replace(b"private", b"public!"))
    stat = path.stat()
    entry = FileEntry(path.name, str(path), stat.st_size, stat.st_mtime_ns)
    path.unlink()
    path.symlink_to(outside / "inbox.mbox")
    result = read_entry(entry, SETTINGS)
    assert not result.articles
    assert "cannot read" in (result.skipped or "")


@pytest.mark.parametrize("field", ["tags", "title", "text"])
def test_jsonl_line_with_a_deeply_nested_field_loses_only_that_line(tmp_path: Path, field: str) -> None:
    # json.loads takes 400 nested lists; reading them into text recursed past the limit, and the
    # RecursionError skipped the whole file: every good line lost.
    path = tmp_path / "wire.jsonl"
    nested = "[" * 400 + '"a"' + "]" * 400
    path.write_text(
        '{"title": "Good", "text": "The first good line."}\n'
        f'{{"title": "Odd", "text": "Odd body.", "{field}": {nested}}}\n'
        '{"title": "Good too", "text": "The last good line."}\n'
    )
    result, _ = timed_read(path)
    assert [a.title for a in result.articles] == ["Good", "Good too"]
    assert result.warnings == ["line 2: a field nested too deeply, skipped"]
