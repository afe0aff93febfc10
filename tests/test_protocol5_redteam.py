"""Red team of the positional blocks at pickle protocol 5 (index/engine/blockencoder.py).

A full build (the direct writer) pickles positional blocks at protocol 5; updates go
through Whoosh's own writer (protocol 2) and Whoosh's merges re-encode segments. An
index built with protocol 5 must answer every query exactly as one built with
protocol 2 (what main writes): totals, hits, scores, snippets, highlights, phrase
counts, also after incremental updates, deletions and an optimize. Damaged
protocol-5 blocks must be detected as damage (healed), as protocol-2 ones are.
"""

from __future__ import annotations

import contextlib
import io
import pickle
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index import Config, Library
from newsdesk.index.engine import blockencoder
from newsdesk.index.engine.directwriter import DirectIndexWriter
from newsdesk.index.engine.hidden_fields import add_prefix_values
from newsdesk.index.engine.schema import build_schema
from newsdesk.index.errors import IndexDamagedError, QueryError
from newsdesk.index.indexer import META_INDEX_DIR, _codec
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

from .conftest import examples, write
from .test_direct_writer import contents, corpus_documents
from .test_phrase_pairs import corpora, phrases


def _answers(library: Library, text: str) -> list[object]:
    try:
        results = library.search(text, limit=50, facets=True)
    except QueryError as exc:
        return [type(exc).__name__, str(exc)]
    hits = [(h.id, h.score, h.snippet, h.snippet_highlights, h.title_highlights, h.matches) for h in results.hits]
    return [results.total, results.total_exact, hits, sorted(results.terms), repr(results.facets)]


def _index_dir(library: Library, state: Path) -> Path:
    name = library.store.get_meta(META_INDEX_DIR)
    assert name
    found = Path(name) if Path(name).is_absolute() else state / name
    assert found.is_dir(), found
    return found


def _build(
    root: Path,
    articles: list[tuple[str, str]],
    rounds: int,
    optimize: bool,
    texts: list[str],
    protocol: int,
    title_boost: float = 2.0,
) -> list[object]:
    corpus, state = root / f"corpus{protocol}", root / f"state{protocol}"
    for number, (title, body) in enumerate(articles):
        write(corpus, f"a{number:02d}.txt", f"{title or 'untitled'}\n\n{body or 'empty'}\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(blockencoder, "VALUES_PROTOCOL", protocol)
        config = Config()
        config.search.title_boost = title_boost
        with Library.open(corpus, state_dir=state, config=config) as library:
            library.update()  # the first index: a full build by the direct writer
            for round_ in range(rounds):  # Whoosh's writer: protocol 2 segments, deletions
                (corpus / f"a{round_:02d}.txt").unlink(missing_ok=True)
                text = " ".join(t + " " + b for t, b in articles)
                write(corpus, f"later{round_}.txt", f"{articles[-1][1] or 'x'}\n\n{text}\n")
                library.update()
            if optimize:  # Whoosh merges the protocol 5 segment into a new one
                ix = whoosh_index.open_dir(str(_index_dir(library, state)))
                ix.optimize()
                ix.close()
                library._searcher._drop_searcher()
            return [_answers(library, t) for t in texts]


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), corpus=corpora())
def test_protocol_5_index_answers_as_protocol_2(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, corpus: Any
) -> None:
    pool, articles = corpus
    texts = [data.draw(phrases(pool, articles)) for _ in range(4)]
    texts += [pool[0], f"{pool[0][:2]}*", f"{pool[0]} OR {pool[-1]}"]
    rounds = data.draw(st.integers(0, 2), label="incremental updates")
    optimize = data.draw(st.booleans(), label="optimize")
    boost = data.draw(st.sampled_from([2.0, 1.0, 0.5, 3.7]), label="title_boost")
    root = tmp_path_factory.mktemp("p5")
    five = _build(root, articles, rounds, optimize, texts, 5, boost)
    two = _build(root, articles, rounds, optimize, texts, 2, boost)
    assert five == two, texts


