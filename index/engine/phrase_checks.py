"""Counting a phrase's occurrences in one document from its words' positions, and choosing which candidates to check.

:class:`newsdesk.index.engine.docsets.DocSets` finds the documents holding all of a
phrase's words (or word pairs) and decodes their position arrays; the functions here
say how often the phrase occurs in each, all in C where they can. When an estimated
total will do, :func:`split_candidates` picks the candidates worth checking.
"""

from __future__ import annotations

import heapq
import random
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from itertools import repeat
from operator import sub
from typing import TYPE_CHECKING, Any

from newsdesk.index.engine.freqfile import numpy

if TYPE_CHECKING:
    from newsdesk.index.engine.freqfile import Positions


def adjacent_count(positions: list[array[int]], offsets: Sequence[int]) -> int:
    """How often the words stand side by side in order.

    List i (a word, or a pair standing for two words) at position p + offsets[i]
    for some p: shift each list's positions back by its offset and intersect,
    smallest list first, all in C.
    """
    order = sorted(range(len(positions)), key=lambda i: len(positions[i]))
    common = set(map(sub, positions[order[0]], repeat(offsets[order[0]])))
    for index in order[1:]:
        common.intersection_update(map(sub, positions[index], repeat(offsets[index])))
        if not common:
            return 0
    return len(common)


def within_slop_occurrences(positions: Sequence[Sequence[int]], slop: int) -> list[tuple[int, int]]:
    """(first, last) position of each occurrence of the words in order, each within ``slop`` of the one before.

    One rule for the index's phrase check (:func:`within_slop_count`) and the
    reader's highlights (:mod:`newsdesk.index.engine.matches`), so the two never
    disagree on what a phrase with slop matches.
    """
    found = []
    for start in positions[0]:
        previous = start
        for plist in positions[1:]:
            # The first position after ``previous``, by bisection: scanning the whole list
            # for every start made a frequent word in a long article quadratic (minutes).
            after = bisect_right(plist, previous)
            if after == len(plist) or plist[after] > previous + slop:
                break
            previous = plist[after]
        else:
            found.append((start, previous))
    return found


def within_slop_count(positions: list[array[int]], slop: int) -> int:
    """How often the words occur in order, each within ``slop`` of the one before."""
    return len(within_slop_occurrences(positions, slop))


def split_candidates(
    candidates: set[int], per_word: list[dict[int, bytes]], half: int
) -> tuple[set[int], set[int], int]:
    """(likeliest, sample, unsampled count) of a phrase's candidates; ``half`` of each to check.

    The likeliest are those where the rarest word occurs most often (posting
    value length grows with its frequency): they are the ones ranking puts
    first. A fixed-seed sample of the others estimates how many of them match.
    """
    rarest = min(per_word, key=len)
    likeliest = set(heapq.nlargest(half, candidates, key=lambda d: len(rarest[d])))
    others = sorted(candidates - likeliest)
    sample = set(random.Random(len(others)).sample(others, half))
    return likeliest, sample, len(others) - half


def adjacent_counts(lists: Sequence[Positions], offsets: Sequence[int], excluded: Any = None) -> tuple[Any, Any]:
    """(documents, occurrences) of a phrase from its lists' position arrays, all in numpy.

    What :func:`adjacent_count` says of one document, for every document at once:
    list i (a word, or a pair standing for two words) at position p + offsets[i].
    Each list's positions in the documents still in question become keys
    ``document << 32 | position - offset`` and the keys are intersected, smallest
    list first; the documents in question narrow to those left after each list.
    ``excluded``: documents never counted (deleted ones), as an array.
    """
    np = numpy()
    order = sorted(range(len(lists)), key=lambda i: len(lists[i].ids))
    candidates = lists[order[0]].ids
    for index in order[1:]:
        candidates = intersect_sorted(candidates, lists[index].ids)
    if excluded is not None and len(excluded) and len(candidates):
        candidates = candidates[~np.isin(candidates, excluded)]
    shift = max(offsets)
    keys = np.zeros(0, dtype=np.int64)
    for turn, index in enumerate(order):
        if not len(candidates):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        found = lists[index]
        rows = np.searchsorted(found.ids, candidates)
        counts = found.counts[rows].astype(np.int64)
        flat = ragged_indices(found.starts[rows].astype(np.int64), counts)
        listed = (np.repeat(candidates.astype(np.int64), counts) << 32) | (
            found.positions[flat].astype(np.int64) + (shift - offsets[index])
        )
        keys = listed if turn == 0 else np.intersect1d(keys, listed, assume_unique=True)
        candidates = np.unique(keys >> 32)
    return np.unique(keys >> 32, return_counts=True)


def ragged_indices(starts: Any, sizes: Any) -> Any:
    """Every index of the runs ``starts[i] .. starts[i] + sizes[i]`` in order, as one array (int64 inputs).

    How the values of chosen rows are gathered from a flat array (positions, facet codes):
    each one is its row's first index plus its rank within the row.
    """
    np = numpy()
    rank = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.repeat(starts, sizes) + rank


def intersect_sorted(first: Any, second: Any) -> Any:
    """The numbers in both ascending arrays of distinct numbers; a short one is looked up in a long one."""
    np = numpy()
    if len(first) > len(second):
        first, second = second, first
    if not len(first):
        return first
    if len(first) * 16 < len(second):
        where = np.searchsorted(second, first)
        where[where == len(second)] = 0
        return first[second[where] == first]
    return np.intersect1d(first, second, assume_unique=True)
