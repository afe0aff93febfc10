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
(and of a prefix field, whose frequencies are all 1) with at least
:data:`FREQ_MIN_POSTINGS` postings, its document numbers (the gaps between them
as uint16 where they fit, else uint32) and term frequencies (uint8, uint16 or
uint32: the narrowest that holds them), about 3 bytes a posting, each
list with a CRC32. Reading one back is a few numpy calls. After them come the
list's posting values as the segment holds them (each a type byte and the word's
positions, :func:`newsdesk.index.engine.schema.encode_positions`), with a CRC32 of
their own, so that a phrase of a word in most articles reads the positions of the
documents it checks as arrays instead of unpickling every block of the word (Lucene's
``.pos``). The file is named like the segment's own
files, so Whoosh's ``clean_files`` deletes it with its segment; segments written
by Whoosh's own writer (updates) have none, and their lists are decoded from the
blocks as before.

Layout: ``MAGIC``, the lists, a JSON table ``[[field, term as hex, offset, count,
crc32, first id, bytes an id, bytes a frequency, bytes of values, crc32 of values],
...]`` (the first CRC covers the field, the term, the list's shape and its ids and
frequencies; the second, the values and the same key; a list written on a big-endian
machine has no values), then the table's offset and
length (two little-endian uint64) and ``MAGIC`` again, so a truncated file is
refused, never misread. Everything is little-endian.
"""

from __future__ import annotations

import json
import struct
import sys
import zlib
from array import array
from operator import sub
from typing import Any, NamedTuple

from whoosh.reading import CorruptIndexError

FREQ_MIN_POSTINGS = 1024
"""Shortest posting list given a frequency list: one whoosh3 block (index/buildwriters.POSTING_BLOCK)."""
FREQUENCY_LIMIT = 2**24
"""Frequencies kept here are below this: searching holds them as float32, exact up to it."""
EXTENSION = ".frq"
MAGIC = b"NDFREQ4\n"
_WITHOUT_VALUES = b"NDFREQ3\n"
"""The version before, whose rows end at the frequency width: read, as lists without values (no rebuild needed)."""
_FAMILY = b"NDFREQ"
"""What every version's MAGIC begins with."""
_TRAILER = struct.Struct("<QQ")
_TYPE_H = ord("H")
"""The type byte of a posting value whose positions are uint16 (schema.encode_positions)."""


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

    def add(
        self,
        fieldname: str,
        btext: bytes,
        ids: array,
        weights: array,
        boost: float,
        values: bytes | bytearray | None = None,
    ) -> None:
        """One term's postings: segment document numbers ("I", ascending) and weights ("d": frequency x ``boost``).

        ``values``: the postings' values one after another, as the segment holds them
        (:class:`newsdesk.index.engine.schema.FastPositions`), kept for phrases.
        """
        count = len(ids)
        if count < FREQ_MIN_POSTINGS or not count:
            return
        # Plain arrays, not numpy: a writer process that imports numpy holds ~15 MB more (the
        # index's peak memory is main + largest writer), for under 0.1 µs a posting saved.
        try:
            frequencies = list(map(round, weights)) if boost == 1.0 else [round(w / boost) for w in weights]
        except (ValueError, OverflowError, ZeroDivisionError):  # NaN, infinite (title_boost: 0 gives 0/0)
            return
        top = max(frequencies)
        if not 1 <= min(frequencies) <= top < FREQUENCY_LIMIT:
            # A boost this writer was not told of, or a word 16 million times in one document:
            # such a list is decoded from the blocks instead.
            return
        tf_width = 1 if top < 2**8 else 2 if top < 2**16 else 4
        tf_bytes = _little_endian(array(_TYPECODES[tf_width], frequencies)).tobytes()
        first = ids[0]
        try:
            if count == 1:
                raise OverflowError
            # The first id is in the table; each later one as its gap from the one before.
            id_width, id_bytes = 2, _little_endian(array("H", map(sub, ids[1:], ids[:-1]))).tobytes()
        except OverflowError:  # a gap of 65,536 or more
            id_width, id_bytes = 4, _little_endian(array("I", ids)).tobytes()
        shape = (count, first, id_width, tf_width)
        key_crc = _key_crc(self._segment.segment_id(), fieldname, btext, shape)
        crc = zlib.crc32(tf_bytes, zlib.crc32(id_bytes, key_crc))
        if values is None or sys.byteorder != "little":  # values hold machine arrays; the file is little-endian
            values = b""
        if self._file is None:
            self._file = self._storage.create_file(self._temporary_name())
            self._file.write(MAGIC)
            self._offset = len(MAGIC)
        row = [fieldname, btext.hex(), self._offset, count, crc, first, id_width, tf_width]
        self._table.append([*row, len(values), zlib.crc32(values, key_crc)])
        self._file.write(id_bytes)
        self._file.write(tf_bytes)
        self._file.write(values)
        self._offset += len(id_bytes) + len(tf_bytes) + len(values)

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


