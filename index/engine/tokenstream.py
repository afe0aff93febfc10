"""A positional field's buffered words as flat arrays, grouped into posting lists by one sort.

The direct segment writer (index/engine/directwriter.py) used to keep, per term, the
postings of the documents added so far in four growing columns: for every distinct
term of every document a dictionary lookup, four appends and the posting's value
encoded, all in Python (about half of a writer's CPU while adding, by profile). Here a
document's words cost three C-level calls: each word's term id (a dictionary that
numbers the terms as they first come) appended to one array, its position to another,
and the document's number and word count. When the buffer is written (a run file, or
the segment), :meth:`TokenStream.entries` sorts the words by term once, stably, so each
term's words stay in document and position order, and builds every posting's document
number, weight and value (``FastPositions``: a type byte and the positions as a machine
array) for all terms at once with numpy. The entries are the same columns, value for
value, as the per-term route made (tests/test_token_stream.py).
"""

from __future__ import annotations

import sys
from array import array
from collections import defaultdict
from collections.abc import Iterator
from itertools import count
from typing import Any

from newsdesk.index.engine.blockencoder import Entry
from newsdesk.index.engine.freqfile import numpy

TOKEN_BYTES = 24
"""Memory counted per buffered word against the writer's limit: its term id and position (8 bytes)
and the temporary arrays when the buffer is written: buffer and temporaries peak at ~27 bytes a word
with TERM_BYTES a term (tests/test_token_stream.py holds them under what is counted)."""
TERM_BYTES = 120
"""Memory counted per distinct term of a buffer: its dictionary slot (the key is the analysis cache's string)."""
_WIDE = 65536
"""Positions from here on take 4 bytes ("I"): ``encode_positions`` uses "H" while every one fits in 16 bits."""


