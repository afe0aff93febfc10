"""Frequency files (.frq): what the direct writer keeps of long posting lists, and the search that reads them.

The model is the same index read without its frequency files (every list then
decoded from Whoosh's posting blocks): matches, totals, phrase counts and scores
must be the same, float for float. A frequency file that is cut short or
garbled is refused as index damage, never read as other numbers.
"""

from __future__ import annotations

import os
import threading
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdesk.index.engine import freqfile
from newsdesk.index.engine.directwriter import DirectIndexWriter
from newsdesk.index.engine.docsets import DocSets
from newsdesk.index.engine.freqfile import FreqFile, FreqFileWriter, freq_file_name
from newsdesk.index.engine.hidden_fields import add_prefix_values
from newsdesk.index.engine.query import make_parser, parse_query
from newsdesk.index.engine.ranking import Ranker
from newsdesk.index.engine.schema import build_schema
from newsdesk.index.engine.terms import iter_terms
from newsdesk.index.errors import QueryError
from newsdesk.index.healing import from_index_files
from newsdesk.tui.cli import main
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.reading import CorruptIndexError
from whoosh.writing import OPTIMIZE

from .conftest import examples
from .test_phrase_pairs import corpora, phrases


class _Segment:
    def __init__(self, segid: str = "MAIN_abc") -> None:
        self.segid = segid

    def segment_id(self) -> str:
        return self.segid

    def make_filename(self, ext: str) -> str:
        return f"{self.segid}{ext}"

    def doc_count_all(self) -> int:
        return 2**32


@st.composite
def _ids(draw: st.DrawFn) -> list[int]:
    """Ascending document numbers: far apart (kept as uint32) or close (kept as uint16 gaps)."""
    if draw(st.booleans()):
        return sorted(draw(st.sets(st.integers(0, 2**32 - 1), min_size=1, max_size=40)))
    start = draw(st.integers(0, 2**31))
    gaps = draw(st.lists(st.integers(1, 2**16 + 2), max_size=40))
    found = [start]
    for gap in gaps:
        if found[-1] + gap < 2**32:
            found.append(found[-1] + gap)
    return found


postings = st.dictionaries(
    st.binary(max_size=12),
    st.tuples(_ids(), st.lists(st.integers(1, 2**32 - 1), min_size=1, max_size=40)),
    max_size=6,
)
BOOST = 1.5  # frequency x boost is what the writer is given, as the title's weights are


def _write(storage: RamStorage, lists: dict[bytes, tuple[list[int], list[int]]]) -> dict[bytes, tuple[list, list]]:
    writer = FreqFileWriter(storage, _Segment())
    written = {}
    for btext, (ids, drawn) in sorted(lists.items()):
        frequencies = [drawn[i % len(drawn)] for i in range(len(ids))]
        writer.add("body", btext, array("I", ids), array("d", [f * BOOST for f in frequencies]), BOOST)
        written[btext] = (ids, frequencies)
    writer.finish()
    return written


@pytest.fixture(autouse=True)
def _every_list_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(freqfile, "FREQ_MIN_POSTINGS", 1)


@settings(max_examples=examples(200), deadline=None)
@given(lists=postings)
def test_lists_read_back_as_written(lists: dict[bytes, tuple[list[int], list[int]]]) -> None:
    storage = RamStorage()
    written = _write(storage, lists)
    name = freq_file_name(_Segment())
    kept = [btext for btext, (_, used) in written.items() if max(used) < freqfile.FREQUENCY_LIMIT]
    assert storage.file_exists(name) == bool(kept)
    assert not storage.file_exists(f"{_Segment().segment_id()}w.frq")  # the temporary name is gone
    stored = FreqFile.open(storage, _Segment())
    if not kept:
        assert stored is None
        return
    assert stored is not None
    for btext, (ids, frequencies) in written.items():
        found = stored.read("body", btext)
        if max(frequencies) >= freqfile.FREQUENCY_LIMIT:  # not kept: beyond what float32 holds exactly
            assert found is None
            continue
        assert found is not None
        assert found[0].tolist() == ids
        assert found[1].tolist() == [float(f) for f in frequencies]
    assert stored.read("title", b"x") is None


