"""Red team on the kept annotations (typed when the connection dropped, saved at the next start):
a save that landed before the reader died, a claim left by a process whose id is now another's,
the article's text changed meanwhile, a kept file of a corpus that is gone."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from newsdesk.index import Article, Config, Library
from newsdesk.index.locations import demo_corpus
from newsdesk.tui import unsaved


def _library(state: Path) -> Library:
    return Library.open(demo_corpus(), state_dir=state, config=Config())


def _first_article(library: Library) -> Article:
    return library.article(library.list_articles(0, 1)[0].id)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _own_notes(library: Library, article: Article) -> list[str]:
    return [p.annotation.note for p in library.article_annotations(article).placed if p.own]


def test_an_add_that_landed_before_the_reader_died_is_not_saved_twice(demo_state: Path, tmp_path: Path) -> None:
    """The save (at hang-up, or of a kept copy at start) landed, then the process was killed
    before it removed the kept copy (serve ends a reader 3 s after SIGHUP; kill -9). The copy
    was saved again at the next start: the annotation twice."""
    folder = tmp_path / "kept"
    with _library(demo_state) as library:
        article = _first_article(library)
        kept = unsaved.keep(folder, library, article.id, 0, 20, ["t"], "once", None, quote=article.text[0:20])
        assert kept is not None
        library.add_annotation(article, 0, 20, ["t"], "once")  # landed ...
        kept.rename(kept.with_name(f"{kept.name}.{_dead_pid()}.claimed"))  # ... by a reader since killed
        assert unsaved.save_kept(folder, library) == (1, [])
        assert _own_notes(library, article) == ["once"]  # seen: ["once", "once"]
    assert not list(folder.iterdir())


def test_a_claim_whose_process_id_was_reused_is_not_stuck_for_good(
    demo_state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader died holding a claim, and its process id now belongs to another, long-lived
    process: the claim looked alive for ever, and the typed annotation was never saved, unsaid."""
    folder = tmp_path / "kept"
    with _library(demo_state) as library:
        article = _first_article(library)
        kept = unsaved.keep(folder, library, article.id, 0, 20, ["t"], "stuck", None, quote=article.text[0:20])
        assert kept is not None
        claimed = kept.with_name(f"{kept.name}.1.claimed")  # pid 1: alive as long as the machine is
        kept.rename(claimed)
        assert unsaved.save_kept(folder, library) == (0, [])  # a fresh claim: another reader's, left alone
        old = time.time() - unsaved.CLAIM_GIVEN_UP_SECONDS - 60
        os.utime(claimed, (old, old))
        assert unsaved.save_kept(folder, library) == (1, [])
        assert _own_notes(library, article) == ["stuck"]