class TokenStream:
    """One field's words since the last write: a term id and a position each, and per document its word count."""

    __slots__ = ("boosts", "counts", "docs", "explicit", "ids", "positions", "tids")

    def __init__(self, explicit: bool) -> None:
        self.explicit = explicit
        """True when positions are given (the pair fields); otherwise a document's words are 0, 1, 2 ..."""
        self.ids: defaultdict[str, int] = defaultdict(count().__next__)
        """Term -> its id, numbered as terms first come (a missing term gets the next number, in C)."""
        self.tids = array("I")
        self.positions = array("I")
        self.docs = array("I")
        self.counts = array("I")
        self.boosts: array | None = None
        """Each document's field boost, in ``docs`` order, once one is not 1.0."""

    def add(self, docnum: int, terms: list[str], starts: list[int] | None, boost: float) -> int:
        """Buffer one document's words; returns how many terms were new to this buffer."""
        if not terms:
            return 0
        if (starts is not None) != self.explicit:
            raise ValueError("a field's format gave positions for some documents and not for others")
        before = len(self.ids)
        self.tids.extend(map(self.ids.__getitem__, terms))
        if starts is not None:
            self.positions.extend(starts)
        if self.boosts is not None or boost != 1.0:
            if self.boosts is None:
                self.boosts = array("d", [1.0]) * len(self.docs)
            self.boosts.append(boost)
        self.docs.append(docnum)
        self.counts.append(len(terms))
        return len(self.ids) - before

    def __len__(self) -> int:
        return len(self.tids)

    def entries(self, fmt_boost: float) -> Iterator[tuple[Any, Entry]]:
        """Every term (a str, encoded when the segment is written) with its postings, in term order.

        The buffer is emptied first.

        A posting's weight is its frequency times ``fmt_boost`` times the document's
        field boost, multiplied in that order as ``FieldType.index`` and the writer did.
        """
        if not self.tids:
            return
        np = numpy()
        names = list(self.ids)  # id -> term: the ids are the insertion order
        in_order = sorted(range(len(names)), key=names.__getitem__)
        ranks = np.empty(len(names), dtype=np.uint32)
        ranks[in_order] = np.arange(len(names), dtype=np.uint32)
        keys = ranks[np.frombuffer(self.tids, dtype=np.uint32)]
        del ranks
        counts = np.frombuffer(self.counts, dtype=np.uint32).astype(np.int64)
        docnums = np.frombuffer(self.docs, dtype=np.uint32).copy()
        doc_index = np.repeat(np.arange(len(counts), dtype=np.uint32), counts)
        if self.explicit:
            positions = np.frombuffer(self.positions, dtype=np.uint32).copy()
        else:  # each document's words from 0: a word's index less its document's first word's, in place
            positions = np.arange(len(keys), dtype=np.uint32)
            positions -= np.repeat((np.cumsum(counts) - counts).astype(np.uint32), counts)
        boosts = None if self.boosts is None else np.frombuffer(self.boosts, dtype=np.float64).copy()
        self.__init__(self.explicit)  # type: ignore[misc]  # emptied: what is left of it is numpy's copies

        order = np.argsort(keys, kind="stable")  # each term's words stay in document, then position order
        keys = keys[order]
        doc_index = doc_index[order]
        positions = positions[order]
        del order
        total = len(keys)
        new_posting = np.empty(total, dtype=bool)
        new_posting[0] = True
        np.not_equal(keys[1:], keys[:-1], out=new_posting[1:])
        new_posting[1:] |= doc_index[1:] != doc_index[:-1]
        # Per posting, 4-byte integers where they fit (a buffer holds fewer than 2**32 words): a
        # posting is most of a word (each of a document's distinct terms), so 8-byte ones cost ~6 bytes a word
        starts = np.flatnonzero(new_posting).astype(np.uint32)
        del new_posting
        freqs = np.diff(np.append(starts, np.uint32(total)))
        post_keys = keys[starts]
        post_docs = doc_index[starts]
        del keys, doc_index
        wide = np.maximum.reduceat(positions, starts) >= _WIDE
        sizes = freqs * np.where(wide, np.uint32(4), np.uint32(2))
        sizes += 1
        value_starts = np.cumsum(sizes, dtype=np.int64)
        value_starts -= sizes
        # The values: every word's position as 2 bytes (4 in a wide posting) in machine order, as
        # array("H"/"I").tobytes() writes them, after its posting's type byte. Without an array of each
        # word's place in the values (four int64 temporaries a word): the spill held 2.4 times the writer's
        # limit (tests/test_token_stream.py).
        if wide.any():
            word_wide = np.repeat(wide, freqs)
            as_bytes = positions.astype("=u4").view(np.uint8).reshape(-1, 4)
            del positions
            keep = np.empty((total, 4), dtype=bool)
            low, high = (slice(0, 2), slice(2, 4)) if sys.byteorder == "little" else (slice(2, 4), slice(0, 2))
            keep[:, low] = True  # a narrow position's 2 bytes are the low half of its 4
            keep[:, high] = word_wide[:, None]
            del word_wide
            word_bytes = as_bytes[keep]
            del as_bytes, keep
        else:
            word_bytes = positions.astype("=u2").view(np.uint8)
            del positions
        words_at = np.ones(len(word_bytes) + len(starts), dtype=bool)
        words_at[value_starts] = False
        values = np.empty(len(words_at), dtype=np.uint8)
        values[value_starts] = np.where(wide, ord("I"), ord("H"))
        values[words_at] = word_bytes
        del word_bytes, words_at, starts
        weights = freqs.astype(np.float64) * fmt_boost
        if boosts is not None:
            weights *= boosts[post_docs]
        post_docs = docnums[post_docs]
        del freqs, boosts, docnums
        term_firsts = np.flatnonzero(np.concatenate(([True], post_keys[1:] != post_keys[:-1])))
        term_ends = [*term_firsts[1:].tolist(), len(post_keys)]
        value_ends = [*value_starts[term_firsts[1:]].tolist(), len(values)]
        term_ranks = post_keys[term_firsts].tolist()
        value_firsts = value_starts[term_firsts].tolist()
        # Whole columns made plain arrays once: a slice of one is a plain array (one copy), where a
        # numpy slice per term and column, then copied, cost about 7 µs a term.
        # One at a time, each numpy column let go once copied: not all of them twice at once.
        del post_keys, value_starts
        all_ids = _array("I", post_docs.astype(np.uint32, copy=False))
        del post_docs
        all_weights = _array("d", weights)
        del weights
        all_sizes = _array("I", sizes.astype(np.uint32, copy=False))
        del sizes
        all_values = bytearray(values)
        del values
        for rank, first, end, value_first, value_end in zip(
            term_ranks, term_firsts.tolist(), term_ends, value_firsts, value_ends, strict=True
        ):
            yield (
                names[in_order[rank]],
                (
                    all_ids[first:end],
                    all_weights[first:end],
                    all_sizes[first:end],
                    all_values[value_first:value_end],
                ),
            )


def _array(code: str, numbers: Any) -> array:
    """``numbers`` (a contiguous numpy array of the same item type) as an ``array`` of ``code``: one copy."""
    made = array(code)
    made.frombytes(memoryview(numbers).cast("B"))  # (frombytes takes only a buffer of bytes)
    return made


__all__ = ["TERM_BYTES", "TOKEN_BYTES", "TokenStream"]