@settings(max_examples=examples(300), deadline=None)
@given(lists=postings, data=st.data())
def test_a_cut_or_garbled_file_is_refused_never_misread(lists, data: st.DataObject) -> None:
    storage = RamStorage()
    written = _write(storage, lists)
    name = freq_file_name(_Segment())
    if not storage.file_exists(name):
        return  # nothing was kept
    original = bytes(storage.open_file(name).read())
    if data.draw(st.booleans()):
        cut = data.draw(st.integers(0, len(original) - 1))
        damaged = original[:cut]
    else:
        where = data.draw(st.integers(0, len(original) - 1))
        damaged = bytearray(original)
        damaged[where] ^= data.draw(st.integers(1, 255))
        damaged = bytes(damaged)
    storage.delete_file(name)
    with storage.create_file(name) as out:
        out.write(damaged)
    try:
        stored = FreqFile.open(storage, _Segment())
        assert stored is not None
        for btext, (ids, frequencies) in written.items():
            found = stored.read("body", btext)
            if found is not None:  # a garbled term name reads as "not kept": decoded from the blocks instead
                assert (found[0].tolist(), found[1].tolist()) == (ids, [float(f) for f in frequencies])
    except CorruptIndexError as exc:
        assert from_index_files(exc)  # the search heals it as damage, with its one line


def _document(ix, title: str, body: str) -> dict:
    """An article's fields as the indexer gives them (with the prefix fields), those of ``ix``'s schema."""
    fields = add_prefix_values({"title": title, "body": body})
    return {name: value for name, value in fields.items() if name in ix.schema}


def _write_direct(ix, articles: list[tuple[str, str]]) -> None:
    """(title, body) articles through the direct writer: one new segment with its .frq."""
    writer = DirectIndexWriter(ix)
    for title, body in articles:
        writer.add_document(**_document(ix, title, body))
    writer.commit()


def _direct_index(articles: list[tuple[str, str]], deleted: tuple[int, ...]) -> object:
    """The articles through the direct writer (one segment with its .frq), then deletions and a Whoosh segment."""
    ix = RamStorage().create_index(build_schema())
    _write_direct(ix, articles)
    if deleted:
        with ix.writer() as more:
            for docnum in deleted:
                more.delete_document(docnum)
            for title, body in articles[:2]:
                more.add_document(**_document(ix, body, title + " " + body))
    return ix


def _answer(searcher, parsed, use_files: bool, monkeypatch: pytest.MonkeyPatch):
    with monkeypatch.context() as patch:
        if not use_files:  # the model: every list from the blocks, each phrase checked one candidate at a time
            patch.setattr(FreqFile, "open", classmethod(lambda cls, storage, segment: None))
            patch.setattr(DocSets, "positions", lambda self, fieldname, text: None)
            patch.setattr(DocSets, "_listed_term", lambda self, q: False)  # AND of sets, not of arrays
        docsets = DocSets(searcher)
        matched = docsets.match(parsed)
        scores = Ranker(docsets).scores(parsed, matched)
        dates = ["2020"] * searcher.reader().doc_count_all()
        top = Ranker(docsets).top(parsed, matched, {}, dates, 5)
        docsets.close()
        return matched, dict(docsets.phrase_occurrences), scores, top


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), corpus=corpora())
def test_search_reads_the_same_answers_from_frequency_files(data: st.DataObject, corpus) -> None:
    pool, articles = corpus
    deleted = tuple(data.draw(st.sets(st.integers(0, len(articles) - 1), max_size=3)))
    ix = _direct_index(articles, deleted)
    kind = data.draw(st.sampled_from(["words", "phrase", "prefix"]))
    if kind == "words":
        words = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
        text = data.draw(st.sampled_from([" ", " OR ", " AND ", " NOT "])).join(words)
    elif kind == "phrase":
        text = data.draw(phrases(pool, articles))
    else:
        text = data.draw(st.sampled_from(pool))[: data.draw(st.integers(1, 5))] + "*"
    with ix.searcher() as searcher:
        has_words = any(list(iter_terms(f"{title} {body}")) for title, body in articles)
        assert any(name.endswith(".frq") for name in ix.storage.list()) == has_words
        try:
            parsed = parse_query(make_parser(ix.schema, 2.0), text)
        except QueryError:
            return
        with pytest.MonkeyPatch.context() as monkeypatch:
            assert _answer(searcher, parsed, True, monkeypatch) == _answer(searcher, parsed, False, monkeypatch)


