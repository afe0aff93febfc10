"""Measure a PDF's compressed streams before PDFium decodes them: the decompression-bomb guard.

Every ``stream ... endstream`` body in the file is found by a byte scan (streams
never live inside object streams) and its Flate layers inflated with a cap, so
the total never passes ``ingest.max_expanded_mb`` or the expansion ratio.
A /Filter given by reference (``/Filter 5 0 R``) is followed to its object; one
the scan cannot see (inside an object stream) is tried as Flate, so moving the
filter out of the dictionary never hides a bomb.
Images are decoded only to render a page for OCR; for them the declared pixel
count is bounded instead.
"""

from __future__ import annotations

import re
import zlib

from newsdesk.index.errors import ExpansionLimitError
from newsdesk.index.ingest.formats import ParseOptions
from newsdesk.index.ingest.formats.archive import check_expansion

MAX_IMAGE_PIXELS = 400_000_000
_STREAM = re.compile(rb"stream\r?\n")
_ENDSTREAM = re.compile(rb"\r?\n?endstream")
_DICT_HEAD = re.compile(rb"obj\b")
_FILTERS = re.compile(rb"/Filter\s*(\[[^\]]{0,512}\]|/[A-Za-z0-9]+|\d{1,10}\s+\d{1,10}\s+R)")
_REFERENCE = re.compile(rb"\d{1,10}\s+\d{1,10}\s+R")
_FILTER_ITEM = re.compile(rb"/([A-Za-z0-9]+)|(?<![0-9])(\d{1,10})\s+(\d{1,10})\s+R")
_SMALL_OBJECT = re.compile(rb"(?<![0-9])(\d{1,10})\s+(\d{1,10})\s+obj\s*(\[[^\]]{0,512}\]|/[A-Za-z0-9]+)")
# Every number is at most 10-15 digits and every array at most 512 bytes: a filter array is a
# few names, and unbounded patterns let one hostile file cost minutes (an unclosed "[" after
# each of 30,000 objects was scanned to the end of the file from each) or a Python error
# (int() of a 5,000-digit object number).
MAX_FILTERS = 8
"""Filter names followed for one stream: real PDFs chain two or three; arrays of references
to arrays of references would otherwise multiply (3,000 x 3,000 names from 36 KB)."""
_UNKNOWN = [b"FlateDecode"]
"""What an indirect filter that cannot be found stands for: tried as Flate (a body that
is not zlib data counts at its own size), so hiding the filter never hides a bomb."""
_NUMBER_KEY = rb"/%s\s+(\d{1,15})"
_CHUNK = 256 * 1024


def scan_streams(data: bytes, options: ParseOptions) -> None:
    """Raise ExpansionLimitError when the PDF's streams expand past the configured bounds."""
    expanded = 0
    position = 0
    objects: dict[tuple[int, int], bytes] | None = None  # built on the first indirect /Filter
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
        if b"/Image" in head:
            _check_image(head)
        else:
            filters = _FILTERS.search(head)
            value = filters.group(1) if filters else b""
            if objects is None and _REFERENCE.search(value):
                objects = _small_objects(data)
            names = _filter_names(value, objects or {})
            expanded += _inflated_size(data[start:end], names, options.max_expanded_bytes - expanded + 1)
            check_expansion(expanded, len(data), options, "PDF streams")
        if last:
            return


def _small_objects(data: bytes) -> dict[tuple[int, int], bytes]:
    """Every ``N G obj`` whose value is a name or an array: where an indirect /Filter points.

    One pass over the file; a later definition (an incremental update) wins.
    """
    return {(int(m.group(1)), int(m.group(2))): m.group(3) for m in _SMALL_OBJECT.finditer(data)}


def _filter_names(value: bytes, objects: dict[tuple[int, int], bytes], depth: int = 0) -> list[bytes]:
    """The filter names of a /Filter value, with ``N G R`` references (to a name or an array) followed."""
    names: list[bytes] = []
    for item in _FILTER_ITEM.finditer(value):
        if len(names) >= MAX_FILTERS:
            break
        if item.group(1):
            names.append(item.group(1))
            continue
        target = objects.get((int(item.group(2)), int(item.group(3))))
        if target is None or depth >= 2:  # in an object stream, missing, or a chain of references
            names += _UNKNOWN
        else:
            names += _filter_names(target, objects, depth + 1) or _UNKNOWN
    return names[:MAX_FILTERS]


def _dictionary_before(data: bytes, earliest: int, stream_at: int) -> bytes:
    window = data[max(earliest, stream_at - 4096) : stream_at]
    heads = list(_DICT_HEAD.finditer(window))
    return window[heads[-1].end() :] if heads else window


def _check_image(head: bytes) -> None:
    width = re.search(_NUMBER_KEY % b"Width", head)
    height = re.search(_NUMBER_KEY % b"Height", head)
    if width and height and int(width.group(1)) * int(height.group(1)) > MAX_IMAGE_PIXELS:
        raise ExpansionLimitError(
            f"PDF image of {int(width.group(1))}x{int(height.group(1))} pixels: too large to decode"
        )


def _inflated_size(body: bytes, filters: list[bytes], cap: int) -> int:
    """Bytes the stream expands to through its leading Flate layers (at most ``cap``); others count as is."""
    size = len(body)
    layer = body
    flate_layers = 0
    for name in filters:
        if name not in (b"FlateDecode", b"Fl"):
            break
        flate_layers += 1
    for layer_number in range(flate_layers):
        inflated, size = _inflate(layer, cap, keep=layer_number + 1 < flate_layers)
        if inflated is None:
            break  # the last layer, damaged, encrypted or past the cap: PDFium decides, at its own size
        layer = inflated
    return size


def _inflate(body: bytes, cap: int, keep: bool) -> tuple[bytes | None, int]:
    """The inflated bytes (when ``keep``: another layer follows) and their size, stopping past ``cap``."""
    decompressor = zlib.decompressobj()
    parts: list[bytes] = []
    size = 0
    try:
        data = body
        while data and size <= cap:
            out = decompressor.decompress(data, _CHUNK)
            size += len(out)
            if keep:
                parts.append(out)
            data = decompressor.unconsumed_tail
    except zlib.error:
        return None, len(body)
    if size > cap or not keep:
        return None, size
    return b"".join(parts), size