def test_an_add_whose_article_text_changed_meanwhile_annotates_the_passage_typed_on(
    demo_state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The corpus file was edited and re-indexed before the reader opened again: the kept offsets
    now point at other words, and the note was attached to them."""
    folder = tmp_path / "kept"
    with _library(demo_state) as library:
        article = _first_article(library)
        quote = article.text[0:20]
        assert unsaved.keep(folder, library, article.id, 0, 20, ["t"], "on the quote", None, quote=quote)
        changed = dataclasses.replace(article, text="New lead.\n\n" + article.text)
        monkeypatch.setattr(Library, "article", lambda self, ref: changed)
        assert unsaved.save_kept(folder, library) == (1, [])
        monkeypatch.undo()
        (placed,) = [p for p in library.article_annotations(changed).placed if p.own]
        assert placed.annotation.target.exact == quote  # seen: "New lead.\n\nFor almo"
        # ... and a quote no longer in the text (or there twice) is set aside, not put elsewhere
        assert unsaved.keep(folder, library, article.id, 0, 20, ["t"], "gone", None, quote="not in the text")
        saved, failures = unsaved.save_kept(folder, library)
        assert saved == 0 and len(failures) == 1 and "changed" in failures[0]
        assert len(list(folder.glob("*.failed"))) == 1


def test_a_kept_file_of_a_corpus_whose_state_folder_is_gone_is_said_once(demo_state: Path, tmp_path: Path) -> None:
    """Put back for its own corpus at every start, it waited for a corpus that no longer exists:
    never saved, never said."""
    folder = tmp_path / "kept"
    folder.mkdir()
    entry = {
        "state_dir": str(tmp_path / "deleted-corpus-state"),
        "article_id": "x",
        "start": 0,
        "end": 5,
        "tags": ["t"],
        "note": "typed for a corpus since deleted",
        "annotation_id": None,
    }
    (folder / "1-1.json").write_text(json.dumps(entry))
    (tmp_path / "elsewhere").mkdir()
    (folder / "2-1.json").write_text(json.dumps({**entry, "state_dir": str(tmp_path / "elsewhere")}))
    with _library(demo_state) as library:
        saved, failures = unsaved.save_kept(folder, library)
        assert saved == 0 and len(failures) == 1 and "no longer exists" in failures[0]
        assert unsaved.save_kept(folder, library) == (0, [])  # said once
    assert json.loads((folder / "1-1.json.failed").read_text())["note"] == "typed for a corpus since deleted"
    assert (folder / "2-1.json").exists()  # an existing corpus': left for it


@pytest.mark.parametrize("gone", ["annotation", "article"])
def test_a_kept_edit_of_an_annotation_or_article_gone_since_is_set_aside_with_one_line(
    demo_state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gone: str
) -> None:
    folder = tmp_path / "kept"
    with _library(demo_state) as library:
        article = _first_article(library)
        base = library.add_annotation(article, 0, 20, ["t"], "")
        kept = unsaved.keep(folder, library, article.id, 0, 20, ["t"], "typed", base.id, base=base)
        assert kept is not None
        if gone == "annotation":
            with _library(demo_state) as other:
                other.delete_annotation(article.id, base.id)
        else:  # the corpus file removed and the store updated: the id finds nothing
            from newsdesk.index import ArticleNotFound

            def no_such_article(self: Library, ref: str) -> Article:
                raise ArticleNotFound(f"{ref}: no article with this id or path in the corpus")

            monkeypatch.setattr(Library, "article", no_such_article)
        saved, failures = unsaved.save_kept(folder, library)
    assert saved == 0 and len(failures) == 1 and "\n" not in failures[0]
    assert ("deleted" if gone == "annotation" else "no article") in failures[0]
    (failed,) = folder.glob("*.failed")
    assert str(failed) in failures[0] and json.loads(failed.read_text())["note"] == "typed"


def test_two_readers_starting_at_once_with_kept_edits_of_one_annotation(demo_state: Path, tmp_path: Path) -> None:
    """Two sessions hung up while editing the same annotation from the same copy (both saves
    held by a lock), then two readers start at once: one edit is saved, the other set aside as a
    conflict with one line, never both written and never one silently over the other."""
    import threading

    folder = tmp_path / "kept"
    with _library(demo_state) as library:
        article = _first_article(library)
        base = library.add_annotation(article, 0, 20, ["t"], "")
        for session in ("a", "b"):
            unsaved.keep(folder, library, article.id, 0, 20, ["t", session], session, base.id, base=base)
    barrier = threading.Barrier(2)
    libraries = [_library(demo_state) for _ in range(2)]
    results: list[tuple[int, list[str]]] = []

    def start(library: Library) -> None:
        barrier.wait()
        results.append(unsaved.save_kept(folder, library))

    threads = [threading.Thread(target=start, args=(library,)) for library in libraries]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    [library.close() for library in libraries]
    assert sum(saved for saved, _ in results) == 1
    (line,) = [line for _, failures in results for line in failures]
    (conflict,) = folder.glob("*.conflict")
    with _library(demo_state) as library:
        (placed,) = [p for p in library.article_annotations(article).placed if p.own]
    lost = json.loads(conflict.read_text())["note"]
    assert {placed.annotation.note, lost} == {"a", "b"} and "another session" in line


def test_a_kept_edit_that_changed_nothing_is_no_conflict(demo_state: Path, tmp_path: Path) -> None:
    """An edit dialog open with nothing changed in it when the link dropped, while another session
    saved the annotation: the next start said an edit of it "was not saved" and set aside a
    "conflict" the user never typed."""
    folder = tmp_path / "kept"
    with _library(demo_state) as library:
        article = _first_article(library)
        base = library.add_annotation(article, 0, 20, ["t"], "as it was")
        unsaved.keep(folder, library, article.id, 0, 20, ["t"], "as it was", base.id, base=base)
        library.edit_annotation(article, base.id, tags=["theirs"], note="their note", base=base)
        assert unsaved.save_kept(folder, library) == (0, [])
        (placed,) = [p for p in library.article_annotations(article).placed if p.own]
        assert (placed.annotation.tags, placed.annotation.note) == (("theirs",), "their note")
    assert not list(folder.iterdir())


async def test_a_hang_up_in_an_edit_dialog_with_nothing_changed_keeps_nothing(demo_app) -> None:  # type: ignore[no-untyped-def]
    from newsdesk.tui.annotation_changes import PendingAnnotation
    from newsdesk.tui.messages import OpenArticle

    from tests.tui.conftest import settle

    library = demo_app.library
    article = _first_article(library)
    base = library.add_annotation(article, 0, 20, ["t"], "as it was")
    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        demo_app.main.post_message(OpenArticle(article.id))
        await settle(pilot)
        demo_app.main.editor.ask(PendingAnnotation.editing(article, base), base.target.exact)
        await pilot.pause()
        with _library(library.state_dir) as other:
            other.edit_annotation(article, base.id, tags=["theirs"], note="their note", base=base)
        demo_app.hang_up()
    assert not list(demo_app.unsaved_dir.glob("*.json"))  # seen: kept, then a "conflict" at the next start


def test_a_note_holding_bytes_that_are_not_utf8_is_still_kept(demo_state: Path, tmp_path: Path) -> None:
    """keep() wrote the entry as UTF-8: a lone surrogate (bytes a terminal could not decode)
    raised UnicodeEncodeError out of the hang-up handler, before the UI state was saved and the
    hang-up guard told, instead of keeping what was typed (its save then says why, in one line)."""
    folder = tmp_path / "kept"
    with _library(demo_state) as library:
        article = _first_article(library)
        kept = unsaved.keep(folder, library, article.id, 0, 20, ["t"], "caf\udce9 typed", None, quote=article.text[:20])
        assert kept is not None
        assert json.loads(kept.read_text(encoding="utf-8"))["note"] == "caf\udce9 typed"
        saved, failures = unsaved.save_kept(folder, library)
    assert saved == 0 and len(failures) == 1 and "UTF-8" in failures[0]


async def test_an_unexpected_error_in_the_save_at_hang_up_still_ends_the_reader(demo_app) -> None:  # type: ignore[no-untyped-def]
    """Anything but a NewsdeskError raised by the save at SIGHUP left the handler before the UI
    state was saved, the hang-up guard told and the exit asked for: a reader left running with
    its terminal gone. What was typed is kept whatever the save did."""
    from tests.tui.conftest import settle

    async with demo_app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("v", "s", "a", *"kept anyway")
        await pilot.pause()

        def broken(*args: object, **kwargs: object) -> object:
            raise UnicodeEncodeError("utf-8", "x", 0, 1, "surrogates not allowed")

        demo_app.main.editor.save_pending = broken
        with contextlib.suppress(UnicodeEncodeError):  # the handler may say what went wrong, but ...
            demo_app.hang_up()
        await pilot.pause()
    assert demo_app.return_code == 129 and demo_app.hung_up.is_set()  # ... it ends, all the same
    (kept,) = demo_app.unsaved_dir.glob("*.json")
    assert json.loads(kept.read_text(encoding="utf-8"))["note"] == "kept anyway"
