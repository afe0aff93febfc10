"""Second red-team pass on the kept annotations (typed when the connection dropped): a save
already under way in a worker at the hang-up, a claim left under this process' own id, a
kept folder the reader cannot claim files in."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from newsdesk.index import AnnotationFileError, Article, Config, Library
from newsdesk.index.locations import demo_corpus
from newsdesk.tui import unsaved
from newsdesk.tui.app import close_library, make_app
from newsdesk.tui.leave import SAVES

from tests.tui.conftest import settle


def _library(state: Path) -> Library:
    return Library.open(demo_corpus(), state_dir=state, config=Config())


def _first_article(library: Library) -> Article:
    return library.article(library.list_articles(0, 1)[0].id)


def _own_notes(library: Library, article_id: str) -> list[str]:
    return [p.annotation.note for p in library.annotations_of(article_id).placed if p.own]


async def test_a_save_under_way_at_the_hang_up_that_then_fails_is_kept(demo_state: Path) -> None:
    """Enter sent the annotation to a worker, which waits for the article's lock (another session
    holds it); the link drops. hang_up() left that annotation to the worker and kept nothing, and
    when the worker's save then failed (the lock's 30 s, a conflict) or serve killed the reader 3 s
    after SIGHUP, what was typed was gone: no kept copy, no dialog, nobody told."""
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    release = threading.Event()
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        article_id = app.main.reader.article.id
        editor = app.main.editor

        def locked_elsewhere(*args: object, **kwargs: object) -> object:
            release.wait(10)
            raise AnnotationFileError("root.yaml: locked by another newsdesk process for 30 s")

        editor.save_pending = locked_elsewhere  # type: ignore[method-assign]
        await pilot.press("v", "s", "a", *"typed then Enter", "ctrl+s")
        for _ in range(50):  # the worker has it, waiting for the lock
            if editor.saving is not None:
                break
            await pilot.pause(0.02)
        assert editor.saving is not None
        app.hang_up()
        release.set()
        assert SAVES.wait_idle(10)
        await pilot.pause()
    close_library(app.library)
    kept = list(app.unsaved_dir.glob("*.json"))
    assert len(kept) == 1 and "typed then Enter" in kept[0].read_text(encoding="utf-8")  # seen: []
    with _library(demo_state) as library:
        assert unsaved.save_kept(app.unsaved_dir, library) == (1, [])
        assert _own_notes(library, article_id) == ["typed then Enter"]


async def test_a_save_under_way_at_the_hang_up_that_lands_leaves_no_kept_copy(demo_state: Path) -> None:
    """The other side of the above: the worker's save lands, so its kept copy goes (and it is saved once)."""
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    release = threading.Event()
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        article_id = app.main.reader.article.id
        editor = app.main.editor
        real = editor.save_pending

        def slow(pending):  # type: ignore[no-untyped-def]
            release.wait(10)
            return real(pending)

        editor.save_pending = slow  # type: ignore[method-assign]
        await pilot.press("v", "s", "a", *"lands late", "ctrl+s")
        for _ in range(50):
            if editor.saving is not None:
                break
            await pilot.pause(0.02)
        app.hang_up()
        release.set()
        assert SAVES.wait_idle(10)
        await pilot.pause()
    close_library(app.library)
    assert not list(app.unsaved_dir.glob("*.json"))
    with _library(demo_state) as library:
        assert _own_notes(library, article_id) == ["lands late"]


async def test_a_hang_up_right_behind_enter_saves_the_annotation_once(demo_state: Path) -> None:
    """ctrl+s and the dropped link in one burst: the save's worker was made but its thread had not
    yet marked the annotation as being written when SIGHUP's handler ran (the next turn of the event
    loop), so hang_up() saved it too, and then the worker did: the annotation twice."""
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        article_id = app.main.reader.article.id
        editor = app.main.editor
        start_save = editor._save

        def save_then_hang_up(pending):  # type: ignore[no-untyped-def]
            worker = start_save(pending)
            app.hang_up()  # SIGHUP handled before the worker's thread starts
            return worker

        editor._save = save_then_hang_up  # type: ignore[method-assign]
        await pilot.press("v", "s", "a", *"burst", "ctrl+s")
        for _ in range(200):  # the worker's thread may not have started yet: wait for it to end
            if not any(w.group == "annotation-save" and not w.is_finished for w in app.workers):
                break
            await pilot.pause(0.02)
        assert SAVES.wait_idle(10)
    close_library(app.library)
    with _library(demo_state) as library:
        assert _own_notes(library, article_id) == ["burst"]  # seen: ["burst", "burst"]?
    assert not list(app.unsaved_dir.glob("*.json"))


