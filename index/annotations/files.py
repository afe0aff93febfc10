"""Annotation files: ``<state>/annotations/<article-id>/<user>.yaml``, one per user per article.

Why this layout: a user only ever writes their own files, so two analysts can
never overwrite each other, and everyone can read everyone's. A file stays
small (one article), a diff stays readable, and a broken file costs one
article of one user, not all.

Trust comes from the file system, not from file content:

* a file's author is the account that owns it (its uid), whatever its
  ``author:`` lines say; a different claim is kept and flagged;
* article folders are setgid + sticky: another account can add its own file
  but cannot replace or delete yours, except the folder's owner (the account
  that first annotated that article: the kernel lets a sticky folder's owner
  remove or replace any file in it) and root. Whole folders can be renamed out
  of view, files intact: an article folder by its owner or by the owner of
  ``annotations/`` (the corpus' first annotator), and ``annotations/`` by any
  group member when the state folder is group-writable. Closing that needs a
  layout where no one else owns a folder above your file (see
  docs/reliability.md). Every file is written mode 0644 with an explicit
  ``fchmod`` (the process umask is never changed);
* a symlinked folder or file is refused (``O_NOFOLLOW``; every step of a save
  works relative to one opened folder descriptor, so a folder swapped for a
  link mid-save cannot redirect it).

Every write is: lock ``<user>.yaml.lock`` (``flock``, never deleted), re-read
the file, apply the change to the parsed model, serialise the WHOLE file from
that model, write a temp file, fsync, rename, fsync the folder. Text is never
appended, so a file is valid YAML by construction.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from newsdesk.index.annotations.model import Annotation, AnnotationError, check_unchanged
from newsdesk.index.annotations.yaml_shape import (
    MAX_FILE_BYTES,
    AnnotationFileError,
    item_run,
    items_of,
    parse_file,
    parse_items,
    serialise,
)
from newsdesk.index.ownership import is_own_file

_SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_ARTICLE_ID = re.compile(r"^[0-9a-f]{16}$")
_ACCOUNT_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
"""A file name's stem that can be an account's (``fullmatch``): POSIX portable characters, not
``.`` or ``-`` first. Only such a name is an author by its file name (:func:`file_owner`)."""
LOCK_TIMEOUT = 30.0
FILE_MODE = 0o644
"""Every annotation file: writable by its owner only, readable by the group sharing the corpus."""
FOLDER_BITS = stat.S_ISGID | stat.S_ISVTX
"""Article folders: setgid (files keep the corpus group) + sticky (only a file's owner, the folder's
owner and root may remove or replace it: the folder's owner is the article's first annotator)."""
_NOFOLLOW_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)

OwnerOf = Callable[[Path, os.stat_result], str]
"""Who wrote a file, given its path and ``lstat``: the owner's account name by default."""


def owner_account(path: Path, info: os.stat_result) -> str:
    """The account name of the file's owner (uid); ``uid N`` when the uid has no account."""
    try:
        import pwd

        return pwd.getpwuid(info.st_uid).pw_name
    except (ImportError, KeyError):
        return f"uid {info.st_uid}"


def file_owner(path: Path, info: os.stat_result) -> str:
    """Who wrote an annotation file: its owner's account (:func:`owner_account`), except a file owned
    by the uid this process's own new files get where that is not its own uid (an NFS ``all_squash``
    export; ``root_squash`` for root: :mod:`newsdesk.index.ownership`). There the uid tells no account
    from another, every one of them can write the file, and the file's name is who wrote it: by the
    owner, the user's own file was "nobody"'s, and their second annotation on an article was refused.

    A name no account can have (an escape sequence, markup, a bidi override, ``.``, ``-``, a
    newline, a hidden ``.alice``) is no author: such a file is its owner's ("nobody"), as before.
    Any account on the mount can name a file: taken as it was, an OSC sequence in a file name was
    printed raw by ``annotations list`` and "alice\n" was listed as alice."""
    if info.st_uid != os.geteuid() and _ACCOUNT_NAME.fullmatch(path.stem) and is_own_file(path, info):
        return path.stem
    return owner_account(path, info)


def owner_by_file_name(path: Path, info: os.stat_result) -> str:
    """Simulated accounts (tests, benchmarks): the author is the file's name. Never use in the app."""
    return path.stem


