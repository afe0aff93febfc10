"""Phrases of a query as sets of documents: the part of :class:`.docsets.DocSets` that checks them.

A phrase of common words reads its word pairs (one list for two words); any other
phrase with no slop is checked on every candidate at once from its lists' position
arrays (:func:`~newsdesk.index.engine.phrase_checks.adjacent_counts`: from the
frequency files, else from decoded postings); a phrase with slop, or whose words
occur past position 65,535 (a very long document), one candidate at a time from decoded postings
(:func:`~newsdesk.index.engine.phrase_checks.within_slop_count`).
"""

from __future__ import annotations

import sys
from array import array
from typing import TYPE_CHECKING, Any

from newsdesk.index.engine.freqfile import Positions, numpy
from newsdesk.index.engine.hidden_fields import pair_field, pair_term
from newsdesk.index.engine.phrase_checks import adjacent_count, adjacent_counts, split_candidates, within_slop_count
from newsdesk.index.engine.query_limits import Deadline
from newsdesk.index.engine.schema import FastPositions, PairPositions
from whoosh import query as wq

if TYPE_CHECKING:
    from newsdesk.index.engine.frequencies import Frequencies

PhraseKey = tuple[str, tuple[str, ...], int]
"""A phrase of a query: its field, its index terms in order and its slop (1: side by side)."""


