"""Set-aside annotations settled in any order (apply, discard, the annotation deleted meanwhile) against a plain model.

The model: per passage, the tags and note on disk (or none: the user has at most one
annotation a passage, as in the reader), and per set-aside file the passage and what was
typed on it. After every step the listing names exactly the model's
files and the annotation files hold exactly the model's passages.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from newsdesk.index import Config, Library
from newsdesk.tui import kept_review, unsaved

PASSAGES = 5
TEXT = " ".join(f"Passage number {n} of the test article, long enough to quote." for n in range(PASSAGES))
_TAGS = st.lists(st.sampled_from(["mine", "evidence", "lead", "x-1", "тег"]), min_size=1, max_size=3, unique=True)
_NOTES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def _span(passage: int) -> tuple[int, int]:
    start = TEXT.index(f"Passage number {passage} ")
    return start, start + 20


class KeptReviewMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="nd-kept-"))
        (self.tmp / "news").mkdir()
        (self.tmp / "news" / "one.txt").write_text("A test article\n\n" + TEXT + "\n", encoding="utf-8")
        self.library = Library.open(self.tmp / "news", state_dir=self.tmp / "state", config=Config())
        self.library.update()
        self.article = self.library.article(self.library.list_articles(0, 1)[0].id)
        self.folder = (self.tmp / "kept").absolute()
        self.on_disk: dict[int, tuple[tuple[str, ...], str]] = {}
        self.files: dict[str, tuple[int, list[str], str]] = {}
        self.changes = 0

    def teardown(self) -> None:
        self.library.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _annotation_at(self, passage: int):  # type: ignore[no-untyped-def]
        start, end = _span(passage)
        for placed in self.library.article_annotations(self.article).placed:
            if (placed.annotation.target.start, placed.annotation.target.end) == (start, end):
                return placed.annotation
        return None

    @rule(passage=st.integers(0, PASSAGES - 1), tags=_TAGS, note=_NOTES)
    def an_edit_kept_at_a_hang_up_meets_another_change(self, passage: int, tags: list[str], note: str) -> None:
        start, end = _span(passage)
        base = self._annotation_at(passage) or self.library.add_annotation(self.article, start, end, ["first"])
        kept = unsaved.keep(self.folder, self.library, self.article.id, start, end, tags, note, base.id, base=base)
        assert kept is not None
        self.changes += 1  # each change of theirs differs from every earlier one
        theirs = (("theirs", f"t{self.changes}"), f"their note {self.changes}")
        self.library.edit_annotation(self.article, base.id, tags=theirs[0], note=theirs[1], base=base)
        self.on_disk[passage] = theirs
        before = {p.name for p in self.folder.iterdir()}
        unsaved.save_kept(self.folder, self.library)
        after = {p.name for p in self.folder.iterdir()}
        (aside,) = after - before
        assert aside.endswith(".json.conflict")
        self.files[aside] = (passage, tags, note)

    @precondition(lambda self: bool(self.files))
    @rule(data=st.data())
    def apply(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(self.files)))
        kept_review.apply(self.folder / name, self.folder, self.library)
        passage, tags, note = self.files.pop(name)
        self.on_disk[passage] = (tuple(tags), note)

    @precondition(lambda self: bool(self.files))
    @rule(data=st.data())
    def discard(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(self.files)))
        kept_review.discard(self.folder / name, self.folder, self.library)
        self.files.pop(name)

    @precondition(lambda self: bool(self.on_disk))
    @rule(data=st.data())
    def another_session_deletes_the_annotation(self, data: st.DataObject) -> None:
        passage = data.draw(st.sampled_from(sorted(self.on_disk)))
        annotation = self._annotation_at(passage)
        assert annotation is not None
        self.library.delete_annotation(self.article.id, annotation.id)
        del self.on_disk[passage]

    @invariant()
    def the_listing_and_the_files_are_the_model(self) -> None:
        listed, problems = kept_review.kept_files(self.folder, self.library)
        assert problems == []
        assert {k.path.name: k.kind for k in listed} == dict.fromkeys(self.files, "conflict")
        for kept in listed:
            passage, tags, note = self.files[kept.path.name]
            assert (kept.tags, kept.note) == (tags, note)
        found = {}
        for passage in range(PASSAGES):
            annotation = self._annotation_at(passage)
            if annotation is not None:
                found[passage] = (annotation.tags, annotation.note)
        assert found == self.on_disk


KeptReviewMachine.TestCase.settings = settings(max_examples=10, stateful_step_count=10, deadline=None)
test_kept_review_against_a_model = KeptReviewMachine.TestCase
