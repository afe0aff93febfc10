"""A kept edit (typed when the connection dropped) never silently replaces another session's change.

Found while checking the hang-up path: the kept copy of an edit was saved at the next start
without the version check the live save makes, so when the save at hang-up had been refused
as a conflict (or never ran), the kept copy overwrote the other session's change unseen.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from newsdesk.index import Annotation, Article, Config, Library
from newsdesk.index.locations import demo_corpus
from newsdesk.tui import unsaved
from newsdesk.tui.annotation_changes import PendingAnnotation
from newsdesk.tui.app import close_library, make_app
from newsdesk.tui.dialogs.annotate import AnnotateDialog
from newsdesk.tui.messages import OpenArticle

from tests.tui.conftest import settle, toasts


def _library(state: Path) -> Library:
    return Library.open(demo_corpus(), state_dir=state, config=Config())


def _annotated(state: Path, tags: list[str], note: str) -> tuple[Article, Annotation]:
    with _library(state) as library:
        article = library.article(library.list_articles(0, 1)[0].id)
        return article, library.add_annotation(article, 0, 20, tags, note)


def _now(state: Path, article: Article) -> tuple[tuple[str, ...], str]:
    with _library(state) as library:
        (placed,) = library.annotations_of(article.id).placed
        return placed.annotation.tags, placed.annotation.note


def _keep_edit(folder: Path, library: Library, article: Article, base: Annotation, tags: list[str], note: str) -> Path:
    kept = unsaved.keep(folder, library, article.id, base.target.start, base.target.end, tags, note, base.id, base=base)
    assert kept is not None
    return kept


def _set_aside(folder: Path, suffix: str) -> list[Path]:
    return sorted(folder.glob(f"*{suffix}"))


def test_a_kept_edit_refused_as_a_conflict_does_not_overwrite_the_other_change(
    demo_state: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "kept"
    article, base = _annotated(demo_state, ["first"], "")
    with _library(demo_state) as library:
        kept = _keep_edit(folder, library, article, base, ["first", "mine"], "my note")
    with _library(demo_state) as other:  # another session saves while this one's dialog is open
        other.edit_annotation(article, base.id, tags=["first", "theirs"], note="their note", base=base)
    with _library(demo_state) as library:
        saved, failures = unsaved.save_kept(folder, library)
    assert _now(demo_state, article) == (("first", "theirs"), "their note")  # seen: ("first", "mine")
    assert saved == 0 and len(failures) == 1
    (conflict,) = _set_aside(folder, ".conflict")
    assert str(conflict) in failures[0] and "another session" in failures[0] and "\n" not in failures[0]
    assert repr(base.target.exact) in failures[0]  # the passage the user knows, not the annotation's id
    assert json.loads(conflict.read_text(encoding="utf-8"))["note"] == "my note"  # what was typed, kept
    assert not kept.exists()
    with _library(demo_state) as library:
        assert unsaved.save_kept(folder, library) == (0, [])  # said once, not at every start


def test_a_kept_edit_with_nothing_changed_since_is_saved(demo_state: Path, tmp_path: Path) -> None:
    folder = tmp_path / "kept"
    article, base = _annotated(demo_state, ["first"], "")
    with _library(demo_state) as library:
        _keep_edit(folder, library, article, base, ["first", "mine"], "my note")
        assert unsaved.save_kept(folder, library) == (1, [])
    assert _now(demo_state, article) == (("first", "mine"), "my note")
    assert not list(folder.iterdir())


def test_a_kept_edit_that_had_landed_already_is_not_a_conflict(demo_state: Path, tmp_path: Path) -> None:
    """The save at hang-up landed but the process ended before it removed the kept copy
    (killed by serve, kill -9): the next start finds the annotation as typed, not a conflict."""
    folder = tmp_path / "kept"
    article, base = _annotated(demo_state, ["first"], "")
    with _library(demo_state) as library:
        _keep_edit(folder, library, article, base, ["first", "mine"], "my note")
        library.edit_annotation(article, base.id, tags=["first", "mine"], note="my note", base=base)
        assert unsaved.save_kept(folder, library) == (1, [])
    assert not list(folder.iterdir())


def test_a_kept_edit_over_this_sessions_own_newer_save_is_no_conflict(demo_state: Path, tmp_path: Path) -> None:
    """As the live save (editor._save): the dialog started from a copy older than this session's
    own last save of the annotation, which the reader had not re-read yet: not a conflict."""
    folder = tmp_path / "kept"
    article, base = _annotated(demo_state, ["one"], "")
    with _library(demo_state) as library:
        own = library.edit_annotation(article, base.id, tags=["one", "two"], note="", base=base)
        kept = unsaved.keep(folder, library, article.id, 0, 20, ["one", "three"], "", base.id, base=base, own=own)
        assert kept is not None
        assert unsaved.save_kept(folder, library) == (1, [])
    assert _now(demo_state, article) == (("one", "three"), "")


def test_a_kept_edit_from_an_older_version_without_its_base_never_overwrites(demo_state: Path, tmp_path: Path) -> None:
    """Kept files written before the base was recorded cannot tell another session's change from
    none: unless the annotation already reads as typed, they are set aside with one line."""
    folder = tmp_path / "kept"
    folder.mkdir()
    article, base = _annotated(demo_state, ["first"], "")
    old = {
        "state_dir": str(demo_state.resolve()),
        "article_id": article.id,
        "start": 0,
        "end": 20,
        "tags": ["first", "mine"],
        "note": "my note",
        "annotation_id": base.id,
    }
    (folder / "1-1.json").write_text(json.dumps(old), encoding="utf-8")
    with _library(demo_state) as other:
        other.edit_annotation(article, base.id, tags=["theirs"], note="their note")
    with _library(demo_state) as library:
        saved, failures = unsaved.save_kept(folder, library)
    assert _now(demo_state, article) == (("theirs",), "their note")  # seen: ("first", "mine")
    assert saved == 0 and len(failures) == 1 and "older" in failures[0]
    (conflict,) = _set_aside(folder, ".conflict")
    assert json.loads(conflict.read_text(encoding="utf-8")) == old
    # ... and one that already reads as typed is simply done with
    (folder / "2-1.json").write_text(json.dumps({**old, "tags": ["theirs"], "note": "their note"}))
    with _library(demo_state) as library:
        assert unsaved.save_kept(folder, library) == (1, [])


async def test_a_hang_up_in_an_edit_dialog_after_another_sessions_save_keeps_both(demo_state: Path) -> None:
    """The whole path in the reader: its edit dialog is open when another session saves the same
    annotation, then the connection drops; the save at hang-up is refused, and the next start
    must neither overwrite the other change nor lose what was typed, and must say so once."""
    article, base = _annotated(demo_state, ["first"], "")
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.main.post_message(OpenArticle(article.id))
        await settle(pilot)
        pending = PendingAnnotation.editing(article, base)
        app.main.editor.ask(pending, base.target.exact, focus_note=True)
        await pilot.pause()
        assert isinstance(app.screen, AnnotateDialog)
        await pilot.press(*"my note")
        with _library(demo_state) as other:
            other.edit_annotation(article, base.id, tags=["first", "theirs"], note="their note", base=base)
        app.hang_up()
    close_library(app.library)
    assert _now(demo_state, article) == (("first", "theirs"), "their note")  # refused at hang-up, rightly
    again = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with again.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        notes = toasts(again)
    close_library(again.library)
    assert _now(demo_state, article) == (("first", "theirs"), "their note")  # seen: ("first",), "my note"
    (conflict,) = _set_aside(again.unsaved_dir, ".conflict")
    assert json.loads(conflict.read_text(encoding="utf-8"))["note"] == "my note"
    assert [n for n in notes if "dropped connection" in n and conflict.name in n.replace("\n", "")]


def test_a_change_landing_between_the_check_and_the_write_is_refused_too(
    demo_state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept edit is written with ``base=`` the version it was checked against, under the file's
    lock: another session saving in between is not overwritten either."""
    folder = tmp_path / "kept"
    article, base = _annotated(demo_state, ["first"], "")
    read = Library.article_annotations

    def then_another_session_saves(self: Library, article: Article) -> object:
        found = read(self, article)
        with _library(demo_state) as other:
            other.edit_annotation(article, base.id, tags=["theirs"], note="late")
        return found

    with _library(demo_state) as library:
        _keep_edit(folder, library, article, base, ["first", "mine"], "my note")
        monkeypatch.setattr(Library, "article_annotations", then_another_session_saves)
        saved, failures = unsaved.save_kept(folder, library)
        monkeypatch.undo()
    assert _now(demo_state, article) == (("theirs",), "late")
    assert saved == 0 and len(_set_aside(folder, ".conflict")) == 1 and "another session" in failures[0]


