"""Measure a PDF's compressed streams before PDFium decodes them: the decompression-bomb guard.

Every ``stream ... endstream`` body in the file is found by a byte scan (streams
never live inside object streams) and inflated, layer after layer, for as long as
it is zlib data, with a cap, so the total never passes ``ingest.max_expanded_mb``
or the expansion ratio. The stream's own /Filter is not trusted: the red team hid
Flate from every reading of it (an array padded past a bound, a ninth layer, a
zero-padded reference, a ``#65`` name escape, the word ``obj`` inside the
dictionary), and PDFium decoded each bomb in full. What the bytes are decides.
An image is bounded by its declared size instead (a scanned page compresses far
past the ratio); its layers may not expand past what its pixels can need.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterator

from newsdesk.index.errors import ExpansionLimitError
from newsdesk.index.ingest.formats import ParseOptions
from newsdesk.index.ingest.formats.archive import check_expansion

MAX_IMAGE_PIXELS = 400_000_000
_STREAM = re.compile(rb"stream\r?\n")
_ENDSTREAM = re.compile(rb"\r?\n?endstream")
_DICT_HEAD = re.compile(rb"obj\b")
MAX_LAYERS = 16
"""Flate layers inflated in one stream; deeper nesting is refused (real PDFs use one)."""
_ZLIB_HEADER = re.compile(rb"[\x08\x18\x28\x38\x48\x58\x68\x78][\x01\x5e\x9c\xda]", re.DOTALL)
_NUMBER_KEY = rb"/%s\s+(\d{1,15})"
_CHUNK = 256 * 1024


def scan_streams(data: bytes, options: ParseOptions) -> None:
    """Raise ExpansionLimitError when the PDF's streams expand past the configured bounds."""
    expanded = 0
    position = 0
    while True:
        match = _STREAM.search(data, position)
        if match is None:
            return
        start = match.end()
        # The stream's dictionary lies between the previous stream's end and this keyword.
        head = _dictionary_before(data, position, match.start())
        length = re.search(_NUMBER_KEY % b"Length" + rb"(?!\s+\d+\s+R)", head)
        last = False
        if length and start + int(length.group(1)) <= len(data):
            end = position = start + int(length.group(1))
        else:
            end_match = _ENDSTREAM.search(data, start)
            # No endstream anywhere after: this stream runs to the end, and nothing follows it.
            end, position, last = (end_match.start(), end_match.end(), False) if end_match else (len(data), 0, True)
        body = data[start:end]
        pixels = _declared_pixels(head)
        if pixels is not None:
            # Samples of up to 4 components of 16 bits, plus room for PNG predictor bytes.
            allowed = pixels * 8 + 1024 * 1024
            if _inflated_size(body, allowed + 1) > allowed:
                raise ExpansionLimitError("PDF image expands past what its declared size needs: not read")
        else:
            expanded += _inflated_size(body, options.max_expanded_bytes - expanded + 1)
            check_expansion(expanded, len(data), options, "PDF streams")
        if last:
            return


def _dictionary_before(data: bytes, earliest: int, stream_at: int) -> bytes:
    window = data[max(earliest, stream_at - 4096) : stream_at]
    heads = list(_DICT_HEAD.finditer(window))
    return window[heads[-1].end() :] if heads else window


def _declared_pixels(head: bytes) -> int | None:
    """Width x height of an image stream (None for any other stream); refused past MAX_IMAGE_PIXELS."""
    if b"/Image" not in head:
        return None
    width = re.search(_NUMBER_KEY % b"Width", head)
    height = re.search(_NUMBER_KEY % b"Height", head)
    if not (width and height):
        return None  # no declared size: bounded like any other stream
    pixels = int(width.group(1)) * int(height.group(1))
    if pixels > MAX_IMAGE_PIXELS:
        raise ExpansionLimitError(
            f"PDF image of {int(width.group(1))}x{int(height.group(1))} pixels: too large to decode"
        )
    return pixels


def _inflated_size(body: bytes, cap: int) -> int:
    """Bytes the stream expands to, inflated for as long as each layer is zlib data (more than ``cap``: stops).

    The layers stream into one another a chunk at a time, so no layer is held whole. A layer
    that is not zlib data (another filter, or plain content) counts at its own size.
    """
    chunks: Iterator[bytes] = iter((body,))
    try:
        for _ in range(MAX_LAYERS + 1):
            first, chunks = _peek(chunks)
            if not _ZLIB_HEADER.match(first):
                return sum(map(len, chunks))
            chunks = _inflating(chunks, cap)
    except _PastCap:
        return cap + 1  # any layer past the cap (an outer one too: PDFium holds each in turn)
    raise ExpansionLimitError(f"a PDF stream compressed more than {MAX_LAYERS} times over: not read")


class _PastCap(Exception):
    """One layer of a stream inflated past the cap."""


def _peek(chunks: Iterator[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """The first two bytes of the stream of ``chunks``, and the stream, whole again."""
    head: list[bytes] = []
    for chunk in chunks:
        head.append(chunk)
        if sum(map(len, head)) >= 2:
            break
    start = b"".join(head)
    return start[:2], itertools.chain((start,), chunks)


def _inflating(chunks: Iterator[bytes], cap: int) -> Iterator[bytes]:
    """The inflated chunks of a zlib stream; ends at damage, raises _PastCap past ``cap`` bytes."""
    decompressor = zlib.decompressobj()
    size = 0
    for chunk in chunks:
        data = chunk
        while data:
            try:
                out = decompressor.decompress(data, _CHUNK)
            except zlib.error:
                return  # damaged or encrypted: PDFium decides; what came out so far counts
            size += len(out)
            if size > cap:
                raise _PastCap
            yield out
            data = decompressor.unconsumed_tail