def test_a_claim_left_under_this_process_id_is_taken_back(demo_state: Path, tmp_path: Path) -> None:
    """A reader in a container has the same process id at every start (often 1): the claim its
    killed predecessor left looked alive, as this very process, and waited an hour, unsaid."""
    folder = tmp_path / "kept"
    with _library(demo_state) as library:
        article = _first_article(library)
        kept = unsaved.keep(folder, library, article.id, 0, 20, ["t"], "same pid", None, quote=article.text[0:20])
        assert kept is not None
        kept.rename(kept.with_name(f"{kept.name}.{os.getpid()}.claimed"))
        assert unsaved.save_kept(folder, library) == (1, [])  # seen: (0, []), the claim left
        assert _own_notes(library, article.id) == ["same pid"]
    assert not list(folder.iterdir())


def test_a_kept_file_that_cannot_be_claimed_is_said(
    demo_state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept folder is read-only, or another account's (a reader once run under sudo made it):
    the claim's rename failed and the file was skipped unsaid at every start, never saved."""
    folder = tmp_path / "kept"
    with _library(demo_state) as library:
        article = _first_article(library)
        kept = unsaved.keep(folder, library, article.id, 0, 20, ["t"], "stuck\x1b[2J", None, quote=article.text[0:20])
        assert kept is not None

        def refused(self: Path, target: Path) -> Path:
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(Path, "rename", refused)
        saved, failures = unsaved.save_kept(folder, library)
        monkeypatch.undo()
        assert saved == 0 and len(failures) == 1  # seen: (0, [])
        assert "Permission denied" in failures[0] and kept.name in failures[0] and "\x1b" not in failures[0]
        assert kept.exists()  # left as it is, for when it can be
        assert unsaved.save_kept(folder, library) == (1, [])


def test_an_old_kept_file_is_not_taken_back_from_the_reader_that_just_claimed_it(
    demo_state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept files are usually hours old when the reader next starts. The claim (a rename) keeps
    that age until it is stamped just after, and another reader starting then took it back as
    given up (over CLAIM_GIVEN_UP_SECONDS old): this one then said it "could not be saved" and
    named a ``*.failed`` file that did not exist."""
    import subprocess
    import sys
    import time

    folder = tmp_path / "kept"
    with _library(demo_state) as library:
        article = _first_article(library)
        kept = unsaved.keep(folder, library, article.id, 0, 20, ["t"], "old", None, quote=article.text[0:20])
        assert kept is not None
        old = time.time() - 2 * unsaved.CLAIM_GIVEN_UP_SECONDS
        os.utime(kept, (old, old))
        rename = Path.rename

        def claim_then_another_reader_starts(self: Path, target: Path) -> Path:
            moved = rename(self, target)
            if str(target).endswith(".claimed"):
                script = "import sys; from pathlib import Path; from newsdesk.tui import unsaved; "
                script += "unsaved.reclaim_from_the_dead(Path(sys.argv[1]))"
                subprocess.run([sys.executable, "-c", script, str(folder)], check=True)
            return moved

        monkeypatch.setattr(Path, "rename", claim_then_another_reader_starts)
        result = unsaved.save_kept(folder, library)
        monkeypatch.undo()
        assert result == (1, [])  # seen: (0, ["... could not be saved ([Errno 2] ...); it is in ....failed"])
        assert _own_notes(library, article.id) == ["old"]
    assert not list(folder.iterdir())


def test_a_kept_file_of_another_account_is_not_saved_as_this_users(
    demo_state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under umask 002 (shared group folders) the kept folder and files were group-writable: another
    account of the group could plant a kept file, saved at this user's next start as this user's
    annotation (and read the notes kept there)."""
    folder = tmp_path / "kept"
    old_umask = os.umask(0o002)
    try:
        with _library(demo_state) as library:
            article = _first_article(library)
            kept = unsaved.keep(folder, library, article.id, 0, 20, ["t"], "private", None, quote=article.text[0:20])
            assert kept is not None
            assert folder.stat().st_mode & 0o077 == 0 and kept.stat().st_mode & 0o077 == 0  # seen: 0775, 0664
            planted = folder / "1-1.json"
            planted.write_bytes(kept.read_bytes().replace(b"private", b"forged"))
            if os.geteuid() != 0:
                pytest.skip("only root can give a file to another account here")
            os.chown(planted, 54321, 54321)
            saved, failures = unsaved.save_kept(folder, library)
            assert saved == 1 and len(failures) == 1 and "another account" in failures[0]  # seen: saved 2
            assert _own_notes(library, article.id) == ["private"]
            assert planted.exists()
    finally:
        os.umask(old_umask)


async def test_a_save_under_way_behind_a_second_dialog_at_the_hang_up_is_kept(demo_state: Path) -> None:
    """ctrl+s sent the first annotation to a worker waiting for the lock; the user went on and opened
    the dialog for another passage, and the link dropped. hang_up() kept and saved the open dialog's
    annotation only: the first one, still in the worker, was lost when that save failed."""
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    release = threading.Event()
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        article_id = app.main.reader.article.id
        editor = app.main.editor
        real = editor.save_pending

        kept_before_the_second_save: list[str] = []

        def first_fails(pending):  # type: ignore[no-untyped-def]
            if pending.entered.note == "first":
                release.wait(10)
                raise AnnotationFileError("root.yaml: locked by another newsdesk process for 30 s")
            # This save may wait 30 s for the lock, and serve kills the reader 3 s after SIGHUP.
            kept_before_the_second_save.extend(p.read_text() for p in app.unsaved_dir.glob("*.json"))
            return real(pending)

        editor.save_pending = first_fails  # type: ignore[method-assign]
        await pilot.press("v", "s", "a", *"first", "ctrl+s")
        for _ in range(50):
            if editor.saving is not None:
                break
            await pilot.pause(0.02)
        await pilot.press("j", "j", "j", "v", "s", "a", *"second")
        await pilot.pause()
        assert type(app.screen).__name__ == "AnnotateDialog" and editor.pending.entered.note == ""
        app.hang_up()
        release.set()
        assert SAVES.wait_idle(10)
        await pilot.pause()
    close_library(app.library)
    with _library(demo_state) as library:
        assert unsaved.save_kept(app.unsaved_dir, library)[1] == []
        assert sorted(_own_notes(library, article_id)) == ["first", "second"]  # seen: ["second"]
    assert any('"first"' in text for text in kept_before_the_second_save)


def test_a_kept_folder_this_account_cannot_open_is_said(
    demo_state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader once run under sudo (HOME kept) made the kept folder, root's and 0700: the user's
    readers found nothing in it (glob hides the error), and what was typed there was never said."""
    folder = tmp_path / "kept"
    with _library(demo_state) as library:
        article = _first_article(library)
        assert unsaved.keep(folder, library, article.id, 0, 20, ["t"], "root's", None, quote=article.text[0:20])
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path) == folder else real_access(path, mode))
        saved, failures = unsaved.save_kept(folder, library)
        assert saved == 0 and len(failures) == 1 and "cannot open" in failures[0]  # seen: (0, [])


def test_a_kept_annotation_whose_lock_was_held_is_tried_again_at_the_next_start(
    demo_state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another session held the article's lock through the 30 s the start's save waits: the kept
    file was set aside as *.failed for good, and its line was seldom seen (a reader quit meanwhile
    exits once the save gives up, its screen gone): typed, kept, then never saved."""
    folder = tmp_path / "kept"
    with _library(demo_state) as library:
        article = _first_article(library)
        assert unsaved.keep(folder, library, article.id, 0, 20, ["t"], "lock held", None, quote=article.text[0:20])

        def locked(*args: object, **kwargs: object) -> object:
            raise AnnotationFileError("root.yaml: locked by another newsdesk process for 30 s")

        monkeypatch.setattr(Library, "add_annotation", locked)
        saved, failures = unsaved.save_kept(folder, library)
        monkeypatch.undo()
        assert saved == 0 and len(failures) == 1 and "tried again" in failures[0]  # seen: "... it is in ....failed"
        assert unsaved.save_kept(folder, library) == (1, [])
        assert _own_notes(library, article.id) == ["lock held"]


async def test_q_while_the_start_saves_kept_annotations_says_so_and_claims_no_more(
    demo_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """q while the start's save of kept annotations waited for another session's lock: the screen
    went blank and the process lingered 30 s per kept file (90 s measured for three in tmux), unsaid,
    its lines never seen. Now q says what it waits for, no further file is claimed, and it quits
    once the save under way is done."""
    import threading
    import time

    from tests.tui.conftest import toasts

    with _library(demo_state) as library:
        articles = [library.article(a.id) for a in library.list_articles(0, 3)]
        folder = unsaved.default_unsaved_dir()
        for article in articles:
            assert unsaved.keep(folder, library, article.id, 0, 20, ["t"], "slow", None, quote=article.text[0:20])
    real_add = Library.add_annotation

    adding = threading.Event()

    def slow_add(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        adding.set()
        time.sleep(3.0)  # the lock held by another session (long enough that q lands while it waits)
        return real_add(self, *args, **kwargs)

    monkeypatch.setattr(Library, "add_annotation", slow_add)
    app = make_app(demo_corpus(), Config(), demo_state, index_on_start=False, watch=False)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        for _ in range(200):  # until a save is under way: a file claimed but not yet being saved goes back
            if adding.is_set():  # at q (a loaded machine starts slower: CI pressed q in that gap)
                break
            await pilot.pause(0.05)
        await pilot.press("q")
        await pilot.pause(0.1)
        assert app.is_running and any("then quitting" in note for note in toasts(app))  # seen: gone at once
        for _ in range(300):
            if not app.is_running:
                break
            await pilot.pause(0.05)
        assert not app.is_running  # it quits by itself once the save under way is done
    close_library(app.library)
    assert len(list(folder.glob("*.json"))) >= 1  # the rest wait for the next start (seen: all claimed)
