"""Saved searches: named queries, and how many of their matches arrived since the user last looked.

One plain YAML file per user, ``<state>/saved/<user>.yaml``, written under the
rules annotation files follow (see :mod:`newsdesk.index.annotations.files`):
take ``<user>.yaml.lock`` (never deleted), re-read the file, change it, write
the whole file to a temp file in the same folder, fsync, rename, fsync the
folder; load it with the guarded safe loader. A broken file is reported in one
line and left exactly as it is: nothing is written over it.

"New" counts matches first indexed (:mod:`newsdesk.index.first_indexed`) after
the number recorded when the user last saw the search.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from filelock import FileLock, Timeout
from newsdesk.index.annotations.files import owner_account
from newsdesk.index.annotations.model import current_user
from newsdesk.index.atomic import write_atomic
from newsdesk.index.errors import NewsdeskError, SavedSearchError, SavedSearchFileError
from newsdesk.index.first_indexed import indexed_after, indexed_seq
from newsdesk.index.ownership import is_own_file
from newsdesk.index.safeyaml import YamlError, load_yaml

if TYPE_CHECKING:
    from newsdesk.index.engine.interface import SearchEngine
    from newsdesk.index.store import ArticleStore

MAX_NAME = 100
MAX_QUERY = 4000
MAX_FILE_BYTES = 1024 * 1024
LOCK_TIMEOUT = 30.0
_BIDI_AND_BOM = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_SAFE_USER = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
HEADER = (
    "# newsdesk saved searches of {user}.\n"
    "# Plain YAML: safe to read and edit by hand. 'seen' is the first-indexed number the\n"
    "# search was last seen at (articles numbered above it count as new).\n"
)


_JOINERS = frozenset("\u200c\u200d")
"""Format characters a new name or query may hold: the zero-width non-joiner (Persian, Hindi) and joiner (emoji)."""


def _refused_char(text: str, new: bool = True) -> str | None:
    """The first character a saved name or query may not hold (controls, line breaks, bidi, BOM).

    ``new`` (a search being saved): no invisible format character either (a bidi mark, a
    zero-width space pasted with a query), which made two names look alike and a query find
    nothing for no visible reason. Files written before keep the older rule when read.
    """
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Zl", "Zp") or char in _BIDI_AND_BOM:
            return char
        if new and category == "Cf" and char not in _JOINERS:
            return char
    return None


def check_name(name: str, new: bool = True) -> str:
    """A saved search's name as stored (stripped), or :class:`SavedSearchError`."""
    name = name.strip()
    if not name:
        raise SavedSearchError("a saved search needs a name")
    if len(name) > MAX_NAME:
        raise SavedSearchError(f"a saved search's name must be at most {MAX_NAME} characters")
    bad = _refused_char(name, new)
    if bad is not None:
        raise SavedSearchError(f"a saved search's name cannot hold the character U+{ord(bad):04X}")
    return name


def check_query(query: str, new: bool = True) -> str:
    """A saved query as stored (stripped), or :class:`SavedSearchError`."""
    query = query.strip()
    if not query:
        raise SavedSearchError("a saved search needs a query")
    if len(query) > MAX_QUERY:
        raise SavedSearchError(f"a saved query must be at most {MAX_QUERY} characters")
    bad = _refused_char(query, new)
    if bad is not None:
        raise SavedSearchError(f"a saved query cannot hold the character U+{ord(bad):04X}")
    return query


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """One saved search as stored."""

    name: str
    query: str
    seen: int = 0
    """The first-indexed number it was last seen at."""
    epoch: str = ""
    """Which first-indexed sequence ``seen`` belongs to."""
    seen_at: str = ""
    """When it was last seen (ISO 8601, UTC), for people reading the file."""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "query": self.query, "seen": self.seen, "epoch": self.epoch, "seen_at": self.seen_at}


@dataclass(frozen=True, slots=True)
class SavedSearchStatus:
    """A saved search with its current counts."""

    name: str
    query: str
    total: int
    new: int
    error: str | None = None
    """Why the query could not run (then ``total`` and ``new`` are 0)."""

    def to_json(self) -> dict[str, Any]:
        """The object ``newsdesk saved list --json`` prints for it."""
        data: dict[str, Any] = {"name": self.name, "query": self.query, "total": self.total, "new": self.new}
        if self.error is not None:
            data["error"] = self.error
        return data


@dataclass(frozen=True, slots=True)
class SavedOverview:
    """Every saved search with counts, and how many distinct new articles wait across them."""

    searches: list[SavedSearchStatus]
    new_articles: int


