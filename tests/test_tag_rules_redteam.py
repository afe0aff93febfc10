"""Red team of d072ef4's tag rule (tests/test_tag_rules.py): characters that show as nothing though
they are neither controls nor format characters, and two spellings of one tag that look the same."""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

import pytest
import yaml
from newsdesk.index.annotations import AnnotationError, AnnotationStore, owner_by_file_name
from newsdesk.index.annotations.export import parse_export
from newsdesk.index.annotations.model import check_tag
from newsdesk.index.article import Article

BLANKS = ["\u3164", "\uffa0", "\u115f", "\u1160", "\u2800", "\u034f", "\u17b4", "\u17b5", "\u180b"]
"""Hangul fillers, the braille blank, the combining grapheme joiner, Khmer inherent vowels, a Mongolian
variation selector: each draws nothing (Unicode calls most of them default-ignorable)."""


@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize("shape", ["{}", "evidence{}", "evi{}dence"])
def test_a_tag_that_draws_nothing_or_as_another_is_refused_in_a_line_that_shows_it(shape: str, blank: str) -> None:
    """Seen on d072ef4: ``check_tag("\\u3164")`` gave a tag that shows as nothing, and
    ``evidence\\u3164`` one that shows as "evidence", though the rule promises no invisible characters."""
    with pytest.raises(AnnotationError, match="control or invisible") as raised:
        check_tag(shape.format(blank))
    message = str(raised.value)
    assert blank not in message and f"\\u{ord(blank):04x}" in message and message.isprintable()


@pytest.mark.parametrize("mark", ["\u0301", "\ufe0f", "\U000e0100", "\u20dd"])
def test_a_tag_that_starts_with_a_combining_mark_is_refused(mark: str) -> None:
    """Alone, a combining mark draws on what is before it on the screen (the comma or bracket of a
    list of tags), or nothing; a variation selector alone draws nothing."""
    with pytest.raises(AnnotationError) as raised:
        check_tag(mark + "x")
    assert f"\\u{ord(mark):04x}" in str(raised.value) or f"\\U{ord(mark):08x}" in str(raised.value)


@pytest.mark.parametrize("tag", ["\u2764\ufe0f", "👍🏽", "क्\u200dष", "é", "ab\u0301", "ㄱ", "⠁"])
def test_marks_selectors_and_letters_that_draw_stay_allowed(tag: str) -> None:
    assert check_tag(tag) == unicodedata.normalize("NFC", tag)


def test_a_decomposed_tag_is_stored_composed_so_one_tag_is_not_two() -> None:
    """Seen on d072ef4: "e\\u0301vidence" (a file from a Mac, an input method) and "évidence" were two
    tags that look the same, both on one annotation, each found by only one spelling."""
    assert check_tag("e\u0301vidence") == "évidence"
    article = Article(id="0123456789abcdef", path="a.txt", item=0, title="A", text="First paragraph.", content_hash="h")
    with tempfile.TemporaryDirectory() as folder:
        store = AnnotationStore(Path(folder), user="alice", owner_of=owner_by_file_name)
        added = store.add(article, 0, 5, ["évidence", "e\u0301vidence"])
        assert added.tags == ("évidence",)
        record = {
            "id": "a1",
            "article_id": article.id,
            "target": {"position": {"start": 0, "end": 5}, "quote": {"exact": "First"}},
            "tags": ["e\u0301vidence"],
            "author": "bob",
        }
        (imported,) = parse_export(yaml.safe_dump({"annotations": [record]}), "theirs.yaml")
        assert imported.tags == ("évidence",)


def test_the_64_character_limit_holds_after_composing() -> None:
    """NFC lengthens a few characters (U+0958 is two after it): the limit is on what is stored."""
    with pytest.raises(AnnotationError):
        check_tag("\u0958" * 40)


@pytest.mark.parametrize("size", [65, 1_000_000])
def test_a_tag_far_too_long_is_named_by_its_start_in_a_short_line(size: int) -> None:
    """Seen on d072ef4: the error quoted the whole tag: an article pasted in the tags box (1 MB) gave a
    1 MB line, which the dialog took 2.8 s to lay out, 10,419 rows high (the note box pushed off), and
    ``annotations add --tag`` printed it whole."""
    with pytest.raises(AnnotationError) as raised:
        check_tag("x" * size)
    message = str(raised.value)
    assert len(message) < 200 and message.startswith("tag 'xxxx") and f"{size:,} characters" in message
