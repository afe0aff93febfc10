"""The direct segment writer writes the segment Whoosh's own writer writes.

index/engine/directwriter.py replaces Whoosh's posting pool for full builds. Every
search-side reader (blockreads, docsets, columns, Whoosh's matchers) reads what it
writes, so the strongest check is that the two writers agree on every posting
block, term info, stored field, length and column, for generated documents, with
and without spilling to run files: byte for byte, except the blocks of the
positional fields, which are pickled at a newer protocol (blockencoder.VALUES_PROTOCOL)
and compared unpickled, value for value.
"""

from __future__ import annotations

import datetime
import io
import pickle
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index import Config, Library
from newsdesk.index import indexer as indexer_module
from newsdesk.index.engine.directwriter import DirectIndexWriter, supports
from newsdesk.index.engine.hidden_fields import add_prefix_values
from newsdesk.index.engine.schema import FACET_COLUMNS, build_schema
from newsdesk.index.indexer import _codec
from whoosh import fields
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC
from whoosh.query import Term
from whoosh.searching import Searcher

from tests.conftest import examples

WORDS = [
    "talks", "Geneva", "the", "of", "Stepanakert's", "U.S.", "1.5", "don't", "Zürich", "café",
    "naïve", "ceasefire", "ceasefires", "x", "ab", "Ωmega", "mercenary", "mercenaries", "_", "9",
]  # fmt: skip
"""Stemmed, folded, possessive, dotted, one-letter and non-ASCII words: every path of term_for."""

texts = st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join)
names = st.lists(st.sampled_from(["Lena Hart", "OSCE", "Minsk Group", "Zürich", "A, B"]), max_size=3)


@st.composite
def documents(draw: st.DrawFn, number: int) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": f"a{number}",
        "path": f"p/{number % 7}.txt",
        "title": draw(texts),
        "body": draw(texts),
        "language": draw(st.sampled_from(["", "en", "de"])),
        "tags": ",".join(draw(names)),
        "annotated": draw(st.sampled_from(["yes", "no"])),
    }
    for name in ("source", "author", "note"):
        if draw(st.booleans()):
            doc[name] = draw(texts)
    for name in ("person", "org", "place"):
        if found := draw(names):
            doc[name] = ",".join(found)
    if draw(st.booleans()):
        doc["date"] = datetime.datetime(2020, 1, 1) + datetime.timedelta(days=draw(st.integers(0, 2000)))
    for column in FACET_COLUMNS.values():
        doc[column] = draw(st.sampled_from(["", "Meridian Wire", "Zürich\x1fOSCE"])).encode("utf-8")
    if draw(st.booleans()):  # a document boost: presence postings then keep a weight per document
        doc["_boost"] = draw(st.sampled_from([1.0, 0.5, 1.3]))
    return add_prefix_values(doc)  # the hidden prefix fields too, as document_fields adds them