def _positional_blocks(segment_reader: Any, fieldname: str) -> list[tuple[int, int]]:
    """(offset of the block's data, its length) of every block of ``fieldname``'s terms."""
    terms = segment_reader._terms
    found = []
    for fname, text in segment_reader.all_terms():
        if fname != fieldname:
            continue
        offset, length = terms.term_info(fname, text).extent()
        length = length[0] if isinstance(length, tuple) else length
        raw = terms._postfile.get(offset, length)
        assert raw[:4] == WHOOSH3_HEADER_MAGIC
        at = 4
        while at < len(raw):
            (size,) = struct.unpack(">i", raw[at : at + 4])
            stream = io.BytesIO(raw[at + 4 : at + 4 + abs(size)])
            pickle.load(stream)
            found.append((offset + at + 4 + stream.tell(), abs(size) - stream.tell()))
            at += 4 + abs(size)
    return found


def _long_lists(root: Path, protocol: int) -> list[object]:
    corpus, state = root / f"corpus{protocol}", root / f"state{protocol}"
    for n in range(1100):
        write(corpus, f"a{n:04d}.txt", f"Talks {n}\n\nthe talks of the day {'x ' * (n % 3)} went on n{n % 50}\n")
    write(corpus, "long.txt", "Long\n\n" + "the " * 70_000 + "talks of the day\n")
    queries = ['"talks of the day"', '"the talks"', "talks", '"the the"~2', "n1*", '"day went"~3']
    answers: list[object] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(blockencoder, "VALUES_PROTOCOL", protocol)
        with Library.open(corpus, state_dir=state) as library:
            library.update()
            answers.append([_answers(library, q) for q in queries])
            (corpus / "a0000.txt").unlink()
            write(corpus, "later.txt", "Later talks\n\nthe talks of the day again\n")
            library.update()
            answers.append([_answers(library, q) for q in queries])
            ix = whoosh_index.open_dir(str(_index_dir(library, state)))
            ix.optimize()
            ix.close()
            library._searcher._drop_searcher()
            answers.append([_answers(library, q) for q in queries])
    return answers


def test_long_lists_full_build_update_and_optimize_answer_as_protocol_2(tmp_path: Path) -> None:
    """Long posting lists (frequency files), positions past 65,535, an update, then Whoosh's merge of it all."""
    five = _long_lists(tmp_path, 5)
    assert five[0][0][0] == 1101 and five[1][0][0] == 1101
    assert five == _long_lists(tmp_path, 2)


def _raw_block(state: Path, library: Library, fieldname: str, term: str) -> tuple[Path, int, bytes]:
    """(segment file, offset of the block's data in it, the data) of a one-block term stored without zlib."""
    ixdir = _index_dir(library, state)
    ix = whoosh_index.open_dir(str(ixdir))
    with ix.reader() as reader:
        terms = reader._terms
        offset, length = terms.term_info(fieldname, term.encode()).extent()
        length = length[0] if isinstance(length, tuple) else length
        raw = terms._postfile.get(offset, length)
    ix.close()
    stream = io.BytesIO(raw[8:])
    header = pickle.load(stream)
    assert header[3] == 0, "stored raw"
    data = raw[8 + stream.tell() :]
    (segment,) = ixdir.glob("*.seg")
    at = segment.read_bytes().find(data)
    assert at > 0
    return segment, at, data