async def test_a_hang_up_in_a_second_edit_right_after_ones_own_save_keeps_it_saveable(demo_state: Path) -> None:
    """The dialog was opened from the list as it was before this session's own save was re-read;
    the save at hang-up cannot finish (a lock held). The kept copy records that own save too, so
    the next start saves it, as the live save would have, instead of calling it a conflict."""
    from newsdesk.index import AnnotationFileError

    article, base = _annotated(demo_state, ["one"], "")
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.main.post_message(OpenArticle(article.id))
        await settle(pilot)
        editor = app.main.editor
        editor.ask(PendingAnnotation.editing(article, base), base.target.exact)
        await pilot.pause()
        await pilot.press("end", *",two", "enter")
        await settle(pilot)
        assert _now(demo_state, article) == (("one", "two"), "")
        editor.ask(PendingAnnotation.editing(article, base), base.target.exact)  # from the copy before
        await pilot.pause()
        await pilot.press("end", *",three")

        def locked_elsewhere(*args: object, **kwargs: object) -> object:
            raise AnnotationFileError("root.yaml: locked by another newsdesk process for 30 s")

        editor.save_pending = locked_elsewhere  # type: ignore[method-assign]
        app.hang_up()
    close_library(app.library)
    again = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with again.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
    close_library(again.library)
    assert _now(demo_state, article) == (("one", "three"), "")  # without the own save: set aside as a conflict
    assert not list(again.unsaved_dir.iterdir())
