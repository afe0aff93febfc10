"""Whole posting lists encoded as whoosh3's block writer encodes them, one block at a time.

Used by the direct segment writer (index/engine/directwriter.py), which keeps each
term's postings in columns; tests/test_direct_writer.py compares its bytes with
Whoosh's own writer's.
"""

from __future__ import annotations

import zlib
from array import array
from itertools import accumulate
from operator import sub
from pickle import dumps
from typing import Any

from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import byte_to_length

VALUES_PROTOCOL = 5
"""The pickle protocol of a block whose postings have one value each (the positional fields).

Whoosh's writer pickles every block with protocol 2, which has no opcode for bytes:
each value goes through ``_codecs.encode(str, "latin1")``, 40-odd bytes for a
position or two, so a block of 1,024 postings pickled to ~44 KB and then took zlib
twice as long again (~1.2 ms a block together). Protocol 5 writes each value as it
is (~8 KB); ``pickle.loads`` reads any protocol, so Whoosh's readers and older
newsdesk versions read these blocks unchanged, and faster (no call per value).
Blocks without such values keep protocol 2: byte for byte Whoosh's."""

Entry = tuple[array, array, array, bytearray]
"""One term's buffered postings: ids ("I"), weights ("d"), value sizes ("I"), the values end to end."""
_WRITE_BYTES = 1 << 20
"""A term's encoded blocks are written in pieces of about this size, not all at once (a writer's peak memory)."""


class TermEncoder:
    """Encodes whole posting lists of one field as whoosh3's ``W3PostingsWriter`` would.

    ``W3PostingsWriter.add_posting`` fills a block one posting at a time, checking
    types and tracking statistics per posting; ``_write_block`` then minifies and
    pickles it. Here each block is cut from the term's columns and encoded in
    one go: the same minified tuple, the same compression rule, the same block
    header and the same ``W3TermInfo`` (tests/test_direct_writer.py compares
    the bytes with Whoosh's own writer's).
    """

    def __init__(self, fieldwriter: Any, postings: Any, fixedsize: int | None, lengths: bytearray | None) -> None:
        self.postfile = fieldwriter._postfile
        self.limit = postings._blocklimit
        self.compression = postings._compression
        self.fixedsize = fixedsize
        self.lengths = lengths
        self.prefix = pack_ushort(fieldwriter._fieldid)
        self.tindex = fieldwriter._tindex
        self.offset = self.postfile.tell()  # kept here: only this encoder writes to the file meanwhile

    def write(self, btext: bytes, entry: Entry) -> None:
        ids, weights, sizes, buffer = entry
        limit, fixedsize, lengths = self.limit, self.fixedsize, self.lengths
        info = W3TermInfo()
        startoffset = self.offset
        out = [WHOOSH3_HEADER_MAGIC]  # the term's bytes, written with one call a megabyte or so
        pending = len(WHOOSH3_HEADER_MAGIC)
        length = 0
        count = len(ids)
        base = 0  # where the block's first value starts in buffer
        for start in range(0, count, limit):
            stop = min(start + limit, count)
            block_ids = ids[start:stop]
            doubles = weights[start:stop]
            floats = array("f", doubles)
            maxweight = max(0, max(doubles))
            first = floats[0]
            if floats.count(first) != len(floats):
                mini_weights: Any = tuple(floats)
            else:
                mini_weights = None if first == 1.0 else first
            if fixedsize == 0:
                mini_values: Any = None
            else:
                if count == 1:
                    block_values = [bytes(buffer)] if buffer else []
                else:
                    # one copy of the block's values; slices of bytes are bytes, so none per posting
                    ends = list(accumulate(sizes[start:stop]))
                    values = bytes(buffer[base : base + ends[-1]])
                    bounds = zip([0, *ends[:-1]], ends, strict=True)
                    if 0 in sizes[start:stop]:  # add_posting keeps only non-empty values
                        block_values = [values[a:b] for a, b in bounds if b > a]
                    else:
                        block_values = [values[a:b] for a, b in bounds]
                    base += ends[-1]
                mini_values = tuple(block_values) if fixedsize is None or fixedsize < 0 else b"".join(block_values)
            mini_ids = (block_ids[0], *map(sub, block_ids[1:], block_ids[:-1]))
            protocol = VALUES_PROTOCOL if type(mini_values) is tuple else 2
            data = dumps((mini_ids, mini_weights, mini_values), protocol)
            comp = self.compression if len(data) >= COMPRESSION_MIN_SIZE else 0
            if comp:
                data = zlib.compress(data, comp)
            if lengths is None:
                minbyte = maxbyte = 0
            elif count == 1:
                minbyte = maxbyte = lengths[block_ids[0]]
            else:
                found = bytes(map(lengths.__getitem__, block_ids))
                maxbyte = max(found)
                present = found.replace(b"\x00", b"") if 0 in found else found
                minbyte = min(present) if present else 0
            header = dumps((len(block_ids), block_ids[-1], maxweight, comp, minbyte, maxbyte), 2)
            blocklength = len(header) + len(data)
            out += (pack_int(-blocklength if stop == count else blocklength), header, data)
            pending += 4 + blocklength
            if pending >= _WRITE_BYTES:  # a word in every article: its whole list at once was tens of MB, twice
                length += self._write(out)
                out, pending = [], 0
            # W3TermInfo.add_block, from the same figures add_posting would have tracked
            info._weight += sum(floats)
            info._df += len(block_ids)
            minlength = byte_to_length(minbyte) if minbyte else None
            info._minlength = minlength if info._minlength is None else min(info._minlength, minlength)
            info._maxlength = max(info._maxlength, byte_to_length(maxbyte) if maxbyte else 0)
            info._maxweight = max(info._maxweight, maxweight)
            if info._minid is None:
                info._minid = block_ids[0]
            info._maxid = block_ids[-1]
        length += self._write(out)
        info.set_extent(startoffset, length)
        self.tindex.add(self.prefix + btext, info.to_bytes())

    def _write(self, parts: list[bytes]) -> int:
        written = b"".join(parts)
        self.postfile.write(written)
        self.offset += len(written)
        return len(written)
