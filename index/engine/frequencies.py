"""Posting lists as arrays of document numbers and frequencies: what matching and ranking need of a word.

A word's documents and frequencies come from its segments' frequency files
(:mod:`.freqfile`) where the direct writer kept them: two array copies however
many documents hold it. Elsewhere (a short list, or a segment Whoosh's own
writer made) they are decoded from the posting blocks, as the positions are.
Ranking then scores a word held by most documents in a few vectorised numpy
steps (index/engine/ranking.py).

numpy is imported on first use, not with the engine: the reader starts without
paying for it (~60 ms), and :func:`warm_up` imports it in the background.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from newsdesk.index.engine.blockreads import leaf_blocks
from newsdesk.index.engine.freqfile import FreqFile, Positions, numpy, positions_of
from newsdesk.index.engine.query_limits import Deadline
from newsdesk.index.engine.schema import FastPositions

if TYPE_CHECKING:
    import numpy as np

CACHE_FREQUENCIES = 4_000_000
"""Postings kept as arrays between queries (8 bytes each: 32 MB at most)."""


class Frequencies(NamedTuple):
    """One word's postings: global document numbers (ascending, int32) and frequencies (float32, whole numbers).

    Compact for the cache; float32 holds every whole number to 2**24 exactly, and
    ranking widens the ones it scores to float64 before any arithmetic.
    """

    ids: np.ndarray
    frequencies: np.ndarray


def warm_up() -> None:
    """Import what searching needs, so that the first search does not wait for it."""
    numpy()


class FrequencyLists:
    """The words of one searcher's segments as :class:`Frequencies`, the most recently used cached."""

    def __init__(self, segments: list[tuple[Any, int]], schema: Any) -> None:
        self.segments = segments
        self.schema = schema
        self._cache: OrderedDict[tuple[str, str | bytes], Frequencies] = OrderedDict()
        self._cached = 0
        self._files: dict[int, FreqFile | None] = {}

    def get(
        self, fieldname: str, text: str | bytes, decoded: dict[int, bytes] | None, deadline: Deadline
    ) -> Frequencies:
        """One word's documents (deleted ones included) and frequencies; ``decoded``: its postings if at hand."""
        key = (fieldname, text)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        np = numpy()
        field = self.schema[fieldname]
        if decoded is not None:
            found = Frequencies(
                np.fromiter(decoded.keys(), dtype=np.int32, count=len(decoded)),
                frequencies_of(field.format, decoded.values(), len(decoded)),
            )
        else:
            found = self._read(fieldname, field, text if isinstance(text, bytes) else field.to_bytes(text), deadline)
        self._cache[key] = found
        self._cached += len(found.ids)
        while self._cached > CACHE_FREQUENCIES and len(self._cache) > 1:
            _, evicted = self._cache.popitem(last=False)
            self._cached -= len(evicted.ids)
        return found

    def _read(self, fieldname: str, field: Any, btext: bytes, deadline: Deadline) -> Frequencies:
        np = numpy()
        id_parts = []
        frequency_parts = []
        for segment_reader, offset in self.segments:
            if (fieldname, btext) not in segment_reader:
                continue
            freq_file = self._file(segment_reader)
            stored = freq_file.read(fieldname, btext) if freq_file is not None else None
            if stored is not None:
                ids, frequencies = stored[0].astype(np.int32), stored[1]
            else:
                values = _decoded(segment_reader, fieldname, btext, field, deadline)
                ids = np.fromiter(values.keys(), dtype=np.int32, count=len(values))
                frequencies = frequencies_of(field.format, values.values(), len(values))
            id_parts.append(ids + offset if offset else ids)
            frequency_parts.append(frequencies)
        if not id_parts:
            return Frequencies(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
        return Frequencies(np.concatenate(id_parts), np.concatenate(frequency_parts).astype(np.float32))

    def positions(self, fieldname: str, btext: bytes, deadline: Deadline) -> Positions | None:
        """One word's postings with their positions: from the frequency files, and from the blocks of the
        segments that keep none (Whoosh's writer: every update adds one). None for a position past 65,535."""
        np = numpy()
        field = self.schema[fieldname]
        parts = []
        for segment_reader, offset in self.segments:
            if (fieldname, btext) not in segment_reader:
                continue
            freq_file = self._file(segment_reader)
            found = freq_file.positions(fieldname, btext) if freq_file is not None else None
            if found is None:
                values = _decoded(segment_reader, fieldname, btext, field, deadline)
                ids = np.fromiter(values.keys(), dtype=np.int64, count=len(values))
                counts = frequencies_of(field.format, values.values(), len(values)).astype(np.int64)
                found = positions_of(ids, counts, b"".join(values.values()))
                if found is None:  # a position past 65,535
                    return None
            parts.append((found, offset))
        if len(parts) == 1 and not parts[0][1]:
            return parts[0][0]
        if not parts:
            return None
        counts = np.concatenate([found.counts for found, _ in parts])
        return Positions(
            np.concatenate([found.ids + offset for found, offset in parts]),
            counts,
            np.cumsum(counts) - counts,
            np.concatenate([found.positions for found, _ in parts]),
        )

    def _file(self, segment_reader: Any) -> FreqFile | None:
        key = id(segment_reader)
        if key not in self._files:
            self._files[key] = FreqFile.open(segment_reader._storage, segment_reader._segment)
        return self._files[key]

    def close(self) -> None:
        """Close the frequency files opened so far."""
        for freq_file in self._files.values():
            if freq_file is not None:
                freq_file.close()
        self._files.clear()


def _decoded(segment_reader: Any, fieldname: str, btext: bytes, field: Any, deadline: Deadline) -> dict[int, bytes]:
    """One segment's postings of a term from its blocks: segment document number -> posting value."""
    values: dict[int, bytes] = {}
    for block_ids, block_values in leaf_blocks(segment_reader._terms.matcher(fieldname, btext, field.format)):
        deadline.check()
        values.update(zip(block_ids, block_values, strict=True))
    return values


def frequencies_of(fmt: Any, values: Iterable[bytes], count: int) -> np.ndarray:
    """Each posting's frequency, from its value (FastPositions: its length and type byte; else the format's decoder)."""
    if isinstance(fmt, FastPositions):
        # Type byte "H" (72): 2 bytes a position; "I": 4 (see schema.encode_positions).
        found: Iterable[int] = ((len(v) - 1) >> 1 if v[0] == 72 else (len(v) - 1) >> 2 for v in values)
    else:
        found = map(fmt.decode_frequency, values)
    return numpy().fromiter(found, dtype=numpy().float32, count=count)
