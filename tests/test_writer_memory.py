"""What a direct segment writer holds while it closes its segment (issue 14: a 1M build's peak is there).

Closing merges the run files with the postings still buffered in memory; each
buffered posting list is let go once the merge has taken it, so the buffer
(``limitmb`` and more) shrinks as the segment is written instead of staying
whole until the last term (bench/writer_memory.py, docs/performance.md).
"""

from __future__ import annotations

import errno
import tracemalloc
import weakref
from pathlib import Path
from typing import Any

import pytest
from newsdesk.index.engine.directwriter import DirectSegmentWriter
from newsdesk.index.engine.hidden_fields import add_prefix_values
from newsdesk.index.engine.schema import build_schema
from newsdesk.index.indexer import _codec
from whoosh import index as whoosh_index


def _writer(path: Path, docs: int, limitmb: float) -> DirectSegmentWriter:
    ix = whoosh_index.create_in(str(path), build_schema(2.0))
    writer = DirectSegmentWriter(ix, limitmb=limitmb, codec=_codec())  # type: ignore[arg-type]
    for number in range(docs):
        doc = {
            "id": f"a{number}",
            "path": "p.txt",
            "title": f"Report {number} on talks",
            "body": f"Words of report {number} on the ceasefire talks in Geneva, number {number}.",
            "tags": "OSCE",
        }
        writer.add_document(**add_prefix_values(doc))
    return writer


@pytest.mark.parametrize("runs", [False, True])
def test_buffered_postings_are_let_go_as_the_merge_takes_them(tmp_path: Path, runs: bool) -> None:
    writer = _writer(tmp_path, 40, limitmb=0.1 if runs else 64)
    assert bool(writer._runs) is runs
    assert writer._postings and writer._present  # some postings still buffered when closing begins
    buffered: dict[tuple[str, Any], weakref.ref[Any]] = {}
    for fieldname, terms in writer._postings.items():
        buffered |= {(fieldname, term): weakref.ref(entry[0]) for term, entry in terms.items()}
    for fieldname, present in writer._present.items():
        buffered |= {(fieldname, term): weakref.ref(ids) for term, ids in present.items()}
    held_back = []
    for fieldname, term, entry in writer._merged():
        del entry
        # Every buffered list before this term has been written: none may still be held.
        held_back += [key for key, ref in buffered.items() if key < (fieldname, term) and ref() is not None]
    assert held_back == []
    assert all(ref() is None for ref in buffered.values())
    writer.cancel()


def test_a_disk_that_fills_while_the_terms_index_closes_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC half way through the terms index's hash tables (the compact writer's one write a bucket)."""
    from newsdesk.index import Config, Library
    from newsdesk.index import indexer as indexer_module
    from newsdesk.index.engine.hashwriter import CompactOrderedHashWriter
    from newsdesk.index.errors import DiskFullError

    monkeypatch.setattr(indexer_module, "_FULL_BUILD_MIN_DOCS", 10)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(30):
        (corpus / f"a{n:04}.txt").write_text(f"Report {n}\n\nThe talks in Geneva went on, day {n}.\n")
    config = Config()
    config.index.procs = 1
    state = tmp_path / "state"
    real = CompactOrderedHashWriter._write_hashes

    def filling(self: Any) -> None:
        write = self.dbfile.write
        written = [0]

        def limited(data: Any) -> Any:
            written[0] += len(data)
            if written[0] > 2_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            return write(data)

        self.dbfile.write = limited
        real(self)

    with Library.open(corpus, state_dir=state, config=config) as library:
        library.update()
        before = sorted(state.glob("whoosh-*"))
        with monkeypatch.context() as patch:
            patch.setattr(CompactOrderedHashWriter, "_write_hashes", filling)
            with pytest.raises(DiskFullError):
                library.update(rebuild=True)
        assert sorted(state.glob("whoosh-*")) == before
        library.update()
        assert library.search("report", limit=1).total == 30


def test_long_lists_written_in_pieces_are_whooshs_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A term's blocks written a few at a time (as a word in every article's are at 1M) are the same file."""
    from newsdesk.index.engine import blockencoder

    from tests.test_direct_writer import contents, long_lists_and_long_documents, write

    monkeypatch.setattr(blockencoder, "_WRITE_BYTES", 100)  # every block written on its own
    docs = long_lists_and_long_documents()
    old = write(tmp_path / "old", docs, direct=False)
    new = write(tmp_path / "new", docs, direct=True, limitmb=0.05)
    assert contents(new) == contents(old)


def test_closing_holds_the_longest_list_less_than_three_times(tmp_path: Path) -> None:
    """A word in every document, over several run files: joined once, its parts let go before it is encoded.

    Whoosh's pool is not involved; this is the direct writer's own merge. It held each part beside
    the joined list while the list was encoded, and every encoded block until the last: 3.5 times
    the list here, against 2.7 (the join itself needs the parts and the whole at once).
    """
    ix = whoosh_index.create_in(str(tmp_path), build_schema(2.0))
    writer = DirectSegmentWriter(ix, limitmb=1, codec=_codec())  # type: ignore[arg-type]
    body = "pake " * 400
    for number in range(4000):
        writer.add_document(id=f"a{number}", path="p", title="t", body=body)
    assert len(writer._runs) >= 3
    longest = 4000 * 400 * 2  # each posting's positions: a type byte and 2 bytes a position, all but one
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        writer.finish()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < 3 * longest, peak / longest
