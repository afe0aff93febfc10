"""``newsdesk annotations kept``: annotations set aside after a dropped connection, listed, applied, discarded.

Before it, a ``*.conflict`` or ``*.failed`` file was named once at start and then left for
the user to read as JSON and retype: what was typed was kept, but nothing could bring it back.
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index import Annotation, AnnotationError, Article, Config, Library, check_annotation_tag
from newsdesk.index.locations import demo_corpus
from newsdesk.tui import unsaved
from newsdesk.tui.cli import main


def _library(state: Path) -> Library:
    return Library.open(demo_corpus(), state_dir=state, config=Config())


def _set_aside(state: Path, tags: list[str], note: str) -> tuple[Article, Annotation, Path, list[str]]:
    """An edit kept at a hang-up, then another session's change: set aside at the next start (as a
    conflict; as failed when the annotation files refuse a tag). Also the start's lines about it."""
    folder = unsaved.default_unsaved_dir()
    with _library(state) as library:
        article = library.article(library.list_articles(0, 1)[0].id)
        base = library.add_annotation(article, 0, 20, ["first"], "")
        kept = unsaved.keep(folder, library, article.id, 0, 20, tags, note, base.id, base=base)
        assert kept is not None
        library.edit_annotation(article, base.id, tags=["theirs"], note="their note", base=base)
        saved, said = unsaved.save_kept(folder, library)
        assert saved == 0
    (aside,) = [*folder.glob("*.json.conflict"), *folder.glob("*.json.failed")]
    return article, base, aside, said


def _conflict(state: Path, tags: list[str], note: str) -> tuple[Article, Annotation, Path]:
    """:func:`_set_aside`, which must be a conflict, its line naming the way back."""
    article, base, aside, said = _set_aside(state, tags, note)
    assert aside.name.endswith(".json.conflict")
    assert "`newsdesk annotations kept` shows it" in said[0]  # the way back, named
    return article, base, aside


