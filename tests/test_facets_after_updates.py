"""Red-team: facet and timeline counts of a real index after incremental updates and deletions.

tests/test_facets.py compares the bulk counter with a plain count over made-up columns; here a
corpus changes between updates (articles added, edited, deleted, with missing or unusable dates
and sources, down to one article) and every search's facets, timeline and total must be what the
matching articles themselves say, through the complement path (a word in every article) and not.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.index import Config, Library
from newsdesk.index.timeline import build_timeline

from tests.conftest import examples

DATES = ["2020-11-11", "2020-11-30", "2021-01-01", "", "2020-13-45", "0001-01-01", "9999-12-31", "2020-02-29", "soon"]
SOURCES = ["Reuters", "AP", "", "Ünïcode Wire", "reuters"]
FRUIT = ["kiwi", "plum", "fig", "lime", "pear", "quince", "yam", "okra"]

article = st.tuples(st.sampled_from(SOURCES), st.sampled_from(DATES), st.booleans(), st.sets(st.sampled_from(FRUIT)))
step = st.one_of(
    st.tuples(st.just("write"), st.integers(0, 7), article),
    st.tuples(st.just("delete"), st.integers(0, 7), st.none()),
)


def write(path: Path, number: int, source: str, date: str, alpha: bool, fruit: set[str]) -> None:
    head = ["---", f'title: "Article {number}"', *([f'source: "{source}"'] if source else [])]
    head += [f'date: "{date}"'] if date else []
    words = ["alpha"] * alpha + sorted(fruit) + [f"n{number}x" * 3, "filler"]  # no two texts alike (reprints)
    path.write_text("\n".join([*head, "---", " ".join(words) + "."]) + "\n", encoding="utf-8")


def check(library: Library, word: str) -> None:
    result = library.search(word, limit=1000)
    ids = [i for hit in result.hits for i in (hit.id, *hit.copies)]
    assert len(ids) == result.total
    matched = [library.article(i) for i in ids]
    sources = Counter(a.source for a in matched if a.source)
    months = Counter(a.date[:7] for a in matched if a.date)
    assert {v.value: v.count for v in result.facets.get("source", [])} == sources
    assert {v.value: v.count for v in result.facets.get("date", [])} == months
    assert result.timeline == build_timeline(a.date for a in matched)


@settings(max_examples=examples(12), deadline=None)
@given(st.lists(step, min_size=1, max_size=8))
def test_counts_follow_the_corpus_through_updates_and_deletions(steps: list) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory(prefix="newsdesk-rt-facets-") as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        with Library.open(corpus, state_dir=Path(folder) / "state", config=Config()) as library:
            present: set[int] = set()
            for kind, number, fields in steps:
                path = corpus / f"a{number}.md"
                if kind == "write":
                    write(path, number, *fields)
                    present.add(number)
                elif number in present:
                    path.unlink()
                    present.discard(number)
                library.update()
                assert library.search("filler").total == len(present)
                for word in ("filler", "alpha", "kiwi", "NOT alpha"):
                    check(library, word)