def _item(path: Path, number: int, item: object) -> SavedSearch:
    where = f"{path}: item {number}"
    if not isinstance(item, dict):
        raise SavedSearchFileError(f"{where}: expected name, query and seen")
    name, query, seen = item.get("name"), item.get("query"), item.get("seen", 0)
    epoch, seen_at = item.get("epoch", ""), item.get("seen_at", "")
    if not isinstance(name, str) or not isinstance(query, str):
        raise SavedSearchFileError(f"{where}: name and query must be text")
    if not isinstance(seen, int) or isinstance(seen, bool) or seen < 0:
        raise SavedSearchFileError(f"{where}: seen must be a whole number, 0 or more")
    if not isinstance(epoch, str) or not isinstance(seen_at, str):
        raise SavedSearchFileError(f"{where}: epoch and seen_at must be text")
    try:
        return SavedSearch(check_name(name, new=False), check_query(query, new=False), seen, epoch, seen_at)
    except SavedSearchError as exc:
        raise SavedSearchFileError(f"{where}: {exc}") from None


def parse_saved(path: Path, text: str) -> list[SavedSearch]:
    """The saved searches in one file's text; :class:`SavedSearchFileError` names file and line."""
    try:
        data = load_yaml(text, max_bytes=MAX_FILE_BYTES, max_depth=8)
    except YamlError as exc:
        line = f":{exc.line}" if exc.line else ""
        raise SavedSearchFileError(f"{path}{line}: {exc.reason}") from None
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("saved", []), list):
        raise SavedSearchFileError(f"{path}: expected 'saved:' followed by a list")
    searches = [_item(path, number, item) for number, item in enumerate(data.get("saved") or [], 1)]
    names = set()
    for number, search in enumerate(searches, 1):
        if search.name in names:
            raise SavedSearchFileError(f"{path}: item {number}: the name {search.name!r} appears twice")
        names.add(search.name)
    return searches


def dump_saved(user: str, searches: list[SavedSearch]) -> str:
    """A whole file's text for ``searches``."""
    body = yaml.safe_dump(
        {"saved": [s.to_dict() for s in searches]},
        allow_unicode=True,
        sort_keys=False,
        width=1_000_000,
    )
    return HEADER.format(user=user) + body


def _make_sticky(folder: Path) -> None:
    """Set the sticky bit on our own ``saved/`` folder: in a group-writable state folder another
    account could otherwise delete or replace each user's file (a rename needs only the folder)."""
    info = folder.lstat()
    if is_own_file(folder, info) and not info.st_mode & stat.S_ISVTX and stat.S_ISDIR(info.st_mode):
        with contextlib.suppress(OSError):  # a file system without modes (a CIFS mount) still saves
            os.chmod(folder, stat.S_IMODE(info.st_mode) | stat.S_ISVTX)