def _kept(capsys: pytest.CaptureFixture[str], state: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["annotations", "kept", "--corpus", str(demo_corpus()), "--state-dir", str(state), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def _now(state: Path, article: Article) -> list[tuple[tuple[str, ...], str]]:
    with _library(state) as library:
        return [(p.annotation.tags, p.annotation.note) for p in library.annotations_of(article.id).placed]


def test_a_conflict_is_listed_with_what_was_typed_and_what_is_there_now(
    capsys: pytest.CaptureFixture[str], demo_state: Path
) -> None:
    _, _, conflict = _conflict(demo_state, ["mine"], "my note\nsecond line")
    code, out, _ = _kept(capsys, demo_state)
    assert code == 0
    assert conflict.name in out and "another session changed it since" in out
    assert "tags mine" in out and "my note" in out and "second line" in out
    assert "tags theirs" in out and "their note" in out
    code, out, _ = _kept(capsys, demo_state, "--json")
    (record,) = json.loads(out)
    assert record["kind"] == "conflict" and record["note"] == "my note\nsecond line"
    assert record["now"]["note"] == "their note"


def test_apply_saves_what_was_typed_over_the_other_change_and_removes_the_file(
    capsys: pytest.CaptureFixture[str], demo_state: Path
) -> None:
    article, _, conflict = _conflict(demo_state, ["mine"], "my note")
    code, out, _ = _kept(capsys, demo_state, "--apply", conflict.name)
    assert code == 0 and "saved" in out and out.count("\n") == 1
    assert _now(demo_state, article) == [(("mine",), "my note")]
    assert not conflict.exists()
    assert "No annotations kept" in _kept(capsys, demo_state)[1]


def test_discard_removes_the_file_and_keeps_the_other_change(
    capsys: pytest.CaptureFixture[str], demo_state: Path
) -> None:
    article, _, conflict = _conflict(demo_state, ["mine"], "my note")
    code, out, _ = _kept(capsys, demo_state, "--discard", str(conflict))
    assert code == 0 and "discarded" in out
    assert _now(demo_state, article) == [(("theirs",), "their note")]
    assert not conflict.exists()


def test_apply_after_the_annotation_was_deleted_annotates_the_passage_again(
    capsys: pytest.CaptureFixture[str], demo_state: Path
) -> None:
    article, base, conflict = _conflict(demo_state, ["mine"], "my note")
    with _library(demo_state) as library:
        library.delete_annotation(article.id, base.id)
    assert _kept(capsys, demo_state, "--apply", conflict.name)[0] == 0
    with _library(demo_state) as library:
        (placed,) = library.annotations_of(article.id).placed
    assert (placed.annotation.target.start, placed.annotation.target.end) == (0, 20)
    assert (placed.annotation.tags, placed.annotation.note) == (("mine",), "my note")


def test_a_file_that_cannot_be_applied_says_why_in_one_line_and_stays(
    capsys: pytest.CaptureFixture[str], demo_state: Path
) -> None:
    folder = unsaved.default_unsaved_dir()
    with _library(demo_state) as library:
        article = library.article(library.list_articles(0, 1)[0].id)
        # typed on a passage that is no longer in the text (the article changed since)
        unsaved.keep(folder, library, article.id, 0, 5, ["x"], "", None, quote="a passage not in any article")
        assert len(unsaved.save_kept(folder, library)[1]) == 1
    (failed,) = folder.glob("*.json.failed")
    code, out, _ = _kept(capsys, demo_state)
    assert "could not be saved" in out
    code, out, err = _kept(capsys, demo_state, "--apply", failed.name)
    assert code == 2 and "not saved" in err and err.count("\n") == 1 and "Traceback" not in err
    assert failed.exists()


@pytest.mark.parametrize("where", ["outside", "waiting", "missing", "not-json"])
def test_apply_and_discard_take_only_files_set_aside_in_the_kept_folder(
    capsys: pytest.CaptureFixture[str], demo_state: Path, tmp_path: Path, where: str
) -> None:
    _, _, conflict = _conflict(demo_state, ["mine"], "my note")
    target = {
        "outside": tmp_path / conflict.name,  # a copy elsewhere: --discard would delete any file named
        "waiting": conflict.with_name(conflict.name.removesuffix(".conflict")),  # saved at the next start
        "missing": conflict.with_name("0-0.json.conflict"),
        "not-json": conflict.with_name("1-1.json.failed"),
    }[where]
    if where in ("outside", "waiting"):
        shutil.copy(conflict, target)
    if where == "not-json":
        target.write_text("{not json", encoding="utf-8")
    for action in ("--apply", "--discard"):
        code, _, err = _kept(capsys, demo_state, action, str(target))
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert conflict.exists() and (target.exists() or where == "missing")


def _valid_tag(tag: str) -> bool:
    try:
        check_annotation_tag(tag)
    except AnnotationError:
        return False
    return True


_TAGS = st.lists(st.from_regex(r"[^\s,]{1,20}", fullmatch=True).filter(_valid_tag), min_size=1, max_size=3)
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NOTES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(tags=_TAGS, note=_NOTES)
def test_apply_saves_exactly_what_was_typed_and_the_listing_stays_one_line_a_field(
    capsys: pytest.CaptureFixture[str],
    demo_index: Path,
    tmp_path_factory: pytest.TempPathFactory,
    tags: list[str],
    note: str,
) -> None:
    """Any Unicode note (newlines at the ends, YAML-significant text, controls), any printable tags."""
    state = tmp_path_factory.mktemp("kept") / "state"
    shutil.copytree(demo_index, state)
    try:
        article, _, conflict = _conflict(state, tags, note)
        _, out, _ = _kept(capsys, state)
        lines = out.splitlines()
        # no control character nor bidi override: each field stays on its own line as printed
        assert not [c for line in lines for c in line if unicodedata.category(c) == "Cc" or c in _BIDI]
        assert _kept(capsys, state, "--apply", conflict.name)[0] == 0
        ((saved_tags, saved_note),) = _now(state, article)
        assert saved_note == note and list(saved_tags) == list(dict.fromkeys(t.strip() for t in tags))
    finally:
        shutil.rmtree(unsaved.default_unsaved_dir(), ignore_errors=True)
        shutil.rmtree(state.parent, ignore_errors=True)