@dataclass(frozen=True, slots=True)
class OwnedFile:
    """One annotation file as read: who owns it and what it holds (authors set from the owner)."""

    path: Path
    owner: str
    annotations: list[Annotation]


@dataclass(slots=True)
class _Cached:
    stamp: tuple[int, int, int, int]
    owned: OwnedFile
    parsed: dict[str, Annotation]
    """Item text -> annotation as in the file (before attribution), to parse only new items."""
    dumped: dict[str, tuple[Annotation, str]]
    """Id -> (annotation object, its item text), to dump only new or changed annotations."""
    text: str = ""
    """The file's text when it has the item shape, else "": another session's save that only
    appended items is recognised by this prefix, and only the new items are read."""
    as_written: tuple[Annotation, ...] = ()
    """The annotations as parsed, before attribution (kept with ``text``)."""


class AnnotationFiles:
    """Reads every user's files and writes the current user's, under the state dir."""

    def __init__(self, root: Path, user: str, owner_of: OwnerOf = file_owner) -> None:
        if not _SAFE_NAME.match(user):
            raise AnnotationError(f"user name {user!r} cannot be used in a file name")
        self.root = root
        self.user = user
        self.owner_of = owner_of
        self._cache: dict[Path, _Cached] = {}

    # -- paths ------------------------------------------------------------------
    def folder(self, article_id: str) -> Path:
        if not _ARTICLE_ID.match(article_id):
            raise AnnotationError(f"article id {article_id!r} is not valid")
        return self.root / article_id

    def own_file(self, article_id: str) -> Path:
        return self.folder(article_id) / f"{self.user}.yaml"

    def files(self, article_id: str | None = None, errors: list[str] | None = None) -> Iterator[Path]:
        """Every annotation file (of one article), any user; symlinks are skipped and reported in ``errors``."""
        if self.root.is_symlink():
            if errors is not None:
                errors.append(f"{self.root}: is a symbolic link; annotations there are not read")
            return
        folders = [self.folder(article_id)] if article_id else sorted(self.root.glob("*"))
        for folder in folders:
            if not _ARTICLE_ID.match(folder.name):
                continue
            if folder.is_symlink():
                if errors is not None:
                    errors.append(f"{folder}: is a symbolic link; refused")
                continue
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.yaml")):
                if path.is_symlink():
                    if errors is not None:
                        errors.append(f"{path}: is a symbolic link; refused")
                    continue
                yield path

    # -- reading ----------------------------------------------------------------
    def read(self, path: Path) -> list[Annotation]:
        """One file's annotations (cached while the file is unchanged); [] when it does not exist."""
        return self.read_owned(path).annotations

    def read_owned(self, path: Path) -> OwnedFile:
        """One file, its owner, and its annotations with ``author`` set to that owner."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            return OwnedFile(path, self.user, [])
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise AnnotationFileError(f"{path}: is a symbolic link; refused") from None
            raise AnnotationFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
        with os.fdopen(fd, "rb") as handle:
            return self._read_open(path, handle)

    def _read_open(self, path: Path, handle: object) -> OwnedFile:
        info = os.fstat(handle.fileno())  # type: ignore[attr-defined]
        if not stat.S_ISREG(info.st_mode):
            raise AnnotationFileError(f"{path}: not a regular file; refused")
        stamp = (info.st_ino, info.st_mtime_ns, info.st_size, info.st_uid)
        cached = self._cache.get(path)
        if cached is not None and cached.stamp == stamp:
            return cached.owned
        if info.st_size > MAX_FILE_BYTES:
            raise AnnotationFileError(f"{path}: larger than {MAX_FILE_BYTES // 1024 // 1024} MB; not read")
        try:
            text = handle.read(MAX_FILE_BYTES + 1).decode("utf-8")  # type: ignore[attr-defined]
        except (OSError, UnicodeDecodeError) as exc:
            raise AnnotationFileError(f"{path}: cannot read: {exc}") from None
        owner = self.owner_of(path, info)
        appended = self._appended(path, cached, stamp, text, owner) if cached is not None else None
        if appended is not None:
            self._cache[path] = appended
            return appended.owned
        parsed = dict(cached.parsed) if cached else {}
        as_written = parse_file(path, text, parsed)
        kept = {id(a) for a in as_written}
        parsed = {item: a for item, a in parsed.items() if id(a) in kept}
        dumped = {a.id: (a, item) for item, a in parsed.items()}
        owned = OwnedFile(path, owner, [_attributed(a, owner) for a in as_written])
        shaped = items_of(text) is not None and len(parsed) == len(as_written)
        self._cache[path] = _Cached(stamp, owned, parsed, dumped, text if shaped else "", tuple(as_written))
        return owned

    def _appended(
        self, path: Path, cached: _Cached, stamp: tuple[int, int, int, int], text: str, owner: str
    ) -> _Cached | None:
        """The cache entry for ``text`` when it is the cached text plus new items, else None.

        The common change by another session is one annotation added at the end; a
        file of 500 then costs one item's parse instead of a split of the whole file.
        A file with the item shape plus items of that shape has the item shape
        itself (items never end the list), so the answer equals a full parse.
        """
        old = cached.text
        if not old or owner != cached.owned.owner or len(text) <= len(old) or not text.startswith(old):
            return None
        tail = item_run(text[len(old) :], old.count("\n") + 1)
        if tail is None:
            return None
        parsed = dict(cached.parsed)
        try:
            new = parse_items(path, tail, parsed, first_number=len(cached.as_written) + 1)
        except AnnotationFileError:
            return None  # the full parse names the problem (or reads a shape the split misread)
        seen = {a.id for a in cached.as_written}
        for number, annotation in enumerate(new, len(cached.as_written) + 1):
            if annotation.id in seen:
                raise AnnotationFileError(f"{path}: item {number}: id {annotation.id} appears twice")
            seen.add(annotation.id)
        if len(parsed) != len(seen):  # two items with the same text: let the full parse keep its rules
            return None
        dumped = dict(cached.dumped)
        dumped.update((a.id, (a, item)) for (_, item), a in zip(tail, new, strict=True))
        owned = OwnedFile(path, owner, [*cached.owned.annotations, *(_attributed(a, owner) for a in new)])
        return _Cached(stamp, owned, parsed, dumped, text, (*cached.as_written, *new))

    # -- writing (own files only) -----------------------------------------------
    def update(
        self,
        article_id: str,
        upserts: Iterable[Annotation] = (),
        deletes: Iterable[str] = (),
        expect: Mapping[str, Annotation] | None = None,
    ) -> None:
        """Apply ``upserts`` (by id) and ``deletes`` to the user's file, atomically, under its lock;
        none if an annotation in ``expect`` (by id, as the caller read it) changed since (``check_unchanged``)."""
        path = self.own_file(article_id)
        upserts, deletes = list(upserts), set(deletes)
        for annotation in upserts:
            if annotation.article_id != article_id:
                raise AnnotationError(f"annotation {annotation.id} belongs to another article")
        try:
            folder_fd = self._open_folder(path.parent)
            try:
                with _locked(folder_fd, f"{path.name}.lock", path):
                    current = self._read_in(folder_fd, path)  # a broken file raises: it is left as it is
                    if current.owner != self.user:
                        raise AnnotationFileError(f"{path}: owned by {current.owner}, not {self.user}; not written")
                    cached = self._cache.get(path)
                    dumped = dict(cached.dumped) if cached and cached.owned is current else {}
                    merged = {a.id: a for a in current.annotations}  # the owner's: authors are theirs
                    check_unchanged(merged, expect or {}, article_id)
                    for annotation in upserts:
                        merged[annotation.id] = replace(annotation, author=self.user, claimed_author="")
                    for ident in deletes:
                        merged.pop(ident, None)
                    text, shaped = serialise(article_id, self.user, merged.values(), dumped)
                    payload = text.encode("utf-8")
                    if len(payload) > MAX_FILE_BYTES:  # a file no reader would open again: keep the old one
                        raise AnnotationFileError(
                            f"{path}: would grow past {MAX_FILE_BYTES // 1024 // 1024} MB, the most newsdesk reads; "
                            f"not saved (shorten the notes, or annotate in fewer passages)"
                        )
                    info = _replace_file(folder_fd, path.name, payload)
                    kept = {i: dumped[i] for i in merged if i in dumped}
                    owned = OwnedFile(path, self.user, list(merged.values()))
                    stamp = (info.st_ino, info.st_mtime_ns, info.st_size, info.st_uid)
                    parsed = {item: a for a, item in kept.values()}
                    shaped = shaped and len(parsed) == len(merged)
                    self._cache[path] = _Cached(
                        stamp, owned, parsed, kept, text if shaped else "", tuple(merged.values())
                    )
            finally:
                os.close(folder_fd)
        except OSError as exc:
            # Disk full, an I/O error, a read-only folder: the old file is untouched (the
            # temp file is gone), so the caller keeps the annotation to retry.
            raise AnnotationFileError(f"{path}: not saved: {exc.strerror or exc}") from None

    def _read_in(self, folder_fd: int, path: Path) -> OwnedFile:
        try:
            fd = os.open(path.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
        except FileNotFoundError:
            return OwnedFile(path, self.user, [])
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise AnnotationFileError(f"{path}: is a symbolic link; refused") from None
            raise
        with os.fdopen(fd, "rb") as handle:
            return self._read_open(path, handle)

    def _open_folder(self, folder: Path) -> int:
        """The article folder, opened without following links (created setgid + sticky if missing)."""
        for level in (self.root, folder):
            try:
                os.mkdir(level, 0o700)
            except FileExistsError:
                pass
            else:
                # Explicit mode (the umask is never touched): the group of the state folder
                # may add files; setgid keeps them in its group; sticky protects each one from all but
                # its owner, this folder's owner (us) and root.
                parent_mode = stat.S_IMODE(os.stat(level.parent).st_mode)
                os.chmod(level, 0o700 | (parent_mode & 0o077) | FOLDER_BITS)
        for level in (self.root, folder):
            if level.is_symlink():
                raise AnnotationFileError(f"{level}: is a symbolic link; refused, nothing saved")
        try:
            return os.open(folder, _NOFOLLOW_DIR)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise AnnotationFileError(f"{folder}: is not a real folder (a symbolic link?); refused") from None
            raise

    def remove_stale_temp_files(self) -> int:
        """Delete temp files a killed save left behind (own files only, each under its file's lock)."""
        removed = 0
        for temp in self.root.glob(f"*/.{self.user}.yaml.*.tmp"):
            if temp.is_symlink() or temp.parent.is_symlink():
                continue
            try:
                folder_fd = os.open(temp.parent, _NOFOLLOW_DIR)
            except OSError:
                continue
            try:
                with _locked(folder_fd, f"{self.user}.yaml.lock", temp, timeout=0):
                    os.unlink(temp.name, dir_fd=folder_fd)
                    removed += 1
            except (AnnotationFileError, OSError):
                continue  # a save is running right now (its temp file is not stale), or not ours
            finally:
                os.close(folder_fd)
        return removed


def _attributed(annotation: Annotation, owner: str) -> Annotation:
    """``annotation`` as written by ``owner``; a different ``author:`` in the file is kept as a claim."""
    if annotation.author == owner and not annotation.claimed_author:
        return annotation  # the same object: the write path recognises it and reuses its text
    claimed = annotation.author if annotation.author and annotation.author != owner else ""
    return replace(annotation, author=owner, claimed_author=claimed)


@contextlib.contextmanager
def _locked(folder_fd: int, name: str, path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``name`` in the folder (created 0600, never followed, never deleted)."""
    fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600, dir_fd=folder_fd)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise AnnotationFileError(f"{path}: locked by another newsdesk process for {timeout:g} s") from None
                time.sleep(0.005)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _replace_file(folder_fd: int, name: str, payload: bytes) -> os.stat_result:
    """Write ``name`` in the folder atomically and durably, mode 0644; its new ``fstat``."""
    temp = f".{name}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    fd = os.open(
        temp,
        os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
        0o600,
        dir_fd=folder_fd,
    )
    try:
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fchmod(fd, FILE_MODE)  # explicit: the same mode whatever the umask
            os.fsync(fd)
            info = os.fstat(fd)
        finally:
            os.close(fd)
        os.replace(temp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=folder_fd)
        raise
    with contextlib.suppress(OSError):  # some filesystems refuse fsync on a folder; the rename is done
        os.fsync(folder_fd)
    return info


def iter_all(files: AnnotationFiles, article_id: str | None = None) -> Iterator[tuple[Path, list[Annotation]]]:
    """(file, annotations) for every readable file; broken files raise, so callers decide."""
    for path in files.files(article_id):
        yield path, files.read(path)
