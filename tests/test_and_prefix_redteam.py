"""Red-team pass over prefix lists in the frequency files (5f60217) and ANDed word arrays (5759a53).

Every query goes through ``Library.search`` on a folder built with every list in the frequency
files (``FREQ_MIN_POSTINGS`` = 1), then updated (Whoosh-written segments, deleted documents), and is
compared with the plain-set answer: no frequency file opened and no word taken as an array.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index import Library
from newsdesk.index.engine import docsets as docsets_module
from newsdesk.index.engine import freqfile
from newsdesk.index.engine.docsets import DocSets
from newsdesk.index.engine.freqfile import FreqFile
from newsdesk.index.errors import QueryError

from .conftest import examples, write
from .test_phrase_positions_redteam import updated_library

WORDS = ["kalo", "kala", "kalb", "ka", "k", "café", "Café", "cafe", "naïve", "Ωmega", "ωmeg", "東京", "東", "straße"]
WORDS += ["strasse", "ＦＵＬＬ", "full", "x\u0301", "zork", "zo", "the", "of", "1.5", "ﬁsh", "fish"]
PREFIXES = ["k", "ka", "kal", "kalo", "kalob", "ca", "caf", "café", "Caf", "ω", "Ωm", "東", "st", "stra", "straß"]
PREFIXES += ["fu", "ＦＵ", "x", "zo", "th", "1", "1.", "fi", "ﬁ", "n", "na", "naï"]


@pytest.fixture(autouse=True)
def _every_list_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(freqfile, "FREQ_MIN_POSTINGS", 1)


def _found(library: Library, query: str) -> tuple[int, list[tuple[str, float]]]:
    library._searcher._docsets_cache = None  # a fresh DocSets each time: nothing cached across paths
    results = library.search(query, limit=10_000, facets=False)
    return results.total, sorted((hit.id, round(hit.score, 9)) for hit in results.hits)


def _plain(library: Library, query: str, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as patch:
        patch.setattr(FreqFile, "open", classmethod(lambda *args: None))
        patch.setattr(DocSets, "_listed_term", lambda *args: False)
        return _found(library, query)


field = st.sampled_from(["", "title:", "body:"])
word = st.sampled_from(WORDS)
prefix = st.tuples(field, st.sampled_from(PREFIXES)).map(lambda t: f"{t[0]}{t[1]}*")
term = st.one_of(st.tuples(field, word).map("".join), prefix)
query = st.recursive(
    term,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=6).map(lambda qs: "(" + " AND ".join(qs) + ")"),
        st.lists(inner, min_size=1, max_size=4).map(lambda qs: "(" + " OR ".join(qs) + ")"),
        inner.map(lambda q: f"(NOT {q})"),
        st.tuples(inner, inner).map(lambda qs: f"({qs[0]} AND NOT {qs[1]})"),
    ),
    max_leaves=8,
)
text = st.lists(word, max_size=12).map(" ".join)


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    articles=st.lists(st.tuples(st.lists(word, max_size=3).map(" ".join), text), min_size=1, max_size=8),
    later=st.lists(st.tuples(st.integers(0, 7), text), max_size=3),
    queries=st.lists(query, min_size=1, max_size=6),
)
def test_prefixes_and_ands_answer_as_plain_sets(
    tmp_path_factory: pytest.TempPathFactory, articles, later, queries, monkeypatch: pytest.MonkeyPatch
) -> None:
    with updated_library(tmp_path_factory.mktemp("rt-two"), articles, later, title_mark="t") as library:
        for q in queries:
            try:
                found = _found(library, q)
            except QueryError:
                continue
            assert found == _plain(library, q, monkeypatch), q


def test_an_and_keeps_a_word_evicted_from_the_postings_cache_meanwhile(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word cached when the AND starts is not taken as an array; if an earlier child's postings then
    evict it, it must still be ANDed (not dropped from both the arrays and the sets)."""
    root = tmp_path_factory.mktemp("rt-two-evict")
    corpus = root / "corpus"
    for number in range(6):
        body = "alpha beta gamma" if number < 2 else "alpha beta delta"
        write(corpus, f"a{number:02d}.txt", f"title {number}\n\n{body}\n")
    monkeypatch.setattr(docsets_module, "CACHE_POSTINGS", 3)
    with Library.open(corpus, state_dir=root / "state") as library:
        library.update()
        library._searcher._docsets_cache = None
        # A slop phrase decodes its words' postings into the cache: body:gamma is then cached.
        assert library.search('body:"alpha gamma"~3', limit=100, facets=False).total == 2
        # The phrase child comes first: its postings (6 + 6) evict body:gamma before the AND looks at it.
        results = library.search('body:"alpha beta"~2 AND body:gamma', limit=100, facets=False)
        assert results.total == 2
