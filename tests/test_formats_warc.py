"""Web archives: HTML responses through the .html extraction, latest capture per URL, streamed, damage kept small."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index.config import IngestConfig
from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.discover import FileEntry, discover
from newsdesk.index.ingest.formats import ParseOptions, parse_file
from newsdesk.index.ingest.reader import ReaderSettings, read_entry

from tests.documents import PARAGRAPHS, html_page, make_warc

SETTINGS = ReaderSettings.from_config(IngestConfig())
RECORDS = [
    (
        "https://example.org/ferry",
        "2021-03-04T09:00:00Z",
        html_page("Ferry fares rise", PARAGRAPHS[:3]).encode(),
        "text/html; charset=utf-8",
    ),
    ("https://example.org/style.css", "2021-03-04T09:00:01Z", b"body { color: red }", "text/css"),
    (
        "https://example.org/library",
        "2021-03-04T09:00:02Z",
        html_page("Library reopens", PARAGRAPHS[2:]).encode("cp1252"),
        "text/html; charset=windows-1252",
    ),
    (
        "https://example.org/ferry",
        "2021-03-06T09:00:00Z",
        html_page("Ferry fares rise again", PARAGRAPHS[1:4]).encode(),
        "text/html",
    ),
    (
        "https://example.org/ferry",
        "2021-03-05T09:00:00Z",
        html_page("Ferry stale", PARAGRAPHS[:2]).encode(),
        "text/html",
    ),
]


def read(path: Path, settings: ReaderSettings = SETTINGS):
    stat = path.stat()
    return read_entry(FileEntry(path.name, str(path), stat.st_size, stat.st_mtime_ns), settings)


@pytest.mark.parametrize("compressed", [True, False])
def test_html_records_latest_capture_per_url(tmp_path: Path, compressed: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if compressed else "crawl.warc")
    path.write_bytes(make_warc(RECORDS, gzip=compressed))
    result = read(path)
    assert result.warnings == []
    ferry, library = result.articles
    assert (ferry.title, ferry.url, ferry.extra["captured"]) == (
        "Ferry fares rise again",
        "https://example.org/ferry",
        "2021-03-06T09:00:00Z",
    )
    assert ferry.date == "2021-03-06"
    assert (library.title, library.url) == ("Library reopens", "https://example.org/library")
    assert "Home | World" not in ferry.text and PARAGRAPHS[1] in ferry.text


def test_warc_gz_is_discovered_as_one_extension(tmp_path: Path) -> None:
    (tmp_path / "crawl.warc.gz").write_bytes(make_warc(RECORDS))
    (tmp_path / "other.gz").write_bytes(gzip.compress(b"x"))
    found = discover(tmp_path, IngestConfig().extensions)
    assert [f.relpath for f in found.files] == ["crawl.warc.gz"]


@pytest.mark.parametrize("compressed", [True, False])
def test_truncated_archive_keeps_the_pages_before_the_cut(tmp_path: Path, compressed: bool) -> None:
    data = make_warc(RECORDS[:4], gzip=compressed)
    whole = make_warc(RECORDS[:3], gzip=compressed)
    path = tmp_path / ("cut.warc.gz" if compressed else "cut.warc")
    path.write_bytes(data[: len(whole) + (len(data) - len(whole)) // 2])
    result = read(path)
    assert [a.title for a in result.articles] == ["Ferry fares rise", "Library reopens"]
    assert result.warnings == ["damaged or truncated after record 3: the 2 pages before it kept"]


def test_gzip_bomb_record_is_stopped(tmp_path: Path) -> None:
    size = 100 * 1024 * 1024
    body = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + b"\0" * size
    bomb = make_warc([RECORDS[0]])
    raw = gzip.compress(
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/bomb\r\n"
        b"WARC-Date: 2021-03-04T09:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body + b"\r\n\r\n",
        9,
    )
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(bomb + raw)
    assert path.stat().st_size < 1_000_000
    result = read(path)
    assert [a.title for a in result.articles] == ["Ferry fares rise"]
    assert result.warnings == [
        "web archive expands more than 200 times (ingest.max_expansion_ratio): not read further (1 pages kept)"
    ]


def test_archive_over_max_file_mb_is_still_read(tmp_path: Path) -> None:
    pages = [
        (
            f"https://example.org/{n}",
            "2021-03-04T09:00:00Z",
            html_page(f"Page {n}", PARAGRAPHS * 40).encode(),
            "text/html",
        )
        for n in range(60)
    ]
    path = tmp_path / "crawl.warc"
    path.write_bytes(make_warc(pages, gzip=False))
    assert path.stat().st_size > 1024 * 1024
    result = read(path, ReaderSettings.from_config(IngestConfig(max_file_mb=1)))
    assert len(result.articles) == 60


def test_not_a_web_archive() -> None:
    with pytest.raises(IngestError, match="not a web archive"):
        parse_file(Path("x.warc"), b"hello there\r\n\r\n", ParseOptions())


VALID = make_warc(RECORDS[:3])
VALID_PLAIN = make_warc(RECORDS[:3], gzip=False)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.booleans(), st.data())
def test_mutated_archives_give_articles_or_one_line(compressed: bool, data: st.DataObject) -> None:
    blob = bytearray(VALID if compressed else VALID_PLAIN)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(blob) - 1))
        blob[at : at + data.draw(st.integers(0, 8))] = data.draw(st.binary(max_size=8))
    _articles_or_one_line("x.warc.gz" if compressed else "x.warc", bytes(blob))


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=1024).map(lambda b: b"WARC/1.0\r\n" + b))
def test_generated_bytes_give_articles_or_one_line(blob: bytes) -> None:
    _articles_or_one_line("x.warc", blob)


def _articles_or_one_line(name: str, blob: bytes) -> None:
    try:
        articles, warnings = parse_file(Path(name), blob, ParseOptions())
    except IngestError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert articles and all("\n" not in w for w in warnings)


def test_capture_dates_with_and_without_a_zone_compare_as_utc(tmp_path: Path) -> None:
    # Red team: a WARC-Date without "Z" beside one with it raised TypeError, read as damage: later pages were lost.
    records = [
        (
            "https://example.org/ferry",
            "2021-03-04T09:00:00Z",
            html_page("Ferry old", PARAGRAPHS[:2]).encode(),
            "text/html",
        ),
        (
            "https://example.org/ferry",
            "2021-03-05T09:00:00",
            html_page("Ferry new", PARAGRAPHS[1:3]).encode(),
            "text/html",
        ),
        (
            "https://example.org/library",
            "2021-03-04T09:00:00Z",
            html_page("Library reopens", PARAGRAPHS[2:]).encode(),
            "text/html",
        ),
    ]
    path = tmp_path / "mixed.warc"
    path.write_bytes(make_warc(records, gzip=False))
    result = read(path)
    assert [a.title for a in result.articles] == ["Ferry new", "Library reopens"] and result.warnings == []
