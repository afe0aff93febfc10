"""Every supported format, from file bytes to cleaned articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.config import IngestConfig
from index.errors import IngestError
from index.ingest.discover import FileEntry
from index.ingest.formats import ParseOptions, decode_text, parse_file
from index.ingest.reader import ReaderSettings, read_entry

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
SETTINGS = ReaderSettings.from_config(IngestConfig())


def read(path: Path, settings: ReaderSettings = SETTINGS):
    stat = path.stat()
    return read_entry(FileEntry(path.name, str(path), stat.st_size, stat.st_mtime_ns), settings)


def test_markdown_front_matter_and_plain_text() -> None:
    result = read(FIXTURES / "council.md")
    [article] = result.articles
    assert article.title == "Harbour council approves new ferry timetable"
    assert (article.source, article.date, article.author) == ("Lakeside Gazette", "2021-03-04", "Ines Varga")
    assert article.url == "https://example.org/ferry"
    assert article.tags == ["council", "transport"]
    assert "voted seven to two" in article.text
    assert "A heading that is not the title" in article.text
    assert "Weekday crossings start at 6:10." in article.text
    assert "full decision on the council site" in article.text
    for marker in ("**", "](", "![", "# ", "- Weekday"):
        assert marker not in article.text


def test_markdown_heading_is_the_title_without_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# Ferry fares rise\n\nFares rise by five percent in May.\n")
    [article] = read(path).articles
    assert article.title == "Ferry fares rise"
    assert article.text == "Fares rise by five percent in May."


@pytest.mark.parametrize(
    ("front_matter", "reason"),
    [
        ("title: [unclosed\n", "front matter: line"),
        ("- just\n- a list\n", "not a mapping"),
        ("a: &x [1, 2]\nb: *x\n", "aliases"),
        ("a: !!python/object/apply:os.system ['true']\n", "constructor"),
    ],
)
def test_bad_front_matter_is_skipped_with_a_reason(tmp_path: Path, front_matter: str, reason: str) -> None:
    path = tmp_path / "bad.md"
    path.write_text(f"---\n{front_matter}---\nBody text.\n")
    result = read(path)
    assert result.articles == []
    assert reason in (result.skipped or "")


def test_html_main_text_without_boilerplate() -> None:
    [article] = read(FIXTURES / "page.html").articles
    assert article.title == "Town library reopens after flood repairs"
    assert article.source == "Lakeside Gazette"
    assert article.date == "2021-05-17"
    assert article.author == "Tomas Berg"
    assert article.language == "en-GB"
    assert set(article.tags) == {"library", "flood"}
    assert article.text.startswith("The town library reopened its doors on Monday")
    assert article.text.count("\n\n") == 2
    for noise in ("cookies", "Related stories", "Bakery", "Copyright", "Home", "Sport"):
        assert noise not in article.text


def test_short_html_page_still_gives_its_text(tmp_path: Path) -> None:
    path = tmp_path / "short.html"
    path.write_text("<html><body><div>Short notice: the office is closed.</div></body></html>")
    [article] = read(path).articles
    assert article.text == "Short notice: the office is closed."


def test_html_without_text_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>Nothing</title></head><body><script>x()</script></body></html>")
    assert read(path).skipped is not None


def test_jsonl_items_bad_lines_warned_and_skipped() -> None:
    result = read(FIXTURES / "wire.jsonl")
    assert [a.title for a in result.articles] == [
        "Bridge inspection finds minor cracks", "Market moves to the square",
    ]
    first, second = result.articles
    assert (first.source, first.date, first.author) == ("Valley Wire", "2021-06-01", "Ana Ruiz")
    assert first.item == 0
    assert first.text == (
        "Engineers found minor cracks on the old bridge.\n\nTraffic will continue while repairs are planned."
    )
    assert second.source == "Valley Wire" and second.item == 1
    assert any("line 2: invalid JSON" in w for w in result.warnings)
    assert any("line 4 has no body field" in w for w in result.warnings)
    assert first.id != second.id


def test_json_with_custom_field_mapping() -> None:
    options = IngestConfig(json_fields={"title": ["meta.heading"], "body": ["story"], "date": ["when"]})
    result = read(FIXTURES / "custom.json", ReaderSettings.from_config(options))
    assert [a.title for a in result.articles] == ["Swimming pool extends opening hours", "Choir seeks new tenors"]
    assert result.articles[1].date == "2021-07-05"
    assert read(FIXTURES / "custom.json").skipped is not None  # default keys find no body


def test_rss_items_are_articles() -> None:
    result = read(FIXTURES / "valley.rss")
    titles = [a.title for a in result.articles]
    assert titles == ["Orchard harvest starts early", "Night bus trial ends", "Festival dates announced"]
    orchard = result.articles[0]
    assert (orchard.source, orchard.date) == ("Valley Wire", "2021-09-06")
    assert (orchard.author, orchard.language) == ("Ana Ruiz", "en")
    assert orchard.url == "https://example.org/orchard"
    assert orchard.tags == ["farming"]
    assert orchard.text == "Growers began picking apples a week early.\n\nA warm spring is the reason, they said."
    assert result.articles[1].text == "The night bus trial ended after low demand."
    assert result.articles[2].tags == ["culture", "events"]


def test_xml_that_is_not_a_feed_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "data.xml"
    path.write_text("<?xml version='1.0'?><catalog><book>x</book></catalog>")
    assert "not an RSS or Atom feed" in (read(path).skipped or "")


def test_feed_text_that_looks_like_a_url_is_never_fetched(tmp_path: Path) -> None:
    path = tmp_path / "url.rss"
    path.write_text("http://127.0.0.1:9/feed.xml")
    assert "not an RSS or Atom feed" in (read(path).skipped or "")


def test_decode_text() -> None:
    assert decode_text("café".encode()) == ("café", False)
    assert decode_text(b"\xef\xbb\xbfhi") == ("hi", False)
    assert decode_text("hi".encode("utf-16")) == ("hi", False)
    text, replaced = decode_text(b"caf\xe9")
    assert replaced and text == "caf\ufffd"


def test_unknown_extension_is_an_ingest_error() -> None:
    with pytest.raises(IngestError, match="unsupported file type"):
        parse_file(Path("x.pdf"), b"%PDF", ParseOptions())


@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("2020-10-07-svr-warning.txt", "2020-10-07"),
        ("wires/20201007_report.txt", "2020-10-07"),
        ("2020/10/notes.txt", None),
        ("report-12345678.txt", None),
    ],
)
def test_date_from_the_file_path(relpath: str, expected: str | None) -> None:
    from index.ingest.reader import date_in_path

    assert date_in_path(relpath) == expected
