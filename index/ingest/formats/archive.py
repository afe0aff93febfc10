"""Reading archives (.mbox, .warc, .warc.gz) as streams: bounded, hashed on the way, never whole in memory."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from newsdesk.index.errors import ExpansionLimitError, IngestError
from newsdesk.index.ingest.discover import special_file_kind
from newsdesk.index.ingest.formats import ParseOptions, parse_stream
from newsdesk.index.ingest.model import RawArticle

_CHUNK = 1024 * 1024
# Below this many expanded bytes the ratio bound is not applied: small files compress oddly.
RATIO_FLOOR = 16 * 1024 * 1024


class BoundedHashingReader(io.RawIOBase):
    """Reads at most ``limit`` bytes of ``raw`` (the size the file had when found, so a
    file that grows while read gives a consistent prefix) and hashes what it reads."""

    def __init__(self, raw: io.BufferedIOBase | io.RawIOBase, limit: int) -> None:
        self._raw = raw
        self._left = limit
        self.position = 0
        self.digest = hashlib.blake2b(digest_size=16)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        """Bytes read so far (a buffered reader over this one asks, to report its own position)."""
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if (offset, whence) in ((0, io.SEEK_CUR), (self.position, io.SEEK_SET)):
            return self.position  # io.BufferedReader.tell() asks this way
        raise io.UnsupportedOperation("seek")

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        view = memoryview(buffer)[: min(len(buffer), self._left)]
        count = self._raw.readinto(view) or 0
        self.digest.update(view[:count])
        self._left -= count
        self.position += count
        return count

    def drain(self) -> None:
        """Read (and hash) what is left, so the hash covers the whole file."""
        while self.read(_CHUNK):
            pass


class ExpansionGuard:
    """Counts expanded bytes against compressed ones; raises past the configured bounds."""

    def __init__(self, options: ParseOptions, what: str) -> None:
        self.expanded = 0
        self._options = options
        self._what = what

    def add(self, count: int, compressed: int) -> None:
        """Record ``count`` more expanded bytes, ``compressed`` bytes having been consumed so far."""
        self.expanded += count
        check_expansion(self.expanded, compressed, self._options, self._what)


def check_expansion(expanded: int, compressed: int, options: ParseOptions, what: str) -> None:
    """ExpansionLimitError when ``expanded`` bytes from ``compressed`` pass the size or ratio bound."""
    if expanded > options.max_expanded_bytes:
        raise ExpansionLimitError(
            f"{what} expands past {options.max_expanded_bytes // (1024 * 1024)} MB (ingest.max_expanded_mb): "
            "not read further"
        )
    if expanded > RATIO_FLOOR and expanded > options.max_expansion_ratio * max(compressed, 1):
        raise ExpansionLimitError(
            f"{what} expands more than {options.max_expansion_ratio:g} times (ingest.max_expansion_ratio): "
            "not read further"
        )


class StreamedArchive:
    """One archive file, parsed as a stream; ``hash`` is set once :meth:`parse` has run."""

    def __init__(self, path: str, size: int, max_bytes: int, options: ParseOptions) -> None:
        self.path = path
        self.size = size
        self.max_bytes = max_bytes
        self.options = options
        self.hash = ""

    def parse(self) -> tuple[list[RawArticle], list[str]]:
        """The archive's articles and warnings; IngestError when nothing could be read."""
        if self.size > self.max_bytes:
            raise IngestError(f"larger than {self.max_bytes / 1024 / 1024:g} MB (ingest.max_archive_mb)")
        if self.size == 0:
            raise IngestError("empty file")
        try:
            with _open_regular(self.path) as raw:
                reader = BoundedHashingReader(raw, self.size)
                try:
                    buffered = io.BufferedReader(reader, _CHUNK)
                    return parse_stream(Path(self.path), buffered, self.options)
                finally:
                    reader.drain()
                    self.hash = reader.digest.hexdigest()
        except OSError as exc:
            raise IngestError(f"cannot read: {exc.strerror or exc}") from None


def _open_regular(path: str) -> io.BufferedReader:
    """``path`` opened for reading, if it is still a regular file.

    Found as a file when the folder was scanned, it may be a FIFO or a symlink by now
    (another account can swap it in the minutes a run takes): a plain open() of a FIFO
    waits for a writer for good. As for every other file (``reader.read_regular_file``):
    O_NONBLOCK, O_NOFOLLOW, and fstat before a byte is read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    try:
        kind = special_file_kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise IngestError(f"{kind}, not a regular file")
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    return handle
