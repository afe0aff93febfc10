"""Cleaning: title rules, boilerplate removal, normalisation, dates."""

from __future__ import annotations

import pytest
from newsdesk.index.config import DEFAULT_BOILERPLATE
from newsdesk.index.ingest.clean import Cleaner, first_sentence, normalise_date, sanitize
from newsdesk.index.ingest.model import RawArticle

CLEANER = Cleaner.from_patterns(DEFAULT_BOILERPLATE, 150, "en")


def clean_txt(text: str):
    return CLEANER.article(RawArticle(body=text, title_from_first_line=True), "a.txt", 0)


def test_short_first_line_is_the_title_and_leaves_the_body() -> None:
    article = clean_txt("Talks resume in Geneva\n\nMinisters met on Friday.\n\nThey agreed on little.")
    assert article.title == "Talks resume in Geneva"
    assert article.text == "Ministers met on Friday.\n\nThey agreed on little."


def test_long_first_line_gives_first_sentence_as_title_and_stays_in_body() -> None:
    long_line = "Envoys from three capitals met again on Friday. " + "They talked for hours " * 10
    article = clean_txt(long_line + "\n\nSecond paragraph.")
    assert article.title == "Envoys from three capitals met again on Friday."
    assert article.text.startswith("Envoys from three capitals")


def test_title_of_a_single_line_file_is_its_first_sentence() -> None:
    article = clean_txt("Only one line here. And more.")
    assert article.title == "Only one line here."
    assert article.text == "Only one line here. And more."


def test_long_first_sentence_is_cut_on_a_word_boundary() -> None:
    title = first_sentence("word " * 100, 40)
    assert len(title) <= 40
    assert title.endswith("…")
    assert not title[:-1].endswith(" ")


@pytest.mark.parametrize(
    "noise",
    [
        "Reading Time: 3 minutes",
        "reading time: 1 min",
        "You may want to read...",
        "%d bloggers like this:",
        "Share this:",
        "Photo: Some Person / Agency",
        "Based on materials from TASS",
    ],
)
def test_default_boilerplate_lines_are_removed(noise: str) -> None:
    article = clean_txt(f"Title here\n\nFirst paragraph.\n\n{noise}\n\nLast paragraph.")
    assert noise not in article.text
    assert article.text == "First paragraph.\n\nLast paragraph."


def test_boilerplate_only_matches_whole_lines() -> None:
    text = "Title here\n\nHe said reading time: 3 minutes was enough for the report."
    assert "reading time" in clean_txt(text).text


def test_extra_patterns_apply() -> None:
    cleaner = Cleaner.from_patterns([*DEFAULT_BOILERPLATE, r"^all rights reserved\.?$"], 150, "en")
    article = cleaner.article(RawArticle(body="Body text.\n\nAll Rights Reserved."), "a.txt", 0)
    assert article.text == "Body text."


def test_text_is_normalised_once() -> None:
    decomposed = "Cafe\u0301 talks\r\nsecond\rthird\x00\x1b[31m red\x1b[0m \u202eevil"
    article = CLEANER.article(RawArticle(body=decomposed, title="T"), "a.txt", 0)
    assert article.text == "Café talks\nsecond\nthird red evil"


def test_sanitize_removes_terminal_escapes_whole() -> None:
    hostile = "a\x1b]8;;http://evil\x07link\x1b]8;;\x07b\x1b]52;c;ZXZpbA==\x07c\x9b2Jd"
    assert sanitize(hostile) == "alinkbcd"


def test_blank_lines_collapse_to_one_paragraph_break() -> None:
    article = CLEANER.article(RawArticle(body="a\n\n\n\n   \nb  \n", title="T"), "a.txt", 0)
    assert article.text == "a\n\nb"


def test_only_boilerplate_gives_no_article() -> None:
    assert CLEANER.article(RawArticle(body="Share this:\n\nLike this:"), "a.txt", 0) is None


def test_metadata_and_hash() -> None:
    raw = RawArticle(body="Body.", title="T", source=" Meridian  Wire ", tags=["b", "a", "a", ""], date="2020-11-10")
    article = CLEANER.article(raw, "dir/a.md", 0)
    assert article.source == "Meridian Wire"
    assert article.tags == ["a", "b"]
    assert article.date == "2020-11-10"
    assert article.language == "en"
    assert article.word_count == 1
    assert len(article.content_hash) == 64
    assert article.id == CLEANER.article(raw, "dir/a.md", 0).id
    assert article.id != CLEANER.article(raw, "dir/a.md", 1).id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-10-30", "2020-10-30"),
        ("2020-10-30T10:00:00Z", "2020-10-30"),
        ("2020-10-30T10:00:00+04:00", "2020-10-30"),
        ("Fri, 30 Oct 2020 10:00:00 +0000", "2020-10-30"),
        ("30 October 2020", "2020-10-30"),
        ("October 30, 2020", "2020-10-30"),
        ("30.10.2020", "2020-10-30"),
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_dates(raw: str | None, expected: str | None) -> None:
    assert normalise_date(raw) == expected


def test_zero_width_spaces_do_not_survive_in_titles_or_text() -> None:
    """Issue 11, item 9: a title with U+200B looked equal to another and split words for search."""
    article = clean_txt("Cease\u200bfire talks\u2060 resume\n\nIn Gen\u200beva on Friday.")
    assert article.title == "Ceasefire talks resume"
    assert article.text == "In Geneva on Friday."
    assert sanitize("emoji \U0001f469\u200d\U0001f4bb and \u0645\u06cc\u200c\u062e\u0648\u0627\u0645") == (
        "emoji \U0001f469\u200d\U0001f4bb and \u0645\u06cc\u200c\u062e\u0648\u0627\u0645"
    )  # joiners that spelling needs stay
