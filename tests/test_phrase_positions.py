"""Position lists in the frequency files, and phrases checked on every candidate at once from them.

Two models: for the file, the lists as written (positions past 65,535 are not
kept as arrays: such a list is checked from the blocks); for the phrase check,
:func:`adjacent_count` applied one document at a time, as the search did before.
"""

from __future__ import annotations

from array import array

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newsdesk.index.engine import freqfile
from newsdesk.index.engine import phrase_sets as phrase_sets_module
from newsdesk.index.engine.directwriter import DirectIndexWriter
from newsdesk.index.engine.docsets import DocSets
from newsdesk.index.engine.freqfile import FreqFile, FreqFileWriter, Positions, freq_file_name
from newsdesk.index.engine.hidden_fields import add_prefix_values
from newsdesk.index.engine.phrase_checks import adjacent_count, adjacent_counts, intersect_sorted
from newsdesk.index.engine.query import make_parser, parse_query
from newsdesk.index.engine.schema import build_schema, encode_positions
from newsdesk.index.healing import from_index_files
from whoosh.filedb.filestore import RamStorage
from whoosh.reading import CorruptIndexError

from .conftest import examples
from .test_frequency_files import _Segment

_positions = st.lists(st.integers(0, 70_000), min_size=1, max_size=6, unique=True).map(sorted)
"""One posting's positions; now and then one past 16 bits (a very long document)."""
position_lists = st.dictionaries(
    st.binary(max_size=8),
    st.lists(st.tuples(st.integers(0, 3), _positions), min_size=1, max_size=30),
    max_size=4,
)


@pytest.fixture(autouse=True)
def _every_list_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(freqfile, "FREQ_MIN_POSTINGS", 1)


def _write(storage: RamStorage, lists: dict[bytes, list[tuple[int, list[int]]]]) -> dict[bytes, list]:
    """Each list as postings (document gap, positions); returns {term: [(document, positions), ...]}."""
    writer = FreqFileWriter(storage, _Segment())
    written = {}
    for btext, drawn in sorted(lists.items()):
        postings, document = [], -1
        for gap, positions in drawn:
            document += gap + 1
            postings.append((document, positions))
        ids = array("I", [document for document, _ in postings])
        weights = array("d", [float(len(positions)) for _, positions in postings])
        values = bytearray(b"".join(encode_positions(positions) for _, positions in postings))
        writer.add("body", btext, ids, weights, 1.0, values)
        written[btext] = postings
    writer.finish()
    return written


def _as_lists(found: Positions) -> list[tuple[int, list[int]]]:
    return [
        (document, found.positions[start : start + count].tolist())
        for document, start, count in zip(found.ids.tolist(), found.starts.tolist(), found.counts.tolist(), strict=True)
    ]


@settings(max_examples=examples(200), deadline=None)
@given(lists=position_lists)
def test_position_lists_read_back_as_written(lists) -> None:
    storage = RamStorage()
    written = _write(storage, lists)
    stored = FreqFile.open(storage, _Segment())
    assert (stored is None) == (not written)
    for btext, postings in written.items():
        found = stored.positions("body", btext)
        if any(positions[-1] >= 2**16 for _, positions in postings):
            assert found is None  # checked from the blocks instead
        else:
            assert found is not None and _as_lists(found) == postings


@settings(max_examples=examples(300), deadline=None)
@given(lists=position_lists, data=st.data())
def test_a_garbled_position_list_is_refused_never_misread(lists, data: st.DataObject) -> None:
    storage = RamStorage()
    written = _write(storage, lists)
    name = freq_file_name(_Segment())
    if not storage.file_exists(name):
        return
    original = bytearray(storage.open_file(name).read())
    original[data.draw(st.integers(0, len(original) - 1))] ^= data.draw(st.integers(1, 255))
    storage.delete_file(name)
    with storage.create_file(name) as out:
        out.write(bytes(original))
    try:
        stored = FreqFile.open(storage, _Segment())
        assert stored is not None
        for btext, postings in written.items():
            found = stored.positions("body", btext)
            if found is not None:  # a garbled term name reads as "not kept"
                assert _as_lists(found) == postings
    except CorruptIndexError as exc:
        assert from_index_files(exc)


def _arrays(postings: dict[int, list[int]]) -> Positions:
    documents = sorted(postings)
    counts = np.array([len(postings[d]) for d in documents], dtype=np.int64)
    flat = [p for d in documents for p in postings[d]]
    return Positions(
        np.array(documents, dtype=np.int64), counts, np.cumsum(counts) - counts, np.array(flat, dtype=np.uint16)
    )


