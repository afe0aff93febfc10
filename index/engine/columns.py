"""Whole per-document columns read in one go.

Whoosh's column readers return one document's value per call, and without
mmap each call is a seek and a read: loading the date column of 100,000
articles that way took half a second. These readers fetch a segment's whole
column region with one read and slice it in memory. They rely on the reader
classes of the pinned whoosh3 version and fall back to plain iteration for
any other reader.
"""

from __future__ import annotations

import sys
from array import array
from itertools import accumulate
from typing import Any


def column_values(segment_reader: Any, name: str) -> list[Any]:
    """Every document's value of column ``name`` in one segment (raw bytes or numbers)."""
    count = segment_reader.doc_count_all()
    if not segment_reader.has_column(name):
        return [None] * count
    return read_all(segment_reader.column_reader(name, translate=False), count)


def read_all(reader: Any, count: int) -> list[Any]:
    """All ``count`` values of a whoosh column reader."""
    if hasattr(reader, "_lengths") and hasattr(reader, "_basepos"):  # VarBytesColumn.Reader
        lengths = reader._lengths
        data = reader._dbfile.get(reader._basepos, sum(lengths)) if len(lengths) else b""
        ends = list(accumulate(lengths))
        starts = [0, *ends[:-1]]
        return [data[s:e] for s, e in zip(starts, ends, strict=True)]
    if hasattr(reader, "_typecode") and hasattr(reader, "_fixedlen"):  # NumericColumn.Reader
        stored = reader._count
        values = array(reader._typecode)
        if stored:
            values.frombytes(reader._dbfile.get(reader._basepos, stored * reader._fixedlen))
            if sys.byteorder == "little" and values.itemsize > 1:
                values.byteswap()  # whoosh writes network byte order
        return values.tolist() + [reader._default] * (count - stored)
    return list(reader)
