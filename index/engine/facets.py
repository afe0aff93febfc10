"""Facet counts and the timeline of a match set, counted in bulk.

Counting value by value in Python (one ``Counter.update`` per matching
article) cost 130-150 ms for a word found in 90,000 of 100,000 articles:
most of the wait for the exact total and facets while typing. Here each
facet column is read once per opened index and coded: every distinct value
gets a number, each document holds its values' numbers in one numpy array
(a multi-valued facet: all documents' numbers end to end, and where each
document's end), and a count is one ``bincount`` over the matched documents'
numbers. The columns are not kept as Python strings: at 1M articles the five
facets' strings and tuples held ~570 MB of the search process (the date column
stays, for ranking's ties).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from typing import Any

from newsdesk.index.article import MULTI_VALUE_SEPARATOR
from newsdesk.index.engine.columns import column_values
from newsdesk.index.engine.freqfile import numpy
from newsdesk.index.engine.phrase_checks import ragged_indices
from newsdesk.index.engine.schema import FACET_COLUMNS
from newsdesk.index.timeline import Timeline, build_timeline_from_counts

MULTI_VALUED = frozenset({"tags", "person", "org", "place"})
"""Facets whose column joins several values with :data:`MULTI_VALUE_SEPARATOR`."""
DATE_WIDTH = {"day": 10, "month": 7, "year": 4}
"""Characters of an ISO date kept for each date bucket."""


class _Coded:
    """One facet column as value numbers: ``labels[code]``; 0 is the empty value (never listed)."""

    def __init__(self, values: Iterable[str], split: Callable[[str], Iterable[str]] | None) -> None:
        numbers: dict[str, int] = {"": 0}
        self.labels: list[str] = [""]

        def code(value: str) -> int:
            found = numbers.get(value)
            if found is None:
                found = numbers[value] = len(self.labels)
                self.labels.append(value)
            return found

        np = numpy()
        self.ends: Any = None
        if split is None:
            self.codes: Any = np.array(array("i", map(code, values)), dtype=np.int32)
        else:
            flat, ends = array("i"), array("q")
            for value in values:
                if value:
                    flat.extend(map(code, split(value)))
                ends.append(len(flat))
            self.codes = np.array(flat, dtype=np.int32)
            self.ends = np.array(ends, dtype=np.int64)

    def count(self, docs: Any) -> Any:
        """How many of ``docs`` (an array of document numbers) hold each value, by value number."""
        np = numpy()
        if self.ends is None:
            return np.bincount(self.codes[docs], minlength=len(self.labels))
        ends = self.ends[docs]
        sizes = ends - np.concatenate(([0], self.ends))[docs]
        return np.bincount(self.codes[ragged_indices(ends - sizes, sizes)], minlength=len(self.labels))

    def counted(self, docs: Any, empty: bool = False) -> list[tuple[str, int]]:
        """(value, count) of every value ``docs`` hold; the empty value ("") only if ``empty``."""
        counts = self.count(docs)
        found = numpy().flatnonzero(counts) if empty else numpy().flatnonzero(counts[1:]) + 1
        return [(self.labels[code], n) for code, n in zip(found.tolist(), counts[found].tolist(), strict=True)]


class FacetCounter:
    """Counts facets and timelines over match sets of one opened index (built on first use, then kept)."""

    def __init__(self, segments: list[tuple[Any, int]], live: Callable[[], set[int]]) -> None:
        self._segments = segments
        self._live = live
        self._raw: dict[str, list[str]] = {}
        """Columns kept as strings: the date (ranking breaks ties with it), or one given by a test."""
        self._coded: dict[tuple[str, str], _Coded] = {}
        self._docs: tuple[set[int], Any] | None = None

    def column(self, facet: str) -> list[str]:
        """Every document's value of ``facet`` as stored ("" when it has none); the date column is kept."""
        values = self._raw.get(facet)
        if values is None:
            values = []
            for segment_reader, _offset in self._segments:
                raw = column_values(segment_reader, FACET_COLUMNS[facet])
                values.extend(v.decode("utf-8", "surrogatepass") if v else "" for v in raw)
            if facet == "date":
                self._raw[facet] = values
        return values

    def _coded_column(self, facet: str, date_bucket: str = "day") -> _Coded:
        key = (facet, date_bucket if facet == "date" else "")
        coded = self._coded.get(key)
        if coded is None:
            values = self.column(facet)
            if facet == "date":
                width = DATE_WIDTH[date_bucket]
                coded = _Coded((v[:width] for v in values), None)
            else:
                coded = _Coded(values, (lambda v: v.split(MULTI_VALUE_SEPARATOR)) if facet in MULTI_VALUED else None)
            self._coded[key] = coded
        return coded

    def _array(self, matched: set[int]) -> Any:
        """``matched`` as an array, made once for all the facets and the timeline of one match set."""
        if self._docs is None or self._docs[0] is not matched:
            np = numpy()
            self._docs = (matched, np.fromiter(matched, dtype=np.int64, count=len(matched)))
        return self._docs[1]

    def count(self, facet: str, matched: set[int], date_bucket: str = "month") -> list[tuple[str, int]]:
        """(value, count) of every value of ``facet`` among ``matched``, most common first, then by value."""
        found = self._coded_column(facet, date_bucket).counted(self._array(matched))
        return sorted(found, key=lambda kv: (-kv[1], kv[0]))

    def timeline(self, matched: set[int]) -> Timeline:
        """Matches per period (see :mod:`newsdesk.index.timeline`)."""
        found = self._coded_column("date", "day").counted(self._array(matched), empty=True)  # "": undated
        return build_timeline_from_counts(dict(found))
