"""The annotation store against a plain in-memory model: two users, every operation, and the search index.

Each article is made of "sentences" of one repeated letter each ("aaaaaa aaaaaa."), so
removing a sentence leaves nothing a fuzzy match could mistake for it: an annotation
inside it becomes an orphan, every other one is found again. The model says exactly that.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule
from newsdesk.index import Config, Library
from newsdesk.index.annotations import AnnotationStore, owner_by_file_name
from newsdesk.index.annotations.export import export, parse_export

USERS = ("alice", "bob")
TAGS = ("evidence", "lead", "money")
WORDS = ("alpha", "bravo", "charlie")
LETTERS = "abcdefghjkmnpqrstuvwxyz"
NOTE = st.tuples(
    st.sampled_from(WORDS), st.sampled_from(["", "\n", "...\n", "\n---\n|+ x", ": #", "\u2028"]), st.booleans()
).map(lambda t: (t[1] + t[0] + t[1]) if t[2] else t[0] + t[1])


def sentences(letters: str) -> str:
    return " ".join(f"{c * 6} {c * 4}." for c in letters)


@dataclass
class Expected:
    article: str
    user: str
    quote: str
    tags: tuple[str, ...]
    note: str
    imported_from: str = ""


@dataclass
class Model:
    annotations: dict[str, Expected] = field(default_factory=dict)
    letters: dict[str, str] = field(default_factory=dict)
    """The sentences (one letter each) each article has now."""
    last_deleted: dict[str, str | None] = field(default_factory=dict)


class AnnotationMachine(RuleBasedStateMachine):
    annotation_ids = Bundle("annotation_ids")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="nd-stateful-"))
        self.corpus = self.tmp / "news"
        self.corpus.mkdir()
        self.model = Model()
        for name, letters in (("one", LETTERS[:8]), ("two", LETTERS[8:16])):
            self.model.letters[name] = letters
            self._write(name)
        self.library = Library.open(self.corpus, state_dir=self.tmp / "state", config=Config())
        self.library.update()
        self.stores = {u: AnnotationStore(self.tmp / "state", user=u, owner_of=owner_by_file_name) for u in USERS}
        self.deleted: dict[str, object] = {}

    def teardown(self) -> None:
        self.library.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _write(self, name: str) -> None:
        (self.corpus / f"{name}.txt").write_text(f"Title {name}\n\n{sentences(self.model.letters[name])}\n")

    def _article(self, name: str):
        return self.library.article(f"{name}.txt")

    # -- rules --------------------------------------------------------------------------
    @rule(
        target=annotation_ids,
        user=st.sampled_from(USERS),
        name=st.sampled_from(["one", "two"]),
        pick=st.integers(0, 100),
        whole=st.booleans(),
        tags=st.lists(st.sampled_from(TAGS), max_size=2),
        note=NOTE,
    )
    def add(self, user: str, name: str, pick: int, whole: bool, tags: list[str], note: str) -> str:
        letters = self.model.letters[name]
        letter = letters[pick % len(letters)]
        quote = f"{letter * 6} {letter * 4}." if whole else letter * 4 + "."
        article = self._article(name)
        start = article.text.index(quote)
        added = self.stores[user].add(article, start, start + len(quote), tags, note)
        self.model.annotations[added.id] = Expected(name, user, quote, tuple(dict.fromkeys(tags)), note)
        return added.id

    def _mine(self, user: str, ident: str) -> bool:
        return ident in self.model.annotations and self.model.annotations[ident].user == user

    @rule(ident=annotation_ids, note=NOTE)
    def edit(self, ident: str, note: str) -> None:
        if ident not in self.model.annotations:
            return
        expected = self.model.annotations[ident]
        self.stores[expected.user].edit(self._article(expected.article), ident, note=note)
        expected.note = note

    @rule(ident=annotation_ids, tags=st.lists(st.sampled_from(TAGS), max_size=3))
    def retag(self, ident: str, tags: list[str]) -> None:
        if ident not in self.model.annotations:
            return
        expected = self.model.annotations[ident]
        self.stores[expected.user].edit(self._article(expected.article), ident, tags=tags)
        expected.tags = tuple(dict.fromkeys(tags))

    @rule(ident=annotation_ids, other=st.booleans())
    def delete(self, ident: str, other: bool) -> None:
        if ident not in self.model.annotations:
            return
        expected = self.model.annotations[ident]
        user = expected.user if not other else next(u for u in USERS if u != expected.user)
        store = self.stores[user]
        article_id = self._article(expected.article).id
        if other:  # never someone else's
            try:
                store.delete(article_id, ident)
            except Exception as exc:
                assert "only they can change it" in str(exc)
            else:
                raise AssertionError("deleted another user's annotation")
            return
        self.deleted[user] = store.delete(article_id, ident)
        self.model.last_deleted[user] = ident
        self.model.deleted = getattr(self.model, "deleted", {})
        self.model.deleted[ident] = self.model.annotations.pop(ident)

    @rule(user=st.sampled_from(USERS))
    def undo(self, user: str) -> None:
        ident = self.model.last_deleted.get(user)
        if ident is None:
            return
        self.stores[user].restore(self.deleted.pop(user))  # type: ignore[arg-type]
        self.model.annotations[ident] = self.model.deleted.pop(ident)  # type: ignore[attr-defined]
        self.model.last_deleted[user] = None

    @rule(
        user=st.sampled_from(USERS),
        name=st.sampled_from(["one", "two"]),
        tag=st.sampled_from(TAGS),
        twice=st.booleans(),
    )
    def import_from_elsewhere(self, user: str, name: str, tag: str, twice: bool) -> None:
        """Carol annotated a copy of the corpus elsewhere and exported; ``user`` imports it."""
        article = self._article(name)
        letter = self.model.letters[name][0]
        quote = letter * 6
        with tempfile.TemporaryDirectory() as elsewhere:
            carol = AnnotationStore(Path(elsewhere), user="carol", owner_of=owner_by_file_name)
            start = article.text.index(quote)
            made = carol.add(article, start, start + len(quote), [tag], "from carol")
            text = export(carol.all()[0], {}, "yaml")
        annotations = parse_export(text, "carol.yaml")
        assert self.stores[user].import_annotations(annotations) == (1, 0)
        if twice:
            assert self.stores[user].import_annotations(annotations) == (0, 1)
        self.model.annotations[made.id] = Expected(name, user, quote, (tag,), "from carol", imported_from="carol")

    @precondition(lambda self: any(len(v) > 2 for v in self.model.letters.values()))
    @rule(name=st.sampled_from(["one", "two"]), pick=st.integers(0, 100), prepend=st.booleans())
    def change_the_text(self, name: str, pick: int, prepend: bool) -> None:
        """The article's file changes: a sentence goes (its annotations become orphans), text moves."""
        letters = self.model.letters[name]
        if len(letters) <= 2:
            return
        gone = letters[pick % len(letters)]
        letters = letters.replace(gone, "")
        if prepend:
            letters = LETTERS[16 + pick % 7] + letters if LETTERS[16 + pick % 7] not in letters else letters
        self.model.letters[name] = letters
        self._write(name)
        self.library.update()

    # -- the comparison, after every step ------------------------------------------------
    @invariant()
    def files_and_placement_equal_the_model(self) -> None:
        seen: dict[str, Expected] = {}
        orphans: set[str] = set()
        for name in ("one", "two"):
            article = self._article(name)
            found = self.stores["alice"].for_article(article)
            assert found.errors == []
            for placed in found.placed + found.orphans:
                a = placed.annotation
                seen[a.id] = Expected(name, a.author, a.target.exact, a.tags, a.note, a.imported_from)
                assert placed.own == (a.author == "alice")
                if placed.anchor.orphan:
                    orphans.add(a.id)
                else:
                    assert article.text[placed.anchor.start : placed.anchor.end] == a.target.exact
        assert seen == self.model.annotations
        assert orphans == {
            i for i, e in self.model.annotations.items() if e.quote[0] not in self.model.letters[e.article]
        }

    @invariant()
    def searches_equal_the_model(self) -> None:
        self.library.sync_annotations()

        def hits(query: str) -> set[str]:
            return {Path(h.path).stem for h in self.library.search(query, limit=10).hits}

        def articles(predicate) -> set[str]:
            return {e.article for e in self.model.annotations.values() if predicate(e)}

        for tag in TAGS:
            assert hits(f"tag:{tag}") == articles(lambda e, t=tag: t in e.tags), tag
        for word in WORDS:
            # a whole word of the note (the index tokenises: "xalpha" is not "alpha")
            assert hits(f"note:{word}") == articles(lambda e, w=word: w in re.findall(r"\w+", e.note)), word
        assert hits("annotated:yes") == articles(lambda e: True)
        assert hits("annotated:no") == {"one", "two"} - articles(lambda e: True)


AnnotationMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=12, deadline=None)
test_annotations_against_a_model = AnnotationMachine.TestCase
