"""E-mail: .eml and .mbox, one article per message, attachments as items linked to their message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index.config import IngestConfig
from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.discover import FileEntry
from newsdesk.index.ingest.formats import ParseOptions, parse_file
from newsdesk.index.ingest.reader import ReaderSettings, read_entry
from newsdesk.tui.cli import main

from tests.documents import PARAGRAPHS, PdfSpec, make_docx, make_email, make_mbox, make_pdf

SETTINGS = ReaderSettings.from_config(IngestConfig())


def read(path: Path, settings: ReaderSettings = SETTINGS):
    stat = path.stat()
    return read_entry(FileEntry(path.name, str(path), stat.st_size, stat.st_mtime_ns), settings)


def test_eml_fields_and_plain_body(tmp_path: Path) -> None:
    path = tmp_path / "tip.eml"
    path.write_bytes(make_email().as_bytes())
    [article] = read(path).articles
    assert (article.title, article.author, article.date) == ("Tip: ferry contract", "Ines Varga", "2021-03-04")
    assert article.text == PARAGRAPHS[0]
    assert article.extra["message_id"].endswith("@example.org>")


def test_html_only_body_is_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "newsletter.eml"
    html = (
        "<html><body><nav>Menu</nav><p>First <b>news</b> item.</p><script>alert(1)</script><p>Second.</p></body></html>"
    )
    path.write_bytes(make_email(html=html).as_bytes())
    [article] = read(path).articles
    assert article.text == "First news item.\n\nSecond."


def test_attachments_become_linked_items(tmp_path: Path) -> None:
    attachments = [
        ("brief.docx", make_docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("photo.jpg", b"\xff\xd8\xff", "image/jpeg"),
        ("report.pdf", make_pdf(PdfSpec(pages=[PARAGRAPHS[:2], PARAGRAPHS[2:]])), "application/pdf"),
    ]
    path = tmp_path / "tip.eml"
    path.write_bytes(make_email(attachments=attachments).as_bytes())
    result = read(path)
    message, docx, pdf = result.articles
    assert message.title == "Tip: ferry contract" and "attached_to" not in message.extra
    assert docx.extra == {"attached_to": "tip.eml#0", "attachment": "brief.docx"}
    assert docx.title == "Briefing on ferry services" and docx.item == 1
    assert pdf.extra["attached_to"] == "tip.eml#0" and [p.number for p in pdf.pages] == [1, 2]


def test_mbox_messages_attachments_and_a_malformed_message(tmp_path: Path) -> None:
    first = make_email(subject="First", attachments=[("note.txt", b"Attached note\n\nIts body.", "text/plain")])
    second = make_email(subject="Second", body="From the desk: a line that starts with From.\nMore.")
    path = tmp_path / "inbox.mbox"
    path.write_bytes(make_mbox([first, b"\xff\xfe\x00\x01", second]))
    result = read(path)
    titles = [a.title for a in result.articles]
    assert titles == ["First", "Attached note", "Second"]
    assert result.articles[1].extra["attached_to"] == "inbox.mbox#0"
    assert result.articles[2].text.startswith("From the desk:")
    assert result.warnings == ["message 2: not a mail message (no From, Subject or Date header), skipped"]


def test_mbox_message_over_the_size_limit_is_skipped(tmp_path: Path) -> None:
    big = make_email(subject="Big", body="word " * 300_000)
    path = tmp_path / "inbox.mbox"
    path.write_bytes(make_mbox([make_email(subject="Small"), big, make_email(subject="After")]))
    result = read(path, ReaderSettings.from_config(IngestConfig(max_file_mb=1)))
    assert [a.title for a in result.articles] == ["Small", "After"]
    assert result.warnings == ["message 2: larger than 1 MB, skipped"]


def test_mbox_is_not_limited_by_max_file_mb(tmp_path: Path) -> None:
    messages = [make_email(subject=f"Message {n}", body="word " * 60_000) for n in range(6)]
    path = tmp_path / "inbox.mbox"
    path.write_bytes(make_mbox(messages))
    assert path.stat().st_size > 1024 * 1024
    result = read(path, ReaderSettings.from_config(IngestConfig(max_file_mb=1)))
    assert len(result.articles) == 6 and result.hash


def test_mbox_over_max_archive_mb_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "inbox.mbox"
    path.write_bytes(make_mbox([make_email(body="word " * 300_000)]))
    result = read(path, ReaderSettings.from_config(IngestConfig(max_archive_mb=1)))
    assert result.skipped == "larger than 1 MB (ingest.max_archive_mb)"


def test_not_an_mbox() -> None:
    with pytest.raises(IngestError, match="not an mbox"):
        parse_file(Path("x.mbox"), b"Subject: hi\n\nbody\n", ParseOptions())


def test_nested_forward_is_bounded(tmp_path: Path) -> None:
    message = make_email(subject="Level 0")
    for level in range(1, 7):
        attachment = (f"fwd{level}.eml", message.as_bytes(), "application/octet-stream")
        message = make_email(subject=f"Level {level}", attachments=[attachment])
    path = tmp_path / "deep.eml"
    path.write_bytes(message.as_bytes())
    result = read(path)
    assert [a.title for a in result.articles] == ["Level 6", "Level 5", "Level 4", "Level 3"]
    assert [a.extra.get("attached_to") for a in result.articles] == [None, "deep.eml#0", "deep.eml#1", "deep.eml#2"]
    assert len(result.warnings) == 1 and "nested more than 3 deep" in result.warnings[0]


def test_attachment_is_addressed_as_path_hash_n(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    message = make_email(attachments=[("brief.docx", make_docx(), "application/octet-stream")])
    (corpus / "tip.eml").write_bytes(message.as_bytes())
    assert main(["index", "--corpus", str(corpus)]) == 0
    capsys.readouterr()
    assert main(["show", "tip.eml#1", "--corpus", str(corpus), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["title"] == "Briefing on ferry services"
    assert shown["extra"] == {"attached_to": "tip.eml#0", "attachment": "brief.docx"}


VALID_EML = make_email(attachments=[("note.txt", b"Attached note.", "text/plain")]).as_bytes()
VALID_MBOX = make_mbox([make_email(subject="One"), make_email(subject="Two")])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["x.eml", "x.mbox"]), st.data())
def test_mutated_mail_gives_articles_or_one_line(name: str, data: st.DataObject) -> None:
    blob = bytearray(VALID_EML if name == "x.eml" else VALID_MBOX)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(blob) - 1))
        blob[at : at + data.draw(st.integers(0, 8))] = data.draw(st.binary(max_size=8))
    _articles_or_one_line(name, bytes(blob))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["x.eml", "x.mbox"]), st.text(max_size=300), st.text(max_size=300))
def test_generated_headers_and_bodies(name: str, header: str, body: str) -> None:
    raw = f"From x\nSubject: {header}\nFrom: {header}\nDate: {header}\n\n{body}".encode("utf-8", "surrogatepass")
    _articles_or_one_line(name, raw if name == "x.mbox" else raw.split(b"\n", 1)[1])


def _articles_or_one_line(name: str, blob: bytes) -> None:
    try:
        articles, warnings = parse_file(Path(name), blob, ParseOptions())
    except IngestError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert articles and all("\n" not in w for w in warnings)


def test_unknown_charset_keeps_the_message() -> None:
    raw = b"Subject: hi\nContent-Type: text/plain; charset=x-unknown\n\nbody \xe9 text\n"
    [article], warnings = parse_file(Path("x.eml"), raw, ParseOptions())
    assert article.title == "hi" and article.body.startswith("body ") and warnings == []


def test_legacy_charsets_in_headers_and_body() -> None:
    raw = (
        b"Subject: =?iso-2022-jp?b?GyRCJEYkOSRIGyhC?=\nFrom: =?iso-8859-1?q?Ren=E9?= <r@example.org>\n"
        b"Content-Type: text/plain; charset=iso-8859-1\n\ncaf\xe9\n"
    )
    [article], _ = parse_file(Path("x.eml"), raw, ParseOptions())
    assert (article.title, article.author, article.body.strip()) == ("てすと", "René", "café")


@pytest.mark.parametrize("header", [b"Subject: " + b'"' * 100_000, b"From: " + b"<a@b>, " * 20_000])
def test_huge_headers_are_cut_before_parsing(header: bytes) -> None:
    raw = header + b"\nDate: Thu, 04 Mar 2021 09:30:00 +0000\n\nBody text.\n"
    [article], _ = parse_file(Path("x.eml"), raw, ParseOptions())
    assert article.body.strip() == "Body text."
    assert len(article.title or "") <= 2000 and len(article.author or "") <= 2000


def test_escapes_in_an_attachment_name_never_reach_a_warning(tmp_path: Path) -> None:
    raw = (
        b"Subject: x\nContent-Type: multipart/mixed; boundary=z\n\n--z\nContent-Type: text/plain\n\nbody\n"
        b"--z\nContent-Type: application/pdf\n"
        b'Content-Disposition: attachment; filename="\x1b]0;pwn\x07\x1b[31mr.pdf"\n\n'
        b"not a pdf\n--z--\n"
    )
    path = tmp_path / "x.eml"
    path.write_bytes(raw)
    result = read(path)
    [warning] = result.warnings
    assert "\x1b" not in warning and "\x07" not in warning and "r.pdf: not a PDF" in warning


def test_deeply_nested_multipart_is_one_warning() -> None:
    raw = b"Subject: x\nContent-Type: multipart/mixed; boundary=b0\n\n" + b"".join(
        b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (i, i + 1) for i in range(3000)
    )
    with pytest.raises(IngestError, match=r"^parts nested too deeply to read$"):  # it has a subject: not "no text"
        parse_file(Path("x.eml"), raw, ParseOptions())
    articles, warnings = parse_file(Path("x.mbox"), make_mbox([raw, make_email(subject="After")]), ParseOptions())
    assert [a.title for a in articles] == ["After"]
    assert warnings == ["message 1: parts nested too deeply to read, skipped"]


@pytest.mark.parametrize("charset", [b"idna", b"base64", b"utf-7"])
def test_a_charset_whose_codec_refuses_replace_keeps_the_message(charset: bytes) -> None:
    # Red team: charset=idna made bytes.decode(errors="replace") raise UnicodeError and the whole message was lost.
    raw = b"From: a@b\nSubject: hello\nContent-Type: text/plain; charset=" + charset + b"\n\nbody text \xff here\n"
    [article], warnings = parse_file(Path("x.eml"), raw, ParseOptions())
    assert article.title == "hello" and article.body.startswith("body text") and warnings == []


def test_an_unquoted_from_line_inside_a_body_paragraph_stays_in_its_message() -> None:
    # Red team: an mboxo writer leaves "From " unquoted; mid-paragraph it is not a separator (RFC 4155).
    raw = (
        b"From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b\nSubject: one\n\nfirst line\nFrom here on we talk\n"
        b"and more\n\nFrom c@d Mon Jan  1 00:00:00 2024\nFrom: c@d\nSubject: two\n\nsecond\n"
    )
    articles, warnings = parse_file(Path("x.mbox"), raw, ParseOptions())
    assert [a.title for a in articles] == ["one", "two"] and warnings == []
    assert "From here on we talk\nand more" in articles[0].body


def test_a_separator_line_without_an_empty_line_before_it_still_splits() -> None:
    raw = (
        b"From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b\nSubject: one\n\nfirst\n"
        b"From c@d Mon Jan  1 00:00:00 2024\nFrom: c@d\nSubject: two\n\nsecond\n"
    )
    articles, warnings = parse_file(Path("x.mbox"), raw, ParseOptions())
    assert [a.title for a in articles] == ["one", "two"] and warnings == []
