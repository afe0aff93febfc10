"""Pages nested deeper than lxml keeps: libxml2 drops every element nested past 256 levels, silently.

An old news page of 300 unclosed ``<font>`` tags (the HTML parser nests each in the one before) lost
every word after them, with no warning: the article read as its first paragraph. Now a page past 256
levels is parsed again with lxml's ``huge_tree`` (2,048), and one past that is read without a tree.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.index.ingest.formats import ParseOptions
from newsdesk.index.ingest.formats import html as html_format

from tests.test_formats_hostile_input import timed_read

FIRST = "The talks began on Monday in the capital, officials said."
DEEP = "Negotiators worked through the night on the text of a truce."
LAST = "A second round is planned for next week, the ministry added."


def _page(depth: int, tag: str, closed: bool) -> str:
    close = f"</{tag}>" * depth if closed else ""
    return (
        "<html><head><title>Talks resume</title></head><body>"
        f"<p>{FIRST}</p>{f'<{tag}>' * depth}<p>{DEEP}</p>{close}<p>{LAST}</p></body></html>"
    )


@pytest.mark.parametrize(("depth", "tag", "closed"), [(300, "font", False), (300, "div", True), (3000, "div", True)])
def test_a_page_nested_past_lxmls_default_depth_keeps_all_its_paragraphs(depth: int, tag: str, closed: bool) -> None:
    warnings: list[str] = []
    [article] = html_format.parse(_page(depth, tag, closed), Path("page.html"), ParseOptions(), warnings)
    assert article.body.split("\n\n") == [FIRST, DEEP, LAST]  # seen: [FIRST]
    assert article.title == "Talks resume"
    if depth > html_format.MAX_TREE_DEPTH:
        assert len(warnings) == 1 and "nested more than 2,048 deep" in warnings[0]
        assert "all the page's text" in warnings[0]
    else:
        assert warnings == []


def test_a_page_nested_200000_deep_is_read_in_seconds_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text(_page(200_000, "div", True), encoding="utf-8")
    result, elapsed = timed_read(path)
    assert not result.skipped, result.skipped
    [article] = result.articles
    assert article.text.split("\n\n")[-3:] == [FIRST, DEEP, LAST]
    assert len(result.warnings) == 1 and "nested more than" in result.warnings[0]
    assert elapsed < 30, elapsed


def test_the_read_without_a_tree_stops_at_its_time_and_keeps_what_it_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_format, "FLAT_SECONDS_FLOOR", 0.0)
    monkeypatch.setattr(html_format, "FLAT_SECONDS_PER_MB", 0.0)
    calls = iter([0.0, 0.0, 0.0, 10.0])  # the deadline, then one chunk read in time
    monkeypatch.setattr(time, "monotonic", lambda: next(calls, 10.0))
    padding = "<div>" * 3000 + "<p>" + "word " * 20_000 + "</p>"
    warnings: list[str] = []
    [article] = html_format.parse(
        f"<html><body><p>{FIRST}</p>{padding}<p>{LAST}</p></body></html>", Path("p.html"), ParseOptions(), warnings
    )
    assert article.body.startswith(FIRST) and LAST not in article.body
    assert len(warnings) == 1 and "kept (time allowed)" in warnings[0], warnings


_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc", "Cn", "Co")), max_size=60)


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(_TEXT, min_size=1, max_size=4),
    depth=st.sampled_from([0, 1, 255, 256, 257, 2047, 2048, 2049, 5000]),
    tag=st.sampled_from(["div", "font", "span", "b", "section"]),
    closed=st.booleans(),
)
def test_a_fragment_at_any_depth_keeps_every_word(texts: list[str], depth: int, tag: str, closed: bool) -> None:
    """A feed item's or a mail's HTML: every word of every paragraph, nested at any depth, in order."""
    first, *rest = [f"<p>{html.escape(text)}</p>" for text in texts]
    markup = first + f"<{tag}>" * depth + "".join(rest) + (f"</{tag}>" * depth if closed else "")
    assert html_format.fragment_text(markup).split() == " ".join(texts).split()


# Red-team pass: the read without a tree (_FlatText) on what a hostile or an unlucky page holds.

_DEEP = "<div>" * (html_format.MAX_TREE_DEPTH + 50)


@pytest.mark.parametrize("opened", ["<!--", "<a", "</a", "<!x", "<?x"])
def test_markup_left_open_at_the_end_of_a_deep_page_is_quick_and_not_text(tmp_path: Path, opened: str) -> None:
    """A comment, tag or declaration never closed runs to the end of the page and shows nothing, as in a
    browser. The tokenizer's close() read it as text a ``<`` at a time, searching the rest each time:
    a 200 KB page ending in 50,000 ``<!--`` took 75 s, and the article was that markup."""
    path = tmp_path / "open.html"
    path.write_text(f"<html><body><p>{FIRST}</p>{_DEEP}<p>{LAST}</p>" + opened * 40_000, encoding="utf-8")
    result, elapsed = timed_read(path)
    [article] = result.articles
    assert article.text.split("\n\n") == [FIRST, LAST]  # seen: [FIRST, LAST, "<!--<!--<!--..."]
    assert elapsed < 3, elapsed  # seen: 10 s to 50 s


@pytest.mark.parametrize("section", ["<![x[ hidden ]]>", "<![ hidden ]]>", "<![1 hidden ]>"])
def test_an_odd_marked_section_does_not_lose_a_deep_page(tmp_path: Path, section: str) -> None:
    """``<![`` followed by anything but CDATA or Word's ``if``/``endif`` raised AssertionError in the
    tokenizer: the page was skipped ("could not be read"), and a feed with such an item lost every item."""
    path = tmp_path / "marked.html"
    path.write_text(f"<html><body><p>{FIRST}</p>{_DEEP}{section}<p>{DEEP}</p><p>{LAST}</p>", encoding="utf-8")
    result, _ = timed_read(path)
    assert result.skipped is None, result.skipped
    [article] = result.articles
    assert article.text.split("\n\n") == [FIRST, DEEP, LAST]
    assert html_format.fragment_text(f"<p>{FIRST}</p>{_DEEP}{section}<p>{LAST}</p>").split("\n\n") == [FIRST, LAST]


def test_the_title_of_a_deep_page_does_not_run_into_its_first_words() -> None:
    """The old page this is for: ``<title>`` then 3,000 unclosed ``<font>`` and the text. The title's text
    was read as the body's and ran into its first words ("Talks resumeThe talks began...")."""
    page = f"<html><head><title>Talks resume</title></head><body>{'<font face=arial>' * 3000}{FIRST}<p>{LAST}"
    warnings: list[str] = []
    [article] = html_format.parse(page, Path("page.html"), ParseOptions(), warnings)
    assert article.title == "Talks resume"
    assert article.body.split("\n\n") == [FIRST, LAST]  # seen: ["Talks resume" + FIRST, LAST]
    fragment = f"<title>Talks resume</title>{'<font>' * 3000}{FIRST}<p>{LAST}"
    assert html_format.fragment_text(fragment).split("\n\n") == [FIRST, LAST]


def test_a_page_too_deep_for_a_tree_keeps_its_metadata() -> None:
    """Its head is in the tree: trafilatura read its date and title before the change (from the page cut
    at 256 levels), the read without a tree lost the date and kept the site's name in the title."""
    head = (
        "<html lang=en><head><title>Talks resume | The Daily</title><meta name='date' content='2021-03-04'>"
        "<meta name='author' content='Ann Lee'></head>"
    )
    warnings: list[str] = []
    page = f"{head}<body><p>{FIRST}</p>{'<div>' * 3000}<p>{DEEP}</p><p>{LAST}</p></body></html>"
    [article] = html_format.parse(page, Path("page.html"), ParseOptions(), warnings)
    assert article.body.split("\n\n") == [FIRST, DEEP, LAST]
    assert (article.title, article.date, article.author) == ("Talks resume", "2021-03-04", "Ann Lee")  # seen: no date
    assert len(warnings) == 1


def test_huge_tree_lifts_no_size_limit_for_main_text_extraction(tmp_path: Path) -> None:
    """libxml2 reports a text or attribute over 10 MB with the same error as depth, and huge_tree lifts
    its size limits with its depth limit: a page with one 11 MB paragraph (not deep at all) went to
    trafilatura whole (30 s and 600 MB for 20 MB; 0.7 s before, the text lost). Such a page keeps all its
    text, without main-text extraction, with one warning."""
    long = "word " * 2_200_000
    path = tmp_path / "long.html"
    path.write_text(f"<html><body><p>{FIRST}</p><p>{long}</p><p>{LAST}</p></body></html>", encoding="utf-8")
    result, elapsed = timed_read(path)
    [article] = result.articles
    assert article.text.split("\n\n") == [FIRST, long.strip(), LAST]
    assert len(result.warnings) == 1 and "too long for main-text extraction" in result.warnings[0]
    assert elapsed < 6, elapsed


def test_huge_tree_lifts_no_attribute_limit_for_main_text_extraction(tmp_path: Path) -> None:
    """An 11 MB ``class`` in a page 300 deep: trafilatura searched it (55 s for 20 MB; 1.4 s before)."""
    path = tmp_path / "attribute.html"
    path.write_text(_page(300, "div", True).replace("<p>", f"<p class='{'x' * 11_000_000}'>", 1), encoding="utf-8")
    result, elapsed = timed_read(path)
    [article] = result.articles
    assert article.text.split("\n\n") == [FIRST, DEEP, LAST]
    assert elapsed < 6, elapsed


@pytest.mark.parametrize(("filler", "megabytes"), [("<", 6), ("<3 <", 6), ("a<b ", 3)])
def test_the_read_without_a_tree_is_linear_in_stray_and_open_markup(filler: str, megabytes: int) -> None:
    """Each "<" that opens no markup was one call of the tokenizer (20 MB of "<" took 60 s), and a tag
    left open was searched again from its start at each 64 KB piece: quadratic (5 MB of "a<b ", one tag
    to the page's last ">", took 57 s). Both well inside the allowance, which is what a user waits."""
    markup = f"<p>{FIRST}</p>{_DEEP}" + filler * (megabytes * 1024 * 1024 // len(filler)) + f"<p>{LAST}</p>"
    start = time.perf_counter()
    text = html_format.fragment_text(markup)
    elapsed = time.perf_counter() - start
    assert text.startswith(FIRST) and text.endswith(LAST)
    if filler.startswith("<"):
        expected = filler * (megabytes * 1024 * 1024 // len(filler))
        assert text.split("\n\n")[1].replace(" ", "") == expected.replace(" ", "")
    assert elapsed < 8, elapsed


def test_a_deep_page_in_a_small_web_archive_is_read_within_the_archives_time(tmp_path: Path) -> None:
    """A web archive's pages get time in proportion to the archive's bytes, checked between records; a
    page too deep for a tree got its own allowance, in proportion to its expanded size: 15 MB of nested
    ``<b>`` compress to 30 KB, and that one page took 30 s or more (10 s allowed for the archive)."""
    import gzip

    from tests.test_formats_hostile_input import _warc_record

    page = _page(5_000_000, "b", False).encode()
    path = tmp_path / "deep.warc.gz"
    path.write_bytes(gzip.compress(_warc_record("http://e.org/deep", page), 9))
    assert path.stat().st_size < 64 * 1024
    result, elapsed = timed_read(path)
    [article] = result.articles
    assert article.text.startswith(FIRST)  # what was read in time is kept
    assert elapsed < 16, elapsed


def test_a_feed_of_deep_items_ending_in_open_comments_is_read_in_seconds(tmp_path: Path) -> None:
    """Each item's markup is read on its own (fragment_text): each paid the quadratic close of the
    tokenizer (seconds an item), and each item's article ended in its "<!--" markup."""
    deep = f"<p>{FIRST}</p>{_DEEP}<p>{LAST}</p>" + "<!--" * 30_000
    items = "".join(
        f"<item><title>Item {n}</title><description>{html.escape(deep)}</description></item>" for n in range(3)
    )
    path = tmp_path / "deep.rss"
    path.write_text(f"<?xml version='1.0'?><rss version='2.0'><channel><title>S</title>{items}</channel></rss>")
    result, elapsed = timed_read(path)
    assert [article.text.split("\n\n") for article in result.articles] == [[FIRST, LAST]] * 3
    assert elapsed < 5, elapsed


@pytest.mark.parametrize("tag", ["table", "article"])
def test_a_tree_too_deep_for_main_text_extraction_in_seconds_keeps_all_its_text(tag: str) -> None:
    """trafilatura's cost grows with the cube of the depth: given the tree of a 14 KB page of 2,040
    unclosed ``<table>`` it took 60 s (``<article>``: 17 s), under a second at 512 levels. A tree deeper
    than that keeps all its text and metadata, without main-text extraction, with one warning."""
    warnings: list[str] = []
    start = time.perf_counter()
    [article] = html_format.parse(_page(2040, tag, False), Path("page.html"), ParseOptions(), warnings)
    elapsed = time.perf_counter() - start
    assert article.body.split("\n\n") == [FIRST, DEEP, LAST]
    assert article.title == "Talks resume"
    assert len(warnings) == 1 and "too deep for main-text extraction" in warnings[0]
    assert elapsed < 5, elapsed  # seen: 60 s, 17 s
