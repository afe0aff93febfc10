"""Read one corpus file into cleaned articles; runs in worker processes.

Nothing a file contains can stop a run: every problem becomes a ``skipped``
reason or a warning on the :class:`FileResult`.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.index.article import Article
from newsdesk.index.config import IngestConfig
from newsdesk.index.entities.stage import ExtractorSpec, Prepared, prepare
from newsdesk.index.errors import IngestError
from newsdesk.index.ingest.clean import Cleaner
from newsdesk.index.ingest.discover import FileEntry, special_file_kind
from newsdesk.index.ingest.formats import (
    BINARY_EXTENSIONS,
    STREAMED_EXTENSIONS,
    ParseOptions,
    format_suffix,
    parse_file,
)
from newsdesk.index.ingest.formats.archive import StreamedArchive
from newsdesk.index.ingest.model import RawArticle
from newsdesk.index.orphans import exit_with_parent

# Below this many files a process pool costs more to start than it saves.
_POOL_THRESHOLD = 64
# One file's warnings shown at most: a .jsonl of 200,000 bad lines printed 200,000 lines.
MAX_WARNINGS_PER_FILE = 20


@dataclass(slots=True)
class FileResult:
    """What reading one file gave."""

    entry: FileEntry
    hash: str = ""
    articles: list[Article] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: str | None = None
    entities: list[Prepared] | None = None
    """Per article, its extracted entities ready to store, when the reader extracted them."""


@dataclass(frozen=True, slots=True)
class ReaderSettings:
    """The parts of the config a worker process needs (picklable)."""

    max_bytes: int
    cleaner: Cleaner
    parse_options: ParseOptions
    entities: ExtractorSpec | None = None
    """Extract entities while reading (cheap backends only: the text is at hand, the workers are warm)."""
    max_archive_bytes: int = 4096 * 1024 * 1024
    """Size limit of streamed archives (.mbox, .warc), which are never read whole into memory."""

    @classmethod
    def from_config(cls, config: IngestConfig, entities: ExtractorSpec | None = None) -> ReaderSettings:
        """Settings for ``config``."""
        cleaner = Cleaner.from_patterns(
            config.boilerplate + config.extra_boilerplate,
            config.title_max_chars,
            config.default_language,
        )
        options = ParseOptions(
            json_fields={k: tuple(v) for k, v in config.json_fields.items()},
            ocr=config.ocr == "auto",
            ocr_languages=tuple(config.ocr_languages),
            ocr_timeout=config.ocr_timeout_seconds,
            max_item_bytes=int(config.max_file_mb * 1024 * 1024),
            max_expanded_bytes=int(config.max_expanded_mb * 1024 * 1024),
            max_expansion_ratio=config.max_expansion_ratio,
        )
        max_bytes = int(config.max_file_mb * 1024 * 1024)
        return cls(max_bytes, cleaner, options, entities, int(config.max_archive_mb * 1024 * 1024))


_PATH_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")


def date_in_path(relpath: str) -> str | None:
    """A date written in the file's path (``2020-10-07-svr.txt``), for formats without metadata."""
    match = _PATH_DATE.search(relpath)
    return "-".join(match.groups()) if match else None


def content_hash(data: bytes) -> str:
    """Hash of a file's bytes, to tell a touched file from a changed one."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_regular_file(path: str, limit: int) -> bytes:
    """At most ``limit`` bytes of ``path``, which must still be a regular file.

    The file may have been swapped for a FIFO, a device or a symlink since the
    folder was scanned: O_NONBLOCK keeps the open from waiting for a FIFO's
    writer, O_NOFOLLOW refuses a planted link, and fstat checks what was
    actually opened before a single byte is read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    try:
        kind = special_file_kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise IngestError(f"{kind}, not a regular file")
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            return handle.read(limit)
    finally:
        if fd >= 0:
            os.close(fd)


