"""The index folder an update writes and a search reads, as the article store records it.

The store names the current Whoosh folder, its manifest (the files and sizes it
was committed with), whether it reflects the store ("synced") and which schema
version made it. Searchers read the name and manifest in one statement; an
update checks the folder against its manifest, sets a damaged one aside, and
records a new one only once it is whole. Kept apart from the update itself
(index/indexer.py), which subclasses :class:`IndexFolder`.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from newsdesk.index.display import display_path
from newsdesk.index.engine.hidden_fields import common_terms_outgrown
from newsdesk.index.engine.schema import INDEX_SCHEMA_VERSION, SEARCHABLE_OLDER_SCHEMAS, common_terms_sampled
from newsdesk.index.errors import CorpusError
from newsdesk.index.first_indexed import mark_indexed
from newsdesk.index.healing import DAMAGED_PREFIX, READ_ERRORS, index_manifest, index_matches, set_aside
from newsdesk.index.store import ArticleStore
from newsdesk.index.update_stats import UpdateStats
from whoosh import index as whoosh_index

META_INDEX_DIR = "whoosh_dir"
META_SYNCED = "whoosh_synced"
META_SCHEMA = "whoosh_schema"
META_SCHEMA_NEWEST = "whoosh_schema_newest"
"""The newest schema version that made an index for this store (an older newsdesk leaves it as it is)."""
OLDER_SCHEMA_NOTICE = "the search index was made by an older version of newsdesk: rebuilt from the store, once"
SHARED_WITH_OLDER_NOTICE = (
    "an older newsdesk sharing this state folder rebuilt the search index for itself: rebuilt again for this "
    "version (each rebuilds it while both are in use)"
)
NEWER_SCHEMA_NOTICE = "the search index was made by a newer version of newsdesk: rebuilt from the store for this one"
OTHER_SCHEMA_NOTICE = "the search index was made by another version of newsdesk: rebuilt from the store for this one"
META_MANIFEST = "whoosh_manifest"


class IndexFolder:
    """The index folder's record in the store, for :class:`~newsdesk.index.indexer.Indexer`."""

    state_dir: Path
    store: ArticleStore

    def index_dir(self) -> Path | None:
        """The current Whoosh folder, if the store names one and it is as it was committed.

        Name and manifest are read in one statement (one snapshot), and a folder that fails
        its check is looked up again when the store meanwhile names another: a rebuild in
        another process commits a new folder and removes the old one, which is not damage.
        """
        named = self._named_index()
        for _ in range(3):
            name, manifest = named
            if not name:
                return None
            path = self.state_dir / name
            if self._folder_is_whole(path, manifest):
                return path
            again = self._named_index()
            if again == named:
                return None
            named = again
        return None

    def index_named(self) -> bool:
        """True when the store names an index folder (whether or not it is whole)."""
        return bool(self._named_index()[0])

    def _named_index(self) -> tuple[str | None, str | None]:
        values = self.store.get_metas(META_INDEX_DIR, META_MANIFEST)
        return values.get(META_INDEX_DIR), values.get(META_MANIFEST)

    @staticmethod
    def _folder_is_whole(path: Path, manifest: str | None) -> bool:
        if manifest is not None:
            return index_matches(path, manifest)
        try:  # a store from before manifests: Whoosh's own check
            return bool(whoosh_index.exists_in(str(path)))
        except READ_ERRORS:
            return False

    def index_version(self) -> str:
        """A value that changes whenever the search index is committed, by this process or another (one read)."""
        name, manifest = self._named_index()
        return f"{name}\x00{manifest}"

    def index_in_sync(self) -> bool:
        """True when the Whoosh index reflects the store exactly."""
        return (
            self.index_dir() is not None
            and self.store.get_meta(META_SYNCED) == "1"
            and self.store.get_meta(META_SCHEMA) == INDEX_SCHEMA_VERSION
        )

    def index_from_older_version(self) -> bool:
        """True when the index reflects the store but an older newsdesk made it, one this code searches as it is.

        The next update rebuilds it; a search need not wait for that (minutes for a large corpus).
        """
        return (
            self.store.get_meta(META_SCHEMA) in SEARCHABLE_OLDER_SCHEMAS
            and self.store.get_meta(META_SYNCED) == "1"
            and self.index_dir() is not None
        )

    def mark_damaged(self) -> None:
        """Note that reading the index failed, so the next update rebuilds it (if the store can be written)."""
        try:
            with self.store.transaction() as db:
                ArticleStore.set_meta(db, META_SYNCED, "0")
                ArticleStore.set_meta(db, META_MANIFEST, "{}")
        except (sqlite3.Error, CorpusError):
            pass  # a read-only or busy store: the searcher's error line already told the user

    def _set_aside_damaged_index(self, stats: UpdateStats) -> None:
        name = self.store.get_meta(META_INDEX_DIR)
        if not name or self.index_dir() is not None:
            return
        path = self.state_dir / name
        if path.exists():
            for older in self.state_dir.glob(f"{DAMAGED_PREFIX}whoosh-*"):  # one kept for a post-mortem
                if older.is_dir() and not older.is_symlink():
                    shutil.rmtree(older, ignore_errors=True)
            aside = set_aside(path)
            where = f"set aside as {display_path(aside.name)}" if aside else "left in place"
            stats.repairs.append(f"the search index {display_path(name)} was damaged: {where}; rebuilt from the store")
        else:
            stats.repairs.append(f"the search index {display_path(name)} was missing: rebuilt from the store")

    def _common_terms_outgrown(self) -> bool:
        """True when the index's common terms were taken from too small a store (``common_terms_outgrown``)."""
        index_dir = self.index_dir()
        if index_dir is None:
            return False
        try:
            schema = whoosh_index.open_dir(str(index_dir)).schema
        except READ_ERRORS:
            return False  # damage is found and repaired where the index is read
        return common_terms_outgrown(common_terms_sampled(schema), self.store.count())

    def _schema_notice(self, made_under: str) -> str:
        """Why an index made under schema ``made_under`` is rebuilt: "once" only when it is the first time."""
        current = int(INDEX_SCHEMA_VERSION)
        if not made_under.isdigit():
            return OTHER_SCHEMA_NOTICE
        if int(made_under) > current:
            return NEWER_SCHEMA_NOTICE
        newest = self.store.get_meta(META_SCHEMA_NEWEST) or ""
        if newest.isdigit() and int(newest) >= current:  # this version made it before: an older one rebuilt it since
            return SHARED_WITH_OLDER_NOTICE
        return OLDER_SCHEMA_NOTICE

    def _mark_synced(self, dir_name: str) -> None:
        manifest = index_manifest(self.state_dir / dir_name) if dir_name else "{}"
        newest = self.store.get_meta(META_SCHEMA_NEWEST) or ""
        with self.store.transaction() as db:
            ArticleStore.set_meta(db, META_MANIFEST, manifest)
            ArticleStore.set_meta(db, META_INDEX_DIR, dir_name)
            ArticleStore.set_meta(db, META_SYNCED, "1")
            ArticleStore.set_meta(db, META_SCHEMA, INDEX_SCHEMA_VERSION)
            if not newest.isdigit() or int(newest) < int(INDEX_SCHEMA_VERSION):
                ArticleStore.set_meta(db, META_SCHEMA_NEWEST, INDEX_SCHEMA_VERSION)
            mark_indexed(db)

    def _remove_stale_index_dirs(self, keep: str) -> None:
        # Searchers still open on an old folder keep reading their open files
        # (POSIX unlink semantics), so removing it under them is safe.
        for path in self.state_dir.glob("whoosh-*"):
            if path.name != keep and path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
