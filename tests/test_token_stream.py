"""The token stream groups words into the same posting columns as the per-term route did.

index/engine/tokenstream.py keeps a positional field's words as term ids and positions and
builds every posting with numpy when the buffer is written. The model here is the route it
replaced, written plainly: per document, each term's positions in order, its weight
``(freq * format boost) * field boost`` and its value ``encode_positions(positions)``.
"""

from __future__ import annotations

from array import array
from typing import Any

import hypothesis.strategies as st
from hypothesis import given, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from newsdesk.index.engine.hidden_fields import pair_stream
from newsdesk.index.engine.schema import FastPositions, PairPositions, encode_positions
from newsdesk.index.engine.tokenstream import TERM_BYTES, TOKEN_BYTES, TokenStream

from tests.conftest import examples

terms = st.text(max_size=6)  # any Unicode: the empty term, spaces, YAML-ish and surrogate-free text
boosts = st.sampled_from([1.0, 0.5, 1.3, 2.0, 1e-300])


def model_entries(docs: list[tuple[int, list[str], list[int] | None, float]], fmt_boost: float) -> list[Any]:
    """The per-term route: each term's postings in document order, as plain lists."""
    found: dict[str, list[tuple[int, float, bytes]]] = {}
    for docnum, words, starts, boost in docs:
        positions: dict[str, list[int]] = {}
        for word, pos in zip(words, range(len(words)) if starts is None else starts, strict=True):
            positions.setdefault(word, []).append(pos)
        for term, plist in positions.items():
            found.setdefault(term, []).append((docnum, len(plist) * fmt_boost * boost, encode_positions(plist)))
    out = []
    for term in sorted(found):
        postings = found[term]
        out.append(
            (
                term,
                [d for d, _, _ in postings],
                [w for _, w, _ in postings],
                [len(v) for _, _, v in postings],
                b"".join(v for _, _, v in postings),
            )
        )
    return out


def stream_entries(stream: TokenStream, fmt_boost: float) -> list[Any]:
    out = []
    for term, (ids, weights, sizes, values) in stream.entries(fmt_boost):
        assert (type(ids), ids.typecode, type(weights), weights.typecode) == (array, "I", array, "d")
        assert type(sizes) is array and sizes.typecode == "I"
        out.append((term, ids.tolist(), weights.tolist(), sizes.tolist(), bytes(values)))
    return out


@st.composite
def documents(draw: st.DrawFn, explicit: bool) -> list[tuple[int, list[str], list[int] | None, float]]:
    docs = []
    docnum = draw(st.integers(0, 3))
    for _ in range(draw(st.integers(0, 6))):
        words = draw(st.lists(terms, max_size=12))
        starts = None
        if explicit:
            # increasing positions, some past 65,535 (4-byte values), as a pair field's can be
            gaps = draw(st.lists(st.sampled_from([1, 2, 7, 40_000]), min_size=len(words), max_size=len(words)))
            starts = [sum(gaps[: n + 1]) - 1 for n in range(len(words))]
        docs.append((docnum, words, starts, draw(boosts)))
        docnum += draw(st.integers(1, 3))
    return docs


@settings(max_examples=examples(300), deadline=None)
@given(explicit=st.booleans(), data=st.data(), fmt_boost=st.sampled_from([1.0, 2.0, 1.3]))
def test_entries_equal_the_per_term_route(explicit: bool, data: st.DataObject, fmt_boost: float) -> None:
    docs = data.draw(documents(explicit))
    stream = TokenStream(explicit)
    for docnum, words, starts, boost in docs:
        stream.add(docnum, words, starts, boost)
    assert stream_entries(stream, fmt_boost) == model_entries(docs, fmt_boost)
    assert len(stream) == 0 and stream_entries(stream, fmt_boost) == []  # emptied by the first


