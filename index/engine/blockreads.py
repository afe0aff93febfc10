"""Read each posting block header with one file read.

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
from typing import Any

from whoosh.filedb.structfile import StructFile

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
