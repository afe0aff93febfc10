"""Every supported format, from file bytes to cleaned articles."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from newsdesk.index.config import IngestConfig
from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.discover import FileEntry
from newsdesk.index.ingest.formats import (
    INVALID_UTF8_WARNING,
    SUPPORTED_EXTENSIONS,
    ParseOptions,
    decode_text,
    parse_file,
)
from newsdesk.index.ingest.model import RawArticle
from newsdesk.index.ingest.reader import ReaderSettings, read_entry

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
        "Bridge inspection finds minor cracks",
        "Market moves to the square",
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
        parse_file(Path("x.odt"), b"PK", ParseOptions())


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
    from newsdesk.index.ingest.reader import date_in_path

    assert date_in_path(relpath) == expected


# Parser level: parse_file alone, before the cleaner touches anything.


def parse(name: str, data: bytes | str, options: ParseOptions | None = None) -> tuple[list[RawArticle], list[str]]:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return parse_file(Path(name), data, options or ParseOptions())


def fixture(name: str, options: ParseOptions | None = None) -> tuple[list[RawArticle], list[str]]:
    return parse(name, (FIXTURES / name).read_bytes(), options)


def test_supported_extensions_match_the_config_default() -> None:
    assert frozenset(IngestConfig().extensions) == SUPPORTED_EXTENSIONS
    for suffix in SUPPORTED_EXTENSIONS:
        assert suffix == suffix.lower()


def test_parse_options_default_and_picklable() -> None:
    options = ParseOptions()
    assert options.json_keys("body")[0] == "text"
    assert pickle.loads(pickle.dumps(options)) == options


def test_txt_is_the_whole_file_untouched() -> None:
    [article], warnings = fixture("notice.txt")
    assert article.body == (FIXTURES / "notice.txt").read_text()
    assert article.title is None and article.title_from_first_line
    assert warnings == []


def test_invalid_utf8_is_replaced_with_a_warning() -> None:
    [article], warnings = parse("a.txt", b"The mayor\xff said no.\n")
    assert article.body == "The mayor\ufffd said no.\n"
    assert warnings == [INVALID_UTF8_WARNING]


def test_utf16_with_bom() -> None:
    [article], warnings = parse("a.txt", "Quay repairs finish.".encode("utf-16"))
    assert (article.body, warnings) == ("Quay repairs finish.", [])


def test_suffix_is_case_insensitive() -> None:
    [article], _ = parse("NOTE.TXT", "Bins are collected on Friday.")
    assert article.body == "Bins are collected on Friday."


def test_markdown_inline_markup() -> None:
    text = (
        "Intro with *stars*, __bold__, ***both***, ~~gone~~ and `code`.\n"
        "Keep snake_case_names, 2 * 3 * 4 and an escaped \\*star\\*.\n"
        "See [the plan][ref] and <https://example.org/plan>.\n"
        "\n"
        "> Quoted councillor.\n"
        "\n"
        "1. First item\n"
        "2. Second item\n"
        "\n"
        "```\n"
        "# not a heading inside a fence\n"
        "```\n"
        "\n"
        "[ref]: https://example.org/plan\n"
    )
    [article], _ = parse("a.md", text)
    lines = [line for line in article.body.split("\n") if line]
    assert lines == [
        "Intro with stars, bold, both, gone and code.",
        "Keep snake_case_names, 2 * 3 * 4 and an escaped *star*.",
        "See the plan and https://example.org/plan.",
        "Quoted councillor.",
        "First item",
        "Second item",
        "# not a heading inside a fence",
    ]


def test_markdown_headings_become_paragraphs() -> None:
    text = "Lead paragraph.\n## Budget for C#\nText.\n\nSetext heading\n--------------\nMore text.\n"
    [article], _ = parse("a.md", text)
    assert article.title is None and not article.title_from_first_line
    paragraphs = [p.strip() for p in article.body.split("\n\n") if p.strip()]
    assert paragraphs == ["Lead paragraph.", "Budget for C#", "Text.", "Setext heading", "More text."]


def test_markdown_setext_title_and_crlf_front_matter() -> None:
    [article], _ = parse("a.md", "Pier reopens\n============\n\nThe pier reopened today.\n")
    assert article.title == "Pier reopens"
    assert article.body.strip() == "The pier reopened today."
    [article], _ = parse("a.md", "---\r\ntitle: Pier reopens\r\nlang: nb\r\n---\r\nBody.\r\n")
    assert (article.title, article.language, article.body.strip()) == ("Pier reopens", "nb", "Body.")


def test_markdown_front_matter_values() -> None:
    text = (
        "---\n"
        "title: Harbour dues\n"
        "date: 2021-10-04 18:15:00\n"
        "tags: dues, harbour ,\n"
        "author: [Mira Olsen, Jon Pike]\n"
        "---\n"
        "# Harbour dues\n"
        "\n"
        "Dues rise next year.\n"
    )
    [article], _ = parse("a.md", text)
    assert article.date == "2021-10-04T18:15:00"
    assert article.tags == ["dues", "harbour"]
    assert article.author == "Mira Olsen, Jon Pike"
    assert article.body.strip() == "Dues rise next year."  # the repeated title heading is dropped


def test_markdown_empty_front_matter_and_unclosed_dashes() -> None:
    [article], _ = parse("a.md", "---\n---\nJust the body.\n")
    assert (article.title, article.body.strip()) == (None, "Just the body.")
    [article], _ = parse("a.md", "---\nNo closing line, so this is body text.\n")
    assert "No closing line" in article.body


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        ("title: ok\nbad: [unclosed\n", "front matter: line 3"),  # the file line of the bad value
        ("just a string\n", "front matter is not a mapping"),
        ("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "aliases (*name) are not allowed"),
        ("deep: " + "[" * 80 + "]" * 80 + "\n", "nested deeper than"),
        ("title: x\n" + "k: " + "v" * 70_000 + "\n", "larger than 64 KB"),
    ],
)
def test_hostile_or_broken_front_matter(front_matter: str, message: str) -> None:
    with pytest.raises(IngestError) as error:
        parse("a.md", f"---\n{front_matter}---\nBody.\n")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_json_list_with_default_mapping_and_coercion() -> None:
    articles, warnings = fixture("minutes.json")
    buses, budget = articles
    assert buses.title == "Council buys two electric buses"
    assert buses.date == "2021-10-01T00:00:00+00:00"  # a Unix timestamp
    assert buses.author == "Mira Olsen, Jon Pike"
    assert buses.tags == ["buses", "transport"]
    assert buses.source == "Harbour Herald"
    assert (budget.date, budget.language, budget.tags) == ("2021-10-02", "en", ["budget", "council"])
    assert warnings == [
        "item 3 is not a JSON object, skipped",
        "item 4 has no body field (tried: text, body, content, article, description), skipped",
    ]


def test_json_single_object_and_wrapped_list() -> None:
    [article], _ = parse("a.json", '{"headline": "Ferry late", "text": "The ferry ran late.", "tags": [1, 2]}')
    assert (article.title, article.tags) == ("Ferry late", ["1", "2"])
    articles, _ = parse("a.json", '{"data": [{"body": "One."}, {"body": "Two."}], "count": 2}')
    assert [a.body for a in articles] == ["One.", "Two."]


def test_json_partial_custom_mapping_keeps_the_other_defaults() -> None:
    options = ParseOptions(json_fields={"body": ("story",), "tags": ()})
    [article], _ = parse("a.json", '{"story": "Nets mended.", "title": "Nets", "tags": ["x"]}', options)
    assert (article.body, article.title, article.tags) == ("Nets mended.", "Nets", [])


def test_json_errors() -> None:
    with pytest.raises(IngestError, match="invalid JSON at line 2"):
        parse("a.json", '{"text":\n oops}')
    with pytest.raises(IngestError, match="nested too deeply"):
        parse("a.json", "[" * 100_000)
    with pytest.raises(IngestError, match="neither an object nor a list"):
        parse("a.json", '"just a string"')
    articles, warnings = parse("a.ndjson", "[" * 100_000 + '\n\n{"text": "Kept."}\n')
    assert [a.body for a in articles] == ["Kept."]
    assert warnings == ["line 1: invalid JSON (nested too deeply), skipped"]


def test_atom_feed() -> None:
    [article], warnings = fixture("council.atom")
    assert article.title == "Lighthouse to open for visitors"
    assert article.body.split("\n\n") == [
        "Weekend tours",
        "The old lighthouse opens for guided tours on weekends.",
        "Saturday at ten",
        "Sunday at two",
    ]
    assert article.date == "2021-10-04T16:15:00+00:00"
    assert (article.source, article.language, article.author) == ("Harbour Herald", "en-GB", "Mira Olsen")
    assert (article.url, article.tags) == ("https://example.org/lighthouse", ["heritage"])
    assert warnings == ["item 2 has no text, skipped"]


def test_rss_raw_fields() -> None:
    articles, warnings = fixture("valley.rss")
    assert len(articles) == 3 and warnings == []
    assert articles[0].date == "2021-09-06T07:00:00+00:00"
    assert articles[2].body == "The summer festival returns on the last weekend of July."


def test_feed_in_a_declared_legacy_encoding() -> None:
    data = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        b"<rss version='2.0'><channel><title>Caf\xe9 News</title>"
        b"<item><title>Caf\xe9 opens</title><description>The caf\xe9 opens at nine.</description></item>"
        b"</channel></rss>"
    )
    [article], warnings = parse("news.xml", data)
    assert (article.source, article.title, article.body) == ("Café News", "Café opens", "The café opens at nine.")
    assert warnings == []


@pytest.mark.parametrize(
    ("text", "is_feed"),
    [
        ("<rss version='2.0'/>", True),
        ("\ufeff <?xml version='1.0'?>\n<!-- a <b> comment -->\n<feed xmlns='x'/>", True),
        ("<!DOCTYPE rdf:RDF [<!ENTITY e 'x'>]><rdf:RDF/>", True),
        ("<atom:feed xmlns:atom='x'/>", True),
        ("<catalog><rss/></catalog>", False),
        ("<rssfeed/>", False),
        ("https://example.org/feed.rss", False),
        ("/etc/hostname", False),
    ],
)
def test_looks_like_feed(text: str, is_feed: bool) -> None:
    from newsdesk.index.ingest.formats.feed import looks_like_feed

    assert looks_like_feed(text) is is_feed


def test_feed_is_read_from_a_stream_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    import feedparser

    seen: list[object] = []
    real_parse = feedparser.parse

    def spy(source: object, *args: object, **kwargs: object) -> object:
        seen.append(source)
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr(feedparser, "parse", spy)
    fixture("valley.rss")
    assert len(seen) == 1 and hasattr(seen[0], "read")


def test_malformed_and_empty_feeds() -> None:
    with pytest.raises(IngestError, match=r"^malformed feed: "):
        parse("a.rss", "<rss><channel><title>Broken & <b>")
    with pytest.raises(IngestError, match="the feed has no items"):
        parse("a.rss", "<rss version='2.0'><channel><title>Quiet</title></channel></rss>")


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        "<rss version='2.0'><channel><title>X</title><item><description>a &x; b</description></item></channel></rss>"
    )
    articles, _ = parse("a.rss", data)
    assert all("TOP-SECRET" not in a.body for a in articles)


def test_html_raw_fields_and_paragraphs() -> None:
    [article], warnings = fixture("page.html")
    assert article.body.split("\n\n")[0].startswith("The town library reopened")
    assert len(article.body.split("\n\n")) == 3
    assert article.tags == ["library", "flood"]
    assert warnings == []


def test_xhtml_with_xml_declaration() -> None:
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="nb"><head><title>Havna</title></head>'
        "<body><p>Kommunestyret vedtok den nye ruteplanen for ferja i kveld.</p></body></html>"
    )
    [article], _ = parse("a.xhtml.html", page)
    assert article.body == "Kommunestyret vedtok den nye ruteplanen for ferja i kveld."
    assert (article.title, article.language) == ("Havna", "nb")


def test_html_in_a_declared_legacy_encoding() -> None:
    page = (
        b'<html><head><meta charset="windows-1252"><title>T</title></head>'
        b"<body><p>The caf\xe9 on the quay \x96 closed since May \x96 reopens.</p></body></html>"
    )
    [article], warnings = parse("a.htm", page)
    assert article.body == "The café on the quay – closed since May – reopens."
    assert warnings == []


def test_html_fallback_drops_page_chrome() -> None:
    from newsdesk.index.ingest.formats.html import fragment_text

    markup = "<header>Site name</header><div>Notice one.<br>Notice two.</div><footer>Contact us</footer>"
    assert fragment_text(markup) == "Notice one.\n\nNotice two."


def test_only_html_pulls_in_trafilatura_and_nothing_pulls_in_textual() -> None:
    code = (
        "import sys; from pathlib import Path; "
        "from newsdesk.index.ingest.formats import ParseOptions, parse_file; "
        "[parse_file(Path(n), d, ParseOptions()) for n, d in "
        "(('a.txt', b'x'), ('a.md', b'x'), ('a.jsonl', b'{\"text\": \"x\"}'), "
        "('a.rss', b\"<rss><channel><item><description>x</description></item></channel></rss>\"))]; "
        "print('trafilatura' in sys.modules, 'textual' in sys.modules)"
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]
