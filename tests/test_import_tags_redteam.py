"""Red team on adf1332: an import whose tags an older version saved, that no tag may be now."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index.annotations.export import export, parse_export
from newsdesk.index.annotations.model import Annotation, AnnotationError, stored_tag
from newsdesk.index.annotations.tag_words import IMPORTED_TAGS_MARK

from tests.test_annotations import news, run  # noqa: F401  (news: a fixture)


def test_an_import_says_how_many_tags_went_to_notes_and_a_second_import_says_none(
    capsys: pytest.CaptureFixture[str],
    news: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A restore of one's own older export moved two tags (a bidi override, a C1 CSI) into the note, and the
    import said only "1 imported, 0 already present": the user was not told their tags were no longer tags."""
    corpus = ["--corpus", str(news)]
    run(capsys, "annotations", "add", "talks.txt", "--quote", "the talks", "--tag", "ok", "--note", "mine", *corpus)
    exported = tmp_path / "export.yaml"
    run(capsys, "annotations", "export", "--format", "yaml", "--output", str(exported), *corpus)
    data = yaml.safe_load(exported.read_text(encoding="utf-8"))
    (record,) = data["annotations"]
    record["id"] = "older-1"
    record["tags"] = ["ok", "li\u202eve", "evi\x9bdence"]
    older = tmp_path / "older.yaml"
    older.write_text(yaml.safe_dump(data, allow_unicode=False), encoding="utf-8")
    code, out, _ = run(capsys, "annotations", "import", str(older), *corpus)
    lines = out.splitlines()
    assert code == 0 and lines[0] == "1 imported, 0 already present"
    assert len(lines) == 2 and lines[1].startswith("2 tags that are not valid") and IMPORTED_TAGS_MARK in lines[1]
    code, out, _ = run(capsys, "annotations", "import", str(older), *corpus)
    assert code == 0 and out.strip() == "0 imported, 1 already present"
    code, out, _ = run(capsys, "annotations", "list", *corpus)
    assert code == 0 and all(line.isprintable() for line in out.splitlines()), out


def _record(tags: list[str], note: str) -> dict[str, object]:
    return {
        "id": "a1",
        "article_id": "art",
        "target": {"position": {"start": 0, "end": 3}, "quote": {"exact": "abc"}},
        "tags": tags,
        "note": note,
        "author": "bob",
    }


def _storable(tag: str) -> bool:
    try:
        return stored_tag(tag) == tag
    except AnnotationError:
        return False


_OLD = st.sampled_from(["\x9b", "\x9d", "\u200b", "\u202e", "\u3164", "\u0301", "\ufeff", "\u0958" * 33])


@given(
    st.lists(
        st.lists(st.one_of(st.characters(), _OLD), min_size=1, max_size=8)
        .map("".join)
        .map(str.strip)
        .filter(_storable),
        max_size=5,
    ),
    st.text(max_size=30),
    st.sampled_from(["yaml", "json"]),
)
@settings(max_examples=300, suppress_health_check=list(HealthCheck))
def test_an_imported_annotation_exported_and_imported_again_is_the_same(tags: list[str], note: str, fmt: str) -> None:
    """Held: export -> import -> export -> import changes nothing more after the first import (the note
    does not grow a second marked line), in yaml and json, whatever the tags and note."""
    try:
        Annotation.from_dict(_record(tags, note))
    except AnnotationError:
        return
    (first,) = parse_export(yaml.safe_dump({"annotations": [_record(tags, note)]}), "old.yaml")
    (second,) = parse_export(export([first], {}, fmt), f"new.{fmt}")
    (third,) = parse_export(export([second], {}, fmt), f"again.{fmt}")
    assert (first.tags, first.note) == (second.tags, second.note) == (third.tags, third.note)
    assert first.note.count(IMPORTED_TAGS_MARK) <= note.count(IMPORTED_TAGS_MARK) + 1