def test_a_document_longer_than_65536_words_gets_four_byte_positions_for_its_postings_only() -> None:
    stream = TokenStream(explicit=False)
    stream.add(0, ["a", "b"], None, 1.0)
    stream.add(1, ["a"] * 70_000 + ["b"], None, 1.0)
    stream.add(2, ["b", "a"], None, 1.0)
    got = dict((t, (ids, ws, sizes, v)) for t, ids, ws, sizes, v in stream_entries(stream, 1.0))
    model = dict((t, rest) for t, *rest in model_entries(
        [(0, ["a", "b"], None, 1.0), (1, ["a"] * 70_000 + ["b"], None, 1.0), (2, ["b", "a"], None, 1.0)], 1.0
    ))  # fmt: skip
    assert got == {t: tuple(v) for t, v in model.items()}
    assert got["b"][3][:1] + got["b"][3][3:4] + got["b"][3][8:9] == b"HIH"  # document 1's "b" is at 70,000


@settings(max_examples=examples(200), deadline=None)
@given(text=st.text(max_size=80), common=st.none() | st.frozensets(st.sampled_from(["the", "of", "talk", "a"])))
def test_formats_streams_group_to_their_term_positions(text: str, common: frozenset[str] | None) -> None:
    """What the writer groups (term_stream) is what Whoosh's own route posts (term_positions)."""
    for fmt in (FastPositions(), PairPositions(common)):
        words, starts = fmt.term_stream(text)
        grouped: dict[str, list[int]] = {}
        for word, pos in zip(words, range(len(words)) if starts is None else starts, strict=True):
            grouped.setdefault(word, []).append(pos)
        assert grouped == dict(fmt.term_positions(text))
    terms_in_order, _ = FastPositions().term_stream(text)
    assert pair_stream(terms_in_order, common) == PairPositions(common).term_stream(text)


class StreamAgainstModel(RuleBasedStateMachine):
    """Documents added and buffers written in any order, against the plain per-term model."""

    def __init__(self) -> None:
        super().__init__()
        self.stream = TokenStream(explicit=False)
        self.model: list[tuple[int, list[str], list[int] | None, float]] = []
        self.docnum = 0

    @rule(words=st.lists(st.sampled_from(["", " ", "a", "b", "ü", "a b", "\n"]), max_size=8), boost=boosts)
    def add(self, words: list[str], boost: float) -> None:
        new = self.stream.add(self.docnum, words, None, boost)
        known = {w for _, ws, _, _ in self.model for w in ws}
        assert new == len(set(words) - known)
        if words:
            self.model.append((self.docnum, words, None, boost))
        self.docnum += 1

    @precondition(lambda self: self.model)
    @rule(fmt_boost=st.sampled_from([1.0, 2.0]))
    def write(self, fmt_boost: float) -> None:
        assert stream_entries(self.stream, fmt_boost) == model_entries(self.model, fmt_boost)
        self.model = []

    @invariant()
    def counts_its_words(self) -> None:
        assert len(self.stream) == sum(len(ws) for _, ws, _, _ in self.model)


StreamAgainstModel.TestCase.settings = settings(max_examples=examples(100), deadline=None)
test_stream_against_model = StreamAgainstModel.TestCase


def test_writing_a_buffer_holds_no_more_than_the_memory_counted_for_it() -> None:
    """Red team (stream): the writer spills past ``limitmb`` by what ``add`` counts (TOKEN_BYTES a word,
    TERM_BYTES a new term); the buffer and the sort's temporaries when it is written must fit in that.

    At 8e54150 the temporaries alone were ~60 bytes a word (each word's place in the values built from
    four int64 arrays, every column copied twice at once) against 24 counted: a 20k build's writer
    peaked at 143 MB against main's 103 (limitmb 64), the peak in the spill.
    """
    import tracemalloc

    import numpy as np

    vocabulary = [f"w{n}" for n in range(40_000)]  # made before tracing: the analysis cache holds the strings
    ranks = (np.minimum(np.random.default_rng(1).zipf(1.2, 300_000), len(vocabulary)) - 1).tolist()
    words = [vocabulary[rank] for rank in ranks]
    del ranks
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        stream = TokenStream(explicit=False)
        counted = 0
        for docnum, first in enumerate(range(0, len(words), 500)):
            fresh = stream.add(docnum, words[first : first + 500], None, 1.0)
            counted += fresh * TERM_BYTES + 500 * TOKEN_BYTES
        for _ in stream.entries(2.0):
            pass
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak <= counted, f"{peak / len(words):.1f} bytes a word held against {counted / len(words):.1f} counted"
