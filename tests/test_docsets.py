"""The block-level match sets equal Whoosh's own matching, query by query."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.index import Library
from newsdesk.index.engine.docsets import DocSets
from newsdesk.index.engine.query import parse_query

from .conftest import write

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "the", "of"]


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("docsets")
    rng = random.Random(5)
    corpus = root / "corpus"
    for i in range(120):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 40)))
        title = " ".join(rng.choice(WORDS) for _ in range(3))
        write(corpus, f"a{i:03d}.txt", f"{title}\n\n{body}.\n")
    library = Library.open(corpus, state_dir=root / "state")
    library.update()
    # Delete a few files and update incrementally, so deletions are in play.
    for i in (3, 50, 99):
        (corpus / f"a{i:03d}.txt").unlink()
    write(corpus, "new.txt", "alpha bravo\n\nthe alpha bravo charlie of delta.\n")
    library.update()
    searcher = library._searcher
    with searcher._lock:
        whoosh_searcher = searcher._current()
        parser = searcher._parser
    yield library, whoosh_searcher, parser
    library.close()


term = st.sampled_from(WORDS)
leaf = st.one_of(
    term,
    st.builds(lambda a, b: f'"{a} {b}"', term, term),
    st.builds(lambda a: f"{a[:2]}*", term),
    st.builds(lambda a: f"title:{a}", term),
)
query = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"({a} AND {b})", inner, inner),
        st.builds(lambda a, b: f"({a} OR {b})", inner, inner),
        st.builds(lambda a, b: f"({a} NOT {b})", inner, inner),
    ),
    max_leaves=5,
)


@settings(max_examples=150, deadline=None)
@given(text=query)
def test_match_sets_equal_whoosh(small_index, text: str) -> None:
    _library, searcher, parser = small_index
    parsed = parse_query(parser, text)
    reader = searcher.reader()
    expected = {d for d in searcher.docs_for_query(parsed) if not reader.is_deleted(d)}
    assert DocSets(searcher).match(parsed) == expected, text


def test_deletions_are_excluded(small_index) -> None:
    library, _searcher, _parser = small_index
    assert library.search("alpha OR bravo OR charlie OR delta OR echo OR foxtrot OR golf OR hotel").total == 118
    assert library.search('"alpha bravo charlie"').total >= 1


def _naive_within_slop(positions: list[list[int]], slop: int) -> int:
    found = 0
    for start in positions[0]:
        previous = start
        for plist in positions[1:]:
            following = [p for p in plist if previous < p <= previous + slop]
            if not following:
                break
            previous = following[0]
        else:
            found += 1
    return found


@settings(max_examples=150, deadline=None)
@given(
    positions=st.lists(st.lists(st.integers(0, 60), max_size=20).map(lambda p: sorted(set(p))), min_size=2, max_size=4),
    slop=st.integers(1, 8),
)
def test_phrase_slop_count_is_the_rule_it_documents(positions: list[list[int]], slop: int) -> None:
    from array import array

    from newsdesk.index.engine.phrase_checks import within_slop_count

    assert within_slop_count([array("i", p) for p in positions], slop) == _naive_within_slop(positions, slop)


def test_a_phrase_with_slop_in_a_long_article_is_not_refused(tmp_path) -> None:
    """`"the mat"~2` on one long article (50,000 "the"s) used to compare every "the" with every "mat":
    minutes of work, stopped as too costly. Each word's next position is now found by bisection."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "long.txt").write_text("Long\n\n" + " ".join(["the cat sat on the mat"] * 25_000) + "\n")
    with Library.open(corpus, state_dir=tmp_path / "state") as library:
        library.update()
        results = library.search('"the mat"~2')
        assert results.total == 1 and results.hits[0].matches == 25_000