def test_a_damaged_list_is_damage_not_an_answer() -> None:
    storage = RamStorage()
    _write(storage, {b"word": ([1, 2, 3], [1])})
    name = freq_file_name(_Segment())
    data = bytearray(storage.open_file(name).read())
    data[len(freqfile.MAGIC)] ^= 1  # the first id's first byte
    storage.delete_file(name)
    with storage.create_file(name) as out:
        out.write(bytes(data))
    stored = FreqFile.open(storage, _Segment())
    assert stored is not None
    with pytest.raises(CorruptIndexError) as caught:
        stored.read("body", b"word")
    assert from_index_files(caught.value)


def test_a_garbled_frequency_file_of_the_same_size_is_healed_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The manifest check on open sees only sizes: the read must find the garbage and the search heal it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number in range(3):
        (corpus / f"a{number}.txt").write_text(f"Kalo title {number}\n\nkalo body words {number}\n", encoding="utf-8")
    state = tmp_path / "state"
    assert main(["index", "--corpus", str(corpus), "--state-dir", str(state)]) == 0
    frequencies = next(state.glob("whoosh-*/*.frq"))
    size = frequencies.stat().st_size
    with frequencies.open("r+b") as handle:
        handle.seek(len(freqfile.MAGIC))
        handle.write(b"GARBAGE" * ((size - 2 * len(freqfile.MAGIC)) // 7 // 2))
    assert frequencies.stat().st_size == size
    capsys.readouterr()
    code = main(["search", "kalo", "--corpus", str(corpus), "--state-dir", str(state)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "3 hits" in out and "damaged" in err and "Traceback" not in err
    assert next(state.glob("whoosh-*/*.frq")) != frequencies  # rebuilt: a new folder, a new file


@pytest.mark.filterwarnings("error")  # numpy's RuntimeWarning reached the terminal of `newsdesk index`
@pytest.mark.parametrize("title_boost", [0.0, 1e-45, 0.7, 1.3, -1.0])
def test_any_title_boost_ranks_the_same_with_the_files(title_boost: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """Frequencies are weights divided by the boost: ``title_boost: 0`` (allowed in config.yaml) divides 0 by 0."""
    ix = RamStorage().create_index(build_schema(title_boost=title_boost))
    _write_direct(ix, [("kalo news", "kalo words"), ("kalo kalo", "two"), ("other", "kalo"), ("kalo", "none")])
    with ix.searcher() as searcher:
        parsed = parse_query(make_parser(ix.schema, title_boost), "kalo")
        with_files = _answer(searcher, parsed, True, monkeypatch)
        assert with_files == _answer(searcher, parsed, False, monkeypatch)
        assert all(score == score for score in with_files[2].values())  # no NaN


@pytest.mark.parametrize("gone", ["before the open", "after the open"])
def test_a_frequency_file_deleted_while_it_is_opened_reads_as_absent(
    gone: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened lazily, a segment's .frq can vanish between the check and the open, or the open and its length:
    another process' commit merged the segment away (clean_files), or a rebuild removed the folder. The
    searcher's own files are open, so the blocks still answer; the error was index damage (a full rebuild),
    or, from os.path.getsize, a traceback."""
    ix = FileStorage(str(tmp_path)).create_index(build_schema())
    _write_direct(ix, [("kalo news", "kalo words"), ("kalo kalo", "two"), ("other", "kalo")])
    opened = FileStorage.open_file

    def vanishing(storage: FileStorage, name: str, *args: object, **kwargs: object) -> object:
        if not name.endswith(freqfile.EXTENSION):
            return opened(storage, name, *args, **kwargs)
        if gone == "before the open":
            storage.delete_file(name)
            return opened(storage, name, *args, **kwargs)
        found = opened(storage, name, *args, **kwargs)
        storage.delete_file(name)
        return found

    with ix.searcher() as searcher:
        parsed = parse_query(make_parser(ix.schema, 2.0), "kalo")
        without = _answer(searcher, parsed, False, monkeypatch)
        monkeypatch.setattr(FileStorage, "open_file", vanishing)
        assert _answer(searcher, parsed, True, monkeypatch) == without


@pytest.mark.parametrize("version", [b"NDFREQ1\n", b"NDFREQ2\n", b"NDFREQ5\n"])
def test_a_frequency_file_of_another_format_version_is_not_damage(
    version: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files written by another revision of the format (an older index, or another newsdesk sharing the state
    folder) were "damaged": a full rebuild, and a reader marking the index damaged at its first typed query.
    Read as absent instead; one garbled byte of the magic is still damage (both ends must name the version)."""
    ix = FileStorage(str(tmp_path)).create_index(build_schema())
    _write_direct(ix, [("kalo news", "kalo words"), ("kalo kalo", "two"), ("other", "kalo")])
    path = next(tmp_path.glob("*.frq"))
    data = path.read_bytes()
    path.write_bytes(version + data[len(version) : -len(version)] + version)
    with ix.searcher() as searcher:
        parsed = parse_query(make_parser(ix.schema, 2.0), "kalo")
        assert _answer(searcher, parsed, True, monkeypatch) == _answer(searcher, parsed, False, monkeypatch)
    path.write_bytes(data[: -len(version)] + version)  # only the end: garbled
    with ix.searcher() as searcher:
        segment = searcher.reader().leaf_readers()[0][0] if not searcher.reader().is_atomic() else searcher.reader()
        with pytest.raises(CorruptIndexError):
            FreqFile.open(segment._storage, segment._segment)


def _updated_index(folder: Path) -> tuple[object, list[str]]:
    """A direct segment with its .frq and a segment of Whoosh's own writer (an update: no .frq of its own)."""
    ix = FileStorage(str(folder)).create_index(build_schema())
    _write_direct(ix, [("kalo news", "kalo words"), ("kalo kalo", "two"), ("other", "kalo"), ("x", "kalo kalo")])
    with ix.writer() as more:
        more.add_document(**_document(ix, "kalo later", "kalo"))
    with ix.reader() as reader:
        segments = [leaf._segment.segment_id() for leaf, _ in reader.leaf_readers()]
    return ix, segments


@pytest.mark.parametrize("planted", ["fifo", "link to another segment's file"])
def test_a_frequency_file_planted_beside_a_segment_without_one_is_damage(planted: str, tmp_path: Path) -> None:
    """Someone who can write to a shared index folder names a file after an update's segment (no manifest
    entry to check it against): a FIFO hung every search for good; a link to the direct segment's file
    handed its lists to the small segment (an IndexError traceback, or wrong documents)."""
    ix, segments = _updated_index(tmp_path)
    direct, update = (tmp_path / f"{segment}.frq" for segment in segments)
    if not direct.exists():
        direct, update = update, direct
    assert direct.exists() and not update.exists()
    if planted == "fifo":
        os.mkfifo(update)
    else:
        update.symlink_to(direct.name)
    parsed = parse_query(make_parser(ix.schema, 2.0), "kalo")

    def search() -> None:
        with ix.searcher() as searcher:
            docsets = DocSets(searcher)
            Ranker(docsets).scores(parsed, docsets.match(parsed))

    caught: list[BaseException] = []
    worker = threading.Thread(target=_record, args=(caught, search), daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "the search waits on the FIFO"
    assert len(caught) == 1 and isinstance(caught[0], CorruptIndexError) and from_index_files(caught[0])


def _record(caught: list[BaseException], run: Callable[[], None]) -> None:
    try:
        run()
    except BaseException as exc:
        caught.append(exc)


def test_another_segments_file_in_this_ones_place_is_damage_not_its_answers() -> None:
    """The red team: a file copied (or linked) from another segment, whose ids happen to fit, gave wrong answers."""
    storage = RamStorage()
    lists = {b"word": ([1, 2, 3], [2])}
    _write(storage, lists)
    other = _Segment("MAIN_other")
    data = bytes(storage.open_file(freq_file_name(_Segment())).read())
    with storage.create_file(freq_file_name(other)) as out:
        out.write(data)
    stored = FreqFile.open(storage, other)
    assert stored is not None
    with pytest.raises(CorruptIndexError) as caught:
        stored.read("body", b"word")
    assert from_index_files(caught.value)


def test_whoosh_deletes_a_segments_frequency_file_with_the_segment(tmp_path: Path) -> None:
    """ARCHITECTURE.md: the .frq is named as the segment's own files are, so Whoosh's clean_files removes it."""
    ix = FileStorage(str(tmp_path)).create_index(build_schema())
    _write_direct(ix, [("kalo news", "kalo words"), ("kalo kalo", "two"), ("other", "kalo")])
    (before,) = tmp_path.glob("*.frq")
    merging = ix.writer()
    merging.add_document(**_document(ix, "kalo later", "kalo"))
    merging.commit(mergetype=OPTIMIZE)
    assert not before.exists()  # its segment was merged into one Whoosh wrote, which has no file
    assert list(tmp_path.glob("*.frq")) == []
    with ix.searcher() as searcher:  # and the merged index answers from its blocks
        parsed = parse_query(make_parser(ix.schema, 2.0), "kalo")
        assert len(DocSets(searcher).match(parsed)) == 4


def test_a_prefix_most_articles_share_is_read_from_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The prefix fields' long lists are in the file too: ``ka*`` reads one array, decoding none of its blocks."""
    ix = RamStorage().create_index(build_schema())
    _write_direct(ix, [(f"t{number}", f"kalo{number % 3} words") for number in range(30)])
    with ix.searcher() as searcher:
        docsets = DocSets(searcher)
        monkeypatch.setattr(DocSets, "postings", lambda *args: pytest.fail("decoded a posting list"))
        assert len(docsets.match(parse_query(make_parser(ix.schema, 2.0), "ka*"))) == 30
        docsets.close()


def _as_version_3(data: bytes) -> bytes:
    """A file of lists without values as the previous version wrote it: NDFREQ3, rows of 8 (no value columns)."""
    import json
    import struct

    trailer = struct.Struct("<QQ")
    offset, length = trailer.unpack(data[-len(freqfile.MAGIC) - trailer.size : -len(freqfile.MAGIC)])
    rows = json.loads(data[offset : offset + length])
    assert all(row[-2] == 0 for row in rows)  # no values were written
    table = json.dumps([row[:-2] for row in rows], separators=(",", ":")).encode("ascii")
    body = b"NDFREQ3\n" + data[len(freqfile.MAGIC) : offset]
    return body + table + trailer.pack(offset, len(table)) + b"NDFREQ3\n"


@settings(max_examples=examples(100), deadline=None)
@given(lists=postings)
def test_a_file_of_the_version_before_is_read_as_lists_without_positions(lists) -> None:
    """An index built by the previous version keeps its fast words after the upgrade (no rebuild needed)."""
    storage = RamStorage()
    written = _write(storage, lists)
    name = freq_file_name(_Segment())
    if not storage.file_exists(name):
        return
    old = _as_version_3(bytes(storage.open_file(name).read()))
    storage.delete_file(name)
    with storage.create_file(name) as out:
        out.write(old)
    stored = FreqFile.open(storage, _Segment())
    assert stored is not None
    for btext, (ids, frequencies) in written.items():
        found = stored.read("body", btext)
        if found is not None:
            assert (found[0].tolist(), found[1].tolist()) == (ids, [float(f) for f in frequencies])
        assert stored.positions("body", btext) is None