class PhraseSets:
    """Phrase matching over the leaves a :class:`DocSets` reads (it inherits this)."""

    schema: Any
    pairs: bool
    deleted: set[int]
    deadline: Deadline
    phrase_counts: dict[int, int]
    phrase_occurrences: dict[PhraseKey, dict[int, int]]
    unverified: int
    sampled: bool
    _bounded: bool

    # What DocSets provides (see there).
    def term(self, fieldname: str, text: str | bytes) -> set[int]:
        raise NotImplementedError

    def postings(self, fieldname: str, text: str | bytes) -> dict[int, bytes]:
        raise NotImplementedError

    def frequencies(self, fieldname: str, text: str | bytes) -> Frequencies:
        raise NotImplementedError

    def positions(self, fieldname: str, text: str) -> Positions | None:
        raise NotImplementedError

    def phrase_cover(self, q: wq.Phrase) -> list[tuple[int, str, str]] | None:
        """(offset in the phrase, field, term) lists that prove phrase ``q``, or None to check its words' positions.

        Each adjacent pair of the phrase's words that the pair field holds (both
        words common: ``PairPositions.indexed``) stands in for its two words; a
        word in no such pair stands for itself. The phrase occurs at position p
        where every list has a position p + its offset. None for phrases with
        slop, phrases with no indexed pair, and indexes made before the pair
        fields (schema 3 and older).
        """
        name = pair_field(q.fieldname)
        if not self.pairs or q.slop > 1 or len(q.words) < 2 or name not in self.schema:
            return None
        words = q.words
        fmt = self.schema[name].format
        if not isinstance(fmt, PairPositions):  # read as its stock base (PairPositions missing): no pair rule
            return None
        indexed = [i for i in range(len(words) - 1) if fmt.indexed(words[i], words[i + 1])]
        if not indexed:
            return None
        covered = set(indexed) | {i + 1 for i in indexed}
        cover = [(i, name, pair_term(words[i], words[i + 1])) for i in indexed]
        cover += [(i, q.fieldname, word) for i, word in enumerate(words) if i not in covered]
        return cover

    def _one_pair(self, q: wq.Phrase, fieldname: str, text: str) -> set[int]:
        """Documents holding a two-word phrase whose pair field has it: the pair's frequency is its count."""
        ids, frequencies = self.frequencies(fieldname, text)
        found = dict(zip(ids.tolist(), map(int, frequencies.tolist()), strict=True))
        if self.deleted:
            for docnum in self.deleted.intersection(found):
                del found[docnum]
        return self._record(q, found)

    def _record(self, q: wq.Phrase, found: dict[int, int]) -> set[int]:
        """Keep a phrase with no slop's occurrences per document (they rank it); returns its documents."""
        self.phrase_occurrences.setdefault((q.fieldname, tuple(q.words), 1), {}).update(found)
        counts = self.phrase_counts
        for docnum, occurrences in found.items():
            counts[docnum] = counts.get(docnum, 0) + occurrences
        return set(found)

    def _phrase(self, q: wq.Phrase) -> set[int]:
        words = q.words
        if not words:
            return set()
        if len(words) == 1:
            return self.term(q.fieldname, words[0])
        slop = max(q.slop, 1)
        cover = self.phrase_cover(q)
        if cover is not None and len(cover) == 1:  # one pair: its frequency is the phrase's count
            return self._one_pair(q, cover[0][1], cover[0][2])
        by_words = cover is None
        if cover is None:
            cover = [(offset, q.fieldname, word) for offset, word in enumerate(words)]
        offsets = [offset for offset, _, _ in cover]
        if slop == 1 and all(isinstance(self.schema[fieldname].format, FastPositions) for _, fieldname, _ in cover):
            arrays = [self.positions(fieldname, text) for _, fieldname, text in cover]
            if all(found is not None for found in arrays):
                return self._phrase_from_arrays(q, arrays, offsets)  # type: ignore[arg-type]  # None ruled out
        per_word = [self.postings(fieldname, text) for _, fieldname, text in cover]
        candidates = set(min(per_word, key=len).keys())
        for other in sorted(per_word, key=len)[1:]:
            candidates &= other.keys()
        candidates -= self.deleted
        occurrences = self.phrase_occurrences.setdefault((q.fieldname, tuple(words), slop), {})
        if not candidates:
            return candidates
        counts = self.phrase_counts
        sample: set[int] = set()
        if self._bounded and by_words and len(candidates) > PHRASE_VERIFY_LIMIT:
            candidates, sample, rest = split_candidates(candidates, per_word, PHRASE_VERIFY_LIMIT // 2)
        matched = set()
        for checked, docnum in enumerate(candidates | sample):
            if checked % 256 == 0:
                self.deadline.check()
            encoded = [values[docnum] for values in per_word]
            if slop == 1 and all(len(value) == 3 for value in encoded):
                # One position in each list (a type byte and 16 bits), the usual case for pairs:
                # the phrase occurs once if they all agree on its start, without building sets.
                starts = {_single_position(value) - offset for value, offset in zip(encoded, offsets, strict=True)}
                found = int(len(starts) == 1)
            else:
                positions = [_positions(value) for value in encoded]
                found = adjacent_count(positions, offsets) if slop == 1 else within_slop_count(positions, slop)
            if found:
                matched.add(docnum)
                occurrences[docnum] = found
                counts[docnum] = counts.get(docnum, 0) + found
        if sample:
            self.sampled = True
            rate = len(matched & sample) / len(sample)
            self.unverified += round(rate * rest)
        return matched

    def _phrase_from_arrays(self, q: wq.Phrase, arrays: list[Positions], offsets: list[int]) -> set[int]:
        """A phrase with no slop checked on every candidate at once (:func:`adjacent_counts`): always exact."""
        np = numpy()
        self.deadline.check()
        deleted = np.fromiter(self.deleted, dtype=np.int64, count=len(self.deleted)) if self.deleted else None
        documents, occurrences = adjacent_counts(arrays, offsets, deleted)
        return self._record(q, dict(zip(documents.tolist(), occurrences.tolist(), strict=True)))


PHRASE_VERIFY_LIMIT = 4000
"""Candidates a phrase verifies by word positions, at most, when an estimated total will do.

Phrases answered by the pair fields are always verified in full: their lists are short.
"""


def _positions(value: bytes) -> array[int]:
    """Decode a :class:`newsdesk.index.engine.schema.FastPositions` posting value (type byte + machine array)."""
    positions = array(chr(value[0]))
    positions.frombytes(value[1:])
    return positions


def _single_position(value: bytes) -> int:
    """The position of a :class:`FastPositions` value that holds exactly one, 16 bits wide."""
    return int.from_bytes(value[1:3], sys.byteorder)  # array("H") is in the machine's byte order