def corpus_documents(count: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.tuples(*(documents(n) for n in range(count))).map(list)


def write(path: Path, docs: list[dict[str, Any]], direct: bool, limitmb: float = 64, boost: float = 2.0) -> Any:
    path.mkdir(parents=True)
    ix = whoosh_index.create_in(str(path), build_schema(boost))
    writer = DirectIndexWriter(ix, limitmb=limitmb, codec=_codec()) if direct else ix.writer(codec=_codec())
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return whoosh_index.open_dir(str(path)).reader()


def blocks(raw: bytes) -> list[tuple[Any, ...]]:
    """A term's posting bytes as whoosh3 lays them out: per block its header and its unpickled data.

    Also the block's bytes themselves, except for a block of one value per posting (a
    positional field's), which the direct writer pickles at a newer protocol: compared
    by what it holds, the header's compression flag left out (a smaller pickle may fall
    under whoosh3's 80 bytes to compress).
    """
    assert raw[:4] == WHOOSH3_HEADER_MAGIC
    found, at = [], 4
    while at < len(raw):
        (length,) = struct.unpack(">i", raw[at : at + 4])
        block = raw[at : at + 4 + abs(length)]
        stream = io.BytesIO(block[4:])
        header = pickle.load(stream)
        data = stream.read()
        body = zlib.decompress(data) if header[3] else data
        assert header[3] == 0 or len(body) >= COMPRESSION_MIN_SIZE
        unpickled = pickle.loads(body)
        exact = None if type(unpickled[2]) is tuple else block
        found.append((length > 0, header[:3] + header[4:], unpickled, exact))
        at += 4 + abs(length)
    return found


def contents(reader: Any) -> dict[str, Any]:
    """Everything a searcher can read from a one-segment index, posting blocks included."""
    terms = reader._terms
    postings = {}
    for fieldname, text in reader.all_terms():
        info = terms.term_info(fieldname, text)
        offset, length = info.extent()
        length = length[0] if isinstance(length, tuple) else length  # as whoosh3 unpacks it
        stats = {k: v for k, v in vars(info).items() if k not in ("_offset", "_length")}
        read = []  # as Whoosh's own matcher decodes them (what its phrase queries use)
        if reader.schema[fieldname].format.supports("positions"):
            read = list(reader.postings(fieldname, text).items_as("positions"))
        postings[fieldname, text] = (stats, blocks(terms._postfile.get(offset, length)), read)
    names = reader.schema.names()
    count = reader.doc_count_all()
    return {
        "postings": postings,
        "stored": list(reader.iter_docs()),
        "lengths": {f: [reader.doc_field_length(d, f) for d in range(count)] for f in names},
        "columns": {f: list(reader.column_reader(f)) for f in names if reader.has_column(f)},
        "field_lengths": {f: reader.field_length(f) for f in names},
    }


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    docs=st.integers(1, 12).flatmap(corpus_documents),
    limitmb=st.sampled_from([64, 0.0001]),  # 0.0001: a run file after nearly every document
    boost=st.sampled_from([2.0, 1.3]),  # 1.3: a weight that float32 rounds
)
def test_direct_segment_equals_whooshs_own(
    tmp_path_factory: Any, docs: list[dict[str, Any]], limitmb: float, boost: float
) -> None:
    base = tmp_path_factory.mktemp("ix")
    old = write(base / "old", docs, direct=False, boost=boost)
    new = write(base / "new", docs, direct=True, limitmb=limitmb, boost=boost)
    assert contents(new) == contents(old)
    searcher_old, searcher_new = Searcher(old), Searcher(new)
    for fieldname, text in list(old.all_terms())[:30]:
        hits_old = [(h.docnum, h.score) for h in searcher_old.search(Term(fieldname, text), limit=None)]
        hits_new = [(h.docnum, h.score) for h in searcher_new.search(Term(fieldname, text), limit=None)]
        assert hits_new == hits_old


def long_lists_and_long_documents() -> list[dict[str, Any]]:
    """Posting lists across many blocks (and, with a small limit, run files), and one document past
    65,535 words ("I" arrays)."""
    docs = [
        {"id": f"a{n}", "path": "p", "title": "talks", "body": f"the talks {'x ' * (n % 5)} n{n % 300}"}
        for n in range(2600)
    ]
    docs.append({"id": "long", "path": "p", "title": "long", "body": "the " * 70_000 + "talks"})
    return [add_prefix_values(doc) for doc in docs]


def test_long_lists_and_long_documents(tmp_path: Path) -> None:
    """Posting lists across many blocks and run files, and positions past 65,535 ("I" arrays)."""
    docs = long_lists_and_long_documents()
    old = write(tmp_path / "old", docs, direct=False)
    new = write(tmp_path / "new", docs, direct=True, limitmb=0.05)
    assert contents(new) == contents(old)


def test_schemas_with_vectors_are_left_to_whoosh() -> None:
    assert supports(build_schema())
    assert not supports(fields.Schema(body=fields.TEXT(vector=True)))


QUERIES = ["talks", "geneva AND truce", '"the talks"', "ste*", "person:*", "report"]


def answer(library: Library, query: str) -> list[object]:
    found = library.search(query, limit=1000)
    return [sorted((hit.id, round(hit.score, 6)) for hit in found.hits), found.total, repr(found.facets)]


def test_parallel_build_answers_like_whooshs_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A two-process full build through the library: same hits, totals and facets as the old writer."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    words = ["Geneva", "talks", "ceasefire", "Stepanakert", "mercenary", "OSCE", "Lena Hart", "truce"]
    for n in range(120):
        text = " ".join(words[(n * k) % len(words)] for k in range(1, 9 + n % 5))
        (corpus / f"a{n:03}.txt").write_text(f"Report {n} on {words[n % 8]}\n\n{text}. The talks went on.\n")
    monkeypatch.setattr(indexer_module, "_FULL_BUILD_MIN_DOCS", 10)
    config = Config()
    config.index.procs = 2
    config.index.batch_size = 7  # both writer processes get documents
    config.index.group_reprints = False  # which copy leads a group depends on the readers' order, not the writer
    answers = {}
    for direct in (False, True):
        monkeypatch.setattr(indexer_module, "supports", lambda schema, direct=direct: direct and supports(schema))
        with Library.open(corpus, state_dir=tmp_path / f"state-{direct}", config=config) as library:
            library.update(rebuild=True)
            answers[direct] = [answer(library, query) for query in QUERIES]
    assert answers[True] == answers[False]
