"""Whoosh's terms index writer with its hash pointers in arrays, not one tuple a key.

A segment's terms index (``.trm``) is an ``OrderedHashWriter``: each term's
key and statistics are written as they come, and the file's 256 hash tables
are written at close from a ``(hash, position)`` pair remembered per key.
Whoosh keeps those pairs as Python tuples in 256 lists, about 140 bytes a key:
170 MB for the 1.23M terms of one writer's segment at 1M articles, all of it
held until the segment's last term is written (docs/performance.md). Here each
bucket is two arrays (a uint32 hash and an int64 position a key, 12 bytes),
and each hash table is built in arrays and written in one call; the bytes are
the ones Whoosh writes (tests/test_hash_writer.py compares the files).

whoosh3's ``W3FieldWriter`` creates its terms index by the module-level name
``filetables.OrderedHashWriter``, so :func:`newsdesk.index.engine.whoosh_patches.apply`
replaces that name with :class:`CompactOrderedHashWriter`, in every process
that uses the engine. whoosh3 is pinned (tests/test_whoosh_pin.py).
"""

from __future__ import annotations

import sys
from array import array
from typing import Any

from whoosh.filedb import filetables

_HASH = next(code for code in "IL" if array(code).itemsize == 4)
"""An unsigned 32-bit array code: a hash is packed as ``!I`` (filetables._pointer)."""
_POSITION = "q"
"""A key's file position, packed as ``!q``: 64-bit and signed, as Whoosh writes it."""
_SWAP = sys.byteorder == "little"
"""The pointers are big-endian on disk."""


class _CompactBuckets:
    """The bucket half of ``HashWriter``: ``add``'s pointer kept in arrays, ``_write_hashes`` from them."""

    buckets: Any
    dbfile: Any
    directory: list[tuple[int, int]]
    hashfn: Any

    def _compact(self) -> None:
        # Replaces the 256 lists HashWriter.__init__ made (still empty: nothing was added yet).
        self.buckets = [(array(_HASH), array(_POSITION)) for _ in range(256)]

    def _put(self, key: bytes, value: bytes) -> None:
        """``HashWriter.add``: the key and value written, the key's hash and position remembered."""
        if not isinstance(key, bytes) or not isinstance(value, bytes):
            raise TypeError(f"keys and values are bytes, not {type(key).__name__} and {type(value).__name__}")
        dbfile = self.dbfile
        pos = dbfile.tell()
        dbfile.write(filetables._lengths.pack(len(key), len(value)))
        dbfile.write(key)
        dbfile.write(value)
        h = self.hashfn(key)
        hashes, positions = self.buckets[h & 255]
        hashes.append(h)
        positions.append(pos)

    def _write_hashes(self) -> None:
        """``HashWriter._write_hashes``: the same open-addressed tables, slot for slot, in one write each."""
        dbfile = self.dbfile
        for hashes, positions in self.buckets:
            start = dbfile.tell()
            numslots = 2 * len(hashes)
            self.directory.append((start, numslots))
            if not numslots:
                continue
            table_hashes = array(_HASH, bytes(4 * numslots))
            table_positions = array(_POSITION, bytes(8 * numslots))
            for hashval, position in zip(hashes, positions, strict=True):
                slot = (hashval >> 8) % numslots
                # Whoosh's empty slot is the pair (0, 0): an entry equal to it is overwritten, as there.
                while table_hashes[slot] or table_positions[slot]:
                    slot = (slot + 1) % numslots
                table_hashes[slot] = hashval
                table_positions[slot] = position
            dbfile.write(_pointers(table_hashes, table_positions))


def _pointers(hashes: array, positions: array) -> bytearray:
    """The slots packed one after another as ``filetables._pointer`` (``!Iq``) packs each one."""
    if _SWAP:
        hashes.byteswap()
        positions.byteswap()
    hash_bytes, position_bytes = hashes.tobytes(), positions.tobytes()
    out = bytearray(12 * len(hashes))
    # Twelve strided copies in C instead of one struct.pack call per slot.
    for byte in range(4):
        out[byte::12] = hash_bytes[byte::4]
    for byte in range(8):
        out[4 + byte :: 12] = position_bytes[byte::8]
    return out


class CompactHashWriter(_CompactBuckets, filetables.HashWriter):
    """``HashWriter`` with compact buckets (whoosh3 writes none; kept to test the buckets on any keys)."""

    def __init__(self, dbfile: Any, magic: bytes = b"HSH3", hashtype: int = 0) -> None:
        super().__init__(dbfile, magic, hashtype)
        self._compact()

    def add(self, key: bytes, value: bytes) -> None:
        self._put(key, value)


STOCK_ORDERED_HASH_WRITER = filetables.OrderedHashWriter
"""Whoosh's own class, before :func:`newsdesk.index.engine.whoosh_patches.apply` replaces the name."""


class CompactOrderedHashWriter(_CompactBuckets, STOCK_ORDERED_HASH_WRITER):  # type: ignore[misc, valid-type]
    """``OrderedHashWriter`` (a segment's terms index) with compact buckets: the same file, 12 bytes a key."""

    lastkey: bytes
    index: Any

    def __init__(self, dbfile: Any) -> None:
        super().__init__(dbfile)
        self._compact()

    def add(self, key: bytes, value: bytes) -> None:
        """``OrderedHashWriter.add``: keys must increase; each key's position also goes to the ordered index."""
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        self.index.append(self.dbfile.tell())
        self._put(key, value)
        self.lastkey = key


__all__ = ["STOCK_ORDERED_HASH_WRITER", "CompactHashWriter", "CompactOrderedHashWriter"]
