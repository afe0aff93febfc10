"""Find the article files of a corpus without ever leaving it."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.index.display import display_path
from newsdesk.index.locations import STATE_DIR_NAME


@dataclass(frozen=True, slots=True)
class FileEntry:
    """A candidate article file: where it is and how it looked when found."""

    relpath: str
    """Path relative to the corpus root, with forward slashes."""
    abspath: str
    size: int
    mtime_ns: int


@dataclass(slots=True)
class Discovery:
    """The files found, and one-line warnings about what was passed over."""

    files: list[FileEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cancelled: bool = False
    """True when ``cancelled()`` stopped the walk part way (the lists are then incomplete)."""


def corpus_root(corpus: Path) -> Path:
    """The folder relative paths are computed from (the file's folder for a single file)."""
    resolved = corpus.resolve()
    return resolved.parent if resolved.is_file() else resolved


def discover(
    corpus: Path, extensions: Iterable[str], skip: Iterable[Path] = (), cancelled: Callable[[], bool] | None = None
) -> Discovery:
    """Every file under ``corpus`` with one of ``extensions``, in a stable order.

    Hidden folders (``.git``, ``.newsdesk``) and the ``skip`` folders are not
    entered. Symlinks are followed only while they stay inside the corpus, and
    each real folder is walked once, so link loops end. ``cancelled`` is asked
    before each folder; when it says True the walk stops (``Discovery.cancelled``).
    This is the one walk over a corpus: indexing and the reader's polling
    (:func:`newsdesk.index.fingerprint.corpus_fingerprint`) both use it.
    """
    result = Discovery()
    wanted = tuple({e.lower() for e in extensions if e.startswith(".")})
    root = corpus_root(corpus)
    if corpus.resolve().is_file():
        _add_file(result, root, corpus.resolve(), corpus.name)
        return result
    skip_real = {os.path.realpath(p) for p in skip}
    seen_dirs: set[str] = set()
    stack = [(str(root), "")]
    while stack:
        if cancelled is not None and cancelled():
            result.cancelled = True
            break
        real_dir, rel_dir = stack.pop()
        if real_dir in seen_dirs or real_dir in skip_real:
            continue
        seen_dirs.add(real_dir)
        try:
            entries = sorted(os.scandir(real_dir), key=lambda e: e.name, reverse=True)
        except OSError as exc:
            result.warnings.append(f"{display_path(rel_dir or '.')}: cannot list folder: {exc.strerror or exc}")
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if entry.name.startswith(".") or entry.name == STATE_DIR_NAME:
                continue
            try:
                is_link = entry.is_symlink()
                target = os.path.realpath(entry.path) if is_link else entry.path
                if is_link and not _inside(target, str(root)):
                    result.warnings.append(f"{display_path(rel)}: symlink leaves the corpus, not followed")
                    continue
                # entry.is_dir() is free (the folder listing says); a link's target needs a stat.
                if os.path.isdir(target) if is_link else entry.is_dir():
                    stack.append((target, rel))
                elif entry.name.lower().endswith(wanted):  # endswith: ".warc.gz" is one extension
                    _add_file(result, root, target, rel)
            except OSError as exc:
                result.warnings.append(f"{display_path(rel)}: cannot read: {exc.strerror or exc}")
    return result


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def special_file_kind(mode: int) -> str | None:
    """What a non-regular file is ("a FIFO (named pipe)", "a socket", ...), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _add_file(result: Discovery, root: Path, path: Path | str, rel: str) -> None:
    # stat never blocks, whatever the file is; opening a FIFO would wait for a writer forever.
    try:
        found = os.stat(path)
    except OSError as exc:
        result.warnings.append(f"{display_path(rel)}: cannot read: {exc.strerror or exc}")
        return
    kind = special_file_kind(found.st_mode)
    if kind is not None:
        result.warnings.append(f"{display_path(rel)}: {kind}, not a regular file: skipped")
        return
    result.files.append(FileEntry(rel.replace(os.sep, "/"), str(path), found.st_size, found.st_mtime_ns))
