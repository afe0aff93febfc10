"""Raw reads of whoosh3 posting files: each block header with one file read, and whole blocks at a time.

Whoosh reads a block's header with ``pickle.load(file)``, and pickle reads a
file a few bytes at a time: about 27 seek-and-read calls per block through
Whoosh's compound-file layer. newsdesk opens indexes without mmap (a mapped
index counts against resident memory), so a prefix query touching 1,000
terms spent a third of its time there. This reads a chunk once, unpickles it
from memory and leaves the file where pickle would have.

:func:`newsdesk.index.engine.whoosh_patches.apply` puts it in place of
``StructFile.read_pickle``; whoosh3 is pinned to the exact version this was
written against (tests/test_whoosh_pin.py). The file name matters:
:func:`newsdesk.index.healing.from_index_files` counts an error raised here as
damage to the index files.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from whoosh.filedb.structfile import StructFile
from whoosh.reading import CorruptIndexError

_FIRST_CHUNK = 256


def read_pickle(self: StructFile) -> Any:
    """``StructFile.read_pickle`` with one read per object in the common case."""
    start = self.file.tell()
    size = _FIRST_CHUNK
    while True:
        chunk = self.file.read(size)
        buffer = io.BytesIO(chunk)
        try:
            value = pickle.Unpickler(buffer).load()
        except (EOFError, pickle.UnpicklingError, ValueError, IndexError):
            if len(chunk) < size:  # the whole rest of the file: really broken
                raise
            size *= 8
            self.file.seek(start)
            continue
        self.file.seek(start + buffer.tell())
        return value


def leaf_blocks(matcher: Any) -> Iterator[tuple[tuple[int, ...], Any]]:
    """(ids, values) for each block of a raw whoosh3 leaf matcher (what docsets and frequencies decode)."""
    while True:
        if matcher._data is None:
            try:
                matcher._read_data()
            except MemoryError:
                # pickle allocates a counted value before reading it: a garbled length in a block of a
                # few KB asks for terabytes. Damage, not a lack of memory (the block is all there is).
                raise CorruptIndexError("a posting block asks for more memory than it holds") from None
        ids = matcher._data[0]
        if not matcher._byteids:  # delta-coded: summed in C (whoosh's delta_decode is a Python generator)
            ids = tuple(accumulate(ids))
        matcher._read_values()
        values = matcher._values
        if len(ids) != matcher._blocklength or ids[-1] != matcher._maxid or len(values) != len(ids):
            # A garbled block that still unpickles (one stored raw, under whoosh3's 80 bytes to
            # compress, has no zlib checksum): its ids would reach the ranker as documents that
            # do not exist. Its header, pickled apart, says how many ids it holds and the last.
            raise CorruptIndexError(f"a posting block disagrees with its header ({len(ids)} ids, last {ids[-1]!r})")
        yield ids, values
        if matcher._lastblock:
            return
        matcher._goto(matcher._nextoffset)