@contextlib.contextmanager
def _zebra_block(tmp_path: Path, protocol: int) -> Iterator[tuple[Library, Path, int, bytes]]:
    """Three articles indexed with positional blocks at ``protocol``: the library, and where the raw
    (unzipped) block of ``zebra``, in one article only, lies in its segment and what it holds."""
    corpus, state = tmp_path / "corpus", tmp_path / "state"
    for n in range(3):
        write(corpus, f"a{n}.txt", f"Title {n}\n\nthe talks {'zebra' if n == 1 else 'went'} on\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(blockencoder, "VALUES_PROTOCOL", protocol)
        with Library.open(corpus, state_dir=state) as library:
            library.update()
            yield library, *_raw_block(state, library, "body", "zebra")


def _search_finds_damage(library: Library, segment: Path, at: int, garbled: bytes) -> None:
    """Put ``garbled`` in place of the block at ``at``: searching its term reports damage, no traceback."""
    raw = bytearray(segment.read_bytes())
    raw[at : at + len(garbled)] = garbled
    segment.write_bytes(bytes(raw))
    library._searcher._drop_searcher()
    with pytest.raises(IndexDamagedError):
        library.search("zebra", limit=10)


@pytest.mark.parametrize("protocol", [5, 2])
def test_a_raw_block_with_garbled_ids_is_damage_not_a_traceback(tmp_path: Path, protocol: int) -> None:
    """A block under 80 bytes is stored without zlib (most blocks of rare terms at protocol 5): a garbled
    document id still unpickles. Searching its term must report damage (and heal), not raise IndexError."""
    with _zebra_block(tmp_path, protocol) as (library, segment, at, data):
        ids, weights, values = pickle.loads(data)
        garbled = pickle.dumps(((250,), weights, values), protocol)  # same size: both ids one byte
        assert len(garbled) == len(data) and ids == (1,)
        _search_finds_damage(library, segment, at, garbled)
        repairs = library.update().repairs  # healed: set aside and rebuilt from the store
        assert repairs and "damaged" in repairs[0]
        assert library.search("zebra", limit=10).total == 1


@pytest.mark.parametrize(("found", "garbled"), [(b"_codecs", b"_codecz"), (b"latin1", b"lbtin1")])
def test_a_protocol_2_block_naming_what_does_not_exist_is_damage(tmp_path: Path, found: bytes, garbled: bytes) -> None:
    """Whoosh's own writer (every update, and every index main builds) pickles each position value as a
    call of ``_codecs.encode(..., "latin1")``: a garbled name raises ModuleNotFoundError or LookupError,
    which healing did not count as damage (a traceback instead of a rebuild)."""
    with _zebra_block(tmp_path, 2) as (library, segment, at, data):
        assert found in data
        _search_finds_damage(library, segment, at, data.replace(found, garbled))


@pytest.mark.parametrize("protocol", [5, 2])
def test_a_block_whose_garbled_length_asks_for_terabytes_is_damage(tmp_path: Path, protocol: int) -> None:
    """pickle allocates a BINBYTES8 value's length before reading it: one garbled opcode in a raw block
    (a SHORT_BINBYTES 'C' turned 0x8e) asks for terabytes, and MemoryError reached the user as a traceback."""
    with _zebra_block(tmp_path, protocol) as (library, segment, at, data):
        garbled = (b"\x80\x05\x8e" + (2**46).to_bytes(8, "little")).ljust(len(data), b".")
        _search_finds_damage(library, segment, at, garbled)


def _plain_pairs(self: Any, value: str) -> tuple[list[str], list[int]]:
    """PairPositions.term_stream without the shortcut: every word's term found again.

    term_stream, not term_positions: the direct writer takes a pair field's pairs from
    term_stream (index/engine/tokenstream.py), so a patched term_positions left the
    writer on the shortcut and both segments below were the shortcut's.
    """
    from newsdesk.index.engine.hidden_fields import pair_stream
    from newsdesk.index.engine.terms import TOKEN_PATTERN, term_for

    return pair_stream([term_for(word) for word in TOKEN_PATTERN.findall(value)], self.common)


@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.integers(1, 8).flatmap(corpus_documents), same=st.booleans(), common=st.booleans())
def test_segments_with_the_pair_shortcut_equal_those_without(
    tmp_path_factory: Any, docs: list[dict[str, Any]], same: bool, common: bool
) -> None:
    """Notes between body and pairs_body, title and body one string object, the title's pair field
    analysed before its title (fields go in name order): the segment is the one the plain analysis makes."""
    from newsdesk.index.engine import schema as schema_module

    for doc in docs:
        if same:  # the same object: the title's and body's pair fields may both take the shortcut
            doc["title"] = doc["body"]
            add_prefix_values(doc)
    base = tmp_path_factory.mktemp("pairs")
    words = frozenset(["the", "talks", "of", "geneva"]) if common else None
    shortcut = _write(base / "shortcut", docs, words)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(schema_module.PairPositions, "term_stream", _plain_pairs)
        plain = _write(base / "plain", docs, words)
    assert contents(shortcut) == contents(plain)


def _write(path: Path, docs: list[dict[str, Any]], common: frozenset[str] | None) -> Any:
    path.mkdir(parents=True)
    ix = whoosh_index.create_in(str(path), build_schema(2.0, common))
    writer = DirectIndexWriter(ix, codec=_codec())
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return whoosh_index.open_dir(str(path)).reader()
