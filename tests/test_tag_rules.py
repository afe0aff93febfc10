"""What a tag may be: no control characters (C1 too) nor invisible format characters in a new one,
while a file written before that rule still opens.

Before: a tag could hold a C1 control (U+0080-U+009F: 0x9B is a CSI to some terminals) or a bidi
override (U+202E shows "evil" as "live" and reorders what follows), though the error said "without
control characters"; an import of another's export brought such tags in.
"""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.index.annotations import AnnotationError, AnnotationStore, owner_by_file_name
from newsdesk.index.annotations.export import parse_export
from newsdesk.index.annotations.model import Annotation, check_tag, is_invisible, stored_tag
from newsdesk.index.annotations.tag_words import IMPORTED_TAGS_MARK
from newsdesk.index.article import Article

_HIDDEN = st.sampled_from(["\x85", "\x9b", "\x9d", "\u200b", "\u200e", "\u202e", "\u2066", "\u2060", "\ufeff", "\xad"])
_TAG_TEXT = st.lists(
    st.one_of(st.characters(), _HIDDEN, st.sampled_from([",", " ", "\n", "\u200d", "\u200c"])), max_size=70
).map("".join)


def _visible(tag: str) -> bool:
    return not any(
        unicodedata.category(c) == "Cc" or (unicodedata.category(c) == "Cf" and c not in "\u200c\u200d") for c in tag
    )


@given(_TAG_TEXT)
@settings(max_examples=400)
def test_a_new_tag_is_visible_text_or_one_printable_line_refusing_it(text: str) -> None:
    try:
        tag = check_tag(text)
    except AnnotationError as exc:
        message = str(exc)
        assert "\n" not in message and message.isprintable(), message
        return
    assert tag == unicodedata.normalize("NFC", text.strip())  # composed (tests/test_tag_rules_redteam.py)
    assert 1 <= len(tag) <= 64
    assert _visible(tag)
    assert not any(c.isspace() or c == "," for c in tag)


@pytest.mark.parametrize("hidden", ["\x9b", "\x85", "\u202e", "\u200b", "\u2066", "\U000e0041"])
def test_a_tag_with_a_c1_control_or_an_invisible_character_is_refused(hidden: str) -> None:
    with pytest.raises(AnnotationError, match="control or invisible"):
        check_tag(f"evi{hidden}dence")


@pytest.mark.parametrize("tag", ["می\u200cخواهم", "👩\u200d💻", "évidence", "证据", "🇦🇲"])
def test_joiners_and_other_scripts_stay_allowed(tag: str) -> None:
    assert check_tag(tag) == tag


def _record(tag: str) -> dict[str, object]:
    return {
        "id": "a1",
        "article_id": "0123456789abcdef",
        "target": {"position": {"start": 0, "end": 5}, "quote": {"exact": "First"}},
        "tags": [tag],
        "note": "",
        "author": "alice",
    }


@given(st.text(min_size=1, max_size=64).filter(lambda t: t.strip() == t).map(lambda t: t + "\x9b"))
@settings(max_examples=100)
def test_a_file_written_before_the_rule_still_reads(tag: str) -> None:
    """Tags that only the new rule refuses still read (shown as symbols; tests/tui/test_annotate_dialog_controls.py)."""
    try:
        stored_tag(tag)
    except AnnotationError:
        return  # refused by the old rule too (a space, a comma, a C0 control)
    assert Annotation.from_dict(_record(tag)).tags == (tag,)


def _stored(tag: str) -> bool:
    try:
        return stored_tag(tag) == tag
    except AnnotationError:
        return False


def _new_or_none(tag: str) -> str | None:
    try:
        return check_tag(tag)
    except AnnotationError:
        return None


def _as_in_note(tag: str) -> str:
    return "".join("\ufffd" if unicodedata.category(c) == "Cc" or is_invisible(c) else c for c in tag)


def test_an_import_keeps_an_older_versions_invisible_tag_in_the_note() -> None:
    """A restore of one's own older export (a tag with a bidi override or a C1 control) was refused whole:
    such a tag now goes to the end of the note, marked, as a kept annotation's does; the rest is imported."""
    record = {**_record("ok"), "tags": ["ok", "li\u202eve", "evi\x9bdence"], "note": "my note"}
    text = yaml.safe_dump({"annotations": [_record("fine"), record]})
    first, second = parse_export(text, "mine.yaml")
    assert first.tags == ("fine",)
    assert second.tags == ("ok",)
    assert second.note == f"my note\n\n{IMPORTED_TAGS_MARK} li\ufffdve evi\ufffddence"


@given(
    st.lists(
        st.lists(st.one_of(st.characters(), _HIDDEN), min_size=1, max_size=70)
        .map(lambda c: "".join(c).strip())
        .filter(_stored),
        max_size=4,
    ),
    st.text(max_size=40),
)
@settings(max_examples=200)
def test_an_import_loses_no_tag_an_older_file_may_hold(tags: list[str], note: str) -> None:
    """Every tag a file may hold is imported as a tag (as a new one is stored) or, marked, in the note."""
    record = {**_record("x"), "tags": tags, "note": note}
    try:
        Annotation.from_dict(record)
    except AnnotationError:
        return  # not a note a file may hold (bytes that were not UTF-8): the import says so, as before
    (imported,) = parse_export(yaml.safe_dump({"annotations": [record]}), "mine.yaml")
    kept = [t for t in tags if _new_or_none(t) is not None]
    assert imported.tags == tuple(dict.fromkeys(_new_or_none(t) for t in kept))
    moved = [t for t in tags if _new_or_none(t) is None]
    if moved:
        assert imported.note.endswith(IMPORTED_TAGS_MARK + " " + " ".join(dict.fromkeys(map(_as_in_note, moved))))
        assert imported.note.startswith(note.rstrip()) if note.strip() else True
    else:
        assert imported.note == note


@given(tag=_TAG_TEXT)
@settings(max_examples=60)
def test_the_store_saves_only_tags_the_rule_allows(tag: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _saved_only_if_allowed(AnnotationStore(Path(folder), user="alice", owner_of=owner_by_file_name), tag)


def _saved_only_if_allowed(store: AnnotationStore, tag: str) -> None:
    article = Article(id="0123456789abcdef", path="a.txt", item=0, title="A", text="First paragraph.", content_hash="h")
    try:
        wanted = check_tag(tag)
    except AnnotationError:
        with pytest.raises(AnnotationError):
            store.add(article, 0, 5, [tag])
        assert store.all()[0] == []
        return
    added = store.add(article, 0, 5, [tag])
    assert added.tags == (wanted,)
    (read,) = store.all()[0]
    assert read.tags == (wanted,)