_document_positions = st.dictionaries(
    st.integers(0, 12), st.lists(st.integers(0, 40), min_size=1, max_size=8, unique=True).map(sorted), max_size=12
)


@settings(max_examples=examples(400), deadline=None)
@given(
    lists=st.lists(_document_positions, min_size=2, max_size=4),
    data=st.data(),
    deleted=st.sets(st.integers(0, 12), max_size=4),
)
def test_every_candidate_at_once_counts_as_one_document_at_a_time(lists, data: st.DataObject, deleted) -> None:
    offsets = data.draw(st.lists(st.integers(0, 5), min_size=len(lists), max_size=len(lists)))
    excluded = np.array(sorted(deleted), dtype=np.int64) if deleted else None
    documents, occurrences = adjacent_counts([_arrays(postings) for postings in lists], offsets, excluded)
    found = dict(zip(documents.tolist(), occurrences.tolist(), strict=True))
    expected = {}
    for document in set.intersection(*(set(postings) for postings in lists)) - deleted:
        count = adjacent_count([array("H", postings[document]) for postings in lists], offsets)
        if count:
            expected[document] = count
    assert found == expected


@pytest.mark.parametrize(
    ("common", "phrase", "matches"),
    [(frozenset(), '"zeno kalo"', 26), (None, '"matu zeno kalo"', 26), (None, '"kalo matu kalo zeno"', 14)],
    ids=["words", "two pairs", "three pairs"],
)
def test_a_phrase_of_a_word_in_every_article_is_checked_from_the_file(
    common, phrase: str, matches: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The point of the position lists: a phrase of a word in every article decodes none of its blocks."""
    ix = RamStorage().create_index(build_schema(common=common))
    writer = DirectIndexWriter(ix)
    for number in range(40):
        body = f"kalo matu {'zeno kalo' if number % 3 else 'kalo zeno'} tail"
        fields = add_prefix_values({"title": "t", "body": body})
        writer.add_document(**{name: value for name, value in fields.items() if name in ix.schema})
    writer.commit()
    with ix.searcher() as searcher:
        docsets = DocSets(searcher)
        checked = []
        monkeypatch.setattr(DocSets, "postings", lambda *args: pytest.fail("decoded a posting list"))
        counted = lambda *args: checked.append(1) or adjacent_counts(*args)  # noqa: E731
        monkeypatch.setattr(phrase_sets_module, "adjacent_counts", counted)
        matched = docsets.match(parse_query(make_parser(ix.schema, 2.0), f"body:{phrase}"))
        assert checked and len(matched) == matches and set(docsets.phrase_counts.values()) == {1}
        docsets.close()


@settings(max_examples=examples(300), deadline=None)
@given(
    first=st.sets(st.integers(0, 2**31 - 1), max_size=40),
    second=st.sets(st.integers(0, 2**31 - 1), max_size=800),
    shared=st.sets(st.integers(0, 2**31 - 1), max_size=20),
)
def test_sorted_arrays_intersect_as_sets_do(first: set[int], second: set[int], shared: set[int]) -> None:
    """Both ways (a short list looked up in a long one, or merged), either argument first."""
    a, b = first | shared, second | shared
    as_arrays = [np.array(sorted(a), dtype=np.int64), np.array(sorted(b), dtype=np.int64)]
    assert intersect_sorted(*as_arrays).tolist() == sorted(a & b)
    assert intersect_sorted(*reversed(as_arrays)).tolist() == sorted(a & b)


def test_a_phrase_with_no_slop_is_exact_even_when_an_estimate_would_do(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/performance.md: a phrase with no slop is always exact; only one with slop is verified in part."""
    monkeypatch.setattr(phrase_sets_module, "PHRASE_VERIFY_LIMIT", 10)
    ix = RamStorage().create_index(build_schema(common=frozenset()))  # no pairs: checked by word positions
    writer = DirectIndexWriter(ix)
    for number in range(60):
        body = "the launch pad was ready" if number % 2 == 0 else "the pad and the launch"
        fields = add_prefix_values({"title": f"report {number}", "body": body})
        writer.add_document(**{name: value for name, value in fields.items() if name in ix.schema})
    writer.commit()
    with ix.searcher() as searcher:
        docsets = DocSets(searcher)
        parser = make_parser(ix.schema, 2.0)
        assert len(docsets.match(parse_query(parser, '"launch pad"'), exact=False)) == 30
        assert not docsets.sampled and not docsets.unverified
        docsets.match(parse_query(parser, '"launch pad"~2'), exact=False)
        assert docsets.sampled  # with slop: the 10 likeliest and a sample, the rest estimated
        docsets.close()