class SavedSearchFile:
    """One user's saved searches file: read anyone's, write only through the lock."""

    def __init__(self, state_dir: Path, user: str | None = None) -> None:
        self.user = user or current_user()
        if not _SAFE_USER.match(self.user):
            raise SavedSearchError(f"user name {self.user!r} cannot be used in a file name")
        self.path = state_dir / "saved" / f"{self.user}.yaml"

    def read(self) -> list[SavedSearch]:
        """The saved searches, in the order they were saved; [] when there is no file."""
        # O_NONBLOCK: a FIFO put in the file's place must not block the open (the reader's count
        # and every save would wait forever); O_NOFOLLOW: a link is refused, not followed to a
        # device; what was opened is checked with fstat before a byte is read, and at most one
        # byte more than the limit is read (a file growing while read, /dev/zero behind a bind).
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            return []
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise SavedSearchFileError(f"{self.path}: is a symbolic link; refused") from None
            raise SavedSearchFileError(f"{self.path}: cannot read: {exc.strerror or exc}") from None
        with os.fdopen(fd, "rb") as handle:
            try:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode):
                    raise SavedSearchFileError(f"{self.path}: not a regular file; refused")
                if not is_own_file(self.path, info):
                    # Another account put it there (a group-writable state folder): its searches are not ours.
                    # (Its own uid, or the one its new files get on an NFS mount that squashes accounts.)
                    owner = owner_account(self.path, info)
                    raise SavedSearchFileError(f"{self.path}: owned by {owner}, not this account; refused")
                if info.st_size > MAX_FILE_BYTES:
                    raise SavedSearchFileError(f"{self.path}: larger than {MAX_FILE_BYTES // 1024} KB; not read")
                data = handle.read(MAX_FILE_BYTES + 1)
                if len(data) > MAX_FILE_BYTES:
                    raise SavedSearchFileError(f"{self.path}: larger than {MAX_FILE_BYTES // 1024} KB; not read")
                text = data.decode("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                raise SavedSearchFileError(f"{self.path}: cannot read: {reason}") from None
        return parse_saved(self.path, text)

    def change(self, edit: Any) -> list[SavedSearch]:
        """Apply ``edit(searches) -> searches`` under the lock and write the result; returns it."""
        lock = FileLock(
            str(self.path.with_name(self.path.name + ".lock")), timeout=LOCK_TIMEOUT, preserve_lock_file=True
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _make_sticky(self.path.parent)
            with lock:
                # Under the lock no save of this user is running: any temp file is a killed save's.
                for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
                    stale.unlink(missing_ok=True)
                changed = edit(self.read())  # a broken file raises here and is left untouched
                text = dump_saved(self.user, changed)
                if len(text.encode("utf-8")) > MAX_FILE_BYTES:
                    # Written, it could not be read back: every later list, save and remove would refuse it.
                    raise SavedSearchError(
                        f"not saved: the saved searches would take more than {MAX_FILE_BYTES // 1024} KB; "
                        "remove some first"
                    )
                write_atomic(self.path, text)
                return changed
        except Timeout:
            raise SavedSearchFileError(
                f"{self.path}: locked by another newsdesk process for {LOCK_TIMEOUT:g} s"
            ) from None
        except OSError as exc:
            raise SavedSearchFileError(f"{self.path}: not saved: {exc.strerror or exc}") from None


class SavedSearches:
    """The current user's saved searches on one corpus, with their counts."""

    def __init__(self, state_dir: Path, store: ArticleStore, searcher: SearchEngine, user: str | None = None) -> None:
        self.file = SavedSearchFile(state_dir, user)
        self._store = store
        self._searcher = searcher

    def names(self) -> list[SavedSearch]:
        """The saved searches as stored (no counting)."""
        return self.file.read()

    def _seen_now(self, search: SavedSearch) -> SavedSearch:
        epoch, seq = indexed_seq(self._store.db)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        return SavedSearch(search.name, search.query, seq, epoch, stamp)

    def add(self, name: str, query: str) -> SavedSearch:
        """Save ``query`` as ``name`` (replacing a search of that name), its current matches seen.

        A query the index refuses (:class:`QueryError`) is not saved.
        """
        name, query = check_name(name), check_query(query)
        self._searcher.match_ids(query, [])
        saved = self._seen_now(SavedSearch(name, query))

        def edit(searches: list[SavedSearch]) -> list[SavedSearch]:
            kept = [s for s in searches if s.name != saved.name]
            if len(kept) == len(searches):
                return [*searches, saved]
            return [saved if s.name == saved.name else s for s in searches]

        self.file.change(edit)
        return saved

    def mark_seen(self, name: str) -> SavedSearch:
        """Mark every current match of the search ``name`` as seen."""
        name = name.strip()
        found: list[SavedSearch] = []

        def edit(searches: list[SavedSearch]) -> list[SavedSearch]:
            for index, search in enumerate(searches):
                if search.name == name:
                    found.append(self._seen_now(search))
                    return [*searches[:index], found[0], *searches[index + 1 :]]
            raise SavedSearchError(f"no saved search named {name!r}")

        self.file.change(edit)
        return found[0]

    def remove(self, name: str) -> None:
        """Forget the search ``name``."""
        name = name.strip()

        def edit(searches: list[SavedSearch]) -> list[SavedSearch]:
            kept = [s for s in searches if s.name != name]
            if len(kept) == len(searches):
                raise SavedSearchError(f"no saved search named {name!r}")
            return kept

        self.file.change(edit)

    def overview(self) -> SavedOverview:
        """Every saved search with its total and new matches (a query that fails reports its error)."""
        epoch, upto = indexed_seq(self._store.db)
        statuses = []
        waiting: set[str] = set()
        fresh_cache: dict[int, list[str]] = {}
        for search in self.file.read():
            after = search.seen if search.epoch == epoch else 0
            if after not in fresh_cache:
                fresh_cache[after] = indexed_after(self._store.db, after, upto) if after < upto else []
            try:
                total, new = self._searcher.match_ids(search.query, fresh_cache[after])
            except NewsdeskError as exc:
                statuses.append(SavedSearchStatus(search.name, search.query, 0, 0, str(exc)))
                continue
            waiting |= new
            statuses.append(SavedSearchStatus(search.name, search.query, total, len(new)))
        return SavedOverview(statuses, len(waiting))
