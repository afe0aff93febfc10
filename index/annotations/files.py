"""Annotation files: ``<state>/annotations/<article-id>/<user>.yaml``, one per user per article.

Why this layout: a user only ever writes their own files, so two analysts can
never overwrite each other, and everyone can read everyone's (the folder is
group-readable under a shared umask). A file stays small (one article), a diff
stays readable, and a broken file costs one article of one user, not all.

Every write is: take ``<user>.yaml.lock`` (never deleted, so two sessions can
never hold locks on two different inodes), re-read the file, merge by id,
write a temp file in the same folder with the final permissions, fsync,
``os.replace``, fsync the folder. A killed process leaves the old file or the
new one, plus at worst a temp file, which the next start removes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from filelock import FileLock, Timeout
from newsdesk.index.annotations.model import Annotation, AnnotationError
from newsdesk.index.atomic import write_atomic
from newsdesk.index.safeyaml import YamlError, load_yaml

_SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_ARTICLE_ID = re.compile(r"^[0-9a-f]{16}$")
MAX_FILE_BYTES = 16 * 1024 * 1024
"""About 30,000 annotations; anything larger is refused unread (a YAML bomb is usually large)."""
MAX_DEPTH = 32
LOCK_TIMEOUT = 30.0
HEADER = (
    "# newsdesk annotations of article {article} by {user}.\n"
    "# Plain YAML: safe to read, diff and edit by hand; keep each id unique.\n"
)


class AnnotationFileError(AnnotationError):
    """An annotation file cannot be read or written; ``str()`` names the file (and line)."""

    exit_code = 1


class _Dumper(yaml.CSafeDumper if hasattr(yaml, "CSafeDumper") else yaml.SafeDumper):  # type: ignore[misc]
    """Safe dumping, with multi-line notes as literal blocks."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_item(annotation: Annotation) -> str:
    """One annotation as a YAML sequence item; a file is the header plus these, concatenated."""
    return yaml.dump(
        [annotation.to_dict()], Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
    )


def _load(path: Path, text: str, first_line: int = 0) -> object:
    """Safe-load YAML text (a whole file or one item of it); errors name file and line."""
    try:
        return load_yaml(text, max_bytes=MAX_FILE_BYTES, max_depth=MAX_DEPTH, fast=True)
    except YamlError as exc:
        line = f":{first_line + exc.line}" if exc.line else ""
        raise AnnotationFileError(f"{path}{line}: {exc.reason}") from None


def _annotation(path: Path, item: object, number: int) -> Annotation:
    try:
        return Annotation.from_dict(item)
    except AnnotationError as exc:
        raise AnnotationFileError(f"{path}: item {number}: {exc}") from None


_ITEM_START = re.compile(r"(?m)^(?=- )")
_STRAY_TOP_LEVEL = re.compile(r"(?m)^(?![ \t]|- |$)")


def _items(text: str) -> list[tuple[int, str]] | None:
    """(first line, text) of each item when the file has the layout newsdesk writes, else None.

    That layout is comment lines, ``annotations:``, then items that each start
    with ``- `` at column 0 and have every other line indented. Anything else
    (a hand-edited file, say) is parsed as a whole instead.
    """
    head, found, body = text.partition("\nannotations:\n")
    if not found or any(line and not line.startswith("#") for line in head.splitlines()):
        return None
    pieces = _ITEM_START.split(body)
    if pieces[0] or any(_STRAY_TOP_LEVEL.search(piece, 1) for piece in pieces[1:]):
        return None
    line = head.count("\n") + 2
    items = []
    for piece in pieces[1:]:
        items.append((line, piece))
        line += piece.count("\n")
    return items


