"""Word documents: text in document order, core properties, damaged files and zip bombs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index.config import IngestConfig
from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.discover import FileEntry
from newsdesk.index.ingest.formats import ParseOptions, parse_file
from newsdesk.index.ingest.reader import ReaderSettings, read_entry

from tests.documents import PARAGRAPHS, make_docx

SETTINGS = ReaderSettings.from_config(IngestConfig())
VALID = make_docx()


def read(path: Path):
    stat = path.stat()
    return read_entry(FileEntry(path.name, str(path), stat.st_size, stat.st_mtime_ns), SETTINGS)


def test_paragraphs_headings_tables_and_core_properties(tmp_path: Path) -> None:
    path = tmp_path / "briefing.docx"
    path.write_bytes(VALID)
    [article] = read(path).articles
    assert (article.title, article.author, article.date) == ("Briefing on ferry services", "Ines Varga", "2021-03-04")
    assert article.tags == ["council", "ferry"] and article.language == "en-GB"
    text = article.text
    order = ["Background", PARAGRAPHS[0], "Timetable", "Crossing | Time", "First | 06:10", PARAGRAPHS[2]]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)


def test_title_from_the_first_line_without_core_title(tmp_path: Path) -> None:
    path = tmp_path / "untitled.docx"
    path.write_bytes(make_docx(title=""))
    [article] = read(path).articles
    assert article.title == "Background"


def _zip_bomb(member_size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with zipfile.ZipFile(io.BytesIO(VALID)) as valid:
            for info in valid.infolist():
                archive.writestr(info.filename, valid.read(info.filename))
        with archive.open("word/media/bomb.bin", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(member_size // len(chunk)):
                member.write(chunk)
    return out.getvalue()


def test_zip_bomb_is_one_line_before_anything_is_inflated(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(_zip_bomb(300 * 1024 * 1024))
    assert path.stat().st_size < 1_000_000
    result = read(path)
    assert result.articles == []
    assert result.skipped == "Word document expands past 256 MB (ingest.max_expanded_mb): not read further"


def test_ratio_bound(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(_zip_bomb(64 * 1024 * 1024))
    assert "ingest.max_expansion_ratio" in (read(path).skipped or "")


@pytest.mark.parametrize("blob", [b"PK\x03\x04broken", b"not a zip at all", VALID[: len(VALID) // 2]])
def test_broken_docx_is_one_line(blob: bytes) -> None:
    with pytest.raises(IngestError) as raised:
        parse_file(Path("x.docx"), blob, ParseOptions())
    assert "\n" not in str(raised.value)


def test_a_zip_that_is_not_word() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(IngestError, match="not a readable Word document"):
        parse_file(Path("x.docx"), out.getvalue(), ParseOptions())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_docx_gives_an_article_or_one_line(data: st.DataObject) -> None:
    blob = bytearray(VALID)
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(blob) - 1))
        blob[at : at + data.draw(st.integers(0, 8))] = data.draw(st.binary(max_size=8))
    _article_or_one_line(bytes(blob))


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=1024).map(lambda b: b"PK\x03\x04" + b))
def test_generated_bytes_give_an_article_or_one_line(blob: bytes) -> None:
    _article_or_one_line(blob)


def _article_or_one_line(blob: bytes) -> None:
    try:
        articles, warnings = parse_file(Path("x.docx"), blob, ParseOptions())
    except IngestError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert len(articles) == 1 and all("\n" not in w for w in warnings)


def _encrypted(docx: bytes) -> bytes:
    """``docx`` with every central-directory entry flagged encrypted (the data stays readable)."""
    data = bytearray(docx)
    end = data.rfind(b"PK\x05\x06")
    entries = int.from_bytes(data[end + 10 : end + 12], "little")
    offset = int.from_bytes(data[end + 16 : end + 20], "little")
    for _ in range(entries):
        data[offset + 8] |= 0x1
        lengths = [int.from_bytes(data[offset + at : offset + at + 2], "little") for at in (28, 30, 32)]
        offset += 46 + sum(lengths)
    return bytes(data)


def test_encrypted_docx_is_one_line(tmp_path: Path) -> None:
    # Red team: zipfile raised a bare RuntimeError from inside python-docx and `newsdesk index` died with a traceback.
    path = tmp_path / "locked.docx"
    path.write_bytes(_encrypted(VALID))
    assert read(path).skipped == "an encrypted (password-protected) Word document"
