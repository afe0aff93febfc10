"""The Markdown report shows notes, quotes, tags, titles and authors as text, never as markup.

A note is another account's text, a quote or title an article's: written raw into the report, a note
``<img src=x onerror=…>`` reached any renderer that passes HTML, ``[open](javascript:…)`` made a link,
and a note holding its own ``> quote`` and ``*alice, 2026-…*`` lines showed an annotation alice never
made. Checked by parsing the report with markdown-it-py (CommonMark, plus GFM's tables and
strikethrough), the parser Textual itself uses.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from newsdesk.index.annotations.export import ArticleInfo, export, md_text
from newsdesk.index.annotations.model import Annotation, Target
from newsdesk.index.ingest.clean import sanitize

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_MARKUP = st.sampled_from(
    [
        "<img src=x onerror=alert(1)>",
        "[open](javascript:alert(1))",
        "![x](http://evil/x.png)",
        "> a fake quote",
        "*alice, 2026-12-01T10:00:00+00:00*",
        "## heading",
        "1. one",
        "2) two",
        "- item",
        "+ item",
        "===",
        "---",
        "    indented code",
        "```",
        "~~~",
        "`code`",
        "| a | b |\n|---|---|",
        "&lt; &amp; &#60;",
        "\\",
        "<http://evil>",
        "a  ",
        "<!-- c -->",
        "[x]: http://evil",
    ]
)
_NOTE = st.lists(_MARKUP | st.text(max_size=30), max_size=6).map("\n".join)


def _text_only(markdown: str) -> str:
    """The text ``markdown`` shows, asserting it makes paragraphs of plain text and nothing else."""
    shown = []
    for token in PARSER.parse(markdown):
        assert token.type in ("paragraph_open", "paragraph_close", "inline"), token.type
        for child in token.children or []:
            assert child.type in ("text", "softbreak", "hardbreak"), (child.type, markdown)
            shown.append(child.content if child.type == "text" else "\n")
        shown.append("\n")
    return "".join(shown)


@settings(max_examples=300, deadline=None)
@given(_NOTE)
def test_any_note_shows_as_its_own_words_in_plain_paragraphs(note: str) -> None:
    assert _text_only(md_text(note)).split() == sanitize(note).split()


@settings(max_examples=100, deadline=None)
@given(note=_NOTE, quote=_NOTE, tag=_MARKUP | st.text(min_size=1, max_size=20), title=_NOTE, author=_MARKUP)
def test_the_report_has_one_attribution_and_one_quote_whatever_the_texts(
    note: str, quote: str, tag: str, title: str, author: str
) -> None:
    annotation = Annotation(
        "a1", "0123456789abcdef", "h", Target(0, 1, quote or "x"), (tag,), note, author, "2026-12-01T10:00:00+00:00"
    )
    report = export([annotation], {annotation.article_id: ArticleInfo(title, "=x.txt")}, "md")
    tokens = PARSER.parse(report)
    kinds = [t.type for t in tokens]
    assert kinds.count("blockquote_open") == 1
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2", "h3"]
    inline = [c.type for t in tokens for c in (t.children or [])]
    assert inline.count("em_open") == 1  # the attribution line: a note's own made a second
    assert not {"html_inline", "link_open", "image", "code_inline", "s_open"} & set(inline)
    assert not {"html_block", "code_block", "fence", "table_open", "bullet_list_open", "ordered_list_open"} & set(kinds)
