"""A faster spill format for Whoosh's posting pool.

Whoosh's writer buffers postings in a pool and, past ``limitmb``, spills them
to sorted run files with one ``pickle.dump`` per posting and reads them back
with one ``pickle.load`` per posting: at ~180 postings an article, that is
most of the indexing time. This pool writes and reads runs in chunks of a few
thousand postings per pickle call, which measured 1.5x faster overall at the
same memory (bench/, docs/performance.md).

Whoosh creates its pool by name inside ``SegmentWriter``, including in the
writer processes of a parallel build, so the class has to replace
``whoosh.writing.PostingPool``: :func:`newsdesk.index.engine.whoosh_patches.apply`
does that, in every process that uses the engine. whoosh3 is pinned to the exact
version this was written against (tests/test_whoosh_pin.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pickle import HIGHEST_PROTOCOL, dump, load
from typing import Any, BinaryIO

from whoosh import writing

_CHUNK = 4096


class ChunkedPostingPool(writing.PostingPool):
    """PostingPool whose run files hold lists of postings instead of single ones."""

    def _write_run(self, f: BinaryIO, items: Iterable[Any]) -> None:
        chunk: list[Any] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= _CHUNK:
                dump(chunk, f, HIGHEST_PROTOCOL)
                chunk = []
        if chunk:
            dump(chunk, f, HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path: str) -> Iterator[Any]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)
