"""The block-level match sets equal Whoosh's own matching, query by query."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.index import Library
from newsdesk.index.docsets import DocSets
from newsdesk.index.query import parse_query

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