_WIDTHS = {1: "<u1", 2: "<u2", 4: "<u4"}
_TYPECODES = {1: "B", 2: "H", 4: "I"}
Row = tuple[int, int, int, int, int, int, int, int]
"""Where a list starts, its postings, CRC, first document number, bytes an id (2: gaps) and a frequency,
bytes of its values and their CRC."""


def _little_endian(values: array) -> array:
    if sys.byteorder == "big":
        values.byteswap()
    return values


def _size(count: int, id_width: int, tf_width: int) -> int:
    return (count - 1) * 2 + count * tf_width if id_width == 2 else count * (4 + tf_width)


def _table(data: bytes, end: int, with_values: bool = True) -> dict[tuple[str, bytes], Row]:
    """The table of lists, checked: any garbage raises ``CorruptIndexError`` from here (healing.from_index_files)."""
    try:
        table = {}
        for fieldname, hextext, *numbers in json.loads(data):
            if not with_values:
                numbers = [*numbers, 0, 0] if len(numbers) == 6 else []
            start, count, _, first, id_width, tf_width, value_bytes, _ = numbers
            if not (isinstance(fieldname, str) and all(type(n) is int for n in numbers)):
                raise ValueError("not a list's row")
            if id_width not in (2, 4) or tf_width not in _WIDTHS or count < 1 or first < 0 or value_bytes < 0:
                raise ValueError("a list of no known shape")
            if not len(MAGIC) <= start <= start + _size(count, id_width, tf_width) + value_bytes <= end:
                raise ValueError("a list out of bounds")
            table[(fieldname, bytes.fromhex(hextext))] = tuple(numbers)  # type: ignore[assignment]
    except (ValueError, TypeError, UnicodeError, RecursionError) as exc:
        raise CorruptIndexError(f"a frequency file's table is damaged ({exc})") from None
    return table


def _key_crc(segment_id: str, fieldname: str, btext: bytes, shape: tuple[int, int, int, int]) -> int:
    # The CRC covers the list's segment, name and shape too: a garbled table can never hand one
    # word's list to another, nor make other numbers of the same bytes, and another segment's
    # file put in this one's place fails every list.
    described = ",".join(map(str, shape)).encode("ascii")
    name = fieldname.encode("utf-8", "surrogatepass")
    return zlib.crc32(segment_id.encode("ascii", "replace") + b"\0" + name + b"\0" + btext + b"\0" + described)


def numpy() -> Any:
    """numpy, imported when first needed: the reader starts without it (~60 ms)."""
    import numpy

    return numpy


