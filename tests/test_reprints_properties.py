"""Reprint grouping over generated texts, and incremental updates against a brute-force model."""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from newsdesk.index import Article
from newsdesk.index.reprints import are_reprints, leaders, sketch, sync_reprints
from newsdesk.index.store import ArticleStore

WORDS = "shelling resumed along the northern front on sunday after ministers left geneva talks".split()
EDGES = ["", " ", "\n", "\ufeff", "\u2028", "\u2029", "\x85", "...", "---", "|", ">", "#", ": ", "\x00", "\x1b[31m"]

prose = st.lists(st.sampled_from(WORDS), min_size=0, max_size=60).map(" ".join)
texts = st.one_of(
    prose,
    st.text(max_size=300),
    st.sampled_from(EDGES),
    st.sampled_from(WORDS),  # one word
    st.builds(lambda word, n: " ".join([word] * n), st.sampled_from(WORDS), st.integers(1, 20_000)),  # huge
    st.builds(lambda a, b: a + b + a, st.sampled_from(EDGES), prose),  # newlines and BOMs at either end
)


def edited(text: str, draw_index: int, words: list[str]) -> str:
    """A small edit of ``text``: a word cut and a few added (a reprint, when the text is long enough)."""
    parts = text.split()
    if parts:
        del parts[draw_index % len(parts)]
    return " ".join([*parts, *words])


def _article(article_id: str, text: str) -> Article:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return Article(id=article_id, path=article_id, item=0, title=article_id, text=text, content_hash=digest)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _put(store: ArticleStore, article_id: str, text: str) -> None:
    with store.transaction() as db:
        ArticleStore.replace_articles(db, article_id, [_article(article_id, text)])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    originals=st.lists(texts, min_size=1, max_size=6),
    edits=st.lists(
        st.tuples(st.integers(0, 99), st.integers(0, 5), st.lists(st.sampled_from(WORDS), max_size=3)), max_size=6
    ),
)
def test_grouping_never_crashes_and_never_joins_articles_sharing_no_text(
    originals: list[str], edits: list[tuple[int, int, list[str]]]
) -> None:
    all_texts = list(originals)
    for where, source, words in edits:
        all_texts.append(edited(all_texts[source % len(all_texts)], where, words))
    with tempfile.TemporaryDirectory() as tmp:
        store = ArticleStore(Path(tmp) / "articles.db")
        try:
            for n, text in enumerate(all_texts):
                _put(store, f"a{n}", text)
            sync_reprints(store)
            found = leaders(store.db)
        finally:
            store.close()
    assert set(found) == {f"a{n}" for n in range(len(all_texts))}
    by_id = {f"a{n}": text for n, text in enumerate(all_texts)}
    for article_id, leader in found.items():
        if article_id == leader:
            continue
        assert are_reprints(sketch(by_id[article_id]), sketch(by_id[leader]))
        for other, other_leader in found.items():
            if other_leader == leader:  # same group: some text in common
                assert _words(by_id[article_id]) & _words(by_id[other])


class ReprintGroups(RuleBasedStateMachine):
    """Add, change and delete articles, re-index, and compare the groups with brute force over all pairs."""

    @initialize()
    def open_store(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.store = ArticleStore(Path(self.tmp.name) / "articles.db")
        self.texts: dict[str, str] = {}
        self.first_seen: dict[str, int] = {}  # like first_indexed: an id keeps its number for ever

    def teardown(self) -> None:
        if hasattr(self, "store"):
            self.store.close()
            self.tmp.cleanup()

    def _set(self, article_id: str, text: str) -> None:
        _put(self.store, article_id, text)
        self.texts[article_id] = text
        self.first_seen.setdefault(article_id, len(self.first_seen) + 1)

    @rule(name=st.integers(0, 7), text=texts)
    def add_or_change(self, name: int, text: str) -> None:
        self._set(f"a{name:02d}", text)

    @precondition(lambda self: self.texts)
    @rule(
        data=st.data(),
        name=st.integers(0, 7),
        where=st.integers(0, 99),
        words=st.lists(st.sampled_from(WORDS), max_size=3),
    )
    def reprint(self, data: st.DataObject, name: int, where: int, words: list[str]) -> None:
        source = data.draw(st.sampled_from(sorted(self.texts)))
        self._set(f"a{name:02d}", edited(self.texts[source], where, words))

    @precondition(lambda self: len(self.texts) >= 2)
    @rule(data=st.data(), where=st.integers(0, 99), words=st.lists(st.sampled_from(WORDS), max_size=3))
    def edit_into_another_story(self, data: st.DataObject, where: int, words: list[str]) -> None:
        target, source = data.draw(st.permutations(sorted(self.texts)))[:2]
        self._set(target, edited(self.texts[source], where, words))

    @precondition(lambda self: self.texts)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        article_id = data.draw(st.sampled_from(sorted(self.texts)))
        with self.store.transaction() as db:
            ArticleStore.remove_file(db, article_id)
        del self.texts[article_id]

    @rule()
    def reindex(self) -> None:
        sync_reprints(self.store)
        assert leaders(self.store.db) == self.model()
        assert sync_reprints(self.store) == 0  # nothing left to do

    def model(self) -> dict[str, str]:
        sketches = {i: sketch(t) for i, t in self.texts.items()}

        def key(article_id: str) -> tuple[int, str]:
            return self.first_seen[article_id], article_id

        groups = {}
        for article_id, own in sketches.items():
            earlier = [
                other for other in sketches if key(other) < key(article_id) and are_reprints(own, sketches[other])
            ]
            groups[article_id] = min(earlier, key=key) if earlier else article_id
        return groups

    @invariant()
    def every_group_is_named_by_a_present_article_after_sync(self) -> None:
        found = leaders(self.store.db)
        if set(found) == set(self.texts):  # synced since the last change
            assert set(found.values()) <= set(self.texts)


TestReprintGroups = ReprintGroups.TestCase
TestReprintGroups.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
