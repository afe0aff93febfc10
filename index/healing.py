"""State that heals itself: a cheap check of the index folder, setting damaged state aside, disk full.

The Whoosh index is a cache of the article store, and the store a cache of
the corpus: whatever of them is damaged can be rebuilt. At every commit the
index folder's manifest (each file's size, and a hash of the small table of
contents) is recorded in the store; opening the index compares the folder
with it, which costs a few ``stat`` calls. A damaged folder or store is
renamed aside (kept for a post-mortem, one of each at most) and rebuilt, with
one warning line.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import pickle
import re
import shutil
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

from newsdesk.index.display import display_path
from newsdesk.index.errors import DiskFullError
from whoosh.filedb.filetables import FileFormatError
from whoosh.index import IndexError as WhooshIndexError
from whoosh.reading import CorruptIndexError

WRITE_LOCK = "MAIN_WRITELOCK"
DAMAGED_PREFIX = "damaged-"

READ_ERRORS: tuple[type[BaseException], ...] = (
    EOFError,
    OSError,
    ValueError,
    IndexError,
    OverflowError,  # a garbled pickle FRAME length in a segment's compound-file directory
    KeyError,
    LookupError,  # a garbled codec name in a protocol-2 posting block (_codecs.encode(value, "latin1"))
    ImportError,  # a garbled module name there: pickle imports what a GLOBAL names (ModuleNotFoundError)
    TypeError,
    AttributeError,
    struct.error,
    pickle.UnpicklingError,
    zlib.error,
    FileFormatError,
    WhooshIndexError,
    CorruptIndexError,  # a postings block with a bad tag: garbage written inside a segment, same size
)
"""What reading a garbled or truncated Whoosh file raises (Whoosh has no error class of its own for it)."""


_DECODING_MODULES = tuple(
    f"{os.sep}engine{os.sep}{name}" for name in ("blockreads.py", "columns.py", "schema.py", "freqfile.py")
)
"""The engine's own raw readers of index files, matched by path (tests/test_healing.py)."""
_DECODING_FUNCTIONS = frozenset({"_positions", "_segment_lengths"})


def from_index_files(exc: BaseException) -> bool:
    """True when ``exc`` was raised while decoding index files (Whoosh, or newsdesk's raw readers).

    Only then is it damage: the same exception types raised by newsdesk's own
    logic are bugs, and must not send a healthy index to be rebuilt.
    """
    frame = None
    trace = exc.__traceback__
    while trace is not None:
        frame, trace = trace.tb_frame, trace.tb_next
    if frame is None:
        return False
    filename = frame.f_code.co_filename
    return (
        f"{os.sep}whoosh{os.sep}" in filename
        or filename.endswith(_DECODING_MODULES)
        or frame.f_code.co_name in _DECODING_FUNCTIONS
    )


def index_manifest(folder: Path) -> str:
    """The manifest of an index folder as JSON: file -> size, and each TOC's hash."""
    files: dict[str, int] = {}
    tocs: dict[str, str] = {}
    for entry in os.scandir(folder):
        if entry.name == WRITE_LOCK or not entry.is_file(follow_symlinks=False):
            continue
        files[entry.name] = entry.stat().st_size
        if entry.name.endswith(".toc"):
            tocs[entry.name] = hashlib.blake2b(Path(entry.path).read_bytes(), digest_size=16).hexdigest()
    return json.dumps({"files": files, "tocs": tocs}, sort_keys=True)


def index_matches(folder: Path, manifest: str) -> bool:
    """True when every file the manifest names is there with its size, and every TOC unchanged."""
    try:
        expected = json.loads(manifest)
        if _generation(os.listdir(folder)) > _generation(expected["tocs"]):
            # A writer has committed a newer generation and not yet recorded its
            # manifest: the folder is changing, not damaged (Whoosh reads the new TOC).
            return True
        for name, size in expected["files"].items():
            if (folder / name).stat().st_size != size:
                return False
        for name, digest in expected["tocs"].items():
            if hashlib.blake2b((folder / name).read_bytes(), digest_size=16).hexdigest() != digest:
                return False
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return True


_TOC = re.compile(r"_MAIN_(\d+)\.toc$")


def _generation(names: Iterable[str]) -> int:
    """The newest index generation among file names (-1 if none)."""
    return max((int(found.group(1)) for found in map(_TOC.match, names) if found), default=-1)


def set_aside(path: Path) -> Path | None:
    """Rename damaged state out of the way (replacing an earlier one of the same name); None if it cannot be."""
    aside = path.with_name(f"{DAMAGED_PREFIX}{path.name}")
    try:
        if aside.is_dir() and not aside.is_symlink():
            shutil.rmtree(aside, ignore_errors=True)
        os.replace(path, aside)
    except OSError:
        return None
    return aside


def prepare_write_lock(folder: Path) -> None:
    """Create Whoosh's write lock file without execute bits (Whoosh would create it mode 0o777)."""
    lock = folder / WRITE_LOCK
    try:
        os.close(os.open(lock, os.O_WRONLY | os.O_CREAT, 0o666))
        mode = lock.stat().st_mode
        if mode & 0o111:
            os.chmod(lock, mode & ~0o111 & 0o7777)
    except OSError:
        pass  # a read-only folder: no writer will be made there anyway


def is_disk_full(exc: BaseException, folder: Path) -> bool:
    """True when ``exc`` (or what caused it) is ENOSPC/EDQUOT, or the folder's disk has no room left.

    Whoosh often hides the real error: a failed write closes the writer, and
    the caller sees ``IndexingError: This writer is closed``.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        current = current.__cause__ or current.__context__
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < 1024 * 1024


def disk_full(folder: Path) -> DiskFullError:
    """The one-line error for a full disk under ``folder``."""
    return DiskFullError(f"no space left on device: {display_path(str(folder))}")