def parse_file(
    path: Path, text: str, known: dict[str, Annotation] | None = None
) -> tuple[list[Annotation], dict[str, str]]:
    """The annotations in one file's text, and each one's YAML item text by id (for rewriting).

    ``known`` maps item texts parsed before to their annotations: when another
    session appended one item to a file of a thousand, only that item is parsed.
    ``AnnotationFileError`` names the file and the line of the first problem.
    """
    if len(text) > MAX_FILE_BYTES:
        raise AnnotationFileError(f"{path}: larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    items = _items(text)
    annotations: list[Annotation] = []
    texts: dict[str, str] = {}
    if items is None:
        data = _load(path, text)
        if data is None:
            return [], {}
        if not isinstance(data, dict) or not isinstance(data.get("annotations", []), list):
            raise AnnotationFileError(f"{path}: expected 'annotations:' followed by a list")
        annotations = [_annotation(path, item, n) for n, item in enumerate(data.get("annotations") or [], 1)]
    else:
        for number, (line, item_text) in enumerate(items, 1):
            annotation = (known or {}).get(item_text)
            if annotation is None:
                data = _load(path, item_text, line - 1)
                if not isinstance(data, list) or len(data) != 1:
                    raise AnnotationFileError(f"{path}:{line}: item {number}: expected one annotation")
                annotation = _annotation(path, data[0], number)
            annotations.append(annotation)
            texts[annotation.id] = item_text
    seen: set[str] = set()
    for number, annotation in enumerate(annotations, 1):
        if annotation.id in seen:
            raise AnnotationFileError(f"{path}: item {number}: id {annotation.id} appears twice")
        seen.add(annotation.id)
    return annotations, texts


@dataclass(slots=True)
class _Cached:
    stamp: tuple[int, int, int]
    annotations: list[Annotation]
    items: dict[str, str]


class AnnotationFiles:
    """Reads every user's files and writes the current user's, under the state dir."""

    def __init__(self, root: Path, user: str) -> None:
        if not _SAFE_NAME.match(user):
            raise AnnotationError(f"user name {user!r} cannot be used in a file name")
        self.root = root
        self.user = user
        self._cache: dict[Path, _Cached] = {}

    # -- paths ------------------------------------------------------------------
    def folder(self, article_id: str) -> Path:
        if not _ARTICLE_ID.match(article_id):
            raise AnnotationError(f"article id {article_id!r} is not valid")
        return self.root / article_id

    def own_file(self, article_id: str) -> Path:
        return self.folder(article_id) / f"{self.user}.yaml"

    def files(self, article_id: str | None = None) -> Iterator[Path]:
        """Every annotation file (of one article), any user."""
        folders = [self.folder(article_id)] if article_id else sorted(self.root.glob("*"))
        for folder in folders:
            if folder.is_dir() and _ARTICLE_ID.match(folder.name):
                yield from sorted(folder.glob("*.yaml"))

    # -- reading ----------------------------------------------------------------
    def read(self, path: Path) -> list[Annotation]:
        """One file's annotations (cached while the file is unchanged); [] when it does not exist."""
        return self._read(path).annotations

    def _read(self, path: Path) -> _Cached:
        try:
            info = path.stat()
        except FileNotFoundError:
            return _Cached((0, 0, 0), [], {})
        except OSError as exc:
            raise AnnotationFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
        stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        cached = self._cache.get(path)
        if cached is not None and cached.stamp == stamp:
            return cached
        if info.st_size > MAX_FILE_BYTES:
            raise AnnotationFileError(f"{path}: larger than {MAX_FILE_BYTES // 1024 // 1024} MB; not read")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AnnotationFileError(f"{path}: cannot read: {exc}") from None
        known = {cached.items[a.id]: a for a in cached.annotations if a.id in cached.items} if cached else None
        annotations, items = parse_file(path, text, known)
        cached = _Cached(stamp, annotations, items)
        self._cache[path] = cached
        return cached

    # -- writing (own files only) -----------------------------------------------
    def _lock(self, path: Path) -> FileLock:
        # preserve_lock_file: never fall back to a lock that deletes its file (two sessions
        # could then hold "the" lock on two different inodes).
        return FileLock(str(path.with_name(path.name + ".lock")), timeout=LOCK_TIMEOUT, preserve_lock_file=True)

    def update(self, article_id: str, upserts: Iterable[Annotation] = (), deletes: Iterable[str] = ()) -> None:
        """Merge ``upserts`` into the user's file by id and drop ``deletes``, atomically, under the lock."""
        path = self.own_file(article_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock(path):
                current = self._read(path)  # a broken file raises here and is left untouched
                merged = {a.id: a for a in current.annotations}
                items = dict(current.items)
                for annotation in upserts:
                    if annotation.article_id != article_id:
                        raise AnnotationError(f"annotation {annotation.id} belongs to another article")
                    merged[annotation.id] = annotation
                    items.pop(annotation.id, None)
                for ident in deletes:
                    merged.pop(ident, None)
                self._write(path, article_id, merged, items)
        except Timeout:
            raise AnnotationFileError(f"{path}: locked by another newsdesk process for {LOCK_TIMEOUT:g} s") from None
        except OSError as exc:
            # Disk full, an I/O error, a failed fsync, a read-only folder: the old file is
            # untouched (the temp file is gone), so the caller keeps the annotation to retry.
            raise AnnotationFileError(f"{path}: not saved: {exc.strerror or exc}") from None

    def _write(self, path: Path, article_id: str, merged: dict[str, Annotation], items: dict[str, str]) -> None:
        parts = [HEADER.format(article=article_id, user=self.user), "annotations:\n"]
        for ident, annotation in merged.items():
            item = items.get(ident)
            if item is None:
                item = items[ident] = dump_item(annotation)
            parts.append(item)
        if not merged:
            parts[-1] = "annotations: []\n"
        write_atomic(path, "".join(parts))
        info = path.stat()
        kept = {ident: items[ident] for ident in merged}
        self._cache[path] = _Cached((info.st_ino, info.st_mtime_ns, info.st_size), list(merged.values()), kept)

    def remove_stale_temp_files(self) -> int:
        """Delete temp files a killed save left behind (own files only, each under its file's lock)."""
        removed = 0
        for temp in self.root.glob(f"*/.{self.user}.yaml.*.tmp"):
            target = temp.parent / f"{self.user}.yaml"
            try:
                with self._lock(target).acquire(timeout=0):
                    temp.unlink(missing_ok=True)
                    removed += 1
            except Timeout:
                continue  # a save is running right now; its temp file is not stale
            except OSError:
                continue
        return removed


def iter_all(files: AnnotationFiles, article_id: str | None = None) -> Iterator[tuple[Path, list[Annotation]]]:
    """(file, annotations) for every readable file; broken files raise, so callers decide."""
    for path in files.files(article_id):
        yield path, files.read(path)

