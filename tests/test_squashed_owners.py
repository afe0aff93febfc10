"""A state folder on a file system that gives this account's new files another uid (NFS ``all_squash``,
or ``root_squash`` for a reader run as root).

Simulated here by running as root and telling newsdesk its uid is another one (``os.geteuid``
patched): every file the tests create is owned by uid 0, as every file an ``all_squash`` export
holds is owned by its one anonymous uid, whoever wrote it. Before, each of the user's own files
read as another account's: their second annotation on an article was refused ("owned by root,
not alice"), their own notes could not be changed, and their saved searches and kept annotations
were refused as planted by another account.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from newsdesk.index import Config, Library, SavedSearches
from newsdesk.index.annotations import AnnotationStore, file_owner
from newsdesk.index.ownership import is_own_file, new_file_uid
from newsdesk.index.saved import SavedSearchFileError

from tests.test_annotations_stateful import USERS, AnnotationMachine

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="simulating a squashing mount needs files owned by root")

MAPPED_AWAY = 4242
"""The uid this process is told it has; its files are owned by 0, as on a squashing export."""


@pytest.fixture
def squashed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: MAPPED_AWAY)


def _span(library: Library, word: str) -> tuple[int, int]:
    start = library.article("one.txt").text.index(word)
    return start, start + len(word)


def _article_library(tmp_path: Path) -> Library:
    corpus = tmp_path / "news"
    corpus.mkdir()
    (corpus / "one.txt").write_text("Truce talks\n\nThe truce held in the north. Talks go on in the south.\n")
    library = Library.open(corpus, state_dir=tmp_path / "state", config=Config())
    library.update()
    return library


def test_a_second_annotation_and_an_edit_of_ones_own_are_saved(tmp_path: Path, squashed: None) -> None:
    library = _article_library(tmp_path)
    try:
        article = library.article("one.txt")
        alice = AnnotationStore(tmp_path / "state", user="alice")
        first = alice.add(article, *_span(library, "truce"), ["truce"], "first")
        alice.add(article, *_span(library, "Talks"), [], "second")  # seen: "owned by root, not alice; not written"
        alice.edit(article, first.id, note="first, edited")
        placed = alice.for_article(article).placed
        assert [(p.annotation.author, p.own, p.annotation.note) for p in placed] == [
            ("alice", True, "first, edited"),
            ("alice", True, "second"),
        ]
        bob = AnnotationStore(tmp_path / "state", user="bob")
        seen_by_bob = bob.for_article(article)
        assert seen_by_bob.errors == [] and {p.annotation.author for p in seen_by_bob.placed} == {"alice"}
        assert not any(p.own for p in seen_by_bob.placed)
    finally:
        library.close()


def test_a_file_of_a_real_other_uid_is_still_that_accounts(tmp_path: Path, squashed: None) -> None:
    """Only files owned by the uid this account's new files get are attributed by their name: a file
    named ``alice.yaml`` that another uid owns is not alice's, squashing mount or not."""
    library = _article_library(tmp_path)
    try:
        article = library.article("one.txt")
        alice = AnnotationStore(tmp_path / "state", user="alice")
        alice.add(article, *_span(library, "truce"), [], "mine")
        path = alice.files.own_file(article.id)
        os.chown(path, 54321, -1)
        placed = alice.for_article(article).placed
        assert [p.own for p in placed] == [False] and placed[0].annotation.author != "alice"
        with pytest.raises(Exception, match="not alice"):
            alice.add(article, *_span(library, "Talks"), [], "second")
    finally:
        library.close()


def test_on_a_local_file_system_a_file_is_its_owners_whatever_its_name(tmp_path: Path) -> None:
    """Without a squashing mount the probe answers with this process's own uid: nothing changes."""
    assert new_file_uid(tmp_path) == os.geteuid()
    assert not list(tmp_path.iterdir())  # the probe's file is gone
    planted = tmp_path / "alice.yaml"
    planted.write_text("")
    os.chown(planted, 54321, -1)
    assert not is_own_file(planted, planted.lstat())
    assert file_owner(planted, planted.lstat()) != "alice"


def test_saved_searches_are_read_and_saved_again(tmp_path: Path, squashed: None) -> None:
    library = _article_library(tmp_path)
    try:
        saved = SavedSearches(tmp_path / "state", library.store, library.engine, "alice")
        saved.add("truce", "truce")
        saved.add("talks", "talks")  # seen: "owned by root, not this account; refused"
        assert [s.name for s in saved.names()] == ["truce", "talks"]
        os.chown(saved.file.path, 54321, -1)  # another real account's file in its place: still refused
        with pytest.raises(SavedSearchFileError, match="not this account"):
            saved.names()
    finally:
        library.close()


def test_a_kept_annotation_is_saved_at_the_next_start(tmp_path: Path, squashed: None) -> None:
    from newsdesk.tui import unsaved

    library = _article_library(tmp_path)
    try:
        article = library.article("one.txt")
        folder = tmp_path / "kept"
        kept = unsaved.keep(
            folder, library, article.id, *_span(library, "truce"), ["t"], "typed before the drop", None, quote="truce"
        )
        assert kept is not None
        saved, failures = unsaved.save_kept(folder, library)
        assert (saved, failures) == (1, [])  # seen: (0, ["...: kept by another account, not saved as yours"])
        assert [p.annotation.note for p in library.annotations_of(article.id).placed if p.own] == [
            "typed before the drop"
        ]
    finally:
        library.close()


def test_a_read_only_folder_is_answered_with_ones_own_uid(tmp_path: Path) -> None:
    assert new_file_uid(tmp_path / "missing") == os.geteuid()


class SquashedAnnotationMachine(AnnotationMachine):
    """The annotation store's state machine (two users, every operation, imports, text changes) with
    the real owner rule on a squashing mount: every file owned by one uid that is not the process's."""

    def __init__(self) -> None:
        self._real_geteuid = os.geteuid
        os.geteuid = lambda: MAPPED_AWAY
        super().__init__()
        self.stores = {u: AnnotationStore(self.tmp / "state", user=u, owner_of=file_owner) for u in USERS}

    def teardown(self) -> None:
        try:
            super().teardown()
        finally:
            os.geteuid = self._real_geteuid


SquashedAnnotationMachine.TestCase.settings = settings(max_examples=8, stateful_step_count=12, deadline=None)
test_annotations_on_a_squashing_mount_against_a_model = SquashedAnnotationMachine.TestCase


def test_a_kept_annotation_set_aside_is_listed_for_review(tmp_path: Path, squashed: None) -> None:
    from newsdesk.tui import kept_review, unsaved

    library = _article_library(tmp_path)
    try:
        article = library.article("one.txt")
        folder = tmp_path / "kept"
        kept = unsaved.keep(folder, library, article.id, *_span(library, "truce"), [], "set aside", None, quote="truce")
        assert kept is not None
        kept.rename(kept.with_name(kept.name + ".conflict"))
        found, problems = kept_review.kept_files(folder, library)
        assert problems == []  # seen: ["...: kept by another account, not yours to apply; left alone"]
        assert len(found) == 1
    finally:
        library.close()
