"""Facet counting in bulk (index/engine/facets.py) gives exactly the counts of counting value by value.

The bulk counter codes each column once and counts the complement of a large match set; these
properties compare it with the plain count the search made before, over any values and match set.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.index.article import MULTI_VALUE_SEPARATOR
from newsdesk.index.engine.facets import DATE_WIDTH, MULTI_VALUED, FacetCounter
from newsdesk.index.timeline import build_timeline

from tests.conftest import examples

WORDS = st.sampled_from(["Reuters", "AP", "Meridian Wire", "ä", "x y", "2020-01-02", "1999-12-31T10:00", ""])
MULTI = st.lists(st.sampled_from(["war", "peace", "Geneva", "", " "]), max_size=3).map(MULTI_VALUE_SEPARATOR.join)


def plain(values: list[str], docs: set[int], facet: str, bucket: str) -> list[tuple[str, int]]:
    """The value-by-value count the search made before the bulk counter."""
    counts: Counter[str] = Counter()
    picked = [values[d] for d in docs]
    if facet == "date":
        counts.update(v[: DATE_WIDTH[bucket]] for v in picked if v)
    elif facet in MULTI_VALUED:
        for value in picked:
            if value:
                counts.update(part for part in value.split(MULTI_VALUE_SEPARATOR) if part)
    else:
        counts.update(v for v in picked if v)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


@st.composite
def columns(draw: st.DrawFn) -> tuple[str, list[str], set[int], set[int]]:
    facet = draw(st.sampled_from(["source", "date", "tags", "person"]))
    values = draw(st.lists(MULTI if facet in MULTI_VALUED else WORDS, min_size=1, max_size=60))
    deleted = draw(st.sets(st.integers(0, len(values) - 1), max_size=len(values) // 4))
    live = set(range(len(values))) - deleted
    matched = draw(st.sets(st.sampled_from(sorted(live)), max_size=len(live))) if live else set()
    return facet, values, live, matched


@settings(max_examples=examples(300), deadline=None)
@given(columns(), st.sampled_from(["day", "month", "year"]), st.integers(1, 3))
def test_bulk_counts_equal_plain_counts(
    column: tuple[str, list[str], set[int], set[int]], bucket: str, repeats: int
) -> None:
    facet, values, live, matched = column
    counter = FacetCounter([], lambda: live)
    counter._raw[facet] = values
    for _ in range(repeats):  # the counts over every document are kept: a second count must not change them
        assert counter.count(facet, matched, bucket) == plain(values, matched, facet, bucket)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=60), st.data())
def test_bulk_timeline_equals_plain_timeline(values: list[str], data: st.DataObject) -> None:
    matched = data.draw(st.sets(st.integers(0, len(values) - 1)))
    counter = FacetCounter([], lambda: set(range(len(values))))
    counter._raw["date"] = values
    assert counter.timeline(matched) == build_timeline(values[d] for d in matched)


def test_only_the_date_column_stays_as_strings(library) -> None:  # type: ignore[no-untyped-def]
    """facets.py: the columns are coded into arrays and not kept as strings (~570 MB at 1M articles);
    the date stays, ranking breaks ties with it."""
    results = library.search("the", facets=True)
    assert results.total and results.facets
    counter = library._searcher._facet_counter[1]
    assert set(counter._raw) <= {"date"} and len(counter._coded) >= 2