class FreqFile:
    """The frequency lists of one segment, read on demand (``None`` from :meth:`open` when it has none)."""

    def __init__(self, file: Any, table: dict[tuple[str, bytes], Row], documents: int, segment_id: str) -> None:
        self._segment_id = segment_id
        self._file = file
        self._table = table
        self._documents = documents

    @classmethod
    def open(cls, storage: Any, segment: Any) -> FreqFile | None:
        name = freq_file_name(segment)
        if not storage.file_exists(name):
            return None
        tail = _TRAILER.size + len(MAGIC)
        try:
            # Before opening: a FIFO planted under this name (a segment of Whoosh's writer has no file,
            # and the manifest holds only the files a commit wrote) has length 0, and opening it waits
            # forever with the searcher's lock held.
            if storage.file_length(name) < len(MAGIC) + tail:
                raise CorruptIndexError(f"{name}: too short")
            file = storage.open_file(name)
        except FileNotFoundError:
            # Gone since the check: another process' commit merged the segment away, or a rebuild removed
            # the folder. The searcher's own files are open, so its blocks still answer (a file deleted
            # from a committed index fails the manifest check before any search reads it).
            return None
        try:
            file.seek(0, 2)  # the open file's length, not the path's: the name may be gone by now
            size = file.tell()
            if size < len(MAGIC) + tail:
                raise CorruptIndexError(f"{name}: too short")
            file.seek(0)
            head = file.read(len(MAGIC))
            file.seek(size - tail)
            offset, length = _TRAILER.unpack(file.read(_TRAILER.size))
            end = file.read(len(MAGIC))
            if head not in (MAGIC, _WITHOUT_VALUES) and head == end and head.startswith(_FAMILY):
                # Whole, of another format version (another newsdesk shares the state folder, or wrote
                # the index before an upgrade): not damage, which would rebuild it; the blocks answer.
                file.close()
                return None
            if end != head or head not in (MAGIC, _WITHOUT_VALUES) or offset + length != size - tail:
                raise CorruptIndexError(f"{name}: no table")
            file.seek(offset)
            table = _table(file.read(length), offset, with_values=head == MAGIC)
        except BaseException:
            file.close()
            raise
        return cls(file, table, segment.doc_count_all(), segment.segment_id())

    def __contains__(self, key: tuple[str, bytes]) -> bool:
        return key in self._table

    def read(self, fieldname: str, btext: bytes) -> tuple[Any, Any] | None:
        """(document numbers, frequencies) of one term as numpy arrays (int64, float32), or None when not kept here."""
        found = self._table.get((fieldname, btext))
        if found is None:
            return None
        start, count, crc, first, id_width, tf_width, _, _ = found
        shape = (count, first, id_width, tf_width)
        size = _size(count, id_width, tf_width)
        self._file.seek(start)
        data = self._file.read(size)
        if len(data) != size or zlib.crc32(data, _key_crc(self._segment_id, fieldname, btext, shape)) != crc:
            raise CorruptIndexError(f"a frequency list of {fieldname!r} is damaged")
        np = numpy()
        id_size = size - count * tf_width
        if id_width == 2:
            ids = np.empty(count, dtype=np.int64)
            ids[0] = first
            np.cumsum(np.frombuffer(data, dtype="<u2", count=count - 1), dtype=np.int64, out=ids[1:])
            ids[1:] += first
        else:
            ids = np.frombuffer(data, dtype="<u4", count=count).astype(np.int64)
        if ids.max() >= self._documents:
            # Another segment's file under this one's name (a planted symlink or copy): its CRCs hold.
            raise CorruptIndexError(f"a frequency list of {fieldname!r} names documents its segment does not have")
        frequencies = np.frombuffer(data, dtype=_WIDTHS[tf_width], offset=id_size).astype(np.float32)
        return ids, frequencies

    def positions(self, fieldname: str, btext: bytes) -> Positions | None:
        """One term's documents with each one's word positions as arrays, or None when its values are not kept here.

        None too for a list holding a position past 65,535 (a document that long is
        checked from the blocks): every other list's positions are uint16.
        """
        found = self._table.get((fieldname, btext))
        if found is None or not found[6] or sys.byteorder != "little":  # values are written little-endian only
            return None
        stored = self.read(fieldname, btext)
        if stored is None:
            return None
        start, count, _, first, id_width, tf_width, value_bytes, value_crc = found
        self._file.seek(start + _size(count, id_width, tf_width))
        data = self._file.read(value_bytes)
        key_crc = _key_crc(self._segment_id, fieldname, btext, (count, first, id_width, tf_width))
        if len(data) != value_bytes or zlib.crc32(data, key_crc) != value_crc:
            raise CorruptIndexError(f"a position list of {fieldname!r} is damaged")
        ids, frequencies = stored
        return positions_of(ids, frequencies.astype(numpy().int64), data)

    def close(self) -> None:
        self._file.close()


class Positions(NamedTuple):
    """A term's postings with their word positions: the positions of ``ids[i]`` are
    ``positions[starts[i]:starts[i] + counts[i]]`` (numpy arrays; ids ascending)."""

    ids: Any
    counts: Any
    starts: Any
    positions: Any


def positions_of(ids: Any, counts: Any, values: bytes) -> Positions | None:
    """:class:`Positions` from posting values laid end to end (each a type byte "H" and its positions).

    None when any value is not a uint16 array (type byte "I") or the values do not
    add up to ``counts``: such a list is checked the slow way.
    """
    np = numpy()
    raw = np.frombuffer(values, dtype=np.uint8)
    if not len(counts):
        return Positions(ids, counts, counts, np.zeros(0, dtype=np.uint16)) if not len(raw) else None
    ends = np.cumsum(counts * 2 + 1)
    if ends[-1] != len(raw):
        return None
    type_bytes = ends - counts * 2 - 1
    if not (raw[type_bytes] == _TYPE_H).all():
        return None
    positions = np.delete(raw, type_bytes).view("=u2")  # machine order, as FastPositions wrote them
    return Positions(ids, counts, np.cumsum(counts) - counts, positions)


__all__ = [
    "EXTENSION",
    "FREQ_MIN_POSTINGS",
    "FreqFile",
    "FreqFileWriter",
    "Positions",
    "freq_file_name",
    "positions_of",
]
