"""Find the article files of a corpus without ever leaving it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

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


def corpus_root(corpus: Path) -> Path:
    """The folder relative paths are computed from (the file's folder for a single file)."""
    resolved = corpus.resolve()
    return resolved.parent if resolved.is_file() else resolved


def discover(corpus: Path, extensions: Iterable[str], skip: Iterable[Path] = ()) -> Discovery:
    """Every file under ``corpus`` with one of ``extensions``, in a stable order.

    Hidden folders (``.git``, ``.newsdesk``) and the ``skip`` folders are not
    entered. Symlinks are followed only while they stay inside the corpus, and
    each real folder is walked once, so link loops end.
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
        real_dir, rel_dir = stack.pop()
        if real_dir in seen_dirs or real_dir in skip_real:
            continue
        seen_dirs.add(real_dir)
        try:
            entries = sorted(os.scandir(real_dir), key=lambda e: e.name, reverse=True)
        except OSError as exc:
            result.warnings.append(f"{rel_dir or '.'}: cannot list folder: {exc.strerror or exc}")
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if entry.name.startswith(".") or entry.name == STATE_DIR_NAME:
                continue
            try:
                is_link = entry.is_symlink()
                target = os.path.realpath(entry.path) if is_link else entry.path
                if is_link and not _inside(target, str(root)):
                    result.warnings.append(f"{rel}: symlink leaves the corpus, not followed")
                    continue
                if os.path.isdir(target):
                    stack.append((target, rel))
                elif entry.name.lower().endswith(wanted):  # endswith: ".warc.gz" is one extension
                    _add_file(result, root, Path(target), rel)
            except OSError as exc:
                result.warnings.append(f"{rel}: cannot read: {exc.strerror or exc}")
    return result


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _add_file(result: Discovery, root: Path, path: Path, rel: str) -> None:
    try:
        stat = path.stat()
    except OSError as exc:
        result.warnings.append(f"{rel}: cannot read: {exc.strerror or exc}")
        return
    result.files.append(FileEntry(rel.replace(os.sep, "/"), str(path), stat.st_size, stat.st_mtime_ns))