def read_entry(entry: FileEntry, settings: ReaderSettings) -> FileResult:
    """Read, parse and clean one file."""
    result = FileResult(entry)
    if format_suffix(entry.abspath) in STREAMED_EXTENSIONS:
        archive = StreamedArchive(entry.abspath, entry.size, settings.max_archive_bytes, settings.parse_options)
        _clean_into(result, archive.parse, entry, settings)
        result.hash = archive.hash
        return result
    if entry.size > settings.max_bytes:
        result.skipped = f"larger than {settings.max_bytes / 1024 / 1024:g} MB"
        return result
    try:
        data = read_regular_file(entry.abspath, settings.max_bytes + 1)
    except OSError as exc:
        result.skipped = f"cannot read: {exc.strerror or exc}"
        return result
    except IngestError as exc:
        result.skipped = str(exc)
        return result
    if len(data) > settings.max_bytes:
        result.skipped = f"larger than {settings.max_bytes / 1024 / 1024:g} MB"
        return result
    result.hash = content_hash(data)
    if not data.strip():
        result.skipped = "empty file"
        return result
    head = data[:8192]
    binary_format = format_suffix(entry.abspath) in BINARY_EXTENSIONS
    if b"\0" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")) and not binary_format:
        result.skipped = "binary file"
        return result
    return _clean_into(result, lambda: parse_file(Path(entry.abspath), data, settings.parse_options), entry, settings)


def _clean_into(
    result: FileResult,
    parse: Callable[[], tuple[list[RawArticle], list[str]]],
    entry: FileEntry,
    settings: ReaderSettings,
) -> FileResult:
    """Run ``parse`` and clean what it found into ``result``."""
    try:
        raws, warnings = parse()
    except IngestError as exc:
        result.skipped = str(exc)
        return result
    except Exception as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else ""
        result.skipped = f"could not be read ({type(exc).__name__}{': ' + reason if reason else ''})"
        return result
    result.warnings.extend(_capped(warnings))
    for item, raw in enumerate(raws):
        if raw.date is None:
            raw.date = date_in_path(entry.relpath)
        article = settings.cleaner.article(raw, entry.relpath, item)
        if article is not None:
            result.articles.append(article)
    if not result.articles:
        result.skipped = "no article text found"
    elif settings.entities is not None:
        extractor = settings.entities.cached_build()
        result.entities = [prepare(extractor.extract_article(a.title, a.text)) for a in result.articles]
    return result


def _capped(warnings: list[str]) -> list[str]:
    """The first MAX_WARNINGS_PER_FILE warnings, and one line counting the rest."""
    if len(warnings) <= MAX_WARNINGS_PER_FILE:
        return warnings
    shown = warnings[: MAX_WARNINGS_PER_FILE - 1]
    return [*shown, f"... and {len(warnings) - len(shown)} more warnings about this file"]


_worker_settings: ReaderSettings | None = None


def _init_worker(settings: ReaderSettings, parent: int) -> None:
    global _worker_settings
    exit_with_parent(parent)
    _worker_settings = settings


def _read_in_worker(entry: FileEntry) -> FileResult:
    assert _worker_settings is not None
    return read_entry(entry, _worker_settings)


def can_spawn() -> bool:
    """Whether "spawn" workers can start: each re-imports the main script, which
    a script read from stdin (``python -``) does not have as a file."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


def read_entries(entries: list[FileEntry], settings: ReaderSettings, workers: int) -> Iterator[FileResult]:
    """Read ``entries`` (in parallel when there are many), yielding results in order."""
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(entries) < _POOL_THRESHOLD or not can_spawn():
        for entry in entries:
            yield read_entry(entry, settings)
        return
    # "spawn", not the POSIX default "fork": the reader app runs updates from a
    # worker thread, and forking a threaded process can deadlock the child.
    context = multiprocessing.get_context("spawn")
    done = 0
    try:
        pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_init_worker, initargs=(settings, os.getpid())
        )
        with pool:
            for result in pool.map(_read_in_worker, entries, chunksize=32):
                done += 1
                yield result
    except (BrokenProcessPool, OSError):
        # A worker died (killed, out of memory, or a host program that spawn
        # cannot re-import, like a script read from stdin), or none could be
        # started (no processes left, a Python this account cannot run):
        # finish in-process. read_entry itself never raises OSError.
        for entry in entries[done:]:
            yield read_entry(entry, settings)
