"""Frequency files: the document ids and weights of a segment's long posting lists, apart from their positions.

A whoosh3 posting block pickles its ids, weights and values (here each posting's
word positions, a bytes object) as one tuple, so learning which documents hold a
word, and how often, means unpickling and inflating every position of every
posting: about 2.5 µs a posting. A word in nearly every article costs ~250 ms the
first time a searcher reads it at 100k articles, and searching as one types reads
such words all the time. Lucene keeps document ids and frequencies (``.doc``)
apart from positions (``.pos``) for this reason.

So the direct segment writer (index/engine/directwriter.py) writes, beside each
segment it makes, ``<segment>.frq``: for every posting list of a positional field
with at least :data:`FREQ_MIN_POSTINGS` postings, its ids (uint32) and weights
(float32: the term frequency times the field boost) end to end, each list with a
CRC32. Reading one back is two ``frombuffer`` calls. Positions still come from the
segment, for phrases and highlights. The file is named like the segment's own
files, so Whoosh's ``clean_files`` deletes it with its segment; segments written
by Whoosh's own writer (updates) have none, and their lists are decoded from the
blocks as before.

Layout: ``MAGIC``, the lists, a JSON table ``[[field, term as hex, offset, count,
crc32], ...]`` (the CRC of the field, the term and the list), then the table's
offset and length (two little-endian uint64) and ``MAGIC`` again, so a truncated
file is refused, never misread.
"""

from __future__ import annotations

import json
import struct
import sys
import zlib
from array import array
from typing import Any

from whoosh.reading import CorruptIndexError

FREQ_MIN_POSTINGS = 1024
"""Shortest posting list given a frequency list: one whoosh3 block (index/buildwriters.POSTING_BLOCK)."""
EXTENSION = ".frq"
MAGIC = b"NDFREQ1\n"
_TRAILER = struct.Struct("<QQ")


def freq_file_name(segment: Any) -> str:
    """The frequency file of ``segment`` (whoosh's ``clean_files`` sees it as one of the segment's files)."""
    return str(segment.make_filename(EXTENSION))


class FreqFileWriter:
    """Writes the long posting lists of one segment to its frequency file, as they come.

    The lists go straight to a file named apart from the segment's own (so that
    assembling a compound segment leaves it out, and Whoosh's ``clean_files``
    deletes it if the build dies); :meth:`finish` adds the table and gives it
    the segment's name. Nothing is kept in memory but the table.
    """

    def __init__(self, storage: Any, segment: Any) -> None:
        self._storage = storage
        self._segment = segment
        self._file: Any = None
        self._offset = 0
        self._table: list[list[Any]] = []

    def add(self, fieldname: str, btext: bytes, ids: array, weights: array) -> None:
        """One term's postings: segment document numbers ("I") and weights ("d"), in document order."""
        if len(ids) < FREQ_MIN_POSTINGS:
            return
        if self._file is None:
            self._file = self._storage.create_file(self._temporary_name())
            self._file.write(MAGIC)
            self._offset = len(MAGIC)
        id_bytes = _little_endian(ids).tobytes()
        weight_bytes = _little_endian(array("f", weights)).tobytes()
        crc = zlib.crc32(weight_bytes, zlib.crc32(id_bytes, _key_crc(fieldname, btext)))
        self._table.append([fieldname, btext.hex(), self._offset, len(ids), crc])
        self._file.write(id_bytes)
        self._file.write(weight_bytes)
        self._offset += len(id_bytes) + len(weight_bytes)

    def finish(self) -> None:
        """Write the table and name the file for its segment (nothing when no list was long enough)."""
        if self._file is None:
            return
        table = json.dumps(self._table, separators=(",", ":")).encode("ascii")
        self._file.write(table)
        self._file.write(_TRAILER.pack(self._offset, len(table)))
        self._file.write(MAGIC)
        self._file.close()
        self._file = None
        self._storage.rename_file(self._temporary_name(), freq_file_name(self._segment))

    def cancel(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._storage.delete_file(self._temporary_name())

    def _temporary_name(self) -> str:
        # "<segment id>w.frq": not "<segment id>." (a compound segment would take it in), and
        # an id of no segment, so clean_files deletes it when a build dies before finish.
        return f"{self._segment.segment_id()}w{EXTENSION}"


def _table(data: bytes, end: int) -> dict[tuple[str, bytes], tuple[int, int, int]]:
    """The table of lists, checked: any garbage raises ``CorruptIndexError`` from here (healing.from_index_files)."""
    try:
        table = {}
        for fieldname, hextext, start, count, crc in json.loads(data):
            if not (isinstance(fieldname, str) and len(MAGIC) <= start and count >= 0 and start + 8 * count <= end):
                raise ValueError("a list out of bounds")
            table[(fieldname, bytes.fromhex(hextext))] = (int(start), int(count), int(crc))
    except (ValueError, TypeError, UnicodeError, RecursionError) as exc:
        raise CorruptIndexError(f"a frequency file's table is damaged ({exc})") from None
    return table


def _key_crc(fieldname: str, btext: bytes) -> int:
    # The CRC covers the list's name too: a garbled table can never hand one word's list to another.
    return zlib.crc32(fieldname.encode("utf-8", "surrogatepass") + b"\0" + btext)


def _little_endian(values: array) -> array:
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values


class FreqFile:
    """The frequency lists of one segment, read on demand (``None`` from :meth:`open` when it has none)."""

    def __init__(self, file: Any, table: dict[tuple[str, bytes], tuple[int, int, int]]) -> None:
        self._file = file
        self._table = table

    @classmethod
    def open(cls, storage: Any, segment: Any) -> FreqFile | None:
        name = freq_file_name(segment)
        if not storage.file_exists(name):
            return None
        file = storage.open_file(name)
        try:
            size = storage.file_length(name)
            tail = _TRAILER.size + len(MAGIC)
            if size < len(MAGIC) + tail:
                raise CorruptIndexError(f"{name}: too short")
            file.seek(size - tail)
            offset, length = _TRAILER.unpack(file.read(_TRAILER.size))
            if file.read(len(MAGIC)) != MAGIC or offset + length != size - tail:
                raise CorruptIndexError(f"{name}: no table")
            file.seek(offset)
            table = _table(file.read(length), offset)
        except BaseException:
            file.close()
            raise
        return cls(file, table)

    def __contains__(self, key: tuple[str, bytes]) -> bool:
        return key in self._table

    def read(self, fieldname: str, btext: bytes) -> tuple[bytes, bytes] | None:
        """(ids, weights) of one term as little-endian uint32 and float32 bytes, or None when not kept here."""
        found = self._table.get((fieldname, btext))
        if found is None:
            return None
        start, count, crc = found
        self._file.seek(start)
        data = self._file.read(8 * count)
        if len(data) != 8 * count or zlib.crc32(data, _key_crc(fieldname, btext)) != crc:
            raise CorruptIndexError(f"a frequency list of {fieldname!r} is damaged")
        return data[: 4 * count], data[4 * count :]

    def close(self) -> None:
        self._file.close()


__all__ = ["EXTENSION", "FREQ_MIN_POSTINGS", "FreqFile", "FreqFileWriter", "freq_file_name"]
