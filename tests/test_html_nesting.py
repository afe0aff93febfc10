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
